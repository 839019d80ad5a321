// The admin dashboard: everything comes from admin-only API routes; the broker's admin key stays on the server.
// Words and times follow the signed-in admin's language and zone (GET /api/v1/me); before sign-in, the
// browser's language. See /shared/pagetext.js.
import { PageText, withLanguage } from "/shared/pagetext.js";
import { loadMe, mountLocaleSettings } from "/shared/pagetext-settings.js";

const $ = (id) => document.getElementById(id);
const REFRESH_MS = 3000;
let token = sessionStorage.getItem("situk.admin.token");
let timer = null;
let shownTimeline = null; // the answer behind the timeline shown, rewritten when the language changes

const text = await PageText.load(new URL("dashboard", import.meta.url), PageText.browserLanguage());
text.apply();
mountLocaleSettings($("settings"), text, { apiUrl: "", token: () => token });
document.addEventListener("situk:textchange", () => {
  if (!token) return;
  showWho();
  renderTimeline();
  refresh();
});

$("sign-in").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("sign-in-error").textContent = "";
  const response = await fetch("/api/v1/auth/token", {
    method: "POST",
    headers: withLanguage({ "Content-Type": "application/json" }),
    body: JSON.stringify({ email: $("email").value, password: $("password").value }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    $("sign-in-error").textContent = text.say(SIGN_IN_REFUSALS[response.status] ?? "signin.failed", { status: response.status });
    return;
  }
  if (body.role !== "admin") {
    $("sign-in-error").textContent = text.say("signin.notAdmin");
    return;
  }
  token = body.accessToken;
  sessionStorage.setItem("situk.admin.token", token);
  sessionStorage.setItem("situk.admin.email", $("email").value);
  show();
});

$("sign-out").addEventListener("click", () => {
  sessionStorage.removeItem("situk.admin.token");
  token = null;
  clearInterval(timer);
  $("dashboard").hidden = true;
  $("sign-out").hidden = true;
  $("sign-in").hidden = false;
  $("who").textContent = "";
  shownTimeline = null;
});

// The email states the recent list names in words (docs/dashboard.md); any other is shown as stored.
const EMAIL_STATES = ["none", "pending", "sent", "failed"];
const SIGN_IN_REFUSALS = { 401: "signin.wrong", 403: "signin.deactivated", 429: "signin.tooMany" };

