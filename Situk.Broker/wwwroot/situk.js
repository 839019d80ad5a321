// situk.js — the browser client of the Situk broker (protocol situk.v1). No dependencies.
//
//   import { SitukClient } from "/situk.js";
//   const client = new SitukClient({ brokerUrl, apiUrl, token });
//   client.addEventListener("notification", e => show(e.detail));
//   client.start();
//
// It connects with the token in the query string (browsers cannot set headers on a WebSocket),
// reconnects with exponential back-off and jitter, acks every notification it has handed to the
// page (the acks of 20 ms in one frame, each id with its delay), drops duplicate ids, and after every (re)connect fetches what it missed from the REST inbox.
// Given a sign-in (the answer of POST /api/v1/auth/token, with its refresh token) it refreshes the access
// token at about 80% of its life, hands the new one to the open socket ({"type":"token"}) and uses it for
// reconnects; a refused refresh (401) or close 4004 ends in "signedout" instead of retrying forever.
// Given several brokers (brokerUrls, as the sign-in answer lists them) it starts on a random one and, when
// that broker fails (the socket closes with 1001 "going away" or 1006 "abnormal": refused, unreachable,
// dropped), reconnects to the next in the list after the usual back-off. A browser cannot tell a handshake
// refused for the token from an unreachable broker (both are 1006), so such a socket moves on too; the
// token is refreshed before a connect whenever it is near expiry, which keeps that rare.
// Events: "state" {state, code?, reason?}, "welcome" {sessionId, userId, heartbeatSeconds},
// "notification" {…notification, synced}, "read" {ids}, "tokenrefreshed" {…token answer}, "signedout" {reason},
// "tokenexpired", "kicked".

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 30_000;
// 1013 means "overloaded or too slow": wait longer before the first retry.
const OVERLOADED_MIN_MS = 5_000;
const SEEN_LIMIT = 2_000;
// A refresh falls between these fractions of the access token's life, so a lab that signed in together
// does not refresh in the same second.
const REFRESH_FROM = 0.75;
const REFRESH_TO = 0.85;
// A connect this close to the token's expiry refreshes first: the broker would close with 4001 at once.
const EXPIRY_MARGIN_MS = 1_000;
// Automatic acks gather this long and go out as one frame (ackWindowMs); at most ACK_CHUNK ids a frame keeps
// 128 ids of 19 digits with their delays under the broker's 4 KiB a frame.
const ACK_WINDOW_MS = 20;
const ACK_CHUNK = 128;

export class SitukClient extends EventTarget {
  /**
   * @param {object} options
   * @param {string} options.brokerUrl  ws(s)://host:5080/ws, as handed out with the token
   * @param {string[]} [options.brokerUrls] every broker's socket URL (the sign-in's brokerUrls); wins over brokerUrl
   * @param {string} options.apiUrl     http(s)://host:5000, for the inbox sync
   * @param {string} options.token      the access token
   * @param {string} [options.device]   web | android | ios | desktop | other
   * @param {string} [options.deviceId] an opaque id of this device
   * @param {boolean} [options.autoAck] ack as soon as the "notification" event returns (default true)
   * @param {number} [options.ackWindowMs] automatic acks gather this long and go out as one frame, each id with the
   *        milliseconds since it arrived (default 20; 0 = one frame per notification, at once)
   * @param {() => Promise<string>} [options.refreshToken] called on close 4001 for a new token
   * @param {() => string} [options.language] the reader's language ("id" or "en"), sent as Accept-Language on API
   *   calls so the API's problems are in it; without it the API answers in its default language
   * @param {{accessToken: string, expiresAt: string, refreshToken: string}} [options.signIn] the sign-in
   *        answer; with it (and apiUrl) the client refreshes by itself and `token` may be left out
   */
  constructor(options) {
    super();
    this.brokerUrls = options.brokerUrls?.length ? [...options.brokerUrls] : [options.brokerUrl];
    // A random first broker spreads a lab's devices over the cluster; brokerUrl is the one in use.
    this._brokerIndex = Math.floor(Math.random() * this.brokerUrls.length);
    this.brokerUrl = this.brokerUrls[this._brokerIndex];
    this.apiUrl = (options.apiUrl ?? "").replace(/\/$/, "");
    this.signIn = options.signIn ? { ...options.signIn, receivedAt: Date.now() } : null;
    this.token = options.signIn?.accessToken ?? options.token;
    this.device = options.device ?? "web";
    this.deviceId = options.deviceId ?? null;
    this.autoAck = options.autoAck ?? true;
    this.ackWindowMs = options.ackWindowMs ?? ACK_WINDOW_MS;
    this._pendingAcks = [];
    this._ackTimer = null;
    this.refreshToken = options.refreshToken ?? null;
    this.language = options.language ?? null;
    this.state = "idle";
    this.lastId = 0;
    this._seen = new Set();
    this._socket = null;
    this._attempt = 0;
    this._timer = null;
    this._stopped = true;
    this._refreshTimer = null;
    this._refreshing = null;
    this._refreshFailures = 0;
  }

