/// `/dashboard/dashboard.css` — The page's only style sheet (no inline styles: the CSP forbids them).
/// Served from the binary as it is (no build step); edit it here.
enum DashboardCSS {
    static let text = #"""
/* vdm dashboard: one light theme, readable from a phone to a wide screen. */
:root { --fg: #1f2933; --muted: #616e7c; --line: #d9e2ec; --bg: #f5f7fa; --card: #fff; --accent: #2563eb; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
.bar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 16px; padding: 10px 16px; background: #102a43; color: #fff; }
.bar h1 { margin: 0; font-size: 18px; letter-spacing: .5px; }
.bar nav { display: flex; flex-wrap: wrap; gap: 4px; }
.bar nav a { color: #d9e2ec; text-decoration: none; padding: 4px 10px; border-radius: 4px; }
.bar nav a.active, .bar nav a:hover { background: #243b53; color: #fff; }
.bar .right { margin-left: auto; display: flex; align-items: center; gap: 10px; flex-wrap: wrap; }
.bar .muted { color: #9fb3c8; }
.count { display: inline-block; min-width: 18px; padding: 0 5px; border-radius: 9px; background: #334e68; font-size: 12px; text-align: center; }
.state { font-weight: 600; padding: 2px 8px; border-radius: 4px; background: #486581; }
.state[data-state="live"] { background: #15803d; }
.state[data-state="reconnecting"], .state[data-state="key needed"] { background: #b91c1c; }
.state[data-state="disabled"], .state[data-state="paused"] { background: #52606d; }
button { font: inherit; padding: 4px 12px; border: 1px solid var(--line); border-radius: 4px; background: #fff; color: var(--fg); cursor: pointer; }
main { padding: 12px 16px 32px; max-width: 1600px; }
h2 { font-size: 16px; margin: 20px 0 8px; }
.muted { color: var(--muted); }
.error { margin: 8px 16px; padding: 8px 12px; background: #fde8e8; color: #9b1c1c; border-radius: 4px; }
.callout { padding: 8px 12px; background: #fff7e6; border-left: 4px solid #ca8a04; }
.key-form { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 8px 16px; padding: 10px 12px; background: #fff; border: 1px solid var(--line); border-radius: 4px; }
.key-form input { min-width: 240px; padding: 4px 8px; }
.health { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; padding: 10px 12px; background: var(--card); border: 1px solid var(--line); border-radius: 6px; }
.status { font-weight: 700; padding: 2px 8px; border-radius: 4px; color: #fff; }
.status.ok { background: #15803d; }
.status.warn { background: #b45309; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); gap: 10px; margin-top: 12px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; min-width: 0; }
.card .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .4px; }
.card .value { font-size: 22px; font-weight: 600; overflow-wrap: anywhere; }
.card .value.small { font-size: 16px; display: flex; align-items: center; gap: 6px; }
.card .sub { color: var(--muted); font-size: 12px; overflow-wrap: anywhere; }
.scroll { overflow-x: auto; background: var(--card); border: 1px solid var(--line); border-radius: 6px; }
table { border-collapse: collapse; width: 100%; }
th, td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
th { background: #f0f4f8; font-size: 12px; color: var(--muted); font-weight: 600; }
tbody tr:nth-child(even) { background: #fafbfc; }
th.num, td[data-field$="tokens"], td[data-field="requests"], td[data-field="errors"], td[data-field="error_rate"], td[data-field="tool_calls"],
td[data-field$="duration_ms"], td[data-field="http_status"] { text-align: right; font-variant-numeric: tabular-nums; }
table.sortable th[data-sort] { cursor: pointer; user-select: none; }
th[aria-sort="ascending"]::after { content: " ▲"; }
th[aria-sort="descending"]::after { content: " ▼"; }
td[data-field="error"] { white-space: normal; min-width: 220px; max-width: 420px; overflow-wrap: anywhere; }
.mono, code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
.commands { white-space: normal; min-width: 260px; }
.command { display: block; padding: 2px 6px; margin: 2px 0; background: #f0f4f8; border-radius: 3px; user-select: all; overflow-wrap: anywhere; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; color: #fff; font-size: 12px; font-weight: 600; }
.pill { display: inline-block; margin-left: 6px; padding: 0 6px; border: 1px solid var(--line); border-radius: 8px; font-size: 11px; color: var(--muted); }
.dot { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 6px; vertical-align: middle; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 12px; margin-top: 16px; }
figure { margin: 0; background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 10px; min-width: 0; }
figcaption { font-weight: 600; margin-bottom: 6px; display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
.chart svg { width: 100%; height: auto; display: block; }
.chart .axis { font-size: 11px; fill: var(--muted); }
.count-form { display: grid; gap: 8px; max-width: 720px; }
.count-form input, .count-form textarea { font: inherit; padding: 6px 8px; border: 1px solid var(--line); border-radius: 4px; width: 100%; }
.count-form button { justify-self: start; }
.result { font-size: 18px; font-weight: 600; }
@media (max-width: 640px) {
  .bar .right { margin-left: 0; }
  .card .value { font-size: 18px; }
  main { padding: 8px; }
}
"""#
}
