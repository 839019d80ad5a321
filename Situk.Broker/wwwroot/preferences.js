// Notification preferences: per group of kinds, push and email on or off (GET/PUT /api/v1/me/preferences).
// One file for both pages: the device page (served by the broker) and the admin dashboard (the API embeds this
// same file). A page opts in with <section id="preferences" data-watch="…"> and says where its sign-in lives:
//   data-session-key  sessionStorage key of a JSON sign-in with accessToken (the device page)
//   data-token-key    sessionStorage key of a bare access token (the dashboard)
//   data-config       a JSON file naming apiUrl (the device page: /config.json); none = this origin
// The section shows while the element named by data-watch is shown (the signed-in part of the page).
// Words follow <html lang>: "id" (the default) or "en".

const TEXTS = {
  id: {
    title: "Pengaturan notifikasi",
    intro: "Semua notifikasi tetap tersimpan di kotak masuk. Pilih mana yang dikirim ke perangkat Anda dan lewat email.",
    group: "Jenis",
    push: "Notifikasi perangkat",
    email: "Email",
    locked: "Email wajib: menentukan sertifikasi Anda",
    saving: "Menyimpan…",
    saved: "Tersimpan.",
    failed: "Tidak tersimpan",
    unavailable: "Pengaturan tidak dapat dimuat, coba lagi nanti.",
    groups: {
      received: "Pendaftaran diterima",
      registration: "Verifikasi pendaftaran",
      documents: "Dokumen ditolak",
      preparation: "Persiapan asesmen",
      schedule: "Jadwal asesmen",
      verdict: "Hasil asesmen",
      certificate: "Sertifikat terbit",
      "certificate-status": "Status sertifikat",
      messages: "Pesan dari admin",
      digests: "Ringkasan antrean kerja",
    },
  },
  en: {
    title: "Notification settings",
    intro: "Every notification stays in the inbox. Choose which ones reach your devices and your email.",
    group: "Kind",
    push: "Device notification",
    email: "Email",
    locked: "Email required: it decides your certification",
    saving: "Saving…",
    saved: "Saved.",
    failed: "Not saved",
    unavailable: "The settings could not be loaded; try again later.",
    groups: {
      received: "Registration received",
      registration: "Registration review",
      documents: "Rejected documents",
      preparation: "Assessment preparation",
      schedule: "Assessment schedule",
      verdict: "Assessment result",
      certificate: "Certificate issued",
      "certificate-status": "Certificate status",
      messages: "Messages from the admin",
      digests: "Work queue digests",
    },
  },
};

const section = document.getElementById("preferences");
if (section) mount(section);

function mount(root) {
  const watched = document.getElementById(root.dataset.watch);
  let apiUrl = null;
  let t = TEXTS.id;

  const follow = async () => {
    // Read at each sign-in: a page may switch its language while it runs.
    t = TEXTS[document.documentElement.lang] ?? TEXTS.id;
    root.hidden = watched.hidden;
    if (watched.hidden) {
      root.replaceChildren();
      return;
    }
    apiUrl ??= await loadApiUrl(root.dataset.config);
    await load();
  };
  new MutationObserver(follow).observe(watched, { attributes: true, attributeFilter: ["hidden"] });
  // The page learns the signed-in person's language from GET /me after it shows: write the panel again then,
  // and whenever the person switches language.
  document.addEventListener("situk:textchange", () => { if (!watched.hidden) follow(); });
  follow();

  function token() {
    if (root.dataset.tokenKey) return sessionStorage.getItem(root.dataset.tokenKey);
    const saved = JSON.parse(sessionStorage.getItem(root.dataset.sessionKey) ?? "null");
    return saved?.accessToken ?? null;
  }

  async function call(method, body) {
    return fetch(`${apiUrl ?? ""}/api/v1/me/preferences`, {
      method,
      // The refusal's detail is shown as the server wrote it: ask for it in the panel's language.
      headers: {
        Authorization: `Bearer ${token()}`,
        "Accept-Language": document.documentElement.lang || "id",
        ...(body ? { "Content-Type": "application/json" } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
  }

  async function load() {
    try {
      const response = await call("GET");
      if (!response.ok) throw new Error(String(response.status));
      render((await response.json()).groups);
    } catch {
      root.replaceChildren(heading(), paragraph(t.unavailable, "error"));
    }
  }

  function render(groups) {
    const table = document.createElement("table");
    table.className = "preferences-table";
    table.innerHTML = "<thead><tr><th scope=\"col\"></th><th scope=\"col\"></th><th scope=\"col\"></th></tr></thead><tbody></tbody>";
    [t.group, t.push, t.email].forEach((text, i) => { table.tHead.rows[0].cells[i].textContent = text; });
    const status = paragraph("", "preferences-status");
    status.setAttribute("role", "status");
    for (const g of groups) table.tBodies[0].append(row(g, status));
    const details = document.createElement("details");
    details.id = "preferences-details";
    details.open = root.querySelector("#preferences-details")?.open ?? false;
    const summary = document.createElement("summary");
    summary.append(heading());
    details.append(summary, paragraph(t.intro, "muted"), table, status);
    root.replaceChildren(details);
  }

  function row(g, status) {
    const tr = document.createElement("tr");
    tr.dataset.group = g.group;
    const name = document.createElement("th");
    name.scope = "row";
    name.textContent = t.groups[g.group] ?? g.group;
    if (g.emailLockedBy) {
      const note = paragraph(t.locked, "preferences-locked");
      name.append(note);
    }
    const push = toggle(g, "push", t.push);
    const email = toggle(g, "email", t.email);
    email.disabled = g.emailLockedBy != null;
    const save = async () => {
      status.textContent = t.saving;
      push.disabled = email.disabled = true;
      const response = await call("PUT", { groups: [{ group: g.group, push: push.checked, email: email.checked }] }).catch(() => null);
      if (response?.ok) {
        const open = root.querySelector("#preferences-details").open;
        render((await response.json()).groups);
        root.querySelector("#preferences-details").open = open;
        root.querySelector(".preferences-status").textContent = t.saved;
        return;
      }
      const problem = await response?.json().catch(() => ({}));
      push.checked = g.push;
      email.checked = g.email;
      push.disabled = false;
      email.disabled = g.emailLockedBy != null;
      status.textContent = `${t.failed}: ${problem?.detail ?? problem?.title ?? response?.status ?? "—"}`;
    };
    push.addEventListener("change", save);
    email.addEventListener("change", save);
    tr.append(name, cell(push), cell(email));
    return tr;
  }

  function toggle(g, channel, label) {
    const input = document.createElement("input");
    input.type = "checkbox";
    input.id = `pref-${g.group}-${channel}`;
    input.checked = g[channel];
    input.setAttribute("aria-label", `${label}: ${t.groups[g.group] ?? g.group}`);
    return input;
  }

  function heading() {
    const h = document.createElement("h2");
    h.textContent = t.title;
    return h;
  }
}

// The whole cell is the checkbox's target, wide enough for a thumb.
function cell(child) {
  const td = document.createElement("td");
  const hit = document.createElement("label");
  hit.className = "preferences-hit";
  hit.append(child);
  td.append(hit);
  return td;
}

function paragraph(text, className) {
  const p = document.createElement("p");
  p.className = className;
  p.textContent = text;
  return p;
}

async function loadApiUrl(config) {
  if (!config) return "";
  try {
    const response = await fetch(config, { cache: "no-store" });
    const body = await response.json();
    return typeof body.apiUrl === "string" ? body.apiUrl.replace(/\/$/, "") : "";
  } catch {
    return "";
  }
}