  /** Opens the socket and keeps it open until stop(). */
  start() {
    this._stopped = false;
    this._scheduleRefresh();
    this._connect();
  }

  /** Closes the socket (1000) and stops reconnecting. */
  stop() {
    this._stopped = true;
    clearTimeout(this._timer);
    clearTimeout(this._refreshTimer);
    clearTimeout(this._ackTimer);
    this._flushAcks(); // what was shown is acked before the close
    this._socket?.close(1000, "client stopped");
    this._setState("stopped");
  }

  /** Tells the broker the page has shown these notifications (the delivery receipt). */
  ack(ids) {
    const own = ids.filter((id) => Number.isSafeInteger(id));
    if (own.length === 0 || this._socket?.readyState !== WebSocket.OPEN) return false;
    this._socket.send(JSON.stringify({ type: "ack", ids: own }));
    return true;
  }

  /** Tells Situk the person read these on this device; the user's other devices get a "read" event. */
  read(ids) {
    const own = ids.filter((id) => Number.isSafeInteger(id));
    if (own.length === 0 || this._socket?.readyState !== WebSocket.OPEN) return false;
    this._socket.send(JSON.stringify({ type: "read", ids: own }));
    return true;
  }

  /** Marks a notification read through the REST API (every device of the user then gets a "read" event). */
  async markRead(id) {
    const response = await fetch(`${this.apiUrl}/api/v1/me/notifications/${id}/read`, {
      method: "POST",
      headers: this._headers({ Authorization: `Bearer ${this.token}` }),
    });
    if (!response.ok) throw new Error(`marking ${id} read failed: ${response.status}`);
  }

  /**
   * Signs this device out: the API ends the sign-in (its refresh tokens stop working, its sockets close
   * with 4004); the user's other devices stay signed in. Stops the client either way.
   */
  async signOut() {
    try {
      if (this.signIn && this.apiUrl) {
        await fetch(`${this.apiUrl}/api/v1/auth/sign-out`, { method: "POST", headers: this._headers({ Authorization: `Bearer ${this.token}` }) });
      }
    } finally {
      this._signedOut("signed out here");
    }
  }

  async _connect() {
    if (this._stopped) return;
    if (this.signIn && new Date(this.signIn.expiresAt).getTime() - Date.now() < EXPIRY_MARGIN_MS) {
      await this._refresh();
      if (this._stopped) return;
    }
    this._setState(this._attempt === 0 ? "connecting" : "reconnecting");
    this.brokerUrl = this.brokerUrls[this._brokerIndex];
    const url = new URL(this.brokerUrl);
    url.searchParams.set("access_token", this.token);
    url.searchParams.set("device", this.device);
    if (this.deviceId) url.searchParams.set("deviceId", this.deviceId);
    let socket;
    try {
      socket = new WebSocket(url);
    } catch {
      // A URL this browser will not open at all: as if that broker were unreachable (1006).
      this._socket = null;
      this._setState("closed", { code: 1006, reason: "" });
      this._brokerIndex = (this._brokerIndex + 1) % this.brokerUrls.length;
      this._schedule(RECONNECT_MIN_MS);
      return;
    }
    this._socket = socket;
    socket.onmessage = (event) => this._onMessage(event.data);
    socket.onclose = (event) => this._onClose(socket, event.code, event.reason);
  }

