// The agent console's live layer: a WebSocket for events, fetch for forms, no framework.
// Everything a customer wrote reaches the page either escaped by the server's templates
// or through textContent here; this script never builds HTML from strings.
(function () {
  "use strict";
  var body = document.body;
  var csrf = body.dataset.csrf;
  var conversationId = body.dataset.conversation || "";
  var view = body.dataset.view || "queue";
  var baseTitle = document.title;
  var unseen = 0;
  var socket = null;
  var retry = 0;
  var refreshTimer = null;
  var typingTimer = null;
  var lastTypingSent = 0;

  function $(id) { return document.getElementById(id); }

  function setLive(text, ok) {
    var el = $("live-status");
    if (!el) return;
    el.textContent = text;
    el.className = "live-status " + (ok ? "ok" : "down");
  }

  function toast(text) {
    var el = $("toast");
    if (!el) return;
    el.textContent = text;
    el.hidden = false;
    clearTimeout(el._timer);
    el._timer = setTimeout(function () { el.hidden = true; }, 4000);
  }

  // --- partial refresh: re-fetch this page and swap the named parts -------------------
  function refresh(ids) {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(function () {
      fetch(location.href, { credentials: "same-origin", headers: { "X-Console-Refresh": "1" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (!html) return;
          var doc = new DOMParser().parseFromString(html, "text/html");
          ids.forEach(function (id) {
            var fresh = doc.getElementById(id);
            var old = $(id);
            if (fresh && old) old.replaceWith(document.importNode(fresh, true));
          });
          bindForms();
          tickAges();
          scrollTimeline();
        });
    }, 150);
  }

  function refreshAll() {
    refresh(conversationId
      ? ["conversation-list", "queue-count", "conv-head", "timeline", "pending", "notes"]
      : ["conversation-list", "queue-count"]);
  }

  // --- attention: title badge, sound, desktop notification ----------------------------
  function beep() {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return;
      var ctx = beep.ctx || (beep.ctx = new Ctx());
      var osc = ctx.createOscillator();
      var gain = ctx.createGain();
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.15, ctx.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + 0.4);
      osc.connect(gain).connect(ctx.destination);
      osc.start();
      osc.stop(ctx.currentTime + 0.4);
    } catch (e) { /* sound is a nicety */ }
  }

  function attention(title, text, id) {
    if (document.hidden || id !== conversationId) {
      unseen += 1;
      document.title = "(" + unseen + ") " + baseTitle;
    }
    toast(title);
    beep();
    if (window.Notification && Notification.permission === "granted" && document.hidden) {
      var n = new Notification(title, { body: text || "", tag: id });
      n.onclick = function () { window.focus(); location.href = "/console/c/" + id; };
    }
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { unseen = 0; document.title = baseTitle; }
  });

  var bell = $("enable-notifications");
  if (bell) {
    bell.addEventListener("click", function () {
      beep();
      if (window.Notification && Notification.permission === "default") {
        Notification.requestPermission();
      }
      bell.classList.add("on");
    });
  }

  // --- the timeline ---------------------------------------------------------------------
  function lastSeq() {
    var items = document.querySelectorAll("#timeline > li[data-seq]");
    return items.length ? parseInt(items[items.length - 1].dataset.seq, 10) : 0;
  }

  function scrollTimeline() {
    var t = $("timeline");
    if (t) t.scrollTop = t.scrollHeight;
  }

  function label(frame) {
    if (frame.role === "customer") return body.dataset.customer || "Customer";
    if (frame.role === "assistant") return "BOT Assistant";
    if (frame.role === "agent") return (frame.author && frame.author.name) || "Agent";
    return "System";
  }

  function appendMessage(frame) {
    var timeline = $("timeline");
    if (!timeline) return;
    var seq = frame.seq;
    if (seq <= lastSeq()) return;
    if (seq !== lastSeq() + 1) { refresh(["timeline"]); return; }
    var li = document.createElement("li");
    li.className = "msg role-" + String(frame.role).replace(/[^a-z]/g, "");
    li.dataset.seq = String(seq);
    var meta = document.createElement("div");
    meta.className = "meta";
    var who = document.createElement("span");
    who.textContent = label(frame);
    if (frame.role === "assistant") who.className = "bot";
    var when = document.createElement("time");
    var at = new Date(frame.created_at);
    when.textContent = at.toTimeString().slice(0, 5);
    meta.append(who, " · ", when);
    var text = document.createElement("div");
    text.className = "text";
    text.textContent = frame.text;
    li.append(meta, text);
    (frame.attachments || []).forEach(function (a) { li.appendChild(attachmentLink(a)); });
    timeline.appendChild(li);
    scrollTimeline();
  }

  function attachmentLink(a) {
    var div = document.createElement("div");
    div.className = "attachment";
    if (!a || !a.id) { div.textContent = "📎 " + ((a && a.name) || "file"); return div; }
    var link = document.createElement("a");
    link.href = "/console/attachments/" + encodeURIComponent(a.id);
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.textContent = "📎 " + (a.name || "file");
    div.appendChild(link);
    if (/^image\//.test(a.content_type || "")) {
      var img = document.createElement("img");
      img.className = "thumb";
      img.alt = a.name || "";
      img.src = link.href;
      div.appendChild(img);
    }
    return div;
  }

  // --- files for the next reply: uploaded at once, their ids sent with the reply ---------
  var replyFiles = [];

  function showReplyFiles() {
    var list = $("reply-files");
    var ids = $("reply-attachments");
    var text = $("reply-text");
    if (!list || !ids) return;
    list.textContent = "";
    replyFiles.forEach(function (f) {
      var li = document.createElement("li");
      li.textContent = f.name;
      list.appendChild(li);
    });
    ids.value = replyFiles.map(function (f) { return f.id; }).join(",");
    if (text) text.required = replyFiles.length === 0;
  }

  function uploadFile(input) {
    var file = input.files && input.files[0];
    if (!file) return;
    var data = new FormData();
    data.append("file", file);
    toast("Uploading " + file.name + "…");
    fetch(input.dataset.upload, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "X-CSRF-Token": csrf },
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (!r.ok) throw new Error((j.error && j.error.message) || "The file could not be sent");
        return j;
      });
    }).then(function (uploaded) {
      replyFiles.push(uploaded);
      showReplyFiles();
      toast("Attached " + uploaded.name);
    }).catch(function (err) { toast(err.message); })
      .finally(function () { input.value = ""; });
  }

  function appendNote(event) {
    var notes = $("notes");
    if (!notes) return;
    var li = document.createElement("li");
    li.className = "note" + (event.whisper ? " whisper" : "");
    var meta = document.createElement("div");
    meta.className = "meta";
    meta.textContent = (event.whisper ? "Whisper from " : "") + (event.author || "Someone");
    var text = document.createElement("div");
    text.className = "text";
    text.textContent = event.text;
    li.append(meta, text);
    notes.appendChild(li);
  }

  function showTyping(text) {
    var el = $("typing");
    if (!el) return;
    clearTimeout(showTyping.timer);
    if (!text) { el.hidden = true; return; }
    el.textContent = text;
    el.hidden = false;
    showTyping.timer = setTimeout(function () { el.hidden = true; }, 6000);
  }

  // --- events -----------------------------------------------------------------------------
  function rowStatus(id) {
    var row = document.querySelector('#conversation-list .row[data-id="' + id + '"]');
    return row ? row.dataset.status : null;
  }

  function onEvent(event) {
    var id = event.conversation_id;
    var here = id && id === conversationId;
    switch (event.type) {
      case "message":
        if (here) appendMessage(event);
        if (event.role === "customer" && rowStatus(id) === "waiting") {
          attention("A waiting customer wrote", event.text, id);
        }
        refresh(here ? ["conversation-list"] : ["conversation-list", "queue-count"]);
        break;
      case "status":
        if (event.status === "waiting") attention("A customer is waiting for a person", "", id);
        refresh(here ? ["conversation-list", "queue-count", "conv-head"] : ["conversation-list", "queue-count"]);
        break;
      case "assignment":
        if (event.assignee_id === body.dataset.agent && !here) {
          attention("A conversation was assigned to you", "", id);
        }
        refresh(here ? ["conversation-list", "queue-count", "conv-head"] : ["conversation-list", "queue-count"]);
        break;
      case "typing":
        if (here && event.role === "customer") showTyping(event.on ? "Customer is typing…" : "");
        break;
      case "agent_typing":
        if (here && event.agent_id !== body.dataset.agent) {
          showTyping(event.on ? event.name + " is typing…" : "");
        }
        break;
      case "note":
        if (here) appendNote(event);
        if (here && event.whisper && body.dataset.role !== "supervisor") toast("Whisper: " + event.text);
        break;
      case "pending_reply":
        if (here) refresh(["pending"]);
        if (event.status === "pending" && body.dataset.role !== "trainee" && body.dataset.role !== "agent") {
          attention("A trainee's reply waits for approval", event.text, id);
        }
        break;
      case "resync":
        refreshAll();
        break;
    }
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/console/ws");
    socket.onopen = function () {
      retry = 0;
      setLive("live", true);
      refreshAll();  // whatever happened while we were away
    };
    socket.onmessage = function (message) {
      var event;
      try { event = JSON.parse(message.data); } catch (e) { return; }
      if (event.type === "error" && event.code === "signed_out") { location.href = "/console/login"; return; }
      onEvent(event);
    };
    socket.onclose = function () {
      setLive("reconnecting…", false);
      retry = Math.min(retry + 1, 6);
      setTimeout(connect, 500 * Math.pow(2, retry - 1) + Math.random() * 300);
    };
  }

  setInterval(function () {
    if (socket && socket.readyState === 1) socket.send(JSON.stringify({ type: "ping" }));
  }, 20000);

  function sendTyping(on) {
    if (!conversationId || !socket || socket.readyState !== 1) return;
    socket.send(JSON.stringify({ type: "typing", conversation_id: conversationId, on: on }));
  }

  // --- forms ------------------------------------------------------------------------------
  function postForm(form, submitter) {
    var data = new FormData(form);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    return fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "X-CSRF-Token": csrf },
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (!r.ok) throw new Error((j.error && j.error.message) || "Something went wrong");
        return j;
      });
    });
  }

  function ajax(form, after) {
    if (!form || form.dataset.bound) return;
    form.dataset.bound = "1";
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var button = form.querySelector("button[type=submit], button:not([type])");
      if (button) button.disabled = true;
      postForm(form, e.submitter).then(function (result) {
        after(result);
      }).catch(function (err) { toast(err.message); })
        .finally(function () { if (button) button.disabled = false; });
    });
  }

  function bindForms() {
    ajax($("reply-form"), function (result) {
      var text = $("reply-text");
      text.value = "";
      replyFiles = [];
      showReplyFiles();
      sendTyping(false);
      if (result.held) { toast("Sent for approval"); refresh(["pending"]); }
      refresh(["conv-head", "conversation-list"]);
    });
    ajax($("note-form"), function () { $("note-form").reset(); refresh(["notes"]); });
    document.querySelectorAll(".review-form").forEach(function (form) {
      ajax(form, function () { refresh(["pending", "timeline"]); });
    });
    var canned = $("canned");
    if (canned && !canned.dataset.bound) {
      canned.dataset.bound = "1";
      canned.addEventListener("change", function () {
        var option = canned.options[canned.selectedIndex];
        if (option && option.dataset.text) {
          var text = $("reply-text");
          text.value = option.dataset.text;
          text.focus();
        }
        canned.selectedIndex = 0;
      });
    }
    var picker = $("reply-file");
    if (picker && !picker.dataset.bound) {
      picker.dataset.bound = "1";
      picker.addEventListener("change", function () { uploadFile(picker); });
    }
    var reply = $("reply-text");
    if (reply && !reply.dataset.bound) {
      reply.dataset.bound = "1";
      reply.addEventListener("keydown", function (e) {
        if (e.key === "Enter" && !e.shiftKey) {
          e.preventDefault();
          $("reply-form").requestSubmit();
        }
      });
      reply.addEventListener("input", function () {
        var now = Date.now();
        if (now - lastTypingSent > 2500) { sendTyping(true); lastTypingSent = now; }
        clearTimeout(typingTimer);
        typingTimer = setTimeout(function () { sendTyping(false); lastTypingSent = 0; }, 4000);
      });
    }
    var availability = $("availability-form");
    if (availability && !availability.dataset.bound) {
      availability.dataset.bound = "1";
      availability.querySelector("select").addEventListener("change", function () {
        postForm(availability).then(function () {
          var dot = availability.querySelector(".dot");
          dot.className = "dot dot-" + availability.querySelector("select").value;
          toast("You are " + availability.querySelector("select").value);
        }).catch(function (err) { toast(err.message); });
      });
    }
  }

  // --- waiting times tick without a server round-trip -------------------------------------
  function tickAges() {
    var now = Date.now();
    document.querySelectorAll('#conversation-list .row[data-status="waiting"]').forEach(function (row) {
      var age = row.querySelector(".age");
      if (!age) return;
      var s = Math.max(0, Math.round((now - Date.parse(row.dataset.since)) / 1000));
      age.textContent = s < 60 ? s + "s" : s < 3600 ? Math.floor(s / 60) + " min"
        : Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min";
    });
  }
  setInterval(tickAges, 15000);

  bindForms();
  scrollTimeline();
  connect();
})();
