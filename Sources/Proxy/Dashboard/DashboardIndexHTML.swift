/// `/dashboard/` — The page itself: layout of every tab; data arrives through `DashboardAppJS`.
/// Served from the binary as it is (no build step); edit it here.
enum DashboardIndexHTML {
    static let text = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>vdm dashboard</title>
<link rel="icon" href="/dashboard/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/dashboard/dashboard.css">
</head>
<body>
<header class="bar">
  <h1>vdm</h1>
  <nav id="tabs">
    <a href="#overview" data-page="overview">Overview</a>
    <a href="#live" data-page="live">Live <span id="live-count" class="count">0</span></a>
    <a href="#breakdown" data-page="breakdown">Breakdown</a>
    <a href="#logs" data-page="logs">Logs</a>
    <a href="#tokens" data-page="tokens">Token counter</a>
  </nav>
  <span class="right">
    <span id="stream-state" class="state" data-state="connecting">connecting</span>
    <span id="updated" class="muted"></span>
    <button id="refresh" type="button">Refresh</button>
  </span>
</header>
<form id="key-form" class="key-form" hidden>
  <label for="key-input">This proxy requires its API key (PROXY_API_KEY).</label>
  <input id="key-input" type="password" autocomplete="off" placeholder="proxy API key">
  <button type="submit">Use key</button>
  <span class="muted">Kept in this tab's session storage only; sent as the x-api-key header, never in a URL.</span>
</form>
<div id="error" class="error" hidden></div>
<main>
  <section id="page-overview" class="page">
    <div id="health" class="health"></div>
    <div id="kpis" class="cards"></div>
    <h2>Providers</h2>
    <div class="scroll"><table id="providers">
      <thead><tr><th>Provider</th><th>Format</th><th>Base URL</th><th>Auth</th><th>API key (sha256)</th></tr></thead>
      <tbody id="providers-body"></tbody>
    </table></div>
  </section>
  <section id="page-live" class="page" hidden>
    <h2>In-flight requests</h2>
    <p id="live-disabled" class="callout" hidden></p>
    <div class="scroll"><table id="live">
      <thead><tr><th>Duration</th><th>Provider</th><th>Model requested</th><th>Resolved</th><th>Streaming</th><th class="num">In</th><th class="num">Out</th><th class="num">Cache read</th><th class="num">Tools</th><th>Correlation</th></tr></thead>
      <tbody id="live-body"></tbody>
    </table></div>
    <p id="live-empty" class="muted">No active requests</p>
  </section>
  <section id="page-breakdown" class="page" hidden>
    <h2>Per provider</h2>
    <div class="scroll"><table id="breakdown-providers" class="sortable">
      <thead><tr><th data-sort="last_accessed">Last</th><th data-sort="provider">Provider</th><th data-sort="requests" class="num">Requests</th><th data-sort="errors" class="num">Errors</th><th data-sort="error_rate" class="num">Error rate</th><th data-sort="input_tokens" class="num">In</th><th data-sort="output_tokens" class="num">Out</th><th data-sort="cache_read_tokens" class="num">Cache read</th><th data-sort="cache_creation_tokens" class="num">Cache create</th><th data-sort="tool_calls" class="num">Tools</th><th data-sort="average_duration_ms" class="num">Avg</th><th data-sort="streaming_average_duration_ms" class="num">Avg stream</th><th data-sort="non_streaming_average_duration_ms" class="num">Avg non-stream</th><th data-sort="total_duration_ms" class="num">Total time</th></tr></thead>
      <tbody id="breakdown-providers-body"></tbody>
    </table></div>
    <h2>Per model</h2>
    <div class="scroll"><table id="breakdown-models" class="sortable">
      <thead><tr><th data-sort="last_accessed">Last</th><th data-sort="provider">Provider</th><th data-sort="model">Model</th><th data-sort="requests" class="num">Requests</th><th data-sort="errors" class="num">Errors</th><th data-sort="error_rate" class="num">Error rate</th><th data-sort="input_tokens" class="num">In</th><th data-sort="output_tokens" class="num">Out</th><th data-sort="cache_read_tokens" class="num">Cache read</th><th data-sort="cache_creation_tokens" class="num">Cache create</th><th data-sort="tool_calls" class="num">Tools</th><th data-sort="average_duration_ms" class="num">Avg</th><th data-sort="streaming_average_duration_ms" class="num">Avg stream</th><th data-sort="non_streaming_average_duration_ms" class="num">Avg non-stream</th><th data-sort="total_duration_ms" class="num">Total time</th></tr></thead>
      <tbody id="breakdown-models-body"></tbody>
    </table></div>
    <div class="charts">
      <figure><figcaption>Token composition per provider</figcaption><div id="token-chart" class="chart"></div></figure>
      <figure><figcaption><span>Request duration, <code>vdm_request_duration_seconds</code></span><select id="latency-series" aria-label="series"></select></figcaption><div id="latency-chart" class="chart"></div></figure>
    </div>
  </section>
  <section id="page-logs" class="page" hidden>
    <h2>Recent errors</h2>
    <div class="scroll"><table id="errors">
      <thead><tr><th>Time</th><th>Correlation</th><th>Provider</th><th>Model</th><th class="num">HTTP</th><th>Error type</th><th>Error</th><th>Find it in the logs</th></tr></thead>
      <tbody id="errors-body"></tbody>
    </table></div>
    <p id="errors-empty" class="muted">No errors</p>
    <h2>Recent traces</h2>
    <div class="scroll"><table id="traces">
      <thead><tr><th>Time</th><th>Correlation</th><th>Provider</th><th>Model</th><th>Status</th><th class="num">HTTP</th><th class="num">Duration</th><th class="num">In</th><th class="num">Out</th><th class="num">Cache read</th><th class="num">Cache create</th><th>Find it in the logs</th></tr></thead>
      <tbody id="traces-body"></tbody>
    </table></div>
    <p id="traces-empty" class="muted">No requests yet</p>
  </section>
  <section id="page-tokens" class="page" hidden>
    <h2>Token counter</h2>
    <form id="count-form" class="count-form">
      <label for="count-model">Model</label>
      <input id="count-model" value="claude-sonnet-4-5" autocomplete="off">
      <label for="count-text">Text</label>
      <textarea id="count-text" rows="8">Hello, world</textarea>
      <button type="submit">Count tokens</button>
      <output id="count-result" class="result"></output>
    </form>
  </section>
</main>
<script src="/dashboard/format.js"></script>
<script src="/dashboard/stream.js"></script>
<script src="/dashboard/app.js"></script>
</body>
</html>
"""#
}
