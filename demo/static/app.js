// bonebot demo: a phone-style chat with the bot, fed live by server-sent events.
// Plain script, no build step and nothing from the network beyond this server.
"use strict";

(() => {
  const PEOPLE = [
    { id: 1001, name: "Alice", role: "patient" },
    { id: 1002, name: "Bob", role: "caregiver" },
    { id: 1003, name: "Dr Chen", role: "clinician" },
  ];
  const params = new URLSearchParams(location.search);
  const userId = Number.parseInt(params.get("user") || "1001", 10) || 1001;
  const preset = PEOPLE.find((p) => p.id === userId);
  const wantedName = (params.get("name") || (preset ? preset.name : `Person ${userId}`)).slice(0, 64);

  const $ = (id) => document.getElementById(id);
  const chat = $("chat");
  const state = { schedule: null, zone: null, offsetMs: 0, commands: [], typingTimer: 0 };

  // --- talking to the server -------------------------------------------------------------

  async function api(method, path, body) {
    const options = { method, headers: {} };
    if (body !== undefined) {
      options.headers["content-type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    const response = await fetch(path, options);
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.error || `the server said ${response.status}`);
    return data;
  }

  const say = (text) => api("POST", `/_sim/users/${userId}/text`, { text });

  async function send(text) {
    const trimmed = text.trim();
    if (!trimmed) return;
    try {
      await say(trimmed);
    } catch (error) {
      toast(`That didn't send: ${error.message}`);
    }
  }

  // --- rendering messages ------------------------------------------------------------------

  const SAFE_URL = /^https?:/i;

  function entityNode(entity, inner) {
    const tags = {
      bold: "strong", italic: "em", underline: "u", strikethrough: "s", code: "code",
      pre: "pre", blockquote: "blockquote", expandable_blockquote: "blockquote",
    };
    if (entity.type === "text_link" || entity.type === "url") {
      const href = entity.type === "url" ? inner : entity.url;
      if (SAFE_URL.test(href || "")) {
        const link = document.createElement("a");
        link.href = href;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        return link;
      }
    }
    const node = document.createElement(tags[entity.type] || "span");
    if (entity.type === "spoiler") node.className = "spoiler";
    return node;
  }

  // Telegram entities use UTF-16 offsets, which is what JavaScript strings count in.
  function formatted(text, entities) {
    const root = document.createDocumentFragment();
    const sorted = [...(entities || [])].sort((a, b) => a.offset - b.offset || b.length - a.length);
    (function build(start, end, list, parent) {
      let position = start;
      for (let i = 0; i < list.length; ) {
        const entity = list[i];
        const stop = entity.offset + entity.length;
        const inner = [];
        let j = i + 1;
        for (; j < list.length && list[j].offset < stop; j += 1) {
          if (list[j].offset + list[j].length <= stop) inner.push(list[j]);
        }
        if (entity.offset >= position && stop <= end) {
          parent.append(text.slice(position, entity.offset));
          const node = entityNode(entity, text.slice(entity.offset, stop));
          build(entity.offset, stop, inner, node);
          parent.append(node);
          position = stop;
        }
        i = j;
      }
      parent.append(text.slice(position, end));
    })(0, text.length, sorted, root);
    return root;
  }

  function fileUrl(fileId) {
    return `/_sim/files/${encodeURIComponent(fileId)}`;
  }

  function sizeText(bytes) {
    if (!bytes) return "";
    if (bytes < 1024) return `${bytes} bytes`;
    if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
    return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  }

  function attachments(message, bubble) {
    if (message.photo && message.photo.length) {
      const largest = message.photo[message.photo.length - 1];
      const link = document.createElement("a");
      link.href = fileUrl(largest.file_id);
      link.target = "_blank";
      link.rel = "noopener";
      const image = document.createElement("img");
      image.src = link.href;
      image.alt = message.caption ? `Photo: ${message.caption}` : "Photo from BoneBot";
      image.className = "photo";
      link.append(image);
      bubble.append(link);
    }
    if (message.document) {
      const doc = message.document;
      const link = document.createElement("a");
      link.href = fileUrl(doc.file_id);
      link.download = doc.file_name || "document";
      link.className = "document";
      const icon = document.createElement("span");
      icon.className = "document-icon";
      icon.setAttribute("aria-hidden", "true");
      icon.textContent = "📄";
      const label = document.createElement("span");
      label.textContent = `Download ${doc.file_name || "document"}`;
      const size = document.createElement("small");
      size.textContent = sizeText(doc.file_size);
      link.append(icon, label, size);
      bubble.append(link);
    }
  }

  function keyboard(message) {
    const rows = (message.reply_markup && message.reply_markup.inline_keyboard) || [];
    if (!rows.length) return null;
    const box = document.createElement("div");
    box.className = "keyboard";
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", "Answer buttons");
    for (const row of rows) {
      const line = document.createElement("div");
      line.className = "keyboard-row";
      for (const button of row) {
        let node;
        if (button.url && SAFE_URL.test(button.url)) {
          node = document.createElement("a");
          node.href = button.url;
          node.target = "_blank";
          node.rel = "noopener noreferrer";
        } else {
          node = document.createElement("button");
          node.type = "button";
          if (button.callback_data === undefined) node.disabled = true;
          node.addEventListener("click", () => press(message.message_id, button.callback_data, box));
        }
        node.className = "key";
        node.textContent = button.text;
        line.append(node);
      }
      box.append(line);
    }
    return box;
  }

  async function press(messageId, data, box) {
    for (const key of box.querySelectorAll("button")) key.disabled = true;
    try {
      await api("POST", `/_sim/users/${userId}/press`, { message_id: messageId, callback_data: data });
      // The bot edits the message (new buttons) or answers; re-enable if it only answers.
      setTimeout(() => {
        for (const key of box.querySelectorAll("button")) key.disabled = false;
      }, 1500);
    } catch (error) {
      for (const key of box.querySelectorAll("button")) key.disabled = false;
      toast(`That button didn't work: ${error.message}`);
    }
  }

  function render(message) {
    const mine = !message.from.is_bot;
    const id = `m-${message.message_id}`;
    let item = document.getElementById(id);
    const fresh = !item;
    if (fresh) {
      item = document.createElement("article");
      item.id = id;
      item.className = `message ${mine ? "from-me" : "from-bot"}`;
    }
    const bubble = document.createElement("div");
    bubble.className = "bubble";
    const who = document.createElement("span");
    who.className = "visually-hidden";
    who.textContent = mine ? "You said: " : "BoneBot said: ";
    bubble.append(who);
    attachments(message, bubble);
    const text = message.text ?? message.caption;
    if (text) {
      const paragraph = document.createElement("p");
      paragraph.className = "text-body";
      paragraph.append(formatted(text, message.entities || message.caption_entities));
      bubble.append(paragraph);
    }
    if (message.edit_date) {
      const edited = document.createElement("span");
      edited.className = "edited";
      edited.textContent = "edited";
      bubble.append(edited);
    }
    const buttons = keyboard(message);
    item.replaceChildren(bubble, ...(buttons ? [buttons] : []));
    item.dataset.edited = message.edit_date ? "1" : "";
    if (fresh) {
      chat.append(item);
      item.scrollIntoView({ block: "end" });
    } else {
      item.classList.remove("flash");
      void item.offsetWidth; // restart the highlight animation
      item.classList.add("flash");
    }
    if (!mine) setTyping(false);
    updateEmpty();
  }

  function updateEmpty() {
    $("empty").hidden = chat.querySelector(".message") !== null;
  }

  function renderAll(messages) {
    for (const old of chat.querySelectorAll(".message")) old.remove();
    for (const message of messages) render(message);
    updateEmpty();
    const last = chat.querySelector(".message:last-of-type");
    if (last) last.scrollIntoView({ block: "end" });
  }

  // --- status, toasts, menu ----------------------------------------------------------------

  function setStatus(text) {
    $("status").textContent = text;
  }

  function setTyping(on) {
    clearTimeout(state.typingTimer);
    setStatus(on ? "typing…" : "bot");
    if (on) state.typingTimer = setTimeout(() => setStatus("bot"), 5000);
  }

  let toastTimer = 0;
  function toast(text, long) {
    const box = $("toast");
    box.textContent = text;
    box.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { box.hidden = true; }, long ? 8000 : 4000);
  }

  function renderCommands(commands) {
    state.commands = commands || [];
    const list = $("menu-list");
    list.replaceChildren();
    for (const command of state.commands) {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "command";
      const name = document.createElement("strong");
      name.textContent = `/${command.command}`;
      const about = document.createElement("span");
      about.textContent = command.description;
      button.append(name, about);
      button.addEventListener("click", () => {
        closeMenu();
        send(`/${command.command}`);
      });
      item.append(button);
      list.append(item);
    }
    $("menu-button").disabled = state.commands.length === 0;
  }

  function openMenu() {
    $("menu").hidden = false;
    $("menu-button").setAttribute("aria-expanded", "true");
    const first = $("menu-list").querySelector("button");
    if (first) first.focus();
  }

  function closeMenu(refocus) {
    if ($("menu").hidden) return;
    $("menu").hidden = true;
    $("menu-button").setAttribute("aria-expanded", "false");
    if (refocus) $("menu-button").focus();
  }

  // --- demo time ---------------------------------------------------------------------------

  function when(iso, zone) {
    const options = {
      weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
    };
    try {
      return new Intl.DateTimeFormat("en-GB", { ...options, timeZone: zone || undefined }).format(new Date(iso));
    } catch {
      return new Intl.DateTimeFormat("en-GB", options).format(new Date(iso));
    }
  }

  function span(milliseconds) {
    const minutes = Math.round(Math.abs(milliseconds) / 60000);
    if (minutes < 1) return "less than a minute";
    const days = Math.floor(minutes / 1440);
    const hours = Math.floor((minutes % 1440) / 60);
    const rest = minutes % 60;
    const parts = [];
    if (days) parts.push(`${days} day${days === 1 ? "" : "s"}`);
    if (hours) parts.push(`${hours} h`);
    if (rest && !days) parts.push(`${rest} min`);
    return parts.join(" ");
  }

  const demoNow = () => new Date(Date.now() + state.offsetMs);

  function zoneNote(zone) {
    if (!zone || zone === state.zone) return "";
    return ` (${zone.split("/").pop().replaceAll("_", " ")} time)`;
  }

  function jobLine(job) {
    const due = new Date(job.at) - demoNow();
    const relative = due > 0 ? `in ${span(due)}` : "due now";
    return `${job.what} — ${when(job.at, job.zone)}${zoneNote(job.zone)} (${relative})`;
  }

  function tick() {
    if (!state.schedule || !state.schedule.ready) return;
    $("now").textContent = when(demoNow().toISOString(), state.zone);
    const ahead = state.offsetMs > 30000 ? `${span(state.offsetMs)} ahead of real time` : "";
    $("ahead").textContent = ahead;
    renderNext();
  }

  function renderNext() {
    const jobs = state.schedule.jobs || [];
    const next = $("next");
    next.replaceChildren();
    if (!jobs.length) {
      next.textContent = "Nothing is scheduled yet. Register a medicine first: tap Start, or send /start.";
    } else {
      const label = document.createElement("strong");
      label.textContent = "Next: ";
      const id = document.createElement("code");
      id.textContent = jobs[0].id;
      next.append(label, jobLine(jobs[0]), " ", id);
    }
    const list = $("jobs");
    list.replaceChildren();
    for (const job of jobs) {
      const item = document.createElement("li");
      const id = document.createElement("code");
      id.textContent = job.id;
      item.append(jobLine(job), " ", id);
      list.append(item);
    }
    $("job-count").textContent = String(jobs.length);
  }

  function applySchedule(schedule) {
    state.schedule = schedule;
    state.offsetMs = (schedule.offset_seconds || 0) * 1000;
    state.zone = schedule.zone || null;
    if (!schedule.ready) return;
    tick();
    const busy = $("run-next").getAttribute("aria-busy") === "true";
    $("run-next").disabled = busy || !(schedule.jobs || []).length;
  }

  async function runNext() {
    const button = $("run-next");
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    try {
      const result = await api("POST", "/demo/api/time/next");
      toast(result.message);
    } catch (error) {
      toast(`That didn't run: ${error.message}`);
    } finally {
      button.setAttribute("aria-busy", "false");
      button.disabled = !(state.schedule && (state.schedule.jobs || []).length);
    }
  }

  // --- live stream -------------------------------------------------------------------------

  function connect() {
    const events = new EventSource(`/demo/api/stream?user=${userId}`);
    const on = (name, handler) => events.addEventListener(name, (event) => handler(JSON.parse(event.data)));
    on("snapshot", (data) => {
      $("bot-name").textContent = data.bot.first_name;
      renderAll(data.messages);
      renderCommands(data.commands);
      applySchedule(data.schedule);
      setStatus("bot");
      document.body.dataset.ready = "true";
    });
    on("message", render);
    on("edited", render);
    on("deleted", (data) => {
      const item = document.getElementById(`m-${data.message_id}`);
      if (item) item.remove();
      updateEmpty();
    });
    on("answer", (data) => { if (data.text) toast(data.text, data.show_alert); });
    on("action", (data) => setTyping(data.action === "typing"));
    on("commands", renderCommands);
    on("schedule", applySchedule);
    events.addEventListener("error", () => {
      document.body.dataset.ready = "";
      setStatus("reconnecting…");
    });
  }

  // --- people ------------------------------------------------------------------------------

  function renderPeople(me) {
    $("me-name").textContent = `${me.first_name} (${me.id})`;
    document.title = `${me.first_name}: bonebot demo`;
    const list = $("people-links");
    for (const person of PEOPLE) {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = `?user=${person.id}&name=${encodeURIComponent(person.name)}`;
      link.target = "_blank";
      link.textContent = `${person.name}, ${person.role}${person.id === me.id ? " (this tab)" : ""}`;
      item.append(link);
      list.append(item);
    }
    $("person-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const id = $("person-id").value.trim();
      const name = $("person-name").value.trim();
      window.open(`?user=${encodeURIComponent(id)}&name=${encodeURIComponent(name)}`, "_blank");
    });
  }

  // --- wiring ------------------------------------------------------------------------------

  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("text");
    send(input.value);
    input.value = "";
    input.focus();
  });
  $("start").addEventListener("click", () => {
    $("text").focus(); // the Start button disappears: keep keyboard users in the chat
    send("/start");
  });
  $("run-next").addEventListener("click", runNext);
  $("menu-button").addEventListener("click", () => ($("menu").hidden ? openMenu() : closeMenu(true)));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      closeMenu(true);
      $("people").open = false;
    }
  });
  document.addEventListener("click", (event) => {
    if (!$("menu").hidden && !event.target.closest("#menu, #menu-button")) closeMenu(false);
  });
  setInterval(tick, 15000);

  api("POST", "/demo/api/people", { id: userId, name: wantedName })
    .then((me) => {
      renderPeople(me);
      connect();
    })
    .catch((error) => setStatus(`could not start: ${error.message}`));
})();
