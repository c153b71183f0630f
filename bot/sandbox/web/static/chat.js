// The sandbox chat page. Plain JS, no build step.
// The server renders message text to safe HTML (bot/sandbox/web/render.py); everything else
// here is built with textContent, so no user or bot text is ever parsed as markup.
"use strict";

const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, text) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("data-") || key.startsWith("aria-") || key === "role") node.setAttribute(key, value);
    else node[key] = value;
  }
  if (text !== undefined) node.textContent = text;
  return node;
};

const wrap = (tag, ...children) => {
  const node = document.createElement(tag);
  node.append(...children);
  return node;
};

const state = {
  bot: { username: "", first_name: "Bot" },
  now: 0, // simulated seconds at nowAt (performance.now() ms)
  nowAt: 0,
  chats: [],
  commands: {},
  messages: new Map(), // chat id -> Map(message id -> view)
  violations: [],
  current: null,
  speaker: new Map(), // chat id -> user id speaking there
  replyTo: null,
  unread: new Map(),
  typing: new Map(), // chat id -> timer
  connected: false,
};

// --- small helpers -----------------------------------------------------------------------

function simNow() {
  return state.now + (performance.now() - state.nowAt) / 1000;
}

function fmtTime(seconds) {
  return new Date(seconds * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
}

function fmtDay(seconds) {
  return new Date(seconds * 1000).toLocaleDateString([], { weekday: "short", day: "numeric", month: "short" });
}

function chatById(id) {
  return state.chats.find((chat) => chat.id === id);
}

function isGroup(chat) {
  return chat && chat.type !== "private";
}

function speakerOf(chatId) {
  const chat = chatById(chatId);
  if (!chat) return null;
  if (!isGroup(chat)) return chat.id;
  return state.speaker.get(chatId) ?? chat.members[0].id;
}

function toast(text) {
  const box = $("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (box.hidden = true), 4000);
}

function popup(text) {
  $("alert-text").textContent = text;
  const dialog = $("alert");
  if (!dialog.open) dialog.showModal();
}

async function api(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error || `${response.status} ${response.statusText}`);
  return data;
}

// --- live updates --------------------------------------------------------------------------

function connect() {
  const source = new EventSource("/api/events");
  source.onmessage = (event) => handle(JSON.parse(event.data));
  source.onerror = () => {
    state.connected = false;
    renderStatus();
  };
}

function handle(event) {
  switch (event.type) {
    case "state":
      state.connected = true;
      state.bot = event.bot;
      setNow(event.now);
      state.chats = event.chats;
      state.commands = event.commands;
      state.messages = new Map();
      for (const message of event.messages) store(message);
      state.violations = event.violations;
      if (state.current === null || !chatById(state.current)) state.current = state.chats[0]?.id ?? null;
      renderAll();
      break;
    case "message":
      onMessage(event.message);
      break;
    case "deleted": {
      state.messages.get(event.chat_id)?.delete(event.id);
      if (event.chat_id === state.current) document.querySelector(`#messages [data-id="${event.id}"]`)?.remove();
      break;
    }
    case "action":
      if (event.action === "typing") showTyping(event.chat_id);
      break;
    case "answer":
      onAnswer(event);
      break;
    case "violation":
      state.violations.push(event.violation);
      renderViolations(event.violation);
      break;
    case "commands":
      state.commands = event.commands;
      renderCommands();
      break;
    case "chats":
      state.chats = event.chats;
      state.commands = event.commands;
      renderChats();
      renderComposer();
      break;
    case "clock":
      setNow(event.now);
      break;
  }
}

function store(message) {
  if (!state.messages.has(message.chat_id)) state.messages.set(message.chat_id, new Map());
  state.messages.get(message.chat_id).set(message.id, message);
}

function onMessage(message) {
  const known = state.messages.get(message.chat_id)?.has(message.id);
  store(message);
  if (message.from_bot) stopTyping(message.chat_id);
  if (message.chat_id === state.current) {
    renderMessage(message);
  } else if (!known) {
    state.unread.set(message.chat_id, (state.unread.get(message.chat_id) || 0) + 1);
    renderChats();
  }
}

function onAnswer(event) {
  if (event.chat_id !== state.current) return;
  document.querySelectorAll("#messages .busy").forEach((button) => button.classList.remove("busy"));
  if (!event.text) return;
  if (event.show_alert) popup(event.text);
  else toast(event.text);
}

function showTyping(chatId) {
  clearTimeout(state.typing.get(chatId));
  // Telegram shows a chat action for 5 seconds, or until the next message.
  state.typing.set(chatId, setTimeout(() => stopTyping(chatId), 5000));
  renderStatus();
}

function stopTyping(chatId) {
  clearTimeout(state.typing.get(chatId));
  state.typing.delete(chatId);
  renderStatus();
}

function setNow(seconds) {
  state.now = seconds;
  state.nowAt = performance.now();
  renderClock();
}

// --- rendering -----------------------------------------------------------------------------

function renderAll() {
  renderChats();
  renderMessages();
  renderComposer();
  renderCommands();
  renderViolations();
  renderStatus();
  renderClock();
}

function renderClock() {
  const now = simNow();
  const node = $("sim-time");
  node.textContent = `${fmtDay(now)} ${fmtTime(now)}`;
  node.dateTime = new Date(now * 1000).toISOString();
}

function renderStatus() {
  const chat = chatById(state.current);
  $("chat-title").textContent = chat ? chat.title : "Sandbox";
  let status;
  if (!state.connected) status = "connecting…";
  else if (state.typing.has(state.current)) status = `${state.bot.first_name} is typing…`;
  else if (isGroup(chat)) status = `group · ${chat.members.map((m) => m.first_name).join(", ")} and @${state.bot.username}`;
  else status = `@${state.bot.username} · bot`;
  $("chat-status").textContent = status;
  const typing = $("typing");
  typing.hidden = !state.typing.has(state.current);
  typing.textContent = typing.hidden ? "" : `${state.bot.first_name} is typing…`;
}

function renderChats() {
  const list = $("chat-list");
  list.replaceChildren();
  for (const chat of state.chats) {
    const button = el("button", { type: "button", class: "chat-item", "data-chat": String(chat.id) });
    button.append(el("span", { class: "avatar" }, isGroup(chat) ? "👥" : chat.title.slice(0, 1)));
    button.append(el("span", { class: "name" }, chat.title));
    const unread = state.unread.get(chat.id);
    if (unread) button.append(el("span", { class: "badge", title: `${unread} new` }, String(unread)));
    if (chat.id === state.current) button.setAttribute("aria-current", "page");
    button.addEventListener("click", () => openChat(chat.id));
    list.append(wrap("li", button));
  }
}

function openChat(chatId) {
  state.current = chatId;
  state.unread.delete(chatId);
  state.replyTo = null;
  renderAll();
  setSidebar(false);
  $("text").focus();
}

function renderMessages() {
  const list = $("messages");
  list.replaceChildren();
  const messages = [...(state.messages.get(state.current)?.values() || [])].sort((a, b) => a.id - b.id);
  for (const message of messages) list.append(...messageNodes(message, list.lastElementChild));
  list.scrollTop = list.scrollHeight;
}

function renderMessage(message) {
  const list = $("messages");
  const old = list.querySelector(`[data-id="${message.id}"]`);
  if (old) {
    // Edited in place, as Telegram does; keep the keyboard focus where it was.
    const focused = old.contains(document.activeElement) ? document.activeElement.dataset.key : null;
    const [fresh] = messageNodes(message, null).slice(-1);
    old.replaceWith(fresh);
    const again = focused && fresh.querySelector(`[data-key="${focused}"]`);
    if (focused) (again || fresh.querySelector("button") || fresh).focus();
    return;
  }
  const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 120;
  list.append(...messageNodes(message, list.lastElementChild));
  if (nearBottom || !message.from_bot) list.scrollTop = list.scrollHeight;
}

// The nodes for one message: a day separator first when the day changes.
function messageNodes(message, previous) {
  const nodes = [];
  const day = fmtDay(message.date);
  if (!previous || previous.dataset.day !== day) nodes.push(el("li", { class: "day", "data-day": day }, day));
  const chat = chatById(message.chat_id);
  const mine = !message.from_bot && message.sender_id === speakerOf(message.chat_id);
  const item = el("li", {
    class: `msg ${message.from_bot ? "bot" : mine ? "me" : "other"}${message.delivered ? "" : " undelivered"}`,
    "data-id": String(message.id),
    "data-day": day,
    "data-edits": String(message.edits),
    tabIndex: -1,
  });
  const bubble = el("div", { class: "bubble" });
  if (isGroup(chat) || message.from_bot) {
    bubble.append(el("div", { class: "sender" }, message.from_bot ? state.bot.first_name : message.sender));
  }
  if (message.reply_to) {
    const target = state.messages.get(message.chat_id)?.get(message.reply_to);
    const quote = el("div", { class: "quote" });
    quote.append(el("span", {}, target ? target.sender || state.bot.first_name : "a message"));
    bubble.append(quote);
  }
  const text = el("div", { class: "text" });
  text.innerHTML = message.html; // safe: escaped and whitelisted by the server
  bubble.append(text);
  const meta = el("div", { class: "meta" });
  if (message.edited) meta.append(el("span", { class: "edited" }, "edited "));
  meta.append(el("time", { dateTime: new Date(message.date * 1000).toISOString() }, fmtTime(message.date)));
  bubble.append(meta);
  item.append(bubble);
  if (!message.delivered) {
    item.append(el("p", { class: "note" },
      "The bot did not get this: in a group it only sees commands and replies to its own messages."));
  }
  if (message.buttons.length) item.append(keyboard(message));
  if (message.from_bot && isGroup(chat)) {
    const reply = el("button", { type: "button", class: "reply-button", "aria-label": "Reply to this message" }, "↩ Reply");
    reply.addEventListener("click", () => startReply(message));
    item.append(reply);
  }
  nodes.push(item);
  return nodes;
}

function keyboard(message) {
  const box = el("div", { class: "keyboard", role: "group", "aria-label": "Buttons of this message" });
  message.buttons.forEach((row, r) => {
    const line = el("div", { class: "row" });
    row.forEach((button, c) => {
      let node;
      if (button.data !== undefined) {
        node = el("button", { type: "button", "data-key": `${r}.${c}` }, button.text);
        node.addEventListener("click", () => tap(message, button, node));
      } else if (button.url) {
        node = el("a", { href: button.url, target: "_blank", rel: "noopener noreferrer", "data-key": `${r}.${c}` }, `${button.text} ↗`);
      } else {
        node = el("button", { type: "button", disabled: true, title: "not available in the sandbox" }, button.text);
      }
      line.append(node);
    });
    box.append(line);
  });
  return box;
}

function renderComposer() {
  const chat = chatById(state.current);
  const group = isGroup(chat);
  const select = $("speaker");
  select.hidden = $("speaker-label").hidden = !group;
  select.replaceChildren();
  if (group) {
    for (const member of chat.members) select.append(el("option", { value: String(member.id) }, member.first_name));
    select.value = String(speakerOf(chat.id));
  }
  const replying = $("replying");
  replying.hidden = !state.replyTo;
  if (state.replyTo) $("replying-text").textContent = `Replying to ${state.replyTo.sender || state.bot.first_name}`;
}

function renderCommands(filter = "") {
  const list = $("command-list");
  list.replaceChildren();
  const commands = state.commands[String(state.current)] || [];
  for (const command of commands) {
    if (filter && !`/${command.command}`.startsWith(filter)) continue;
    const button = el("button", { type: "button", class: "command" });
    button.append(el("span", { class: "name" }, `/${command.command}`), el("span", { class: "what" }, command.description));
    button.addEventListener("click", () => {
      closeMenu();
      send(`/${command.command}`);
    });
    list.append(wrap("li", button));
  }
  $("menu-button").disabled = commands.length === 0;
  return list.childElementCount;
}

function renderViolations(latest) {
  $("violation-count").textContent = String(state.violations.length);
  const list = $("violations");
  list.replaceChildren();
  for (const v of state.violations) {
    const item = el("li");
    item.append(el("strong", {}, v.method), document.createTextNode(` — ${v.description}`));
    list.append(item);
  }
  const banner = $("violation-banner");
  if (latest) {
    banner.textContent = `Telegram would refuse ${latest.method}: ${latest.description}`;
    banner.hidden = false;
  } else if (!state.violations.length) {
    banner.hidden = true;
  }
}

// --- actions -------------------------------------------------------------------------------

async function send(text) {
  const chatId = state.current;
  if (chatId === null || !text.trim()) return false;
  const chat = chatById(chatId);
  // In a group, Telegram clients address a command to the bot they were picked for.
  if (isGroup(chat) && /^\/\w+$/.test(text.trim()) && state.bot.username) text = `${text.trim()}@${state.bot.username}`;
  try {
    await api("/api/send", { chat_id: chatId, user_id: speakerOf(chatId), text, reply_to: state.replyTo?.id ?? null });
  } catch (error) {
    toast(error.message);
    return false;
  }
  state.replyTo = null;
  renderComposer();
  return true;
}

async function tap(message, button, node) {
  node.classList.add("busy");
  setTimeout(() => node.classList.remove("busy"), 3000);
  try {
    await api("/api/tap", { chat_id: message.chat_id, user_id: speakerOf(message.chat_id), message_id: message.id, data: button.data });
  } catch (error) {
    node.classList.remove("busy");
    toast(error.message);
  }
}

function startReply(message) {
  state.replyTo = message;
  renderComposer();
  $("text").focus();
}

async function advance(step, buttons) {
  buttons.forEach((b) => (b.disabled = true));
  try {
    const result = await api("/api/clock", step === "next-reminder" ? { to: step } : { seconds: Number(step) });
    setNow(result.now);
    const sent = result.sent === 1 ? "1 reminder sent" : `${result.sent || "no"} reminders sent`;
    toast(`Clock moved to ${fmtDay(result.now)} ${fmtTime(result.now)}: ${sent}`);
  } catch (error) {
    toast(error.message);
  } finally {
    buttons.forEach((b) => (b.disabled = false));
  }
}

function openMenu(filter = "") {
  const count = renderCommands(filter);
  $("command-menu").hidden = count === 0;
  $("menu-button").setAttribute("aria-expanded", String(count > 0));
}

function closeMenu() {
  $("command-menu").hidden = true;
  $("menu-button").setAttribute("aria-expanded", "false");
}

function setSidebar(open) {
  document.body.classList.toggle("sidebar-open", open);
  $("chats-toggle").setAttribute("aria-expanded", String(open));
}

// --- wiring --------------------------------------------------------------------------------

function wire() {
  const text = $("text");
  $("composer").addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = text.value;
    closeMenu();
    if (await send(value)) text.value = "";
    text.focus();
  });
  text.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("composer").requestSubmit();
    } else if (event.key === "Escape") {
      closeMenu();
    }
  });
  text.addEventListener("input", () => {
    const value = text.value;
    if (/^\/\w*$/.test(value)) openMenu(value);
    else closeMenu();
  });
  $("menu-button").addEventListener("click", () => {
    if ($("command-menu").hidden) {
      openMenu();
      $("command-list").querySelector("button")?.focus();
    } else closeMenu();
  });
  $("command-menu").addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      closeMenu();
      $("menu-button").focus();
    }
  });
  $("speaker").addEventListener("change", (event) => {
    state.speaker.set(state.current, Number(event.target.value));
    renderMessages();
  });
  $("cancel-reply").addEventListener("click", () => {
    state.replyTo = null;
    renderComposer();
    text.focus();
  });
  $("messages").addEventListener("click", (event) => {
    const command = event.target.closest("a.cmd");
    if (command) {
      event.preventDefault();
      send(command.dataset.command);
    }
    const spoiler = event.target.closest(".spoiler");
    if (spoiler) spoiler.classList.add("shown");
  });
  $("messages").addEventListener("keydown", (event) => {
    const spoiler = event.target.closest(".spoiler");
    if (spoiler && (event.key === "Enter" || event.key === " ")) spoiler.classList.add("shown");
  });
  const clockButtons = [...document.querySelectorAll("[data-advance]")];
  for (const button of clockButtons) {
    button.addEventListener("click", () => advance(button.dataset.advance, clockButtons));
  }
  $("add-user").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = $("new-user");
    try {
      const result = await api("/api/users", { first_name: input.value });
      input.value = "";
      openChat(result.user_id);
    } catch (error) {
      toast(error.message);
    }
  });
  $("chats-toggle").addEventListener("click", () => setSidebar(!document.body.classList.contains("sidebar-open")));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && document.body.classList.contains("sidebar-open")) {
      setSidebar(false);
      $("chats-toggle").focus();
    }
  });
  setInterval(renderClock, 1000);
}

wire();
connect();
