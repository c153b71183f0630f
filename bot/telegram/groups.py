"""Group chats: whom the bot listens to there, and what it does only in a private chat.

One gate (gate_message, gate_button), registered by bot.app in GATE_GROUP, the first handler
group, sees every message and button before any feature does. In a private chat it lets
everything through. In a group or supergroup it applies three rules, in this order:

1. A message is handled only if it is addressed to the bot: a command (bare, or /cmd@this_bot; a
   command for another bot is not ours), an @mention of the bot's username, or a reply to one of
   its messages. Anything else ("lol same") is dropped without a word. With privacy mode on
   (Telegram's default) a group bot receives only commands and replies to its messages, so an
   @mention reaches it only when privacy mode is off or the bot is an admin; the gate makes both
   settings behave alike.
2. A button tapped by anyone but the person its message was shown to gets a short pop-up and
   changes nothing. Every keyboard the bot sends in a group carries that person's id in its
   callback data (the owner mark of bot.telegram.callbacks, added by bot.telegram.sending).
   Chosen over comparing the tapper with the user the bot's message replies to: only an answer to
   a typed message replies to anyone, while screens sent after a tap (a menu under an emergency
   reply, a safety question's answer) reply to no one, and a reply's original may be deleted. The
   mark is self-contained like the rest of the data, and costs at most 15 of the 64 bytes,
   which callbacks keeps free.
3. The symptom check, reminders and /forget never run in a group (the check asks about bladder
   and genitals; reminders and /forget are about one person): their commands, their buttons
   (the menu's, a reminders button) and a typed "should I see a doctor" get one line and a
   button that opens the private chat with a deep link, https://t.me/<bot>?start=triage; there,
   /start with that payload starts the flow (start_payload).

Red flags first, in groups too: a typed message that also names a warning sign is never turned
into a link; it goes on to the normal handler, which answers it with the urgent reply.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable

from telegram import Bot, Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.core.content import Content
from bot.core.triage import is_opening
from bot.telegram import callbacks as cb
from bot.telegram.sending import answer_query, reply, send
from bot.telegram.services import services

log = logging.getLogger(__name__)

GATE_GROUP = -10  # before every other handler group; see bot.app for why
GROUP_TYPES = (Chat.GROUP, Chat.SUPERGROUP)

# Deep-link payload -> the content message that says why it happens in a private chat.
PRIVATE_ONLY = {"triage": "private_triage", "reminders": "private_reminders", "forget": "private_forget"}
# A button's first field -> the private-only flow it belongs to.
BUTTON_FLOWS = {cb.TRIAGE: "triage", cb.REMINDERS: "reminders"}

_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{1,64}))?(?:\s+(\S+))?")

Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


def in_group(chat: Chat | None) -> bool:
    return chat is not None and chat.type in GROUP_TYPES


def _mention(username: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w@])@{re.escape(username)}(?!\w)", re.IGNORECASE)


def mentions(text: str | None, username: str | None) -> bool:
    return bool(text and username and _mention(username).search(text))


def without_mention(text: str, username: str | None) -> str:
    """The text with the bot's @username taken out ("@bot, what causes…" -> "what causes…")."""
    if not username:
        return text
    stripped = _mention(username).sub(" ", text)
    return re.sub(r"\s+", " ", stripped).strip().lstrip(",:;").strip()


def addressed(message: Message, bot: Bot) -> bool:
    """A command for this bot, an @mention of it, or a reply to one of its messages."""
    command = _COMMAND.match(message.text or "")
    if command is not None:
        return command.group(2) is None or command.group(2).lower() == (bot.username or "").lower()
    original = message.reply_to_message
    if original is not None and original.from_user is not None and original.from_user.id == bot.id:
        return True
    return mentions(message.text or message.caption, bot.username)


def deep_link(username: str, payload: str) -> str:
    return f"https://t.me/{username}?start={payload}"


def private_screen(content: Content, username: str, flow: str) -> tuple[str, InlineKeyboardMarkup]:
    """One line saying why, and a button that opens the private chat and starts `flow` there."""
    button = InlineKeyboardButton(content.messages.buttons.open_private, url=deep_link(username, flow))
    return getattr(content.messages, PRIVATE_ONLY[flow]), InlineKeyboardMarkup([[button]])


def _private_flow(message: Message, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """The private-only flow a group message asks for, if any."""
    command = _COMMAND.match(message.text or "")
    if command is not None:
        name, payload = command.group(1).lower(), (command.group(3) or "").lower()
        if name in PRIVATE_ONLY:
            return name
        return payload if name == "start" and payload in PRIVATE_ONLY else None
    svc = services(context)
    text = without_mention(message.text or "", context.bot.username)
    if is_opening(svc.triage, text) and not svc.engine.is_urgent(text):
        return "triage"
    return None


# ---- the gate ----

async def gate_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Rules 1 and 3 for a group message; returns (lets it through) or stops it here."""
    message = update.effective_message
    if message is None or not in_group(update.effective_chat):
        return
    if not addressed(message, context.bot):
        raise ApplicationHandlerStop  # not for the bot: no reply, and no feature sees it
    flow = _private_flow(message, context)
    if flow is not None:
        log.info("private-only flow asked for in a group: %s", flow)
        await reply(message, *private_screen(services(context).content, context.bot.username, flow))
        raise ApplicationHandlerStop


async def gate_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Rules 2 and 3 for a tap in a group; returns (lets it through) or stops it here."""
    query = update.callback_query
    if query is None or not in_group(update.effective_chat):
        return
    content = services(context).content
    owner = cb.owner_of(query.data)
    if owner is not None and (query.from_user is None or query.from_user.id != owner):
        log.info("a group member tapped buttons shown to someone else")
        await answer_query(query, content.messages.not_your_button)
        raise ApplicationHandlerStop
    fields = cb.decode(query.data)
    flow = BUTTON_FLOWS.get(fields[0]) if fields else None
    if flow is not None:
        log.info("private-only flow tapped in a group: %s", flow)
        await answer_query(query)
        text, markup = private_screen(content, context.bot.username, flow)
        await send(query.get_bot(), update.effective_chat.id, text, markup, for_user=query.from_user)
        raise ApplicationHandlerStop


def gate_handlers() -> list[BaseHandler]:
    """The gate, for GATE_GROUP. A handler group runs only its first matching handler; these two
    never match the same update (a message, a tap)."""
    return [MessageHandler(filters.ChatType.GROUPS, gate_message), CallbackQueryHandler(gate_button)]


# ---- the private end of a deep link ----

def start_payload(openers: dict[str, Callback]) -> CommandHandler:
    """/start <payload> in a private chat (what a deep link sends) opens that flow. Register it
    before the plain /start handler of the same group: the first match wins. An unknown payload
    does not match, so plain /start answers it with the welcome."""
    unknown = set(openers) - set(PRIVATE_ONLY)
    if unknown:
        raise ValueError(f"no deep link for {sorted(unknown)}")
    names = "|".join(re.escape(name) for name in openers)
    payload = filters.Regex(re.compile(rf"^/start(@\w+)?\s+({names})\s*$", re.IGNORECASE))

    async def open_flow(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        flow = context.args[0].lower()
        log.info("deep link opened: %s", flow)
        await openers[flow](update, context)

    return CommandHandler("start", open_flow, filters=filters.ChatType.PRIVATE & payload)
