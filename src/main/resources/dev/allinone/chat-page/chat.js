// The allinone support chat: conversations kept by id in this browser, answers streamed from /api/chat/stream,
// the mood of every message you send shown next to it. No framework, nothing loaded from elsewhere.
(() => {
  const STORE = "allinone.conversations";
  const API = "../api/"; // relative to /allinone/index.html, so a servlet context path is kept
  const MOODS = { POSITIVE: ["😊", "Positive"], NEGATIVE: ["😟", "Negative"], NEUTRAL: ["😐", "Neutral"] };
  const $ = (id) => document.getElementById(id);
  const messages = $("messages"), input = $("input"), send = $("send");
  let current = null;      // the open conversation's id
  let busy = false;        // a message is being answered
  let lastText = null;     // for Retry

  const KEY = "allinone.apiKey"; // only when the server requires API keys; kept in this browser

  // Every API call: with the API key once the server has asked for one. On 401 the key is asked for, and the
  // call is made again with it.
  async function api(path, options = {}) {
    for (;;) {
      const key = localStorage.getItem(KEY);
      const headers = Object.assign({}, options.headers || {}, key ? { "Authorization": "Bearer " + key } : {});
      const response = await fetch(API + path, Object.assign({}, options, { headers }));
      if (response.status !== 401) return response;
      const entered = await askForKey(key ? "That API key was not accepted. Enter another one:" : null);
      if (!entered) return response;
      localStorage.setItem(KEY, entered);
    }
  }

  function askForKey(message) {
    const dialog = $("key-dialog"), field = $("key-input");
    if (message) $("key-message").textContent = message;
    field.value = "";
    return new Promise((resolve) => {
      dialog.onclose = () => resolve(dialog.returnValue === "ok" && field.value.trim() ? field.value.trim() : null);
      dialog.showModal();
      field.focus();
    });
  }

  const conversations = () => JSON.parse(localStorage.getItem(STORE) || "[]");
  const save = (list) => localStorage.setItem(STORE, JSON.stringify(list));

  function remember(id, title) {
    const list = conversations().filter((c) => c.id !== id);
    const previous = conversations().find((c) => c.id === id);
    list.unshift({ id, title: previous ? previous.title : title.slice(0, 60), updated: Date.now() });
    save(list);
    renderList();
  }

  function forget(id) {
    save(conversations().filter((c) => c.id !== id));
    if (current === id) { current = null; localStorage.removeItem(STORE + ".current"); }
    renderList();
  }

  function renderList() {
    const list = $("conversation-list");
    list.replaceChildren();
    for (const c of conversations()) {
      const li = document.createElement("li");
      li.textContent = c.title || "Conversation";
      li.dataset.id = c.id;
      li.className = c.id === current ? "active" : "";
      li.onclick = () => { open(c.id); $("conversations").classList.remove("open"); };
      list.append(li);
    }
    $("no-conversations").hidden = conversations().length > 0;
    $("delete-conversation").hidden = !current;
  }

  function banner(text, kind, retry) {
    $("banner").hidden = !text;
    $("banner").className = "banner" + (kind ? " " + kind : "");
    $("banner-text").textContent = text || "";
    $("banner-retry").hidden = !retry;
  }

  function bubble(role, text) {
    $("empty").hidden = true;
    const div = document.createElement("div");
    div.className = "message " + role;
    const body = document.createElement("span");
    body.className = "text";
    body.textContent = text;
    div.append(body);
    messages.append(div);
    messages.scrollTop = messages.scrollHeight;
    return div;
  }

  function showMood(div, sentiment) {
    const mood = MOODS[sentiment];
    if (!mood) return;
    const tag = document.createElement("span");
    tag.className = "sentiment";
    tag.dataset.sentiment = sentiment;
    tag.innerHTML = '<span class="emoji"></span><span class="label"></span>';
    tag.querySelector(".emoji").textContent = mood[0];
    tag.querySelector(".label").textContent = mood[1];
    div.append(tag);
  }

  // The message filed as a ticket (POST /api/extract), shown under it once the answer is done; optional: a
  // failure shows nothing.
  async function showTicket(div, text) {
    try {
      const response = await api("extract", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text }),
      });
      if (!response.ok) return;
      const t = await response.json();
      const tag = document.createElement("div");
      tag.className = "ticket";
      tag.dataset.urgency = t.urgency || "";
      const parts = [];
      if (t.urgency) parts.push(["urgency", t.urgency]);
      if (t.orderNumbers && t.orderNumbers.length) parts.push(["orders", t.orderNumbers.join(", ")]);
      if (t.products && t.products.length) parts.push(["products", t.products.join(", ")]);
      if (t.keywords && t.keywords.length) parts.push(["keywords", t.keywords.join(", ")]);
      if (t.summary) parts.push(["summary", t.summary]);
      for (const [name, value] of parts) {
        const field = document.createElement("span");
        field.className = "field " + name;
        field.textContent = name + ": " + value;
        tag.append(field);
      }
      div.append(tag);
    } catch (e) {
      // The ticket is a courtesy: the conversation goes on without it.
    }
  }

  async function open(id) {
    current = id;
    localStorage.setItem(STORE + ".current", id);
    messages.querySelectorAll(".message").forEach((m) => m.remove());
    banner(null);
    renderList();
    const response = await api("conversations/" + encodeURIComponent(id));
    if (response.status === 404) {
      forget(id);
      $("empty").hidden = false;
      banner("That conversation has expired and was removed.", "busy");
      return;
    }
    if (!response.ok) { banner(await problem(response)); return; }
    const conversation = await response.json();
    $("empty").hidden = conversation.messages.length > 0;
    for (const m of conversation.messages) {
      const div = bubble(m.role, m.text);
      if (m.role === "user") showMood(div, m.sentiment);
    }
  }

  function newConversation() {
    current = null;
    localStorage.removeItem(STORE + ".current");
    messages.querySelectorAll(".message").forEach((m) => m.remove());
    $("empty").hidden = false;
    banner(null);
    renderList();
    input.focus();
  }

  async function problem(response) {
    try {
      const p = await response.json();
      return p.detail || p.title || ("Error " + response.status);
    } catch (e) {
      return "Error " + response.status;
    }
  }

  async function sendMessage(text) {
    if (busy || !text.trim()) return;
    busy = true; send.disabled = true; lastText = text; banner(null);
    const userDiv = bubble("user", text);
    let answer = null;
    try {
      const body = { message: text };
      if (current) body.conversationId = current;
      const response = await api("chat/stream", {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept": "text/event-stream" },
        body: JSON.stringify(body),
      });
      if (!response.ok) {
        const detail = await problem(response);
        if (response.status === 503 || response.status === 429) {
          userDiv.classList.add("failed");
          const after = response.headers.get("Retry-After");
          banner("Busy: " + detail + (after ? " Try again in " + after + " s." : ""), "busy", true);
        } else {
          userDiv.remove(); // refused as written: the text stays in the box to be edited
          $("empty").hidden = messages.querySelector(".message") !== null;
          banner(detail);
        }
        return;
      }
      input.value = "";
      await readEvents(response, {
        sentiment(data) {
          if (!current) { current = data.conversationId; localStorage.setItem(STORE + ".current", current); }
          remember(current, text);
          showMood(userDiv, data.sentiment);
          answer = bubble("assistant", "");
          answer.classList.add("streaming");
        },
        delta(data) {
          answer.querySelector(".text").textContent += data.text;
          messages.scrollTop = messages.scrollHeight;
        },
        done() {
          answer.classList.remove("streaming");
          answer.dataset.done = "true";
          remember(current, text);
          showTicket(userDiv, text);
        },
        error(data) {
          if (answer) { answer.classList.remove("streaming"); answer.classList.add("failed"); }
          userDiv.classList.add("failed");
          const retryable = data.status === 503 || data.status === 504;
          banner(data.detail || data.title, retryable ? "busy" : "", retryable);
        },
      });
    } catch (e) {
      userDiv.classList.add("failed");
      banner("The service cannot be reached: " + e.message, "busy", true);
    } finally {
      busy = false; send.disabled = false;
    }
  }

  // Server-Sent Events from a POST: EventSource only does GET, so the stream is read and parsed here.
  async function readEvents(response, handlers) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "", name = "message", data = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let newline;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline).replace(/\r$/, "");
        buffer = buffer.slice(newline + 1);
        if (line.startsWith("event:")) name = line.slice(6).trim();
        else if (line.startsWith("data:")) data += line.slice(5);
        else if (line === "" && data) {
          const handler = handlers[name];
          if (handler) handler(JSON.parse(data));
          name = "message"; data = "";
        }
      }
    }
  }

  $("composer").onsubmit = (e) => { e.preventDefault(); sendMessage(input.value); };
  input.onkeydown = (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); sendMessage(input.value); }
  };
  $("new-conversation").onclick = newConversation;
  $("toggle-list").onclick = () => $("conversations").classList.toggle("open");
  $("banner-close").onclick = () => banner(null);
  $("banner-retry").onclick = () => {
    messages.querySelectorAll(".message.failed").forEach((m) => m.remove());
    if (lastText) sendMessage(lastText);
  };
  $("delete-conversation").onclick = async () => {
    if (!current) return;
    const id = current;
    const response = await api("conversations/" + encodeURIComponent(id), { method: "DELETE" });
    if (response.ok || response.status === 404) { forget(id); newConversation(); }
    else banner(await problem(response));
  };

  renderList();
  const last = localStorage.getItem(STORE + ".current");
  if (last) open(last);
})();
