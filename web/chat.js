/*
 * Chat widget for the movie recommender, talking to the Rasa server's
 * Socket.IO channel (channels.socketio.WebChatInput).
 *
 * Embed it with an element <div id="movie-chat" data-server="https://rasa.example.org">
 * and the two scripts vendor/socket.io.min.js and chat.js. The server URL is
 * taken from the page's ?server= query parameter, then from data-server, and
 * defaults to port 5005 on the page's host.
 *
 * The session id and the transcript are kept in localStorage, so a reload
 * continues the same conversation: the widget requests the stored session id
 * with "session_request", and Rasa keeps the conversation state
 * under that id.
 */
(function () {
  "use strict";

  var STORAGE_PREFIX = "moviebot.";
  var SESSION_KEY = STORAGE_PREFIX + "session_id";
  var HISTORY_LIMIT = 200;
  // The first recommendation of a fresh action server loads its models, which
  // can take about a minute on two CPU cores (an estimate), so the limit is generous.
  var REPLY_TIMEOUT_MS = 90000;
  var CONNECT_TIMEOUT_MS = 8000;

  function randomSessionId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  function historyKey(sessionId) {
    return STORAGE_PREFIX + "history." + sessionId;
  }

  function loadHistory(sessionId) {
    try {
      var stored = JSON.parse(window.localStorage.getItem(historyKey(sessionId)) || "[]");
      return Array.isArray(stored) ? stored : [];
    } catch (error) {
      return [];
    }
  }

  function saveHistory(sessionId, history) {
    try {
      window.localStorage.setItem(historyKey(sessionId), JSON.stringify(history.slice(-HISTORY_LIMIT)));
    } catch (error) {
      // Storage full or disabled: the conversation goes on, but a reload shows an empty transcript.
    }
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function serverUrl(container) {
    var fromQuery = new URLSearchParams(window.location.search).get("server");
    var fromAttribute = container.getAttribute("data-server");
    var host = window.location.hostname || "127.0.0.1";
    return fromQuery || fromAttribute || window.location.protocol.replace("file:", "http:") + "//" + host + ":5005";
  }

  function buildLayout(container) {
    container.classList.add("chat");
    var header = element("header", "chat-header");
    header.appendChild(element("h1", "chat-title", "Movie recommender"));
    var reset = element("button", "chat-reset", "New conversation");
    reset.type = "button";
    header.appendChild(reset);

    var status = element("div", "chat-status");
    status.setAttribute("role", "status");
    var statusText = element("span", "chat-status-text");
    var retry = element("button", "chat-retry", "Retry now");
    retry.type = "button";
    retry.hidden = true;
    status.appendChild(statusText);
    status.appendChild(retry);

    var log = element("ol", "chat-log");
    log.setAttribute("aria-live", "polite");
    log.setAttribute("aria-label", "Conversation");
    var typing = element("div", "chat-typing", "The bot is thinking…");
    typing.hidden = true;

    var form = element("form", "chat-composer");
    var label = element("label", "visually-hidden", "Message");
    label.setAttribute("for", "chat-message");
    var input = element("input", "chat-input");
    input.id = "chat-message";
    input.autocomplete = "off";
    input.maxLength = 2000;
    input.placeholder = "Tell me what you're in the mood for";
    var send = element("button", "chat-send", "Send");
    send.type = "submit";
    form.appendChild(label);
    form.appendChild(input);
    form.appendChild(send);

    [header, status, log, typing, form].forEach(function (node) { container.appendChild(node); });
    return { reset: reset, status: status, statusText: statusText, retry: retry, log: log, typing: typing,
             form: form, input: input, send: send };
  }

  function mount(container) {
    var ui = buildLayout(container);
    var url = serverUrl(container);
    var sessionId = window.localStorage.getItem(SESSION_KEY) || randomSessionId();
    var history = loadHistory(sessionId);
    var online = false;
    var replyTimer = null;

    function setStatus(state, text, offerRetry) {
      ui.status.setAttribute("data-state", state);
      ui.statusText.textContent = text;
      ui.retry.hidden = !offerRetry;
      ui.input.disabled = state === "offline" || state === "connecting";
      ui.send.disabled = ui.input.disabled;
    }

    function lastItemsIndex() {
      for (var i = history.length - 1; i >= 0; i -= 1) {
        if (history[i].items && history[i].items.length) return i;
      }
      return -1;
    }

    function renderItems(entry, index, active) {
      var list = element("ul", "chat-items");
      entry.items.forEach(function (item) {
        var row = element("li", "chat-item");
        row.setAttribute("data-item-id", item.id);
        row.appendChild(element("span", "chat-item-label", item.label));
        var actions = element("span", "chat-item-actions");
        item.buttons.forEach(function (button) {
          var control = element("button", "chat-action", button.text);
          control.type = "button";
          control.setAttribute("aria-label", button.name);
          control.setAttribute("data-signal", button.signal);
          control.disabled = !active || Boolean(item.chosen);
          if (item.chosen === button.signal) control.classList.add("chosen");
          control.addEventListener("click", function () {
            item.chosen = button.signal;
            sendMessage(button.payload, button.name);
          });
          actions.appendChild(control);
        });
        row.appendChild(actions);
        list.appendChild(row);
      });
      return list;
    }

    function renderQuickReplies(entry, active) {
      var list = element("div", "chat-quick-replies");
      entry.quick_replies.forEach(function (reply) {
        var control = element("button", "chat-action", reply.title);
        control.type = "button";
        control.disabled = !active;
        control.addEventListener("click", function () { sendMessage(reply.payload, reply.title); });
        list.appendChild(control);
      });
      return list;
    }

    function render() {
      ui.log.textContent = "";
      var activeItems = lastItemsIndex();
      history.forEach(function (entry, index) {
        var bubble = element("li", "chat-message " + (entry.from === "user" ? "from-user" : "from-bot"));
        if (entry.text) bubble.appendChild(element("p", "chat-text", entry.text));
        if (entry.items && entry.items.length) bubble.appendChild(renderItems(entry, index, index === activeItems));
        if (entry.quick_replies && entry.quick_replies.length) {
          bubble.appendChild(renderQuickReplies(entry, index === history.length - 1));
        }
        ui.log.appendChild(bubble);
      });
      saveHistory(sessionId, history);
      ui.log.scrollTop = ui.log.scrollHeight;
    }

    function stopReplyTimer() {
      if (replyTimer !== null) window.clearTimeout(replyTimer);
      replyTimer = null;
      ui.typing.hidden = true;
    }

    function sendMessage(payload, shownText) {
      if (!online) return;
      history.push({ from: "user", text: shownText });
      render();
      socket.emit("user_uttered", { message: payload, session_id: sessionId });
      stopReplyTimer();
      ui.typing.hidden = false;
      replyTimer = window.setTimeout(function () {
        ui.typing.hidden = true;
        setStatus("warning", "No reply within " + REPLY_TIMEOUT_MS / 1000 + " s. The bot may be overloaded or down; " +
          "try sending your message again.", false);
      }, REPLY_TIMEOUT_MS);
    }

    function startSession() {
      setStatus("connecting", "Connected. Starting the conversation…", false);
      socket.emit("session_request", { session_id: sessionId });
    }

    var socket = window.io(url, {
      transports: ["websocket"],
      timeout: CONNECT_TIMEOUT_MS,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 10000,
    });

    socket.on("connect", startSession);

    socket.on("session_confirm", function (confirmed) {
      var confirmedId = typeof confirmed === "string" ? confirmed : (confirmed && confirmed.session_id);
      if (confirmedId && confirmedId !== sessionId) {
        // The server started a new session, so the stored transcript belongs to no conversation.
        sessionId = confirmedId;
        history = loadHistory(sessionId);
        render();
      }
      window.localStorage.setItem(SESSION_KEY, sessionId);
      online = true;
      setStatus("online", "Connected", false);
    });

    socket.on("connect_error", function (error) {
      online = false;
      stopReplyTimer();
      setStatus("offline", "Can't reach the bot at " + url + " (" + (error && error.message ? error.message : "connection failed") +
        "). Retrying automatically…", true);
    });

    socket.on("disconnect", function (reason) {
      online = false;
      stopReplyTimer();
      if (reason === "io client disconnect") return;
      // Socket.IO reconnects by itself except when the server closed the socket.
      if (reason === "io server disconnect") socket.connect();
      setStatus("offline", "Lost the connection to the bot (" + reason + "). Reconnecting…", true);
    });

    socket.on("bot_uttered", function (message) {
      if (!message || (!message.text && !message.items && !message.quick_replies)) return;
      stopReplyTimer();
      if (ui.status.getAttribute("data-state") === "warning") setStatus("online", "Connected", false);
      history.push({ from: "bot", text: message.text || "", items: message.items || [],
                     quick_replies: message.quick_replies || [] });
      render();
    });

    ui.retry.addEventListener("click", function () {
      setStatus("connecting", "Connecting to " + url + "…", false);
      socket.disconnect();
      socket.connect();
    });

    ui.reset.addEventListener("click", function () {
      window.localStorage.removeItem(historyKey(sessionId));
      sessionId = randomSessionId();
      history = [];
      render();
      if (socket.connected) startSession();
    });

    ui.form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = ui.input.value.trim();
      if (!text || !online) return;
      ui.input.value = "";
      sendMessage(text, text);
    });

    setStatus("connecting", "Connecting to " + url + "…", false);
    render();
    return socket;
  }

  window.MovieChat = { mount: mount };
  var container = document.getElementById("movie-chat");
  if (container) mount(container);
})();
