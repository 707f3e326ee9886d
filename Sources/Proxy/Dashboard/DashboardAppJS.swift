/// `/dashboard/app.js` — Fetching the JSON views and rendering them with textContent only.
/// Served from the binary as it is (no build step); edit it here.
enum DashboardAppJS {
    static let text = #"""
// vdm dashboard: fetches the proxy's JSON views and renders them. Every value goes into the page
// through textContent or an attribute (never parsed as HTML), and every number is the API's number.
"use strict";
(function () {
  const F = window.VDMFormat;
  const keyStorage = "vdm.proxyKey";
  const pollMs = 5000;
  const $ = (id) => document.getElementById(id);

  // ---- HTTP, with the proxy key (sessionStorage, sent as x-api-key, never in a URL) ----
  function authHeaders() {
    const key = sessionStorage.getItem(keyStorage);
    return key ? { "x-api-key": key } : {};
  }
  class Unauthorized extends Error {}
  async function api(path, init) {
    const options = Object.assign({ cache: "no-store" }, init || {});
    options.headers = Object.assign({}, options.headers || {}, authHeaders());
    const response = await fetch(path, options);
    if (response.status === 401) { askForKey(); throw new Unauthorized("the proxy key is needed"); }
    return response;
  }
  async function apiJSON(path, init) {
    const response = await api(path, init);
    const body = F.parse(await response.text());
    if (!response.ok) throw new Error((body && body.error && body.error.message) || "HTTP " + response.status);
    return body;
  }
  function askForKey() {
    $("key-form").hidden = false;
    $("key-input").focus();
  }
  function showError(text) {
    const box = $("error");
    box.textContent = text || "";
    box.hidden = !text;
  }

  // ---- DOM helpers ----
  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value !== undefined && value !== null) node.setAttribute(name, String(value));
    }
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function badge(provider) {
    const node = el("span", { class: "badge", "data-provider": provider }, provider);
    node.style.backgroundColor = F.providerColour(provider);
    return node;
  }
  function dot(iso) {
    const node = el("span", { class: "dot", "data-since": iso || "" });
    node.style.backgroundColor = F.recencyColour(iso);
    return node;
  }
  function cell(field, value, text) {
    return el("td", { "data-field": field, "data-value": value }, text === undefined ? F.int(value) : text);
  }
  function replaceRows(tbody, rows) {
    tbody.replaceChildren(...rows);
  }

  // ---- Overview ----
  const kpis = [
    ["total_requests", "Requests", (s) => s.total_requests, F.int],
    ["total_errors", "Errors", (s) => s.total_errors, F.int],
    ["error_rate", "Error rate", (s) => F.percent(s.total_errors, s.total_requests), (v) => v],
    ["active_requests", "Active requests", (s) => s.active_requests, F.int],
    ["total_input_tokens", "Input tokens", (s) => s.total_input_tokens, F.int],
    ["total_output_tokens", "Output tokens", (s) => s.total_output_tokens, F.int],
    ["total_cache_read_tokens", "Cache read tokens", (s) => s.total_cache_read_tokens, F.int],
    ["total_cache_creation_tokens", "Cache creation tokens", (s) => s.total_cache_creation_tokens, F.int],
    ["average_duration_ms", "Avg duration", (s) => s.average_duration_ms, F.millis],
    ["streaming_average_duration_ms", "Avg streaming", (s) => s.streaming ? s.streaming.average_duration_ms : null, (v) => v === null ? "—" : F.millis(v)],
    ["non_streaming_average_duration_ms", "Avg non-streaming", (s) => s.non_streaming ? s.non_streaming.average_duration_ms : null, (v) => v === null ? "—" : F.millis(v)],
    ["total_tool_calls", "Tool calls", (s) => s.total_tool_calls, F.int],
  ];

