// The device page: sign in against the API, hold a broker socket with situk.js, show the inbox live.
//
// The sign-in (access token and refresh token) is kept in sessionStorage: a reload of the tab (a candidate's
// browser in an exam lab) carries on without the password, while closing the tab forgets it, and no other
// tab or later visit reads it (unlike localStorage). Memory alone would sign the candidate out at every
// reload. Script injection could read it either way; the page's Content-Security-Policy is what guards that.
//
// Words and times follow the signed-in user's language and zone (GET /api/v1/me, kept with the sign-in so a
// reload shows them at once); before sign-in, the browser's language. See pagetext.js.
import { SitukClient } from "/situk.js";
import { PageText, withLanguage } from "/pagetext.js";
import { loadMe, mountLocaleSettings } from "/pagetext-settings.js";

const $ = (id) => document.getElementById(id);

const items = new Map(); // id → { notification, element }
let client = null;
let session = null;
let state = { name: "idle", code: undefined };

const config = await loadConfig();
const text = await PageText.load(new URL("device", import.meta.url), PageText.browserLanguage());
text.apply();
setState("idle");
render();
mountLocaleSettings($("settings"), text, { apiUrl: config?.apiUrl ?? "", token: () => client?.token ?? session?.accessToken });
document.addEventListener("situk:textchange", rewrite);
restore();

$("sign-in").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("sign-in-error").textContent = "";
  try {
    if (!config) throw new Error(text.say("signin.unavailable"));
    const response = await fetch(`${config.apiUrl}/api/v1/auth/token`, {
      method: "POST",
      headers: withLanguage({ "Content-Type": "application/json" }),
      body: JSON.stringify({ email: $("email").value, password: $("password").value }),
    });
    if (!response.ok) throw new Error(signInRefusal(response.status));
    const token = await response.json();
    session = { ...token, device: $("device").value, email: $("email").value };
    sessionStorage.setItem("situk.session", JSON.stringify(session));
    await follow(await loadMe(config.apiUrl, session.accessToken));
    begin();
  } catch (error) {
    $("sign-in-error").textContent = error instanceof TypeError ? text.say("signin.unreachable") : error.message;
  }
});

function signInRefusal(status) {
  switch (status) {
    case 401: return text.say("signin.wrong");
    case 403: return text.say("signin.deactivated");
    case 429: return text.say("signin.tooMany");
    default: return text.say("signin.failed", { status });
  }
}

// The user's stored language and zone (rewrite keeps them with the sign-in for the next reload).
async function follow(me) {
  if (!me || !session) return;
  text.set({ language: me.language, timeZone: me.timeZone });
}

// Signing out ends this device's sign-in on the API (its refresh token stops working, its socket closes);
// the user's other devices stay signed in.
$("sign-out").addEventListener("click", async () => {
  const leaving = client;
  client = null;
  await leaving?.signOut().catch(() => {});
  forget();
});

// The sign-in ended elsewhere (signed out, expired, or revoked): back to the sign-in form, saying so.
function signedOut() {
  client = null;
  forget();
  setState("signedout");
  $("sign-in-error").textContent = text.say("signin.ended");
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
  if (session.language) text.set({ language: session.language, timeZone: session.timeZone });
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
  document.body.dataset.device = session.device;
  client = new SitukClient({
    brokerUrl: session.brokerUrl,
    brokerUrls: session.brokerUrls,
    apiUrl: config?.apiUrl,
    signIn: session,
    device: session.device,
    deviceId: deviceId(),
    language: () => text.language,
  });
  client.addEventListener("state", (e) => setState(e.detail.state, e.detail.code));
  // Once a socket is open its token is good: read the stored language and zone (they may have changed elsewhere).
  client.addEventListener("welcome", async () => follow(await loadMe(config?.apiUrl ?? "", client?.token)));
  client.addEventListener("notification", (e) => add(e.detail));
  client.addEventListener("read", (e) => e.detail.ids.forEach((id) => markReadLocally(id)));
  client.addEventListener("tokenexpired", () => setState("closed", 4001));
  client.addEventListener("kicked", () => setState("closed", 4003));
  client.addEventListener("tokenrefreshed", (e) => {
    session = { ...session, ...e.detail };
    sessionStorage.setItem("situk.session", JSON.stringify(session));
  });
  client.addEventListener("signedout", (e) => {
    if (client) signedOut();
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
  element.querySelector(".status").textContent = text.say(read ? "item.read" : "item.unread");
  element.querySelector(".time").textContent = text.time(n.createdAt);
  element.dataset.state = read ? "read" : "delivered";
}

function render() {
  const unread = [...items.values()].filter((e) => e.notification.readAt == null).length;
  $("unread").textContent = String(unread);
  $("unread").setAttribute("aria-label", text.say("inbox.unread", { count: unread }));
  $("empty").hidden = items.size > 0;
  document.title = unread > 0 ? text.say("page.title.unread", { count: unread }) : text.say("page.title");
  if (session) $("who").textContent = text.say("inbox.who", { email: session.email, role: session.role, device: text.say(`device.${session.device}`) });
}

function setState(name, code) {
  state = { name, code };
  $("state").dataset.state = name;
  $("state-text").textContent = code && name === "closed" ? text.say("state.closed.code", { code }) : text.say(`state.${name}`);
}

// The language or zone changed (from GET /me or the settings control): rewrite what this script wrote (the
// marked-up words are rewritten already) and keep them with the sign-in, so a reload shows them at once.
function rewrite() {
  if (session) {
    session = { ...session, language: text.language, timeZone: text.timeZone };
    sessionStorage.setItem("situk.session", JSON.stringify(session));
  }
  setState(state.name, state.code);
  for (const id of items.keys()) update(id);
  render();
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
