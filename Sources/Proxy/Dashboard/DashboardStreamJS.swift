/// `/dashboard/stream.js` — The live stream client: fetch + ReadableStream SSE with the key as a header, backoff, pause, resume.
/// Served from the binary as it is (no build step); edit it here.
enum DashboardStreamJS {
    static let text = #"""
// vdm dashboard: the live stream of /metrics/active-requests/stream, read with fetch + ReadableStream
// (EventSource cannot send the proxy key as a header, and the key must never go into a URL).
// States: connecting, live, reconnecting, paused (tab hidden), key needed, disabled (with the reason).
"use strict";
window.VDMStream = (function () {
  const path = "/metrics/active-requests/stream";
  // A stream silent for this long is dead (the server sends a heartbeat every 30 s by default).
  const silenceLimitMs = 75000;

  // min(30 s, 750 ms · 1.6^n), then ± 25 % jitter.
  function backoff(attempt) {
    const base = Math.min(30000, 750 * Math.pow(1.6, attempt));
    return base * (0.75 + Math.random() * 0.5);
  }

  function start(options) {
    // options: headers() → object, onUpdate(data, id), onState(state, detail), onUnauthorized()
    let stopped = false;
    let controller = null;
    let lastEventId = null;
    let attempt = 0;
    let wake = null;  // resolves a pending wait early (tab visible again, key given)

    function sleep(ms) {
      return new Promise((resolve) => {
        const timer = setTimeout(resolve, ms);
        wake = () => { clearTimeout(timer); resolve(); };
      });
    }

    function untilVisible() {
      return new Promise((resolve) => {
        if (!document.hidden) return resolve();
        wake = resolve;
      });
    }

    document.addEventListener("visibilitychange", () => {
      if (document.hidden) {
        if (controller) controller.abort();  // pause: no connection while nobody looks
        options.onState("paused");
      } else if (wake) {
        wake();
      }
    });

    // One SSE event block → {event, data, id}; comments (": heartbeat") and unknown fields skipped.
    function parseBlock(block) {
      const out = { event: "message", data: [], id: null };
      for (const line of block.split(/\r\n|\r|\n/)) {
        if (line === "" || line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? "" : line.slice(colon + 1);
        if (value.startsWith(" ")) value = value.slice(1);
        if (field === "event") out.event = value;
        else if (field === "data") out.data.push(value);
        else if (field === "id") out.id = value;
      }
      return out;
    }

    function handle(event) {
      if (event.id !== null) lastEventId = event.id;
      if (event.data.length === 0) return;
      const data = window.VDMFormat.parse(event.data.join("\n"));
      if (event.event === "disabled") {
        stopped = true;
        options.onState("disabled", [data.message, data.suggestion].filter(Boolean).join(". "));
        return;
      }
      if (event.event === "update") {
        attempt = 0;
        options.onState("live");
        options.onUpdate(data, event.id);
      }
    }

    async function connectOnce() {
      controller = new AbortController();
      const headers = Object.assign({ accept: "text/event-stream" }, options.headers());
      if (lastEventId !== null) headers["last-event-id"] = lastEventId;
      const response = await fetch(path, { headers, signal: controller.signal, cache: "no-store" });
      if (response.status === 401) return "unauthorized";
      if (!response.ok || !response.body) throw new Error("HTTP " + response.status);
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      let watchdog = null;
      const arm = () => {
        clearTimeout(watchdog);
        watchdog = setTimeout(() => controller.abort(), silenceLimitMs);
      };
      arm();
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          arm();
          buffer += decoder.decode(value, { stream: true });
          let match;
          while ((match = /\r\n\r\n|\n\n|\r\r/.exec(buffer)) !== null) {
            const block = buffer.slice(0, match.index);
            buffer = buffer.slice(match.index + match[0].length);
            handle(parseBlock(block));
            if (stopped) { controller.abort(); return "stopped"; }
          }
        }
      } finally {
        clearTimeout(watchdog);
      }
      return "ended";
    }

    async function loop() {
      options.onState("connecting");
      while (!stopped) {
        if (document.hidden) { options.onState("paused"); await untilVisible(); continue; }
        let outcome;
        try {
          outcome = await connectOnce();
        } catch (error) {
          outcome = "failed";
        }
        if (stopped) return;
        if (document.hidden) continue;  // aborted because the tab was hidden: no backoff
        if (outcome === "unauthorized") {
          options.onState("key needed");
          options.onUnauthorized();
          await new Promise((resolve) => { wake = resolve; });
          continue;
        }
        options.onState("reconnecting");
        await sleep(backoff(attempt));
        attempt += 1;
      }
    }

    loop();
    return {
      // A new key was given: retry at once.
      retry() { attempt = 0; if (wake) wake(); },
      get lastEventId() { return lastEventId; },
    };
  }

  return { start, backoff };
})();
"""#
}