  _onMessage(text) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    switch (frame.type) {
      case "welcome":
        this._attempt = 0;
        this._setState("open");
        this._emit("welcome", frame);
        this._sync();
        break;
      case "notification":
        if (frame.pull === true && !this._seen.has(frame.id)) this._pull(frame);
        else this._deliver(frame, false);
        break;
      case "read":
        this._emit("read", { ids: frame.ids ?? [] });
        break;
      // "token-ok" and "token-refused" answer our token frames; a refused one leaves the old token in
      // force, and the next refresh (or the reconnect after 4001) brings another.
    }
  }

  // At about 80% of the access token's life: refresh, then hand the new token to the open socket.
  _scheduleRefresh() {
    clearTimeout(this._refreshTimer);
    if (!this.signIn || !this.apiUrl || this._stopped) return;
    let delay;
    if (this._refreshFailures > 0) {
      delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** this._refreshFailures) * (0.5 + Math.random() / 2);
    } else {
      const life = new Date(this.signIn.expiresAt).getTime() - this.signIn.receivedAt;
      const due = this.signIn.receivedAt + life * (REFRESH_FROM + Math.random() * (REFRESH_TO - REFRESH_FROM));
      delay = Math.max(0, due - Date.now());
    }
    this._refreshTimer = setTimeout(async () => {
      if (await this._refresh()) {
        this._refreshFailures = 0;
        if (this._socket?.readyState === WebSocket.OPEN) {
          this._socket.send(JSON.stringify({ type: "token", token: this.token }));
        }
      } else {
        this._refreshFailures++;
      }
      this._scheduleRefresh();
    }, delay);
  }

  // One refresh at a time: a refresh token presented twice ends the sign-in on every device holding it.
  _refresh() {
    this._refreshing ??= this._refreshOnce().finally(() => {
      this._refreshing = null;
    });
    return this._refreshing;
  }

  /** The headers of an API call, with Accept-Language when the page told the client its reader's language. */
  _headers(headers) {
    const language = this.language?.();
    return language ? { ...headers, "Accept-Language": language } : headers;
  }

  async _refreshOnce() {
    try {
      const response = await fetch(`${this.apiUrl}/api/v1/auth/refresh`, {
        method: "POST",
        headers: this._headers({ "Content-Type": "application/json" }),
        body: JSON.stringify({ refreshToken: this.signIn.refreshToken }),
      });
      if (response.status === 401) {
        const problem = await response.json().catch(() => ({}));
        this._signedOut(problem.title ?? "refresh refused");
        return false;
      }
      if (!response.ok) return false;
      const answer = await response.json();
      this.signIn = { ...answer, receivedAt: Date.now() };
      this.token = answer.accessToken;
      this._emit("tokenrefreshed", answer);
      return true;
    } catch {
      return false; // the API is unreachable: try again after a back-off
    }
  }

  // The sign-in is over: stop for good and say so; never retry with its tokens.
  _signedOut(reason) {
    if (this.state === "signedout") return;
    this._stopped = true;
    clearTimeout(this._timer);
    clearTimeout(this._refreshTimer);
    const socket = this._socket;
    this._socket = null; // its close event then changes nothing: the state stays "signedout"
    socket?.close(1000, "signed out");
    this._setState("signedout", { reason });
    this._emit("signedout", { reason });
  }

  _deliver(notification, synced) {
    const id = notification.id;
    if (this._seen.has(id)) {
      // Seen already (a re-send after a reconnect): ack again so the broker's receipt stands, show nothing.
      if (this.autoAck) this._autoAck(id);
      return;
    }
    this._remember(id);
    if (id > this.lastId) this.lastId = id;
    this._emit("notification", { ...notification, synced });
    if (this.autoAck && notification.deliveredAt == null) this._autoAck(id);
  }

  // Gathers automatic acks for ackWindowMs, then sends them in one frame with each id's delay (the whole ms between
  // its arrival and the frame), so the broker dates each receipt when it arrived here.
  _autoAck(id) {
    if (this.ackWindowMs <= 0) {
      this.ack([id]);
      return;
    }
    if (this._socket?.readyState !== WebSocket.OPEN) return;
    this._pendingAcks.push([id, performance.now()]);
    this._ackTimer ??= setTimeout(() => this._flushAcks(), this.ackWindowMs);
  }

  _flushAcks() {
    this._ackTimer = null;
    const pending = this._pendingAcks;
    this._pendingAcks = [];
    if (this._socket?.readyState !== WebSocket.OPEN) return;
    const now = performance.now();
    for (let i = 0; i < pending.length; i += ACK_CHUNK) {
      const chunk = pending.slice(i, i + ACK_CHUNK);
      const ids = chunk.map(([id]) => id);
      const delays = chunk.map(([, at]) => Math.min(2_147_483_647, Math.max(0, Math.floor(now - at))));
      this._socket.send(JSON.stringify({ type: "ack", ids, delays }));
    }
  }

  // Acks still gathering when a socket closes are dropped: the broker pushes those notifications again after the
  // reconnect, or the inbox sync hands them over again, and they are acked then.
  _dropPendingAcks() {
    clearTimeout(this._ackTimer);
    this._ackTimer = null;
    this._pendingAcks = [];
  }

  _remember(id) {
    this._seen.add(id);
    if (this._seen.size > SEEN_LIMIT) {
      this._seen.delete(this._seen.values().next().value);
    }
  }

  // A pull notice carries neutral words only: fetch the item over REST and hand that to the page. If it
  // cannot be fetched now, it is neither shown nor acked; the broker re-sends it and the next sync brings it.
  async _pull(notice) {
    if (!this.apiUrl) return;
    try {
      const response = await fetch(`${this.apiUrl}/api/v1/me/notifications/${notice.id}`, {
        headers: this._headers({ Authorization: `Bearer ${this.token}` }),
      });
      if (!response.ok) return;
      const item = await response.json();
      this._deliver({ type: "notification", ...item, sentAt: notice.sentAt, deliveredAt: null }, false);
    } catch {
      // The API is unreachable: see above.
    }
  }

  // Fetches everything after the last id seen, page by page, and hands the unseen to the page.
  async _sync() {
    if (!this.apiUrl) return;
    try {
      let after = this.lastId;
      for (let page = 0; page < 50; page++) {
        const response = await fetch(`${this.apiUrl}/api/v1/me/notifications?after=${after}&limit=200`, {
          headers: this._headers({ Authorization: `Bearer ${this.token}` }),
        });
        if (!response.ok) return;
        const body = await response.json();
        for (const item of body.items ?? []) this._deliver({ type: "notification", ...item }, true);
        if (body.next == null || (body.items ?? []).length === 0) return;
        after = body.next;
      }
    } catch {
      // The API is unreachable: the socket still delivers; the next reconnect syncs again.
    }
  }

  async _onClose(socket, code, reason) {
    if (socket !== this._socket) return;
    this._socket = null;
    this._dropPendingAcks();
    this._setState("closed", { code, reason });
    if (this._stopped) return;
    if (code === 4003) {
      this._stopped = true;
      this._emit("kicked", { reason });
      return;
    }
    if (code === 4004) {
      this._signedOut(reason || "signed out");
      return;
    }
    if (code === 4001) {
      this._emit("tokenexpired", {});
      // With a sign-in the reconnect refreshes first (see _connect); otherwise ask the page for a token.
      if (!this.signIn && !this.refreshToken) {
        this._stopped = true;
        return;
      }
      if (!this.signIn) {
        try {
          this.token = await this.refreshToken();
        } catch {
          // try again after the back-off below
        }
      }
    }
    // The broker went away or could not be reached: the next one in the list; any other close is about
    // this device and would be the same on every broker.
    if (code === 1001 || code === 1006) {
      this._brokerIndex = (this._brokerIndex + 1) % this.brokerUrls.length;
    }
    this._schedule(code === 1013 ? OVERLOADED_MIN_MS : RECONNECT_MIN_MS);
  }

  _schedule(minimum) {
    const ceiling = Math.min(RECONNECT_MAX_MS, minimum * 2 ** this._attempt);
    // Full jitter between half the ceiling and the ceiling, so a broker restart is not met by a stampede.
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this._attempt++;
    clearTimeout(this._timer);
    this._timer = setTimeout(() => this._connect(), delay);
  }

  _setState(state, extra = {}) {
    this.state = state;
    this._emit("state", { state, ...extra });
  }

  _emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
