// shopchat widget loader: launcher, session, live connection, offline queue, triggers.
// The panel (UI and translations) is an ES module loaded on first open: panel.js.
// No eval, no inline styles (constructable stylesheets; CSSOM only), no third parties.
(() => {
  "use strict";
  const script = document.currentScript;
  if (!script || window.shopchat) return;
  const base = new URL(".", script.src).href;
  const api = base + "api/v1/widget/";
  const siteKey = script.dataset.siteKey;
  const settings = window.shopchatSettings || {};
  let identity = settings.identity || script.dataset.identity || null;
  const pageLang = (settings.locale || script.dataset.locale || document.documentElement.lang || navigator.language || "en").slice(0, 2).toLowerCase();
  const K = "shopchat:" + siteKey + ":";
  const today = new Date().toISOString().slice(0, 10);
  const MAX_CHARS = 4000;
  // Refused, not stored: the message stays in the outbox and is sent again shortly.
  const RETRYABLE = { rate_limited: 1, assistant_busy: 1, internal: 1 };
  // Launcher strings; the panel carries the rest.
  const L = {
    en: ["Open chat", "Close chat", "unread"], de: ["Chat öffnen", "Chat schließen", "ungelesen"],
    fr: ["Ouvrir le chat", "Fermer le chat", "non lus"], es: ["Abrir chat", "Cerrar chat", "sin leer"],
    nl: ["Chat openen", "Chat sluiten", "ongelezen"], it: ["Apri la chat", "Chiudi la chat", "non letti"],
    pt: ["Abrir chat", "Fechar chat", "não lidas"], pl: ["Otwórz czat", "Zamknij czat", "nieprzeczytane"],
    ar: ["فتح المحادثة", "إغلاق المحادثة", "غير مقروءة"], he: ["פתיחת צ׳אט", "סגירת צ׳אט", "לא נקראו"],
  };

  const store = (area) => ({
    get(k) { try { return area.getItem(K + k); } catch (e) { return null; } },
    set(k, v) { try { v == null ? area.removeItem(K + k) : area.setItem(K + k, v); } catch (e) { /* private mode */ } },
    json(k, d) { try { return JSON.parse(this.get(k)) || d; } catch (e) { return d; } },
  });
  const local = store(localStorage);
  const tab = store(sessionStorage);

  const listeners = new Set();
  const emit = (type, data) => listeners.forEach((fn) => fn(type, data));
  const channel = "BroadcastChannel" in window ? new BroadcastChannel(K) : null;

  const core = {
    base, siteKey, pageLang, cfg: null, lang: "en", token: null, conversationId: null, status: null,
    msgs: [], conn: "connecting", open: false, nudge: null, panel: null, maxChars: MAX_CHARS,
    on(fn) { listeners.add(fn); return () => listeners.delete(fn); },
    outbox: () => local.json("outbox", []).filter((m) => m.conv === core.conversationId),
  };
  let seen = new Set();
  let lastSeq = 0;
  let ws = null;
  let attempts = 0;
  let wsFailures = 0;
  let polling = false;
  let timer = 0;
  const sentOn = new Map();
  let retryTimer = 0;
  const retryLater = () => { clearTimeout(retryTimer); retryTimer = setTimeout(flush, 3000); };
  let connId = 0;

  // --- session -----------------------------------------------------------------------
  async function openSession(withIdentity = true, fallback = true) {
    const sid = settings.sessionId;
    const body = {
      site_key: siteKey,
      session_id: local.get("sid") || (typeof sid === "string" && sid.length <= 64 ? sid : undefined),
      identity: (withIdentity && identity) || undefined,
      context: { page: { url: location.href.slice(0, 2000), title: document.title.slice(0, 400) }, locale: pageLang },
    };
    const r = await fetch(api + "session", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const data = await r.json().catch(() => ({}));
    if (r.status === 401 && fallback && withIdentity && identity && data.error && data.error.code === "identity_invalid") return openSession(false);
    if (!r.ok) throw Object.assign(new Error((data.error && data.error.message) || r.statusText), { status: r.status });
    local.set("sid", data.session_id);
    if (core.conversationId && core.conversationId !== data.conversation_id) { core.msgs = []; seen = new Set(); lastSeq = 0; }
    core.token = data.session_token;
    core.conversationId = data.conversation_id;
    // The page's own choices (the WordPress plugin's settings) win over the site's.
    const b = data.config.branding = data.config.branding || {};
    if (settings.position === "left" || settings.position === "right") b.position = settings.position;
    if (hex(settings.color)) b.color = hex(settings.color);
    core.cfg = data.config;
    core.lang = pickLang(data.config);
    local.set("cfg", JSON.stringify(data.config));
    setStatus(data.status);
    data.messages.forEach((m) => addMessage(m));
    return data;
  }

  function pickLang(cfg) {
    const explicit = settings.locale || script.dataset.locale;
    const offered = cfg.languages || [];
    if (L[pageLang] && (explicit || offered.includes(pageLang))) return pageLang;
    return L[cfg.language] ? cfg.language : "en";
  }

  async function start() {
    try {
      const data = await openSession();
      attempts = 0;
      showLauncher();
      const active = data.messages.length || core.outbox().length || tab.get("open");
      if (active) connect();
      if (tab.get("open")) openPanel(false);
      runTriggers();
      render();
    } catch (e) {
      if (e.status === 403 || e.status === 404 || e.status === 401) return console.warn("shopchat:", e.message);
      setTimeout(start, backoff());
    }
  }

  // --- live connection ---------------------------------------------------------------
  function backoff() {
    const d = Math.min(30000, 500 * 2 ** attempts++);
    return d / 2 + Math.random() * d / 2;
  }

  function setConn(state) { if (core.conn !== state) { core.conn = state; emit("conn", state); } }

  function connect() {
    if (ws || polling || !core.token) return;
    clearTimeout(timer);
    const id = ++connId;
    let opened = false;
    let pingTimer = 0;
    let deadTimer = 0;
    setConn("connecting");
    // The token goes in the first frame, never the URL: URLs end up in access logs.
    const sock = ws = new WebSocket(api.replace(/^http/, "ws") + "ws");
    const beat = () => {
      clearTimeout(deadTimer);
      pingTimer = setTimeout(() => { sendFrame({ type: "ping" }); deadTimer = setTimeout(() => sock.close(), 10000); }, 25000);
    };
    sock.onopen = () => {
      opened = true; attempts = 0; wsFailures = 0;
      sock.send(JSON.stringify({ type: "auth", token: core.token }));
      sock.send(JSON.stringify({ type: "resume", after_seq: lastSeq }));
      setConn("online");
      flush();
      beat();
    };
    sock.onmessage = (e) => {
      clearTimeout(pingTimer); beat();
      let f;
      try { f = JSON.parse(e.data); } catch (err) { return; }
      onFrame(f);
    };
    sock.onclose = (e) => {
      clearTimeout(pingTimer); clearTimeout(deadTimer);
      if (ws === sock) ws = null;
      if (id !== connId) return;
      setConn("offline");
      if (!opened) wsFailures++;
      if (e.code === 4401) { core.token = null; timer = setTimeout(renew, backoff()); return; }
      if (wsFailures >= 3) { probeFallback(); return; }
      timer = setTimeout(connect, e.code === 4000 ? 100 : backoff());
    };
  }

  async function renew() {
    try { await openSession(); attempts = 0; connect(); } catch (e) { timer = setTimeout(renew, backoff()); }
  }

  function reconnectNow() {
    if (!ws && !polling && core.token && document.visibilityState !== "hidden") { attempts = 0; connect(); }
  }
  addEventListener("online", reconnectNow);
  document.addEventListener("visibilitychange", reconnectNow);

  function sendFrame(f) {
    if (ws && ws.readyState === 1) { ws.send(JSON.stringify(f)); return true; }
    return false;
  }

  function onFrame(f) {
    switch (f.type) {
      case "ack": settle(f.client_id); break;
      case "message": addMessage(f, true); render(); break;
      case "status": setStatus(f.status); break;
      case "typing": case "delta": case "rating_saved": emit(f.type, f); break;
      case "error": onError(f); break;
      default: break; // frames of newer servers are ignored
    }
  }

  function onError(f) {
    emit("error", f);
    if (RETRYABLE[f.code]) { retryLater(); return; }
    if (/^(too_long|empty|bad_text|bad_client_id|bad_attachments|too_large)$/.test(f.code)) {
      const stuck = core.outbox().find((m) => sentOn.get(m.client_id) === connId);
      if (stuck) { fail(stuck.client_id); }
    }
  }

  // The HTTP long-poll fallback, for networks that block WebSockets.
  async function probeFallback() {
    try {
      await http("GET", "messages?after_seq=" + lastSeq);
    } catch (e) { wsFailures = 0; timer = setTimeout(connect, backoff()); return; }
    polling = true;
    setConn("online");
    flush();
    while (polling) {
      try {
        const d = await http("GET", "messages?wait=25&after_seq=" + lastSeq);
        d.messages.forEach((m) => addMessage(m, true)); render(); setConn("online");
      } catch (e) {
        setConn("offline");
        if (e.status === 401) { try { await openSession(); } catch (err) { /* retried below */ } }
        await new Promise((ok) => setTimeout(ok, backoff()));
      }
    }
  }

  async function http(method, path, body) {
    const r = await fetch(api + path, {
      method,
      headers: Object.assign({ authorization: "Bearer " + core.token }, body ? { "content-type": "application/json" } : {}),
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = await r.json().catch(() => ({}));
    if (!r.ok) throw Object.assign(new Error((data.error && data.error.message) || r.statusText), { status: r.status, code: data.error && data.error.code });
    return data;
  }

  // --- messages and the offline queue -------------------------------------------------
  function addMessage(m, live) {
    if (seen.has(m.seq)) return;
    seen.add(m.seq);
    if (m.client_id) settle(m.client_id);
    let i = core.msgs.length;
    while (i > 0 && core.msgs[i - 1].seq > m.seq) i--;
    core.msgs.splice(i, 0, m);
    lastSeq = Math.max(lastSeq, m.seq);
    emit("message", m);
    if (m.role !== "customer" && !(core.open && document.visibilityState === "visible")) {
      if (live && m.seq > +(local.get("read") || 0)) beep();
    } else markRead();
  }

  function settle(clientId) {
    const all = local.json("outbox", []);
    const rest = all.filter((m) => m.client_id !== clientId);
    if (rest.length !== all.length) { local.set("outbox", JSON.stringify(rest)); emit("outbox"); }
  }

  function fail(clientId) {
    settle(clientId);
    emit("failed", clientId);
  }

  function flush() {
    const items = core.outbox();
    for (const m of items) {
      const frame = { type: "message", client_id: m.client_id, text: m.text };
      if (m.attachments && m.attachments.length) frame.attachments = m.attachments.map((a) => a.id);
      if (polling) {
        http("POST", "messages", frame).then((d) => { addMessage(d.message); render(); }, (e) => { if (e.status === 400) fail(m.client_id); else if (e.status === 429) retryLater(); });
      } else if (sendFrame(frame)) sentOn.set(m.client_id, connId);
    }
  }

  core.send = (text, attachments) => {
    text = (text || "").trim().slice(0, MAX_CHARS);
    if (!text && !(attachments && attachments.length)) return;
    const item = {
      client_id: "w" + Date.now().toString(36) + Math.random().toString(36).slice(2, 10),
      conv: core.conversationId, text, attachments: attachments || [], created_at: new Date().toISOString(),
    };
    local.set("outbox", JSON.stringify(local.json("outbox", []).concat(item)));
    emit("outbox");
    channel && channel.postMessage({ t: "active" });
    if (!ws && !polling) connect();
    flush();
  };
  core.typing = (on) => sendFrame({ type: "typing", on });
  core.rate = (score, comment) => sendFrame({ type: "rating", score, comment: comment || undefined });
  core.retry = () => { if (!ws && !polling) { attempts = 0; connect(); } else flush(); };

  core.upload = async (file) => {
    const form = new FormData();
    form.append("file", file, file.name);
    const r = await fetch(api + "attachments", { method: "POST", headers: { authorization: "Bearer " + core.token }, body: form });
    const data = await r.json().catch(() => ({}));
    if (!r.ok) throw Object.assign(new Error((data.error && data.error.message) || r.statusText), { code: data.error && data.error.code });
    return data;
  };
  core.file = async (id) => {
    const r = await fetch(base + "api/v1/attachments/" + encodeURIComponent(id), { headers: { authorization: "Bearer " + core.token } });
    if (!r.ok) throw new Error(r.statusText);
    return r.blob();
  };

  function setStatus(status) {
    if (core.status === status) return;
    core.status = status;
    emit("status", status);
  }

  // --- read state, sound, other tabs ---------------------------------------------------
  function markRead() {
    if (!core.open || !lastSeq) return;
    if (+(local.get("read") || 0) < lastSeq) {
      local.set("read", String(lastSeq));
      channel && channel.postMessage({ t: "read", seq: lastSeq });
    }
    render();
  }
  core.markRead = markRead;
  if (channel) channel.onmessage = (e) => { if (e.data.t === "active") connect(); render(); };
  addEventListener("storage", (e) => { if (e.key === K + "read" || e.key === K + "outbox") { emit("outbox"); render(); } });

  core.sound = (on) => { if (on !== undefined) local.set("sound", on ? "1" : null); return local.get("sound") === "1"; };
  function beep() {
    if (!core.sound()) return;
    try {
      const a = new (window.AudioContext || window.webkitAudioContext)();
      const o = a.createOscillator();
      const g = a.createGain();
      o.frequency.value = 880; g.gain.value = 0.05;
      o.connect(g); g.connect(a.destination); o.start(); o.stop(a.currentTime + 0.12);
      o.onended = () => a.close();
    } catch (e) { /* no audio */ }
  }

  // --- launcher --------------------------------------------------------------------------
  let host, root, launcher, badge, nudgeEl;
  const CSS = `:host{all:initial!important;position:fixed!important;z-index:2147483000!important;inset:auto!important;display:block!important;width:0!important;height:0!important;--sc-brand:#4f46e5;--sc-on-brand:#fff}
.l{all:initial;position:fixed;bottom:20px;right:20px;width:56px;height:56px;border-radius:50%;background:var(--sc-brand);color:var(--sc-on-brand);display:grid;place-items:center;cursor:pointer;box-shadow:0 4px 16px rgba(0,0,0,.25);transition:transform .15s}
.l:hover{transform:scale(1.06)}.l:focus-visible{outline:3px solid var(--sc-brand);outline-offset:3px}
.left .l,.left .n{right:auto;left:20px}
.l svg{width:28px;height:28px;fill:currentColor}
.b{position:absolute;top:-4px;right:-4px;min-width:20px;height:20px;padding:0 5px;box-sizing:border-box;border-radius:10px;background:#b91c1c;color:#fff;font:700 12px/20px system-ui,sans-serif;text-align:center;border:2px solid #fff}
.n{all:initial;position:fixed;bottom:88px;right:20px;max-width:260px;padding:12px 32px 12px 14px;background:#fff;color:#1f2937;border-radius:12px;box-shadow:0 4px 20px rgba(0,0,0,.2);font:14px/1.4 system-ui,sans-serif;cursor:pointer}
.n button{all:initial;position:absolute;top:4px;right:6px;padding:2px 6px;cursor:pointer;font:18px/1 system-ui,sans-serif;color:#4b5563}
.n button:focus-visible,.n:focus-visible{outline:2px solid var(--sc-brand)}
[hidden]{display:none!important}
@media (prefers-color-scheme:dark){.n{background:#1f2937;color:#f3f4f6}.n button{color:#d1d5db}}
@media (prefers-reduced-motion:reduce){.l{transition:none}}`;

  function sheet(shadow, css) {
    if ("adoptedStyleSheets" in shadow && "replaceSync" in CSSStyleSheet.prototype) {
      const s = new CSSStyleSheet();
      s.replaceSync(css);
      shadow.adoptedStyleSheets = shadow.adoptedStyleSheets.concat(s);
    } else {
      const el = document.createElement("style");
      el.textContent = css;
      shadow.appendChild(el);
    }
  }
  core.sheet = (css) => sheet(root, css);

  const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text) e.textContent = text; return e; };
  core.el = el;

  // "#rgb" or "#rrggbb" (the plugin accepts both) as "#rrggbb", else null.
  function hex(c) {
    const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(c || "");
    return m && "#" + (m[1].length > 3 ? m[1] : m[1].replace(/./g, "$&$&")).toLowerCase();
  }

  function contrastText(c) {
    const h = hex(c);
    if (!h) return "#fff";
    const n = parseInt(h.slice(1), 16);
    const lum = [n >> 16, (n >> 8) & 255, n & 255].map((c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; });
    const y = 0.2126 * lum[0] + 0.7152 * lum[1] + 0.0722 * lum[2];
    return (1.05) / (y + 0.05) >= (y + 0.05) / 0.05 ? "#fff" : "#111827";
  }
  core.contrastText = contrastText;

  function showLauncher() {
    if (host) return;
    host = document.createElement("shopchat-widget");
    root = host.attachShadow({ mode: "open" });
    core.root = root;
    core.host = host;
    sheet(root, CSS);
    const b = core.cfg.branding || {};
    if (hex(b.color)) {
      host.style.setProperty("--sc-brand", hex(b.color));
      host.style.setProperty("--sc-on-brand", contrastText(b.color));
    }
    const wrap = el("div", b.position === "left" ? "left" : "right");
    wrap.dir = "ltr";
    launcher = el("button", "l");
    launcher.type = "button";
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-haspopup", "dialog");
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    const p = document.createElementNS("http://www.w3.org/2000/svg", "path");
    p.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm3 6a1.3 1.3 0 1 0 0 .01zm5 0a1.3 1.3 0 1 0 0 .01zm5 0a1.3 1.3 0 1 0 0 .01z");
    svg.appendChild(p);
    badge = el("span", "b");
    badge.hidden = true;
    badge.setAttribute("aria-hidden", "true");
    launcher.append(svg, badge);
    launcher.onclick = () => (core.open ? closePanel() : openPanel(true));
    launcher.onpointerenter = launcher.onfocus = () => loadPanel().catch(() => {});
    nudgeEl = el("div", "n");
    nudgeEl.hidden = true;
    nudgeEl.setAttribute("role", "status");
    wrap.append(nudgeEl, launcher);
    root.appendChild(wrap);
    core.wrap = wrap;
    core.launcher = launcher;
    (document.body || document.documentElement).appendChild(host);
    render();
  }

  function render() {
    if (!launcher) return;
    const read = +(local.get("read") || 0);
    const unread = core.open ? 0 : core.msgs.filter((m) => m.role !== "customer" && m.seq > read).length + (core.nudge && !core.nudgeSeen ? 1 : 0);
    const s = L[core.lang] || L.en;
    badge.textContent = unread > 9 ? "9+" : String(unread);
    badge.hidden = !unread;
    launcher.setAttribute("aria-label", (core.open ? s[1] : s[0]) + (unread ? ` (${unread} ${s[2]})` : ""));
    launcher.setAttribute("aria-expanded", String(core.open));
    emit("render");
  }
  core.render = render;

  let panelPromise = null;
  function loadPanel() {
    // Replaced by the server with the fingerprinted URL of panel.js.
    panelPromise = panelPromise || import(base + "__SHOPCHAT_PANEL__").then((m) => (core.panel = m.mount(core)));
    return panelPromise;
  }

  async function openPanel(focus) {
    if (!launcher) return;
    core.open = true;
    core.nudgeSeen = true;
    nudgeEl.hidden = true;
    tab.set("open", "1");
    connect();
    render();
    try { await loadPanel(); } catch (e) { core.open = false; panelPromise = null; render(); return; }
    if (core.open) { core.panel.show(focus); markRead(); }
  }

  function closePanel() {
    core.open = false;
    tab.set("open", null);
    if (core.panel) core.panel.hide();
    render();
    launcher.focus();
  }
  core.close = closePanel;

  // --- proactive triggers: once per visitor per day ------------------------------------
  function runTriggers() {
    const triggers = (core.cfg && core.cfg.triggers) || [];
    const cart = parseFloat((core.cfg.customer || {}).cart_total);
    triggers.forEach((t, i) => {
      const key = "trigger:" + (t.id || i);
      if (local.get(key) === today) return;
      if (t.url && !glob(t.url).test(location.href)) return;
      if (t.cart_over != null && !(cart > +t.cart_over)) return;
      const fire = () => {
        if (local.get(key) === today || core.open || core.nudge) return;
        local.set(key, today);
        showNudge(t.message);
      };
      const wait = (+t.seconds || 0) * 1000;
      if (t.exit_intent) {
        const armedAt = Date.now() + wait;
        const onOut = (e) => {
          if (!e.relatedTarget && e.clientY <= 0 && Date.now() >= armedAt) { document.removeEventListener("mouseout", onOut); fire(); }
        };
        document.addEventListener("mouseout", onOut);
      } else setTimeout(fire, wait);
    });
  }

  function glob(pattern) {
    const escaped = String(pattern).replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
    return new RegExp(pattern.includes("*") ? "^" + escaped + "$" : escaped);
  }

  function showNudge(message) {
    const text = typeof message === "object" && message ? message[core.lang] || message.en || Object.values(message)[0] : message;
    if (!text) return;
    core.nudge = String(text);
    core.nudgeSeen = false;
    nudgeEl.textContent = core.nudge;
    const x = el("button", "", "×");
    x.type = "button";
    x.setAttribute("aria-label", (L[core.lang] || L.en)[1]);
    x.onclick = (e) => { e.stopPropagation(); nudgeEl.hidden = true; core.nudgeSeen = true; render(); };
    nudgeEl.appendChild(x);
    nudgeEl.onclick = () => openPanel(true);
    nudgeEl.hidden = false;
    beep();
    render();
  }

  // A refreshed identity (the shop signs a new one after cart changes): same session and
  // conversation, the server learns the new claims; a refused token changes nothing.
  async function identify(token) {
    if (typeof token !== "string" || !token || token === identity) return;
    identity = token;
    if (!core.token) return; // not started yet: start() sends it
    const before = core.conversationId;
    try { await openSession(true, false); } catch (e) { return console.warn("shopchat:", e.message); }
    if (before !== core.conversationId && ws) { const old = ws; ws = null; connId++; old.close(); connect(); }
    render();
  }
  document.addEventListener("shopchat:identity", (e) => identify(e.detail && e.detail.identity));

  window.shopchat = { open: () => openPanel(true), close: closePanel, toggle: () => (core.open ? closePanel() : openPanel(true)), identify };
  start();
})();
