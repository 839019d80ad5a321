// pagetext.js — the words and times of Situk's pages in the reader's language and time zone. No dependencies.
//
//   import { PageText } from "/pagetext.js";
//   const text = await PageText.load(new URL("device", import.meta.url), PageText.browserLanguage());
//   text.say("inbox.unread", { count: 3 });            // "3 belum dibaca"
//   text.time("2026-11-28T06:12:11Z");                  // "28/11/2026 13.12 WIB"
//
// Every word lives in JSON files, one per language: the shared ones (pagetext-<language>.json: times, the
// settings control) and the page's own (<page>-<language>.json; not <page>.<language>.json, which the build
// would take for a culture's satellite resource). Markup names its words by key:
// data-text="key" sets the text, data-text-aria-label / data-text-placeholder set those attributes.
// Changing the language or zone (set) rewrites the marked-up words, sets <html lang> and dispatches
// "situk:textchange" {language, timeZone} on document, so a page (or a panel such as notification
// preferences, which may read document.documentElement.lang) rewrites what its script wrote.
//
// Times: Intl.DateTimeFormat with timeZone gives the wall clock in the reader's zone; the pattern and the
// zone name are Situk's own, so the result does not depend on the browser's locale data: WIB
// (Asia/Jakarta, Asia/Pontianak), WITA (Asia/Makassar), WIT (Asia/Jayapura), UTC, else the UTC offset —
// the rule of the API's TextTime.

export const LANGUAGES = ["id", "en"];
export const DEFAULT_LANGUAGE = "id";
export const DEFAULT_ZONE = "Asia/Jakarta";
// The zones the settings control offers by name; a user's other zone is offered beside them.
export const OFFERED_ZONES = ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"];

/**
 * Headers asking the API for its problems (problem+json title, detail, field messages) in the page's language:
 * `Accept-Language` is <html lang>, which PageText keeps to the reader's current language.
 * @param {Record<string, string>} [headers] the call's own headers
 */
export function withLanguage(headers = {}) {
  const lang = document.documentElement.lang;
  return { ...headers, "Accept-Language": LANGUAGES.includes(lang) ? lang : DEFAULT_LANGUAGE };
}

const ZONE_NAMES = { "Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT", UTC: "UTC" };
const clocks = new Map(); // zone → Intl.DateTimeFormat, built once per zone

export class PageText {
  /** @param {Record<string, Record<string, string>>} words language → key → text */
  constructor(words, language, timeZone = DEFAULT_ZONE) {
    this.words = words;
    this.language = LANGUAGES.includes(language) ? language : DEFAULT_LANGUAGE;
    this.timeZone = timeZone;
  }

  /** Loads the shared and the page's words in both languages (both, so a switch needs no round trip). */
  static async load(pageBase, language, timeZone) {
    const shared = new URL("pagetext", import.meta.url);
    const entries = await Promise.all(LANGUAGES.map(async (l) => {
      const [common, own] = await Promise.all([readJson(`${shared}-${l}.json`), readJson(`${pageBase}-${l}.json`)]);
      return [l, { ...common, ...own }];
    }));
    return new PageText(Object.fromEntries(entries), language, timeZone);
  }

  /** The browser's first language if it is Indonesian ("id", or the old "in") or English; else Indonesian. */
  static browserLanguage(preferred = navigator.languages?.[0] ?? navigator.language ?? "") {
    const primary = preferred.toLowerCase().split("-")[0];
    if (primary === "in") return "id";
    return LANGUAGES.includes(primary) ? primary : DEFAULT_LANGUAGE;
  }

  /** The text of a key with {name} placeholders filled; an unknown key is shown as itself (a test looks for those). */
  say(key, values = {}) {
    const template = this.words[this.language]?.[key];
    if (template === undefined) {
      console.error(`pagetext: no "${key}" in ${this.language}`);
      return key;
    }
    return template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
  }

  /** Switches language and zone (either may be left out), rewrites the marked-up words and tells the page. */
  set({ language = this.language, timeZone = this.timeZone } = {}) {
    this.language = LANGUAGES.includes(language) ? language : DEFAULT_LANGUAGE;
    this.timeZone = timeZone || DEFAULT_ZONE;
    this.apply();
    document.dispatchEvent(new CustomEvent("situk:textchange", { detail: { language: this.language, timeZone: this.timeZone } }));
  }

  /** Writes every data-text* key below root (template contents included) and sets <html lang>. */
  apply(root = document) {
    if (root === document) document.documentElement.lang = this.language;
    for (const element of root.querySelectorAll("[data-text]")) element.textContent = this.say(element.dataset.text);
    for (const element of root.querySelectorAll("[data-text-aria-label]")) element.setAttribute("aria-label", this.say(element.dataset.textAriaLabel));
    for (const element of root.querySelectorAll("[data-text-placeholder]")) element.placeholder = this.say(element.dataset.textPlaceholder);
    for (const template of root.querySelectorAll("template")) this.apply(template.content);
  }

  /** A moment in the reader's zone: pattern "time.moment" (date, hour, minute, zone) or another time.* key. */
  time(at, pattern = "time.moment") {
    const date = at instanceof Date ? at : new Date(at);
    if (Number.isNaN(date.getTime())) return "—";
    const clock = wallClock(date, this.timeZone);
    const two = (n) => String(n).padStart(2, "0");
    return this.say(pattern, {
      day: two(clock.day), month: two(clock.month), year: clock.year,
      hour: two(clock.hour), minute: two(clock.minute), second: two(clock.second),
      zone: zoneName(clock.zone, clock.offsetMinutes),
    });
  }

  /** A zone as the settings control names it: "WIB", "WITA", "WIT", "UTC" or "UTC+09:00". */
  zoneName(timeZone = this.timeZone) {
    return zoneName(timeZone, wallClock(new Date(), timeZone).offsetMinutes);
  }
}

// The wall clock in a zone, and the zone's offset then; a zone this browser does not know is shown in UTC.
function wallClock(date, timeZone) {
  let format = clocks.get(timeZone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat("en-US", {
        timeZone, hourCycle: "h23", numberingSystem: "latn",
        year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric",
      });
    } catch {
      return wallClock(date, "UTC");
    }
    clocks.set(timeZone, format);
  }
  const parts = {};
  for (const { type, value } of format.formatToParts(date)) {
    if (type !== "literal") parts[type] = Number(value);
  }
  parts.hour %= 24; // some engines write midnight as 24 even with h23
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  const offsetMinutes = Math.round((wall - Math.floor(date.getTime() / 1000) * 1000) / 60_000);
  return { ...parts, zone: timeZone, offsetMinutes };
}

function zoneName(timeZone, offsetMinutes) {
  if (ZONE_NAMES[timeZone]) return ZONE_NAMES[timeZone];
  const sign = offsetMinutes < 0 ? "-" : "+";
  const minutes = Math.abs(offsetMinutes);
  return `UTC${sign}${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

async function readJson(url) {
  const response = await fetch(url, { cache: "no-cache" });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}
