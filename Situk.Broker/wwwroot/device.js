// The device page: sign in against the API, hold a broker socket with situk.js, show the inbox live.
//
// The sign-in (access token and refresh token) is kept in sessionStorage: a reload of the tab (a candidate's
// browser in an exam lab) carries on without the password, while closing the tab forgets it, and no other
// tab or later visit reads it (unlike localStorage). Memory alone would sign the candidate out at every
// reload. Script injection could read it either way; the page's Content-Security-Policy is what guards that.
import { SitukClient } from "/situk.js";

const $ = (id) => document.getElementById(id);
const STATE_TEXT = {
  idle: "Belum masuk (not signed in)",
  connecting: "Menyambung… (connecting)",
  open: "Tersambung (connected)",
  reconnecting: "Menyambung ulang… (reconnecting)",
  closed: "Terputus (disconnected)",
  stopped: "Keluar (signed out)",
  signedout: "Sesi berakhir, silakan masuk lagi (signed out)",
};

const items = new Map(); // id → { notification, element }
let client = null;
let session = null;

const config = await loadConfig();
restore();

$("sign-in").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("sign-in-error").textContent = "";
  try {
    if (!config) throw new Error("Layanan tidak tersedia, coba lagi nanti (the sign-in service is unavailable; reload the page)");
    const response = await fetch(`${config.apiUrl}/api/v1/auth/token`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email: $("email").value, password: $("password").value }),
    });
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      throw new Error(problem.detail ?? problem.title ?? `sign-in failed (${response.status})`);
    }
    const token = await response.json();
    session = { ...token, device: $("device").value, email: $("email").value };
    sessionStorage.setItem("situk.session", JSON.stringify(session));
    begin();
  } catch (error) {
    $("sign-in-error").textContent = error.message;
  }
});

// Signing out ends this device's sign-in on the API (its refresh token stops working, its socket closes);
// the user's other devices stay signed in.
$("sign-out").addEventListener("click", async () => {
  const leaving = client;
  client = null;
  await leaving?.signOut().catch(() => {});
  forget();
});

// The sign-in ended elsewhere (signed out, expired, or revoked): back to the sign-in form, saying so.
function signedOut(reason) {
  client = null;
  forget();
  setState("signedout");
  $("sign-in-error").textContent = `Sesi berakhir (signed out): ${reason}`;
}

function forget() {
  session = null;
  sessionStorage.removeItem("situk.session");
  items.clear();
  $("list").replaceChildren();
  $("inbox").hidden = true;
  $("sign-in").hidden = false;
  render();
}

$("enable-alerts").addEventListener("click", async () => {
  if (!("Notification" in window)) return;
  await Notification.requestPermission();
  renderAlertsButton();
});

function restore() {
  const saved = sessionStorage.getItem("situk.session");
  if (!saved) return;
  session = JSON.parse(saved);
  // An expired access token is fine while the refresh token lasts: the client refreshes before connecting.
  if (new Date(session.refreshTokenExpiresAt ?? session.expiresAt) <= new Date()) {
    sessionStorage.removeItem("situk.session");
    session = null;
    return;
  }
  begin();
}

function begin() {
  $("sign-in").hidden = true;
  $("inbox").hidden = false;
  $("who").textContent = `${session.email} · ${session.role} · perangkat (device): ${session.device}`;
  document.body.dataset.device = session.device;
  client = new SitukClient({
    brokerUrl: session.brokerUrl,
    brokerUrls: session.brokerUrls,
    apiUrl: config?.apiUrl,
    signIn: session,
    device: session.device,
    deviceId: deviceId(),
  });
  client.addEventListener("state", (e) => setState(e.detail.state, e.detail.code));
  client.addEventListener("notification", (e) => add(e.detail));
  client.addEventListener("read", (e) => e.detail.ids.forEach((id) => markReadLocally(id)));
  client.addEventListener("tokenexpired", () => setState("closed", 4001));
  client.addEventListener("kicked", () => setState("closed", 4003));
  client.addEventListener("tokenrefreshed", (e) => {
    session = { ...session, ...e.detail };
    sessionStorage.setItem("situk.session", JSON.stringify(session));
  });
  client.addEventListener("signedout", (e) => {
    if (client) signedOut(e.detail.reason);
  });
  client.start();
  renderAlertsButton();
  render();
}

function add(n) {
  if (items.has(n.id)) return;
  const element = $("item").content.firstElementChild.cloneNode(true);
  element.dataset.id = n.id;
  element.dataset.kind = n.kind;
  element.querySelector(".title").textContent = n.title;
  element.querySelector(".body").textContent = n.body;
  const time = element.querySelector(".time");
  time.dateTime = n.createdAt;
  time.textContent = new Date(n.createdAt).toLocaleString();
  element.querySelector(".read").addEventListener("click", async () => {
    await client.markRead(n.id);
    markReadLocally(n.id);
  });
  items.set(n.id, { notification: { ...n, acked: true }, element });
  const list = $("list");
  // Newest first on screen.
  const after = [...list.children].find((li) => Number(li.dataset.id) < n.id);
  list.insertBefore(element, after ?? null);
  update(n.id);
  if (!n.synced) alertIfHidden(n);
  render();
}

function markReadLocally(id) {
  const entry = items.get(id);
  if (!entry || entry.notification.readAt) return;
  entry.notification.readAt = new Date().toISOString();
  update(id);
  render();
}

function update(id) {
  const { notification: n, element } = items.get(id);
  const read = n.readAt != null;
  element.classList.toggle("unread", !read);
  element.querySelector(".read").hidden = read;
  element.querySelector(".status").textContent = read ? "dibaca (read)" : "diterima, belum dibaca (delivered, unread)";
  element.dataset.state = read ? "read" : "delivered";
}

function render() {
  const unread = [...items.values()].filter((e) => e.notification.readAt == null).length;
  $("unread").textContent = String(unread);
  $("unread").setAttribute("aria-label", `${unread} unread`);
  $("empty").hidden = items.size > 0;
  document.title = unread > 0 ? `(${unread}) Situk — notifikasi` : "Situk — notifikasi";
}

function setState(state, code) {
  const element = $("state");
  element.dataset.state = state;
  $("state-text").textContent = STATE_TEXT[state] + (code && state === "closed" ? ` · ${code}` : "");
}

function alertIfHidden(n) {
  if (document.visibilityState !== "hidden" || !("Notification" in window) || Notification.permission !== "granted") return;
  new Notification(n.title, { body: n.body, tag: String(n.id) });
}

function renderAlertsButton() {
  const button = $("enable-alerts");
  const supported = "Notification" in window;
  button.hidden = !supported || Notification.permission !== "default";
}

function deviceId() {
  let id = localStorage.getItem("situk.deviceId");
  if (!id) {
    id = crypto.randomUUID();
    localStorage.setItem("situk.deviceId", id);
  }
  return id;
}

// The API is the one the broker is configured with (PublicApiUrl, served as /config.json), never one named
// by the address bar: a link such as /?api=https://elsewhere must not make this page send a password there.
// The Content-Security-Policy the broker sends with the page holds fetches to that API as well.
async function loadConfig() {
  try {
    const response = await fetch("/config.json", { cache: "no-store" });
    if (!response.ok) return null;
    const body = await response.json();
    return typeof body.apiUrl === "string" ? { apiUrl: body.apiUrl.replace(/\/$/, "") } : null;
  } catch {
    return null;
  }
}