  function renderKPIs(totals) {
    const s = totals.summary;
    const cards = kpis.map(([key, label, pick, format]) => {
      const value = pick(s);
      const card = el("div", { class: "card", "data-kpi": key, "data-value": value === null ? "" : value });
      card.append(el("div", { class: "label" }, label), el("div", { class: "value" }, format(value)));
      return card;
    });
    const last = s.last_accessed ? s.last_accessed.top : null;
    const card = el("div", { class: "card", "data-kpi": "last_accessed", "data-value": last || "" });
    const value = el("div", { class: "value small" });
    value.append(dot(last), el("span", { class: "ago", "data-since": last || "" }, last ? F.ago(last) : "never"));
    card.append(el("div", { class: "label" }, "Last activity"), value, el("div", { class: "sub" }, last || "no requests yet"));
    cards.push(card);
    $("kpis").replaceChildren(...cards);
  }

  function renderHealth(health) {
    const box = $("health");
    const status = el("span", { class: "status ok", id: "health-status" }, String(health.status).toUpperCase());
    const outputs = el("span", { id: "health-outputs" }, "Log outputs: " + health.logging.effective.join(", "));
    const parts = [status, outputs];
    if (health.logging.fallback_active) {
      parts.push(el("span", { class: "status warn", id: "health-fallback" },
        "Fallback: asked for " + health.logging.requested.join(", ") + ", writing to " + health.logging.effective.join(", ")));
    }
    parts.push(el("span", { class: "muted" }, "Default provider: " + health.default_provider +
      " · key validation " + (health.client_api_key_validation ? "on" : "off") +
      " · metrics " + (health.metrics_enabled ? "on" : "off") + " · updated " + F.time(health.generated)));
    box.replaceChildren(...parts);
    replaceRows($("providers-body"), health.providers.map((p) => {
      const row = el("tr", { "data-row": p.name });
      const name = el("td", { "data-field": "name" });
      name.append(badge(p.name));
      if (p.default) name.append(el("span", { class: "pill" }, "default"));
      row.append(name, cell("api_format", p.api_format, p.api_format), cell("base_url", p.base_url, p.base_url),
        cell("auth_mode", p.auth_mode, p.auth_mode), cell("api_key_hash", p.api_key_hash, p.api_key_hash));
      return row;
    }));
    loggingOutputs = health.logging.effective;
  }

  // ---- Breakdown ----
  const sortState = { providers: ["requests", -1], models: ["requests", -1] };

  function sectionCells(section, split) {
    return [
      cell("requests", section.requests), cell("errors", section.errors),
      cell("error_rate", F.percent(section.errors, section.requests), F.percent(section.errors, section.requests)),
      cell("input_tokens", section.input_tokens), cell("output_tokens", section.output_tokens),
      cell("cache_read_tokens", section.cache_read_tokens), cell("cache_creation_tokens", section.cache_creation_tokens),
      cell("tool_calls", section.tool_calls),
      cell("average_duration_ms", section.average_duration_ms, F.millis(section.average_duration_ms)),
      cell("streaming_average_duration_ms", split.streaming ? split.streaming.average_duration_ms : "",
        split.streaming ? F.millis(split.streaming.average_duration_ms) : "—"),
      cell("non_streaming_average_duration_ms", split.non_streaming ? split.non_streaming.average_duration_ms : "",
        split.non_streaming ? F.millis(split.non_streaming.average_duration_ms) : "—"),
      cell("total_duration_ms", section.total_duration_ms, F.millis(section.total_duration_ms)),
    ];
  }

  function lastCell(iso) {
    const td = el("td", { "data-field": "last_accessed", "data-value": iso || "" });
    td.append(dot(iso), el("span", { class: "ago", "data-since": iso || "" }, iso ? F.ago(iso) : "never"));
    return td;
  }

  function sortRows(rows, table) {
    const [field, direction] = sortState[table];
    const key = (row) => {
      const td = row.querySelector('[data-field="' + field + '"]');
      const raw = td ? td.getAttribute("data-value") : "";
      const number = Number(raw);
      return raw !== "" && isFinite(number) ? number : raw;
    };
    return rows.sort((a, b) => {
      const x = key(a), y = key(b);
      const order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
      return order * direction;
    });
  }

