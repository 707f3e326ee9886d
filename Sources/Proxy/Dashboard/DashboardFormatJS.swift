/// `/dashboard/format.js` — Formatting of the API's numbers (durations, counts, recency colours, provider colours).
/// Served from the binary as it is (no build step); edit it here.
enum DashboardFormatJS {
    static let text = #"""
// vdm dashboard: reading and formatting only. Every number shown is the API's number; these
// functions keep it exact and turn it into text (and pick colours), they never compute a metric.
"use strict";
window.VDMFormat = (function () {
  // JSON with every number as the API wrote it: safe integers as numbers, larger integers as BigInt,
  // decimals as their source text ("324.240"), since a double would round them.
  function parse(text) {
    return JSON.parse(text, function (key, value, context) {
      if (typeof value !== "number" || !context || typeof context.source !== "string") return value;
      if (/^-?[0-9]+$/.test(context.source)) return Number.isSafeInteger(value) ? value : BigInt(context.source);
      return context.source;
    });
  }

  // Duration as the live grid shows it: <1s, 12s, 3m 04s, 1h 02m, 2d 03h (zero second parts omitted).
  function duration(ms) {
    ms = Number(ms);
    if (typeof ms !== "number" || !isFinite(ms) || ms <= 0) return "0s";
    if (ms < 1000) return "<1s";
    const s = Math.floor(ms / 1000);
    const pad = (n) => String(n).padStart(2, "0");
    if (s < 60) return s + "s";
    if (s < 3600) { const m = Math.floor(s / 60), r = s % 60; return r ? m + "m " + pad(r) + "s" : m + "m"; }
    if (s < 86400) { const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60); return m ? h + "h " + pad(m) + "m" : h + "h"; }
    const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600);
    return h ? d + "d " + pad(h) + "h" : d + "d";
  }

  // Integers with thousands separators; anything else as the API wrote it.
  function int(n) {
    return (typeof n === "number" && Number.isInteger(n)) || typeof n === "bigint" ? n.toLocaleString("en-US") : String(n ?? "—");
  }

  // Milliseconds as the API gives them (integer averages, three-decimal totals), with a unit.
  function millis(n) {
    const text = typeof n === "string" || typeof n === "bigint" || (typeof n === "number" && isFinite(n)) ? String(n) : "";
    if (!/^-?[0-9]+([.][0-9]+)?$/.test(text)) return "—";
    const [whole, frac] = text.split(".");
    return BigInt(whole).toLocaleString("en-US") + (frac ? "." + frac : "") + " ms";
  }

  // Ratio as a percentage with two decimals (the one derived figure: errors / requests).
  function percent(part, whole) {
    if (!Number(whole)) return "0.00%";
    return (100 * Number(part) / Number(whole)).toFixed(2) + "%";
  }

  // "12s ago" from an ISO time; the reference clock is the browser's.
  function ago(iso) {
    const t = Date.parse(iso);
    if (!isFinite(t)) return "never";
    const s = Math.max(0, Math.floor((Date.now() - t) / 1000));
    if (s < 60) return s + "s ago";
    if (s < 3600) return Math.floor(s / 60) + "m ago";
    if (s < 86400) return Math.floor(s / 3600) + "h ago";
    return Math.floor(s / 86400) + "d ago";
  }

  // Recency dot colour: red now, orange 5 s, yellow 20 s, green 2 min, grey after 10 min.
  const anchors = [[0, [220, 38, 38]], [5, [234, 140, 0]], [20, [202, 170, 0]], [120, [22, 163, 74]], [600, [140, 150, 160]]];
  function recencyColour(iso) {
    const t = Date.parse(iso);
    if (!isFinite(t)) return "rgb(140,150,160)";
    const s = Math.max(0, (Date.now() - t) / 1000);
    for (let i = 1; i < anchors.length; i++) {
      const [s1, c1] = anchors[i], [s0, c0] = anchors[i - 1];
      if (s <= s1) {
        const f = (s - s0) / (s1 - s0);
        return "rgb(" + c0.map((v, k) => Math.round(v + f * (c1[k] - v))).join(",") + ")";
      }
    }
    return "rgb(140,150,160)";
  }

  // One colour per provider name, the same everywhere and in every session (FNV-1a of the name).
  function providerColour(name) {
    let h = 0x811c9dc5;
    for (const ch of String(name)) { h ^= ch.codePointAt(0); h = Math.imul(h, 0x01000193) >>> 0; }
    h ^= h >>> 15; h = Math.imul(h, 0x2c1b3c6d) >>> 0; h = (h ^ (h >>> 12)) >>> 0;
    return "hsl(" + (h % 360) + ", 60%, 36%)";
  }

  // A time of day (UTC) from an ISO string or epoch seconds (a number or its source text).
  function time(value) {
    const epoch = typeof value === "number" || /^[0-9]+([.][0-9]+)?$/.test(String(value));
    const d = epoch ? new Date(Number(value) * 1000) : new Date(value);
    return isFinite(d.getTime()) ? d.toISOString().slice(11, 19) + "Z" : "—";
  }

  // A word for the shell: as it is when safe, else in single quotes.
  function shellWord(text) {
    return /^[A-Za-z0-9_./:=@%+-]+$/.test(text) ? text : "'" + String(text).replace(/'/g, "'\\''") + "'";
  }

  return { parse, duration, int, millis, percent, ago, recencyColour, providerColour, time, shellWord };
})();
"""#
}
