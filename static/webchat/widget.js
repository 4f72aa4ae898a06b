/* OmniDesk web chat widget: self-contained, no framework, drawn inside a shadow root so the host page's
 * CSS cannot touch it (nor it the page's). Text from anyone is only ever set with textContent.
 * window.OmniDesk: open(), close(), setUser(identifier, {name, email, phone, identifier_hash}),
 * setAttributes({...}), reset(), on("message" | "open" | "close", callback). */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector("script[data-omnidesk-channel]");
  if (!script || (window.OmniDesk && window.OmniDesk.__ready)) return;
  var CHANNEL = script.getAttribute("data-omnidesk-channel");
  var BASE = (script.getAttribute("data-omnidesk-base") || new URL(script.src).origin).replace(/\/$/, "");
  var WS_BASE = BASE.replace(/^http/, "ws");
  var KEY = "omnidesk:" + CHANNEL + ":";
  var MAX_PAGES = 20;
  var PAGE_MAX_AGE_MS = 24 * 3600 * 1000;

  var STRINGS = {
    en: {
      open: "Open chat", close: "Close chat", title: "Chat with us", send: "Send", attach: "Attach a file",
      placeholder: "Write a message…", messageLabel: "Your message", online: "We are online and reply in minutes.",
      offline: "We are away right now. Leave your email and we will answer by email.",
      email: "Email", name: "Name", phone: "Phone", start: "Start chat", save: "Save",
      sending: "Sending…", failed: "Not sent", retry: "Retry", typing: "{name} is typing…", agent: "Agent",
      you: "You", reconnecting: "Reconnecting…", csatQuestion: "How would you rate this conversation?",
      csatComment: "Anything to add? (optional)", csatSend: "Send rating", csatThanks: "Thank you for your rating!",
      rate: "Rate {n} out of 5", seen: "Seen", via: "via {channel}", prechat: "Before we start, tell us who you are.",
      err_unavailable: "This chat is not available on this site.", err_rate_limited: "Too fast; wait a moment and try again.",
      err_too_large: "That is too much to send at once.", err_session_expired: "Your session expired; reload the page.",
      err_empty_message: "Write something first.", err_too_long: "This message is too long.",
      err_invalid_email: "This email address does not look right.", err_invalid_phone: "This phone number does not look right.",
      err_file_too_large: "This file is too large.", err_file_type: "This type of file cannot be sent.",
      err_nothing_to_rate: "There is nothing to rate yet.", err_invalid_rating: "Choose a rating from 1 to 5.",
      err_invalid_request: "This could not be sent.", err_failed: "Something went wrong; try again.",
      verifyPrompt: "Verify {address} to see your conversation from every channel.", verifySend: "Send me a code",
      verifySent: "We sent a code to {address}.", verifyCode: "Code", verifyConfirm: "Verify",
      verified: "Verified: {address}"
    },
    "pt-BR": {
      open: "Abrir chat", close: "Fechar chat", title: "Fale conosco", send: "Enviar", attach: "Anexar arquivo",
      placeholder: "Escreva uma mensagem…", messageLabel: "Sua mensagem", online: "Estamos online e respondemos em minutos.",
      offline: "Estamos ausentes agora. Deixe seu e-mail e responderemos por e-mail.",
      email: "E-mail", name: "Nome", phone: "Telefone", start: "Iniciar conversa", save: "Salvar",
      sending: "Enviando…", failed: "Não enviada", retry: "Tentar de novo", typing: "{name} está digitando…",
      agent: "Atendente", you: "Você", reconnecting: "Reconectando…",
      csatQuestion: "Como você avalia este atendimento?", csatComment: "Quer acrescentar algo? (opcional)",
      csatSend: "Enviar avaliação", csatThanks: "Obrigado pela sua avaliação!", rate: "Nota {n} de 5",
      seen: "Vista", via: "por {channel}", prechat: "Antes de começar, diga-nos quem você é.",
      err_unavailable: "Este chat não está disponível neste site.", err_rate_limited: "Rápido demais; espere um pouco e tente de novo.",
      err_too_large: "É coisa demais para enviar de uma vez.", err_session_expired: "Sua sessão expirou; recarregue a página.",
      err_empty_message: "Escreva algo primeiro.", err_too_long: "Esta mensagem é longa demais.",
      err_invalid_email: "Este e-mail não parece certo.", err_invalid_phone: "Este telefone não parece certo.",
      err_file_too_large: "Este arquivo é grande demais.", err_file_type: "Este tipo de arquivo não pode ser enviado.",
      err_nothing_to_rate: "Ainda não há nada para avaliar.", err_invalid_rating: "Escolha uma nota de 1 a 5.",
      err_invalid_request: "Não foi possível enviar.", err_failed: "Algo deu errado; tente de novo.",
      verifyPrompt: "Verifique {address} para ver sua conversa de todos os canais.", verifySend: "Enviar código",
      verifySent: "Enviamos um código para {address}.", verifyCode: "Código", verifyConfirm: "Verificar",
      verified: "Verificado: {address}"
    },
    es: {
      open: "Abrir chat", close: "Cerrar chat", title: "Habla con nosotros", send: "Enviar", attach: "Adjuntar archivo",
      placeholder: "Escribe un mensaje…", messageLabel: "Tu mensaje", online: "Estamos en línea y respondemos en minutos.",
      offline: "Ahora no estamos disponibles. Déjanos tu correo y te responderemos por correo.",
      email: "Correo electrónico", name: "Nombre", phone: "Teléfono", start: "Empezar", save: "Guardar",
      sending: "Enviando…", failed: "No enviado", retry: "Reintentar", typing: "{name} está escribiendo…",
      agent: "Agente", you: "Tú", reconnecting: "Reconectando…",
      csatQuestion: "¿Cómo valorarías esta conversación?", csatComment: "¿Algo más? (opcional)",
      csatSend: "Enviar valoración", csatThanks: "¡Gracias por tu valoración!", rate: "Nota {n} de 5",
      seen: "Visto", via: "por {channel}", prechat: "Antes de empezar, dinos quién eres.",
      err_unavailable: "Este chat no está disponible en este sitio.", err_rate_limited: "Demasiado rápido; espera un momento y vuelve a intentarlo.",
      err_too_large: "Es demasiado para enviar de una vez.", err_session_expired: "Tu sesión caducó; recarga la página.",
      err_empty_message: "Escribe algo primero.", err_too_long: "Este mensaje es demasiado largo.",
      err_invalid_email: "Este correo no parece correcto.", err_invalid_phone: "Este teléfono no parece correcto.",
      err_file_too_large: "Este archivo es demasiado grande.", err_file_type: "Este tipo de archivo no se puede enviar.",
      err_nothing_to_rate: "Todavía no hay nada que valorar.", err_invalid_rating: "Elige una nota de 1 a 5.",
      err_invalid_request: "No se pudo enviar.", err_failed: "Algo salió mal; inténtalo de nuevo.",
      verifyPrompt: "Verifica {address} para ver tu conversación de todos los canales.", verifySend: "Enviarme un código",
      verifySent: "Te enviamos un código a {address}.", verifyCode: "Código", verifyConfirm: "Verificar",
      verified: "Verificado: {address}"
    }
  };

  function pickLanguage() {
    var candidates = [document.documentElement.lang].concat(navigator.languages || [navigator.language]);
    for (var i = 0; i < candidates.length; i++) {
      var lang = (candidates[i] || "").toLowerCase();
      if (lang.indexOf("pt") === 0) return "pt-BR";
      if (lang.indexOf("es") === 0) return "es";
      if (lang.indexOf("en") === 0) return "en";
    }
    return "en";
  }
  var LANG = pickLanguage();
  function t(key, values) {
    var text = STRINGS[LANG][key] || STRINGS.en[key] || key;
    Object.keys(values || {}).forEach(function (name) { text = text.replace("{" + name + "}", values[name]); });
    return text;
  }
  // The server refuses with a code (and an English detail for integrators); the visitor reads the code in their language.
  function errorText(code) {
    return STRINGS.en["err_" + code] ? t("err_" + code) : t(code ? "err_invalid_request" : "err_failed");
  }
  function refusal(data) {
    var error = new Error((data && data.error) || "");
    error.code = (data && data.code) || "invalid_request";
    return error;
  }

  // --- storage (per channel; a page without localStorage still works for the page's lifetime) ------------
  var memory = {};
  function load(name, fallback) {
    try {
      var raw = window.localStorage.getItem(KEY + name);
      return raw === null ? fallback : JSON.parse(raw);
    } catch (e) { return name in memory ? memory[name] : fallback; }
  }
  function store(name, value) {
    memory[name] = value;
    try { window.localStorage.setItem(KEY + name, JSON.stringify(value)); } catch (e) { /* private mode */ }
  }
  function forget(name) {
    delete memory[name];
    try { window.localStorage.removeItem(KEY + name); } catch (e) { /* private mode */ }
  }
  function newId() {
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // --- state -----------------------------------------------------------------------------------------------
  var state = {
    token: load("token", null), config: null, visitor: null, available: true, user: null,
    attributes: load("attributes", {}), socket: null, ready: false, retryDelay: 1000, retryTimer: null,
    pingTimer: null, lastId: 0, rendered: {}, isOpen: false, listeners: { message: [], open: [], close: [] },
    typingTimer: null, typingSent: 0, agentTypingTimer: null, lastRead: 0
  };

  function emit(name, data) {
    (state.listeners[name] || []).forEach(function (callback) {
      try { callback(data); } catch (e) { if (window.console) console.error(e); }
    });
  }

  // --- page views (touchpoints) ----------------------------------------------------------------------------
  function recordPageView() {
    var now = Date.now();
    var pages = load("pages", []).filter(function (p) { return now - Date.parse(p.at) < PAGE_MAX_AGE_MS; });
    pages.push({ url: location.href, title: document.title || "", at: new Date(now).toISOString(), sent: false });
    store("pages", pages.slice(-MAX_PAGES));
  }
  function unsentPages() {
    if (!state.config || !state.config.touchpoints) return [];
    return load("pages", []).filter(function (p) { return !p.sent; })
      .map(function (p) { return { url: p.url, title: p.title, at: p.at }; });
  }
  function markPagesSent() {
    store("pages", load("pages", []).map(function (p) { p.sent = true; return p; }));
  }

  // --- DOM -------------------------------------------------------------------------------------------------
  var host = document.createElement("div");
  host.setAttribute("data-omnidesk-widget", "");
  var root = host.attachShadow({ mode: "open" });
  var CSS = [
    ":host{all:initial}",
    "*{box-sizing:border-box;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}",
    ".launcher{position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;border:0;display:flex;align-items:center;justify-content:center;",
    "background:var(--c);color:#fff;font-size:26px;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25);z-index:2147483000}",
    ".launcher:focus-visible,button:focus-visible,textarea:focus-visible,input:focus-visible{outline:3px solid #ffbf47;outline-offset:2px}",
    ".panel{position:fixed;right:20px;bottom:88px;width:370px;max-width:calc(100vw - 40px);height:560px;",
    "max-height:calc(100vh - 110px);background:#fff;color:#1b1f24;border-radius:12px;display:flex;flex-direction:column;",
    "box-shadow:0 8px 30px rgba(0,0,0,.3);overflow:hidden;z-index:2147483001;font-size:15px;line-height:1.4}",
    ".panel[hidden]{display:none}",
    "header{background:var(--c);color:#fff;padding:12px 14px;display:flex;align-items:center;gap:8px}",
    "header h2{font-size:16px;margin:0;flex:1}",
    "header button{background:transparent;border:0;color:#fff;font-size:22px;cursor:pointer;line-height:1}",
    ".status{font-size:13px;padding:6px 14px;background:#f3f5f7;border-bottom:1px solid #e3e6ea}",
    ".log{flex:1;overflow-y:auto;padding:12px 14px;display:flex;flex-direction:column;gap:8px}",
    ".msg{max-width:85%;padding:8px 11px;border-radius:12px;white-space:pre-wrap;word-wrap:break-word}",
    ".msg.visitor{align-self:flex-end;background:var(--c);color:#fff;border-bottom-right-radius:3px}",
    ".msg.agent{align-self:flex-start;background:#eef1f4;border-bottom-left-radius:3px}",
    ".msg .who{display:flex;align-items:center;gap:6px;font-size:12px;font-weight:600;margin-bottom:3px}",
    ".avatar{width:22px;height:22px;border-radius:50%;background:#6e7781;color:#fff;display:inline-flex;",
    "align-items:center;justify-content:center;font-size:11px}",
    ".meta{font-size:11px;opacity:.75;margin-top:3px}",
    ".msg.failed{background:#fde7e9;color:#82071e}",
    ".msg img{max-width:100%;border-radius:6px;display:block}",
    ".msg a{color:inherit}",
    ".welcome{align-self:flex-start;background:#eef1f4;border-radius:12px;padding:8px 11px;max-width:85%}",
    ".typing{font-size:12px;color:#57606a;padding:0 14px 4px;min-height:18px}",
    "form.composer{display:flex;gap:6px;padding:10px;border-top:1px solid #e3e6ea;align-items:flex-end}",
    "textarea{flex:1;resize:none;border:1px solid #c9ced4;border-radius:8px;padding:8px;font-size:15px;min-height:40px;max-height:120px}",
    "button.primary{background:var(--c);color:#fff;border:0;border-radius:8px;padding:9px 13px;font-size:14px;cursor:pointer}",
    "button.icon{background:#eef1f4;color:#3d444d;border:0;border-radius:8px;padding:7px 8px;cursor:pointer;display:flex}",
    ".card{border:1px solid #e3e6ea;border-radius:10px;padding:10px;display:flex;flex-direction:column;gap:8px}",
    ".card label{display:flex;flex-direction:column;font-size:13px;gap:3px}",
    ".card input,.card textarea{border:1px solid #c9ced4;border-radius:6px;padding:7px;font-size:15px}",
    ".stars{display:flex;gap:4px}.stars button{flex:1;border:1px solid #c9ced4;background:#fff;border-radius:6px;padding:7px 0;cursor:pointer;font-size:15px}",
    ".stars button[aria-pressed=true]{background:var(--c);color:#fff;border-color:var(--c)}",
    ".error{color:#82071e;font-size:13px}",
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}",
    "@media (max-width:480px){.panel{right:0;bottom:0;width:100vw;max-width:100vw;height:100%;max-height:100%;border-radius:0}",
    ".launcher{right:14px;bottom:14px}}"
  ].join("");

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // Icons are inline SVG: no icon font, no emoji font needed on the visitor's machine.
  var ICONS = {
    chat: "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z",
    clip: "M16.5 6.5l-7.8 7.8a2 2 0 0 0 2.8 2.8l7.8-7.8a4 4 0 0 0-5.6-5.6L5.9 11.5a6 6 0 0 0 8.5 8.5l6.4-6.4"
  };
  function icon(name) {
    var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24"); svg.setAttribute("width", "24"); svg.setAttribute("height", "24");
    svg.setAttribute("aria-hidden", "true"); svg.setAttribute("focusable", "false");
    var path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", ICONS[name]); path.setAttribute("fill", name === "chat" ? "currentColor" : "none");
    path.setAttribute("stroke", "currentColor"); path.setAttribute("stroke-width", "2");
    path.setAttribute("stroke-linecap", "round"); path.setAttribute("stroke-linejoin", "round");
    svg.appendChild(path);
    return svg;
  }

  var style = el("style"); style.textContent = CSS; root.appendChild(style);
  var launcher = el("button", { "class": "launcher", type: "button", "aria-label": t("open"), "aria-expanded": "false",
    "aria-controls": "omnidesk-panel" });
  launcher.appendChild(icon("chat"));
  var panel = el("section", { "class": "panel", id: "omnidesk-panel", role: "dialog", "aria-label": t("title"), hidden: "" });
  var header = el("header");
  var heading = el("h2", {}, t("title"));
  var closeButton = el("button", { type: "button", "aria-label": t("close"), "class": "close" }, "×");
  header.appendChild(heading); header.appendChild(closeButton);
  var statusLine = el("div", { "class": "status", role: "status" });
  var log = el("div", { "class": "log", role: "log", "aria-live": "polite", "aria-label": t("title") });
  var typingLine = el("div", { "class": "typing", "aria-live": "polite" });
  var composer = el("form", { "class": "composer" });
  var textLabel = el("label", { "class": "sr", "for": "omnidesk-text" }, t("messageLabel"));
  var textarea = el("textarea", { id: "omnidesk-text", rows: "1", placeholder: t("placeholder") });
  var fileInput = el("input", { type: "file", "class": "sr", tabindex: "-1", "aria-hidden": "true" });
  var attachButton = el("button", { type: "button", "class": "icon", "aria-label": t("attach") });
  attachButton.appendChild(icon("clip"));
  var sendButton = el("button", { type: "submit", "class": "primary" }, t("send"));
  [textLabel, textarea, fileInput, attachButton, sendButton].forEach(function (n) { composer.appendChild(n); });
  [header, statusLine, log, typingLine, composer].forEach(function (n) { panel.appendChild(n); });
  root.appendChild(launcher); root.appendChild(panel);

  function applyColor(color) { host.style.setProperty("--c", color || "#1f6feb"); }
  applyColor();

  function initials(name) {
    return (name || "?").split(/\s+/).filter(Boolean).slice(0, 2).map(function (p) { return p[0]; }).join("").toUpperCase();
  }
  function timeOf(iso) {
    try { return new Date(iso).toLocaleTimeString(LANG, { hour: "2-digit", minute: "2-digit" }); } catch (e) { return ""; }
  }
  function scrollDown() { log.scrollTop = log.scrollHeight; }

  // --- messages --------------------------------------------------------------------------------------------
  function renderMessage(message, pending) {
    var key = message.client_id ? "c:" + message.client_id : "m:" + message.id;
    var node = state.rendered[key] || (message.id && state.rendered["m:" + message.id]);
    var isNew = !node;
    if (isNew) {
      node = el("div", { "class": "msg " + message.direction });
      log.appendChild(node);
    }
    while (node.firstChild) node.removeChild(node.firstChild);
    node.className = "msg " + message.direction + (message.failed ? " failed" : "");
    if (message.direction === "agent") {
      var who = el("div", { "class": "who" });
      who.appendChild(el("span", { "class": "avatar", "aria-hidden": "true" }, initials(message.author || t("agent"))));
      who.appendChild(el("span", { "class": "author" }, message.author || t("agent")));
      node.appendChild(who);
    }
    if (message.text) node.appendChild(el("div", { "class": "text" }, message.text));
    (message.attachments || []).forEach(function (file) {
      var link = el("a", { href: BASE + file.url, target: "_blank", rel: "noopener noreferrer" });
      if ((file.type || "").indexOf("image/") === 0) link.appendChild(el("img", { src: BASE + file.url, alt: file.name }));
      else link.textContent = file.name;
      node.appendChild(link);
    });
    var meta = [];
    if (pending) meta.push(t("sending"));
    else if (message.failed) meta.push(t("failed") + (message.error ? ": " + errorText(message.error) : ""));
    else {
      meta.push(timeOf(message.created_at));
      if (message.channel && message.channel !== "Web chat") meta.push(t("via", { channel: message.channel }));
    }
    node.appendChild(el("div", { "class": "meta" }, meta.join(" · ")));
    if (message.client_id) state.rendered["c:" + message.client_id] = node;
    if (message.id) {
      state.rendered["m:" + message.id] = node;
      state.lastId = Math.max(state.lastId, message.id);
    }
    scrollDown();
    return isNew;
  }

  function receiveMessage(message) {
    var isNew = renderMessage(message, false);
    if (isNew && message.direction === "agent") {
      typingLine.textContent = "";
      emit("message", { text: message.text, author: message.author, id: message.id });
    }
    markRead();
  }

  function markRead() {
    if (!state.isOpen || document.hidden || !state.ready) return;
    var latest = 0;
    Object.keys(state.rendered).forEach(function (key) {
      var node = state.rendered[key];
      if (key.indexOf("m:") === 0 && node.className.indexOf("agent") !== -1) latest = Math.max(latest, +key.slice(2));
    });
    if (latest > state.lastRead) {
      state.lastRead = latest;
      send({ type: "read", up_to: latest });
    }
  }

  // --- the outbox: kept until the server says "accepted", sent again after any reconnect ---------------------
  function outbox() { return load("outbox", []); }
  function queueMessage(text) {
    var item = { client_id: newId(), text: text };
    store("outbox", outbox().concat([item]));
    renderMessage({ client_id: item.client_id, direction: "visitor", text: text }, true);
    flushOutbox();
  }
  function flushOutbox() {
    if (!state.ready) return;
    outbox().forEach(function (item) {
      send({ type: "message", client_id: item.client_id, text: item.text, pages: unsentPages(),
        attributes: state.attributes });
    });
  }
  function settle(clientId) { store("outbox", outbox().filter(function (i) { return i.client_id !== clientId; })); }

  // --- connection ------------------------------------------------------------------------------------------
  function send(frame) {
    if (state.socket && state.socket.readyState === 1) { state.socket.send(JSON.stringify(frame)); return true; }
    return false;
  }

  function post(path, body) {
    return fetch(BASE + "/webchat/" + CHANNEL + path, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body), credentials: "omit"
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw refusal(data);
        return data;
      });
    });
  }

  // A new session (page load, setUser, reset) redraws the conversation of whoever the visitor now is.
  function startSession() {
    return post("/session/", { token: state.token, language: LANG, user: state.user }).then(function (data) {
      state.token = data.token; store("token", data.token);
      state.config = data.config; state.visitor = data.visitor; state.available = data.available;
      applyColor(data.config.color);
      heading.textContent = data.config.name || t("title");
      drawStatus();
      connect(true);
      return data;
    }).catch(function (error) {
      statusLine.textContent = errorText(error.code);
      scheduleReconnect(startSession);
    });
  }

  function connect(fresh) {
    if (state.socket) { state.socket.onclose = null; state.socket.onmessage = null; state.socket.close(); }
    if (fresh) {
      state.rendered = {}; state.lastId = 0; state.lastRead = 0;
      while (log.firstChild) log.removeChild(log.firstChild);
      drawIntro();
    }
    state.ready = false;
    var socket = new WebSocket(WS_BASE + "/ws/webchat/" + CHANNEL + "/");
    state.socket = socket;
    socket.onopen = function () {
      socket.send(JSON.stringify({ type: "hello", token: state.token, after: state.lastId || null }));
    };
    socket.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      handle(frame);
    };
    socket.onclose = function (event) {
      state.ready = false;
      clearInterval(state.pingTimer);
      statusLine.textContent = t("reconnecting");
      if (event.code === 4401) {  // the token expired: a new session, then the same outbox again
        state.token = null; forget("token");
        scheduleReconnect(startSession);
      } else {
        scheduleReconnect(function () { connect(false); });
      }
    };
  }

  function scheduleReconnect(action) {
    clearTimeout(state.retryTimer);
    state.retryTimer = setTimeout(action, state.retryDelay);
    state.retryDelay = Math.min(state.retryDelay * 2, 30000);
  }

  function handle(frame) {
    switch (frame.type) {
      case "ready":
        state.ready = true; state.retryDelay = 1000; state.visitor = frame.visitor;
        drawStatus();
        clearInterval(state.pingTimer);
        state.pingTimer = setInterval(function () { send({ type: "ping" }); }, 25000);
        break;
      case "history":
        frame.messages.forEach(function (m) { renderMessage(m, false); });
        if (state.lastId) drawVerify();
        flushOutbox();
        if (unsentPages().length && state.lastId) send({ type: "pages", pages: unsentPages() });
        markRead();
        break;
      case "accepted":
        settle(frame.client_id);
        markPagesSent();
        renderMessage(frame.message, false);
        drawVerify();
        break;
      case "message":
        receiveMessage(frame.message);
        break;
      case "refused":
        if (frame.of === "message" && frame.client_id) {
          var item = outbox().filter(function (i) { return i.client_id === frame.client_id; })[0];
          settle(frame.client_id);
          renderMessage({ client_id: frame.client_id, direction: "visitor", text: item ? item.text : "", failed: true,
            error: frame.code || "invalid_request" }, false);
        } else showError(errorText(frame.code || "invalid_request"));
        break;
      case "pages_stored":
        markPagesSent();
        break;
      case "typing":
        // The console repeats it every few seconds while the agent types, and never says it stopped.
        clearTimeout(state.agentTypingTimer);
        typingLine.textContent = frame.typing ? t("typing", { name: frame.author || t("agent") }) : "";
        state.agentTypingTimer = setTimeout(function () { typingLine.textContent = ""; }, 6000);
        break;
      case "csat":
        drawCsat(frame.cycle);
        break;
      case "csat_thanks":
        var card = root.querySelector(".csat");
        if (card) { while (card.firstChild) card.removeChild(card.firstChild); card.appendChild(el("p", {}, t("csatThanks"))); }
        break;
      case "error":
        showError(errorText(frame.code || "invalid_request"));
        break;
    }
  }

  function showError(text) {
    var node = el("p", { "class": "error", role: "alert" }, text);
    log.appendChild(node); scrollDown();
  }

  // --- forms: pre-chat, offline email, CSAT ----------------------------------------------------------------
  function drawStatus() {
    statusLine.textContent = state.available ? t("online") : t("offline");
  }

  function needsForm() {
    if (!state.config || !state.visitor || state.visitor.verified) return [];
    var wanted = state.config.prechat_fields.slice();
    if (!state.available && wanted.indexOf("email") === -1) wanted.push("email");
    return wanted.filter(function (field) { return !state.visitor[field]; });
  }

  function drawIntro() {
    if (state.config && state.config.welcome_text) log.appendChild(el("div", { "class": "welcome" }, state.config.welcome_text));
    var fields = needsForm();
    setComposerEnabled(!fields.length);
    if (!fields.length) return;
    var form = el("form", { "class": "card prechat" });
    form.appendChild(el("p", {}, state.available ? t("prechat") : t("offline")));
    var inputs = {};
    fields.forEach(function (field) {
      var label = el("label", {}, t(field));
      var input = el("input", { name: field, required: "", type: field === "email" ? "email" : field === "phone" ? "tel" : "text",
        autocomplete: field === "phone" ? "tel" : field });
      label.appendChild(input); form.appendChild(label); inputs[field] = input;
    });
    var error = el("p", { "class": "error", role: "alert" });
    form.appendChild(error);
    form.appendChild(el("button", { type: "submit", "class": "primary" }, t("start")));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var profile = {};
      fields.forEach(function (field) { profile[field] = inputs[field].value; });
      post("/session/", { token: state.token, language: LANG, user: state.user, profile: profile }).then(function (data) {
        state.token = data.token; store("token", data.token); state.visitor = data.visitor;
        form.parentNode && form.parentNode.removeChild(form);
        connect(false);
        setComposerEnabled(true);
        textarea.focus();
      }).catch(function (e) { error.textContent = errorText(e.code); });
    });
    log.appendChild(form);
  }

  // Until the pre-chat (or offline) form is answered, there is nothing to write in.
  function setComposerEnabled(enabled) {
    [textarea, sendButton, attachButton].forEach(function (control) { control.disabled = !enabled; });
  }

  // A typed address proves nothing: a one-time code sent there, typed back here, makes it the visitor's.
  function drawVerify() {
    var visitor = state.visitor;
    if (!visitor || visitor.verified || root.querySelector(".verify")) return;
    var kind = visitor.email ? "email" : visitor.phone ? "phone" : "";
    if (!kind) return;
    var address = visitor[kind];
    var card = el("form", { "class": "card verify" });
    var text = el("p", {}, t("verifyPrompt", { address: address }));
    var label = el("label", { hidden: "" }, t("verifyCode"));
    var code = el("input", { name: "code", inputmode: "numeric", autocomplete: "one-time-code", maxlength: "6",
      pattern: "[0-9]{6}" });
    label.appendChild(code);
    var error = el("p", { "class": "error", role: "alert" });
    var button = el("button", { type: "submit", "class": "primary" }, t("verifySend"));
    [text, label, error, button].forEach(function (n) { card.appendChild(n); });
    var codeSent = false;
    card.addEventListener("submit", function (event) {
      event.preventDefault();
      error.textContent = "";
      if (!codeSent) {
        post("/verification/", { token: state.token, kind: kind, language: LANG }).then(function () {
          codeSent = true;
          text.textContent = t("verifySent", { address: address });
          label.hidden = false; code.required = true; button.textContent = t("verifyConfirm");
          code.focus();
        }).catch(function (e) { error.textContent = e.code && e.code !== "invalid_request" ? errorText(e.code) : e.message; });
        return;
      }
      post("/verification/confirm/", { token: state.token, code: code.value.trim(), language: LANG }).then(function (data) {
        state.token = data.token; store("token", data.token); state.visitor = data.visitor;
        connect(true);  // redrawn as the verified visitor: the history of every channel
        log.appendChild(el("p", { "class": "welcome verified" }, t("verified", { address: address })));
      }).catch(function (e) { error.textContent = e.code && e.code !== "invalid_request" ? errorText(e.code) : e.message; });
    });
    log.appendChild(card); scrollDown();
  }

  function drawCsat(cycle) {
    if (root.querySelector(".csat[data-cycle='" + cycle + "']")) return;
    var card = el("form", { "class": "card csat", "data-cycle": String(cycle) });
    card.appendChild(el("p", { id: "omnidesk-csat-q" }, t("csatQuestion")));
    var stars = el("div", { "class": "stars", role: "group", "aria-labelledby": "omnidesk-csat-q" });
    var chosen = 0;
    for (var n = 1; n <= 5; n++) {
      (function (value) {
        var button = el("button", { type: "button", "aria-pressed": "false", "aria-label": t("rate", { n: value }) }, String(value));
        button.addEventListener("click", function () {
          chosen = value;
          Array.prototype.forEach.call(stars.children, function (b, i) { b.setAttribute("aria-pressed", String(i + 1 === value)); });
        });
        stars.appendChild(button);
      })(n);
    }
    card.appendChild(stars);
    var label = el("label", {}, t("csatComment"));
    var comment = el("textarea", { rows: "2", maxlength: "2000" });
    label.appendChild(comment); card.appendChild(label);
    card.appendChild(el("button", { type: "submit", "class": "primary" }, t("csatSend")));
    card.addEventListener("submit", function (event) {
      event.preventDefault();
      if (chosen) send({ type: "csat", cycle: cycle, rating: chosen, comment: comment.value });
    });
    log.appendChild(card); scrollDown();
  }

  // --- composer --------------------------------------------------------------------------------------------
  composer.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = textarea.value.trim();
    if (!text) return;
    if (state.config && text.length > state.config.max_text_length) { showError(t("failed")); return; }
    textarea.value = "";
    sendTyping(false);
    queueMessage(text);
  });
  textarea.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); composer.requestSubmit(); }
  });
  textarea.addEventListener("input", function () {
    if (Date.now() - state.typingSent > 3000) sendTyping(true);
    clearTimeout(state.typingTimer);
    state.typingTimer = setTimeout(function () { sendTyping(false); }, 4000);
  });
  function sendTyping(on) {
    state.typingSent = on ? Date.now() : 0;
    send({ type: "typing", typing: on });
  }

  attachButton.addEventListener("click", function () { fileInput.click(); });
  fileInput.addEventListener("change", function () {
    var file = fileInput.files[0];
    fileInput.value = "";
    if (!file || !state.config) return;
    if (file.size > state.config.max_upload_bytes) { showError(errorText("file_too_large")); return; }
    if (state.config.upload_types.indexOf(file.type) === -1) { showError(errorText("file_type")); return; }
    var clientId = newId();
    renderMessage({ client_id: clientId, direction: "visitor", text: file.name }, true);
    var form = new FormData();
    form.append("token", state.token); form.append("client_id", clientId); form.append("file", file);
    fetch(BASE + "/webchat/" + CHANNEL + "/upload/", { method: "POST", body: form, credentials: "omit" })
      .then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) throw refusal(data);
          renderMessage(data.message, false);
        });
      })
      .catch(function (e) {
        renderMessage({ client_id: clientId, direction: "visitor", text: file.name, failed: true, error: e.code || "failed" }, false);
      });
  });

  // --- open / close ----------------------------------------------------------------------------------------
  function open() {
    if (state.isOpen) return;
    state.isOpen = true;
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    launcher.setAttribute("aria-label", t("close"));
    (root.querySelector(".prechat input") || textarea).focus();
    markRead();
    emit("open");
  }
  function close() {
    if (!state.isOpen) return;
    state.isOpen = false;
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-label", t("open"));
    launcher.focus();
    emit("close");
  }
  launcher.addEventListener("click", function () { state.isOpen ? close() : open(); });
  closeButton.addEventListener("click", close);
  panel.addEventListener("keydown", function (event) { if (event.key === "Escape") close(); });
  document.addEventListener("visibilitychange", markRead);

  // --- the public API --------------------------------------------------------------------------------------
  var api = {
    __ready: true,
    open: open,
    close: close,
    setUser: function (identifier, options) {
      options = options || {};
      state.user = { identifier: String(identifier), identifier_hash: options.identifier_hash || "",
        name: options.name, email: options.email, phone: options.phone };
      return startSession();
    },
    setAttributes: function (attributes) {
      Object.keys(attributes || {}).forEach(function (k) { state.attributes[k] = attributes[k]; });
      store("attributes", state.attributes);
    },
    reset: function () {
      ["token", "outbox", "attributes", "pages"].forEach(forget);
      state.token = null; state.user = null; state.attributes = {}; state.visitor = null;
      return startSession();
    },
    on: function (name, callback) {
      if (state.listeners[name] && typeof callback === "function") state.listeners[name].push(callback);
    }
  };

  var queued = (window.OmniDesk && window.OmniDesk.q) || [];
  window.OmniDesk = api;
  function boot() {
    document.body.appendChild(host);
    recordPageView();
    // Calls made before the script loaded (the snippet's queue) come first, so setUser precedes the session.
    var userCall = null;
    queued.forEach(function (call) {
      if (call[0] === "setUser") userCall = call;
      else if (call[0] !== "open") api[call[0]].apply(null, call[1]);
    });
    if (userCall) {
      state.user = { identifier: String(userCall[1][0]), identifier_hash: (userCall[1][1] || {}).identifier_hash || "",
        name: (userCall[1][1] || {}).name, email: (userCall[1][1] || {}).email, phone: (userCall[1][1] || {}).phone };
    }
    startSession().then(function () {
      if (queued.some(function (call) { return call[0] === "open"; })) open();
    });
  }
  if (document.body) boot(); else document.addEventListener("DOMContentLoaded", boot);
})();