  function renderBreakdown(totals) {
    const providerRows = [], modelRows = [];
    for (const [name, provider] of Object.entries(totals.providers)) {
      const row = el("tr", { "data-row": name });
      const who = el("td", { "data-field": "provider", "data-value": name });
      who.append(badge(name));
      row.append(lastCell(provider.last_accessed), who, ...sectionCells(provider.rollup.total, provider.rollup));
      providerRows.push(row);
      for (const [model, counters] of Object.entries(provider.models)) {
        const mrow = el("tr", { "data-row": name + ":" + model });
        const mwho = el("td", { "data-field": "provider", "data-value": name });
        mwho.append(badge(name));
        mrow.append(lastCell(counters.last_accessed), mwho, cell("model", model, model), ...sectionCells(counters.total, counters));
        modelRows.push(mrow);
      }
    }
    replaceRows($("breakdown-providers-body"), sortRows(providerRows, "providers"));
    replaceRows($("breakdown-models-body"), sortRows(modelRows, "models"));
    renderTokenChart(totals);
  }

  function enableSorting(tableId, table, render) {
    for (const th of document.querySelectorAll("#" + tableId + " th[data-sort]")) {
      th.addEventListener("click", () => {
        const field = th.getAttribute("data-sort");
        const [current, direction] = sortState[table];
        sortState[table] = [field, current === field ? -direction : (field === "provider" || field === "model" ? 1 : -1)];
        for (const other of document.querySelectorAll("#" + tableId + " th")) other.removeAttribute("aria-sort");
        th.setAttribute("aria-sort", sortState[table][1] > 0 ? "ascending" : "descending");
        render();
      });
    }
  }

