// pagetext-settings.js — the signed-in user's language and time zone: read from GET /api/v1/me, changed by
// PATCH /api/v1/me from a control of two labelled selects. A stored change applies to the page at once
// (PageText.set); a refused or failed one puts the select back and says so. No dependencies beyond pagetext.js.
import { LANGUAGES, OFFERED_ZONES, withLanguage } from "./pagetext.js";

// The settings words of each offered zone (settings.zone.wib …).
const ZONE_KEYS = { "Asia/Jakarta": "wib", "Asia/Makassar": "wita", "Asia/Jayapura": "wit" };

/**
 * The caller's account as GET /api/v1/me answers it ({language, timeZone, email, …}), or null when it
 * cannot be read now (the API is away, the token has just expired).
 * @param {string} apiUrl "" for the page's own origin
 * @param {string} token the access token
 */
export async function loadMe(apiUrl, token) {
  try {
    const response = await fetch(`${apiUrl}/api/v1/me`, { headers: withLanguage({ Authorization: `Bearer ${token}` }) });
    return response.ok ? await response.json() : null;
  } catch {
    return null;
  }
}

/**
 * Opens the page's settings section (a <details>) with its title and the language and zone selects; what the
 * section already holds (the notification-preferences panel's place) stays below them.
 * @param {HTMLDetailsElement} settings
 * @param {import("./pagetext.js").PageText} text the page's words, switched once a change is stored
 * @param {{apiUrl: string, token: () => string}} api where PATCH /api/v1/me goes, and the current token
 */
export function mountLocaleSettings(settings, text, api) {
  const summary = document.createElement("summary");
  summary.dataset.text = "settings.title";
  const container = Object.assign(document.createElement("div"), { id: "locale-settings", className: "locale-settings" });
  settings.prepend(summary, container);
  const language = labelled(container, "settings-language", "settings.language");
  const zone = labelled(container, "settings-zone", "settings.zone");
  const status = Object.assign(document.createElement("p"), { className: "settings-status" });
  status.setAttribute("role", "status");
  container.append(status);
  text.apply(settings);

  const fill = () => {
    language.replaceChildren(...LANGUAGES.map((l) => option(l, text.say(`settings.language.${l}`))));
    language.value = text.language;
    const zones = OFFERED_ZONES.includes(text.timeZone) ? OFFERED_ZONES : [...OFFERED_ZONES, text.timeZone];
    zone.replaceChildren(...zones.map((z) => option(z, ZONE_KEYS[z]
      ? text.say(`settings.zone.${ZONE_KEYS[z]}`)
      : text.say("settings.zone.other", { zone: text.zoneName(z), name: z }))));
    zone.value = text.timeZone;
  };
  document.addEventListener("situk:textchange", fill);
  fill();

  const change = async (what) => {
    status.textContent = "";
    language.disabled = zone.disabled = true;
    try {
      const response = await fetch(`${api.apiUrl}/api/v1/me`, {
        method: "PATCH",
        headers: withLanguage({ Authorization: `Bearer ${api.token()}`, "Content-Type": "application/json" }),
        body: JSON.stringify(what),
      });
      if (!response.ok) throw new Error(String(response.status));
      const me = await response.json();
      text.set({ language: me.language, timeZone: me.timeZone });
      status.textContent = text.say("settings.saved");
    } catch {
      fill();
      status.textContent = text.say("settings.failed");
    } finally {
      language.disabled = zone.disabled = false;
    }
  };
  language.addEventListener("change", () => change({ language: language.value }));
  zone.addEventListener("change", () => change({ timeZone: zone.value }));
}

function labelled(container, id, key) {
  const label = Object.assign(document.createElement("label"), { htmlFor: id });
  label.dataset.text = key;
  const select = Object.assign(document.createElement("select"), { id });
  container.append(label, select);
  return select;
}

function option(value, label) {
  return Object.assign(document.createElement("option"), { value, textContent: label });
}