$("send").addEventListener("submit", async (event) => {
  event.preventDefault();
  const target = new FormData(event.target).get("target");
  const to = target === "users"
    ? { userIds: $("user-ids").value.split(",").map((s) => Number(s.trim())).filter((n) => Number.isSafeInteger(n) && n > 0) }
    : target === "role" ? { role: $("role").value } : { all: true };
  const response = await api("/api/v1/notifications", {
    method: "POST",
    headers: { "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID() },
    body: JSON.stringify({ to, title: $("title").value, body: $("body").value, link: $("link").value || null }),
  });
  const body = await response.json().catch(() => ({}));
  $("send-result").textContent = response.ok
    ? text.say("send.stored", { count: body.count })
    : text.say("send.refused", { reason: body.detail ?? body.title ?? response.status });
  refresh();
});

$("timeline-lookup").addEventListener("submit", (event) => {
  event.preventDefault();
  showTimeline($("timeline-id").value.trim());
});

if (token) show();

async function show() {
  $("sign-in").hidden = true;
  $("dashboard").hidden = false;
  $("sign-out").hidden = false;
  const me = await loadMe("", token);
  if (me) text.set({ language: me.language, timeZone: me.timeZone });
  showWho();
  refresh();
  clearInterval(timer);
  timer = setInterval(refresh, REFRESH_MS);
}

function showWho() {
  $("who").textContent = text.say("who", { email: sessionStorage.getItem("situk.admin.email") ?? "admin" });
}

async function api(path, init = {}) {
  const response = await fetch(path, { ...init, headers: withLanguage({ ...(init.headers ?? {}), Authorization: `Bearer ${token}` }) });
  if (response.status === 401) $("sign-out").click();
  return response;
}

async function refresh() {
  await Promise.all([refreshBroker(), refreshSeries(), refreshRecent()]);
}

async function refreshBroker() {
  const [stats, sessions] = await Promise.all([api("/api/v1/admin/broker/stats"), api("/api/v1/admin/broker/sessions")]);
  if (!stats.ok || !sessions.ok) {
    const problem = await (stats.ok ? sessions : stats).json().catch(() => ({}));
    $("broker-error").textContent = problem.detail ?? text.say("broker.unreachable");
    return;
  }
  $("broker-error").textContent = "";
  const s = await stats.json();
  const cards = [
    ["card.connections", s.connections], ["card.users", s.users], ["card.sent", s.framesSent], ["card.acks", s.acks],
    ["card.drops", s.drops], ["card.p50", `${s.publishToAckMs.p50.toFixed(1)} ms`], ["card.p99", `${s.publishToAckMs.p99.toFixed(1)} ms`],
  ];
  $("stats").replaceChildren(...cards.map(([name, value]) => {
    const div = document.createElement("div");
    div.append(Object.assign(document.createElement("dt"), { textContent: text.say(name) }), Object.assign(document.createElement("dd"), { textContent: String(value) }));
    return div;
  }));
  // One row per broker (a single broker's answer has no rows: it is its own row) and, in a cluster, the total.
  const rows = s.brokers ?? [s];
  const figures = (x) => [x.connections, x.users, x.framesSent, x.acks, x.drops, x.publishToAckMs.p50.toFixed(1), x.publishToAckMs.p99.toFixed(1)];
  $("brokers").tBodies[0].replaceChildren(...rows.map((x) => Object.assign(tableRow([x.node ?? "", ...figures(x)]), { className: "broker" })));
  $("brokers").tFoot.replaceChildren(...(s.brokers ? [Object.assign(tableRow([text.say("brokers.total"), ...figures(s)]), { className: "total" })] : []));
  const missing = s.missing ?? [];
  $("brokers-missing").textContent = missing.length ? text.say("brokers.missing", { nodes: missing.join(", ") }) : "";
  const list = await sessions.json();
  $("session-count").textContent = String(list.length);
  $("sessions").tBodies[0].replaceChildren(...list.map((x) => {
    const row = tableRow([x.userId, x.role, x.deviceClass, x.node ?? "", x.remoteAddress ?? "", time(x.connectedAt), x.framesSent, x.acks, x.queueDepth]);
    row.dataset.sessionId = x.sessionId;
    const kick = Object.assign(document.createElement("button"), { type: "button", className: "kick", textContent: text.say("sessions.kick") });
    kick.setAttribute("aria-label", text.say("sessions.kick.label", { user: x.userId, device: x.deviceClass }));
    kick.addEventListener("click", async () => {
      await api(`/api/v1/admin/broker/sessions/${encodeURIComponent(x.sessionId)}`, { method: "DELETE" });
      refreshBroker();
    });
    row.append(Object.assign(document.createElement("td"), {}));
    row.lastChild.append(kick);
    return row;
  }));
}

async function refreshSeries() {
  const minutes = 15, bucketSeconds = 10;
  const response = await api(`/api/v1/admin/delivery-series?minutes=${minutes}&bucketSeconds=${bucketSeconds}`);
  if (!response.ok) return;
  const series = await response.json();
  const points = series.points.map((p) => ({ ...p, perSecond: p.delivered / series.bucketSeconds }));
  $("series").tBodies[0].replaceChildren(...points.map((p) =>
    tableRow([text.time(p.at, "time.clock"), p.delivered, p.perSecond.toFixed(1), fixed(p.p50Ms), fixed(p.p99Ms)])));
  drawChart(points, minutes, bucketSeconds);
  const last = points.at(-1);
  $("chart-summary").textContent = last
    ? text.say("chart.latest", { rate: last.perSecond.toFixed(1), p50: fixed(last.p50Ms), p99: fixed(last.p99Ms) })
    : text.say("chart.none", { minutes });
}

async function refreshRecent() {
  const response = await api("/api/v1/admin/notifications/recent?limit=30");
  if (!response.ok) return;
  const rows = await response.json();
  $("recent").tBodies[0].replaceChildren(...rows.map((n) => {
    const delivered = n.deliveredAt ? `✓ ${n.deliveredDeviceClass} ${time(n.deliveredAt)}` : text.say("recent.pending");
    const row = tableRow([n.id, n.userEmail, n.kind, n.title, time(n.createdAt), delivered, n.readAt ? `✓ ${time(n.readAt)}` : "—", EMAIL_STATES.includes(n.emailState) ? text.say(`recent.email.${n.emailState}`) : n.emailState]);
    row.dataset.id = n.id;
    row.dataset.delivered = n.deliveredAt ? "yes" : "no";
    const open = Object.assign(document.createElement("button"), { type: "button", className: "link", textContent: String(n.id) });
    open.setAttribute("aria-label", text.say("recent.open", { id: n.id }));
    open.addEventListener("click", () => {
      $("timeline-id").value = String(n.id);
      showTimeline(String(n.id));
    });
    row.cells[0].replaceChildren(open);
    return row;
  }));
}

// One notification's stored steps, oldest first, each with its delay from the commit.
async function showTimeline(id) {
  $("timeline-error").textContent = "";
  $("timeline-summary").textContent = "";
  $("timeline").replaceChildren();
  shownTimeline = null;
  const response = await api(`/api/v1/notifications/${encodeURIComponent(id)}/timeline`);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    $("timeline-error").textContent = body.detail ?? body.title ?? text.say("timeline.none", { status: response.status });
    return;
  }
  shownTimeline = body;
  renderTimeline();
}