  // ---- Charts (inline SVG built with DOM calls) ----
  const svgNS = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, text) {
    const node = document.createElementNS(svgNS, tag);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, String(value));
    if (text !== undefined) node.textContent = String(text);
    return node;
  }
  const tokenKinds = [["input_tokens", "input", "#2563eb"], ["output_tokens", "output", "#16a34a"],
    ["cache_read_tokens", "cache read", "#ca8a04"], ["cache_creation_tokens", "cache creation", "#9333ea"]];

  // One stacked bar per provider: the four token kinds, widths proportional within the bar.
  function renderTokenChart(totals) {
    const entries = Object.entries(totals.providers);
    const rowHeight = 34, labelWidth = 110, width = 640;
    const chart = svg("svg", { viewBox: "0 0 " + width + " " + (entries.length * rowHeight + 30), role: "img", "aria-label": "Token composition per provider" });
    entries.forEach(([name, provider], i) => {
      const t = provider.rollup.total;
      const sum = tokenKinds.reduce((acc, [key]) => acc + Number(t[key]), 0);
      const y = i * rowHeight;
      chart.append(svg("text", { x: 0, y: y + 21, class: "axis" }, name));
      let x = labelWidth;
      for (const [key, label, colour] of tokenKinds) {
        const w = sum > 0 ? (width - labelWidth) * Number(t[key]) / sum : 0;
        if (w <= 0) continue;
        const rect = svg("rect", { x, y: y + 6, width: w, height: rowHeight - 12, fill: colour, "data-kind": key, "data-provider": name, "data-value": t[key] });
        rect.append(svg("title", {}, name + " " + label + ": " + F.int(t[key])));
        chart.append(rect);
        x += w;
      }
    });
    const legendY = entries.length * rowHeight + 18;
    tokenKinds.forEach(([key, label, colour], i) => {
      chart.append(svg("rect", { x: labelWidth + i * 130, y: legendY - 10, width: 12, height: 12, fill: colour }));
      chart.append(svg("text", { x: labelWidth + i * 130 + 18, y: legendY, class: "axis" }, label + " " + F.int(totals.summary["total_" + key])));
    });
    $("token-chart").replaceChildren(chart);
  }

  // The Prometheus histogram vdm_request_duration_seconds, read from /metrics as it is.
  function parseHistograms(text, family) {
    const series = new Map();
    const lineRe = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
    const labelRe = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
    for (const line of text.split("\n")) {
      if (!line.startsWith(family)) continue;
      const m = lineRe.exec(line);
      if (!m) continue;
      const labels = {};
      for (const [, name, value] of (m[2] || "").matchAll(labelRe)) labels[name] = value.replace(/\\(.)/g, (_, c) => c === "n" ? "\n" : c);
      const le = labels.le;
      delete labels.le;
      const id = Object.entries(labels).map(([k, v]) => k + "=" + v).join(" ");
      const entry = series.get(id) || { labels, buckets: [], count: null, sum: null };
      if (m[1] === family + "_bucket") entry.buckets.push([le, m[3]]);
      else if (m[1] === family + "_count") entry.count = m[3];
      else if (m[1] === family + "_sum") entry.sum = m[3];
      series.set(id, entry);
    }
    return series;
  }

  let latencySeries = new Map();
  function renderLatency(text) {
    latencySeries = parseHistograms(text, "vdm_request_duration_seconds");
    const select = $("latency-series");
    const chosen = select.value;
    select.replaceChildren(...[...latencySeries.keys()].map((id) => el("option", { value: id }, id)));
    if (latencySeries.has(chosen)) select.value = chosen;
    drawLatency();
  }
  function drawLatency() {
    const entry = latencySeries.get($("latency-series").value);
    const box = $("latency-chart");
    if (!entry) { box.replaceChildren(el("p", { class: "muted" }, "No completed requests yet.")); return; }
    const width = 640, height = 220, left = 40, bottom = 40;
    const max = Math.max(1, ...entry.buckets.map(([, v]) => Number(v)));
    const barWidth = (width - left) / entry.buckets.length;
    const chart = svg("svg", { viewBox: "0 0 " + width + " " + height, role: "img", "aria-label": "Request duration histogram" });
    chart.append(svg("text", { x: 0, y: 12, class: "axis" }, "requests ≤ le (cumulative, as Prometheus holds them)"));
    entry.buckets.forEach(([le, value], i) => {
      const h = (height - bottom - 40) * Number(value) / max;  // room above for the title and the value labels
      const x = left + i * barWidth;
      const rect = svg("rect", { x: x + 2, y: height - bottom - h, width: barWidth - 4, height: h, fill: "#2563eb", "data-le": le, "data-value": value });
      rect.append(svg("title", {}, "≤ " + le + " s: " + value));
      chart.append(rect, svg("text", { x: x + barWidth / 2, y: height - bottom + 14, class: "axis", "text-anchor": "middle" }, le === "+Inf" ? "∞" : le),
        svg("text", { x: x + barWidth / 2, y: height - bottom - h - 4, class: "axis", "text-anchor": "middle" }, value));
    });
    chart.append(svg("text", { x: left, y: height - 6, class: "axis" }, "le (seconds) · count " + entry.count + " · sum " + entry.sum + " s"));
    box.replaceChildren(chart);
  }

  // ---- Logs ----
  let loggingOutputs = [];
  function commandsFor(prefix) {
    const commands = [];
    for (const output of loggingOutputs) {
      if (output.startsWith("json:")) commands.push("vdm trace " + prefix + " " + F.shellWord(output.slice(5)));
      if (output === "journald") commands.push("vdm trace " + prefix + " --journal", "journalctl VDM_CORRELATION_PREFIX=" + prefix);
    }
    return commands;
  }
  function commandCell(prefix) {
    const td = el("td", { "data-field": "commands", class: "commands" });
    const commands = commandsFor(prefix);
    if (commands.length === 0) td.append(el("span", { class: "muted" }, "console only: grep '[" + prefix + "]'"));
    for (const command of commands) td.append(el("code", { class: "command" }, command));
    return td;
  }
  function prefixCell(id) {
    const prefix = String(id).slice(0, 8);
    return el("td", { "data-field": "correlation", "data-value": prefix, class: "mono", title: id }, prefix);
  }
  function renderLogs(logs) {
    loggingOutputs = logs.logging.effective;
    replaceRows($("errors-body"), logs.errors.map((e) => {
      const row = el("tr", { "data-row": e.request_id });
      const who = el("td", { "data-field": "provider", "data-value": e.provider });
      who.append(badge(e.provider));
      row.append(cell("ts", e.ts, F.time(e.ts)), prefixCell(e.request_id), who, cell("model", e.model, e.model),
        cell("http_status", e.http_status), cell("error_type", e.error_type, e.error_type), cell("error", e.error, e.error), commandCell(e.request_id.slice(0, 8)));
      return row;
    }));
    replaceRows($("traces-body"), logs.traces.map((t) => {
      const row = el("tr", { "data-row": t.request_id });
      const who = el("td", { "data-field": "provider", "data-value": t.provider });
      who.append(badge(t.provider));
      row.append(cell("ts", t.ts, F.time(t.ts)), prefixCell(t.request_id), who, cell("model", t.model, t.model),
        cell("status", t.status, t.status), cell("http_status", t.http_status), cell("duration_ms", t.duration_ms, F.millis(t.duration_ms)),
        cell("input_tokens", t.input_tokens), cell("output_tokens", t.output_tokens),
        cell("cache_read_tokens", t.cache_read_tokens), cell("cache_creation_tokens", t.cache_creation_tokens), commandCell(t.request_id.slice(0, 8)));
      return row;
    }));
    $("errors-empty").hidden = logs.errors.length > 0;
    $("traces-empty").hidden = logs.traces.length > 0;
  }

  // ---- Live in-flight grid ----
  let live = { rows: [], receivedAt: 0 };
  function renderLive(data) {
    live = { rows: data.active_requests, receivedAt: performance.now() };
    replaceRows($("live-body"), live.rows.map((r) => {
      const row = el("tr", { "data-row": r.request_id });
      const who = el("td", { "data-field": "provider", "data-value": r.provider });
      who.append(badge(r.provider));
      row.append(el("td", { "data-field": "duration", "data-base": r.duration_ms, class: "mono" }, F.duration(r.duration_ms)),
        who, cell("requested_model", r.requested_model, r.requested_model),
        cell("resolved_model", r.resolved_model ?? "", r.resolved_model ?? "—"),
        cell("is_streaming", r.is_streaming, r.is_streaming ? "yes" : "no"),
        cell("input_tokens", r.input_tokens), cell("output_tokens", r.output_tokens),
        cell("cache_read_tokens", r.cache_read_tokens), cell("tool_calls", r.tool_calls), prefixCell(r.request_id));
      return row;
    }));
    $("live-empty").hidden = live.rows.length > 0;
    $("live-count").textContent = String(live.rows.length);
  }
  // The live clock: the snapshot's duration_ms plus the time since it arrived (no clock skew).
  function tick() {
    if (document.hidden) return;
    const elapsed = performance.now() - live.receivedAt;
    for (const td of document.querySelectorAll('#live-body td[data-field="duration"]')) {
      td.textContent = F.duration(Number(td.getAttribute("data-base")) + elapsed);
    }
    for (const node of document.querySelectorAll("[data-since]")) {
      const iso = node.getAttribute("data-since");
      if (!iso) continue;
      if (node.classList.contains("dot")) node.style.backgroundColor = F.recencyColour(iso);
      else node.textContent = F.ago(iso);
    }
  }

  function setStreamState(state, detail) {
    const node = $("stream-state");
    node.textContent = state === "live" ? "● live" : state === "reconnecting" ? "○ reconnecting…" : state;
    node.setAttribute("data-state", state);
    const reason = $("live-disabled");
    reason.hidden = state !== "disabled";
    if (state === "disabled") reason.textContent = "Live requests are off: " + (detail || "disabled by the server");
  }

  // ---- Refresh ----
  let lastIds = "";
  let lastTotals = null;
  let refreshTimer = null;
  async function refreshAll() {
    try {
      const [health, totals, logs, prometheus] = await Promise.all([
        apiJSON("/health?format=json"), apiJSON("/metrics/running-totals?format=json"),
        apiJSON("/metrics/logs?limit_errors=50&limit_traces=50"), api("/metrics").then((r) => r.text()),
      ]);
      renderHealth(health);
      if (totals.disabled) {
        $("kpis").replaceChildren(el("p", { class: "callout", id: "metrics-disabled" }, totals.message + ". " + totals.suggestion));
      } else {
        lastTotals = totals;
        renderKPIs(totals);
        renderBreakdown(totals);
      }
      renderLogs(logs);
      renderLatency(prometheus);
      $("updated").textContent = "Updated " + new Date().toISOString().slice(11, 19) + "Z";
      $("updated").setAttribute("data-generated", totals.generated || "");
      showError("");
    } catch (error) {
      if (!(error instanceof Unauthorized)) showError("Could not refresh: " + error.message);
    }
  }
  function scheduleRefresh(delay) {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refreshAll, delay);
  }

  // ---- Pages (hash navigation) ----
  function showPage() {
    const page = (location.hash || "#overview").slice(1);
    for (const section of document.querySelectorAll(".page")) section.hidden = section.id !== "page-" + page;
    for (const link of document.querySelectorAll("#tabs a")) link.classList.toggle("active", link.getAttribute("data-page") === page);
  }

  // ---- Token counter ----
  async function countTokens(event) {
    event.preventDefault();
    const out = $("count-result");
    out.textContent = "counting…";
    out.removeAttribute("data-value");
    try {
      const body = JSON.stringify({ model: $("count-model").value, messages: [{ role: "user", content: $("count-text").value }] });
      const result = await apiJSON("/v1/messages/count_tokens", { method: "POST", headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" }, body });
      out.textContent = F.int(result.input_tokens) + " input tokens";
      out.setAttribute("data-value", result.input_tokens);
    } catch (error) {
      out.textContent = "Error: " + error.message;
    }
  }

  // ---- Start ----
  function main() {
    window.addEventListener("hashchange", showPage);
    showPage();
    $("refresh").addEventListener("click", refreshAll);
    $("count-form").addEventListener("submit", countTokens);
    $("latency-series").addEventListener("change", drawLatency);
    const rerender = () => { if (lastTotals) renderBreakdown(lastTotals); };
    enableSorting("breakdown-providers", "providers", rerender);
    enableSorting("breakdown-models", "models", rerender);
    $("key-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const key = $("key-input").value.trim();
      if (!key) return;
      sessionStorage.setItem(keyStorage, key);
      $("key-input").value = "";
      $("key-form").hidden = true;
      stream.retry();
      refreshAll();
    });
    const stream = window.VDMStream.start({
      headers: authHeaders,
      onState: setStreamState,
      onUnauthorized: askForKey,
      onUpdate: (data) => {
        renderLive(data);
        // A start or an end changes the totals: refresh them soon (coalesced).
        const ids = data.active_requests.map((r) => r.request_id).join(",");
        if (ids !== lastIds) { lastIds = ids; scheduleRefresh(150); }
      },
    });
    window.__vdmStream = stream;
    refreshAll();
    setInterval(() => { if (!document.hidden) refreshAll(); }, pollMs);
    setInterval(tick, 1000);
    document.addEventListener("visibilitychange", () => { if (!document.hidden) refreshAll(); });
  }
  document.addEventListener("DOMContentLoaded", main);
})();
"""#
}