function renderTimeline() {
  const body = shownTimeline;
  if (!body) return;
  $("timeline-summary").textContent = text.say("timeline.summary", { id: body.notificationId, kind: body.kind, user: body.userId, at: time(body.createdAt) });
  $("timeline").replaceChildren(...body.steps.map((s) => {
    const details = [
      s.deviceClass, s.sessionId && text.say("timeline.session", { id: s.sessionId }), s.via && text.say("timeline.via", { via: s.via }),
      s.reason && text.say("timeline.reason", { reason: s.reason }), s.attempt != null && text.say("timeline.attempt", { attempt: s.attempt }), s.error,
    ].filter(Boolean).join(", ");
    const item = document.createElement("li");
    item.dataset.step = s.kind;
    item.append(
      Object.assign(document.createElement("strong"), { textContent: s.kind }),
      ` ${text.time(s.at, "time.clock")} (+${s.delayMs.toFixed(1)} ms)${details ? ` — ${details}` : ""}`);
    return item;
  }));
}

// p50 (solid) and p99 (dashed) delay on the left axis, deliveries per second as bars on the right, over the whole window.
function drawChart(points, minutes, bucketSeconds) {
  const svg = $("chart");
  const W = 640, H = 220, left = 44, right = 40, top = 10, bottom = 24;
  const ns = "http://www.w3.org/2000/svg";
  const el = (name, attrs, text) => {
    const node = document.createElementNS(ns, name);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const maxDelay = Math.max(1, ...points.map((p) => p.p99Ms ?? 0));
  const maxRate = Math.max(1, ...points.map((p) => p.perSecond));
  const t1 = Date.now(), t0 = t1 - minutes * 60_000;
  const x = (at) => left + ((Date.parse(at) - t0) / (t1 - t0)) * (W - left - right);
  const y = (v, max) => H - bottom - (v / max) * (H - top - bottom);
  const barWidth = Math.max(1, ((bucketSeconds * 1000) / (t1 - t0)) * (W - left - right) - 1);
  const nodes = [
    el("line", { x1: left, y1: H - bottom, x2: W - right, y2: H - bottom, stroke: "#d0d7de" }),
    el("text", { x: 4, y: top + 10 }, `${Math.round(maxDelay)} ms`),
    el("text", { x: 4, y: H - bottom }, "0 ms"),
    el("text", { x: W - right + 4, y: top + 10 }, `${maxRate.toFixed(1)}/s`),
    el("text", { x: left, y: H - 6 }, text.say("chart.start", { minutes })),
    el("text", { x: W - right - 24, y: H - 6 }, text.say("chart.now")),
  ];
  for (const p of points) {
    const barTop = y(p.perSecond, maxRate);
    nodes.push(el("rect", { class: "bar", x: x(p.at), y: barTop, width: barWidth, height: H - bottom - barTop }));
  }
  for (const [key, cls] of [["p50Ms", "p50"], ["p99Ms", "p99"]]) {
    const known = points.filter((p) => p[key] != null);
    const d = known.map((p, i) => `${i ? "L" : "M"}${(x(p.at) + barWidth / 2).toFixed(1)},${y(p[key], maxDelay).toFixed(1)}`).join(" ");
    if (d) nodes.push(el("path", { class: cls, d }));
    for (const p of known) nodes.push(el("circle", { class: cls, cx: x(p.at) + barWidth / 2, cy: y(p[key], maxDelay), r: 3 }));
  }
  svg.replaceChildren(...nodes);
}

function tableRow(cells) {
  const row = document.createElement("tr");
  for (const cell of cells) row.append(Object.assign(document.createElement("td"), { textContent: String(cell) }));
  return row;
}

const time = (iso) => text.time(iso);
const fixed = (v) => (v == null ? "—" : v.toFixed(1));
