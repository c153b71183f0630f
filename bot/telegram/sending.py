"""Sending and editing with Telegram's harmless refusals handled on purpose.

Every send, edit and callback answer goes through bot.telegram.retry.deliver(): retried on 429,
5xx, timeouts and dropped connections within a budget (see that module for which calls a retry
may duplicate and why). Parse mode (HTML) and no link previews are Application-wide Defaults,
set in bot.app.

Two rules live here, so that every handler follows them without knowing (see show()):
- advice is never erased: a tap under a message whose buttons carry the advice mark sends the
  next screen as a new message instead of editing that message;
- in a group, every keyboard is marked with the person it is shown to (the one who wrote the
  message replied to, or who tapped), so the group gate can refuse anyone else's tap.
"""

from __future__ import annotations

import logging

from telegram import Bot, CallbackQuery, InlineKeyboardMarkup, Message, ReplyKeyboardMarkup, ReplyKeyboardRemove, User
from telegram.error import BadRequest, TelegramError

from bot.core.telegram_html import HtmlError, parse_html
from bot.telegram import callbacks as cb
from bot.telegram import keyboards as kb
from bot.telegram import retry
from bot.telegram.retry import Undelivered

log = logging.getLogger(__name__)

NOT_MODIFIED = "message is not modified"
QUERY_TOO_OLD = "query is too old"
MESSAGE_GONE = ("message to edit not found", "message can't be edited")


def _same_content(message: Message | None, text: str, markup: InlineKeyboardMarkup | None) -> bool:
    if message is None or message.text is None:
        return False
    try:
        visible = parse_html(text)
    except HtmlError:
        return False
    return message.text == visible and message.reply_markup == markup


def _owner(chat_id: int | None, user: User | None) -> int | None:
    """Whom a keyboard in this chat is for: the user, unless the chat is their private chat
    (its id is theirs), where nobody else can tap anyway and the mark would only cost bytes."""
    if chat_id is None or user is None or chat_id == user.id:
        return None
    return user.id


def _chat_of(query: CallbackQuery) -> int | None:
    if query.message is not None:
        return query.message.chat.id
    return query.from_user.id if query.from_user else None


async def answer_query(query: CallbackQuery, text: str | None = None) -> None:
    """Every callback query is answered; one that is too old is the only refusal we accept.

    If Telegram stays unreachable for the whole (short) budget, the spinner is given up on (one
    log line) and the handler goes on: what it shows next has its own, longer budget."""
    try:
        await retry.deliver(
            lambda: query.answer(text), method="answerCallbackQuery", chat_id=_chat_of(query),
            budget=retry.POLICY.answer_budget,
        )
    except BadRequest as exc:
        if QUERY_TOO_OLD not in str(exc).lower() and "query id is invalid" not in str(exc).lower():
            raise
        log.debug("callback query expired before we answered it")
    except Undelivered as exc:
        log.warning("%s", exc.summary)


def carries_advice(query: CallbackQuery) -> bool:
    """True if the tapped message carries advice: the tapped button says so, or any button of
    the message's keyboard does (so even data a client made up cannot get advice edited away)."""
    if cb.is_advice(query.data):
        return True
    markup = query.message.reply_markup if isinstance(query.message, Message) else None
    buttons = [b for row in markup.inline_keyboard for b in row] if markup is not None else []
    return any(cb.is_advice(b.callback_data) for b in buttons if isinstance(b.callback_data, str))


async def show(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Show the screen a tap asked for.

    Navigation (a menu, a section, a topic opened from one, a triage question) is edited in place,
    so the chat does not fill up with menus. A message that carries advice is never edited: the
    screen builders mark its buttons (keyboards.advice: emergency and same-day replies, typed
    answers, triage outcomes and tips), every button of it carries the mark, so whichever one is
    tapped - in this module or another feature's - the screen arrives as a new message at the bottom
    of the chat, and the advice keeps its text and its keyboard (it may be tapped again). A message
    that can no longer be edited gets the screen as a new message too."""
    message = query.message if isinstance(query.message, Message) else None
    chat_id = _chat_of(query)
    markup = kb.marked(markup, owner=_owner(chat_id, query.from_user))
    if carries_advice(query) and chat_id is not None:
        await _send(query.get_bot(), chat_id, text, markup)
        return
    if _same_content(message, text, markup):
        return  # a second tap on the same button: nothing to change
    try:
        await retry.deliver(
            lambda: query.edit_message_text(text, reply_markup=markup), method="editMessageText",
            chat_id=_chat_of(query),
        )
    except BadRequest as exc:
        reason = str(exc).lower()
        if NOT_MODIFIED in reason:
            return
        if any(gone in reason for gone in MESSAGE_GONE) and query.message is not None:
            await _send(query.get_bot(), query.message.chat.id, text, markup)
            return
        raise


async def reply(message: Message, text: str, markup: InlineKeyboardMarkup | None = None) -> Message:
    """The answer to a message, at the bottom of the chat (in a group, for its sender only)."""
    markup = kb.marked(markup, owner=_owner(message.chat_id, message.from_user))
    return await retry.deliver(
        lambda: message.reply_text(text, reply_markup=markup), method="sendMessage", chat_id=message.chat_id
    )


async def offer_reply_keyboard(bot: Bot, chat_id: int, text: str, markup: ReplyKeyboardMarkup) -> bool:
    """A message whose keyboard sits under the input field (a location button, say). Optional
    by nature: a failure is logged and answered False, never raised into the handler."""
    try:
        await retry.deliver(
            lambda: bot.send_message(chat_id, text, reply_markup=markup), method="sendMessage", chat_id=chat_id
        )
    except (TelegramError, Undelivered) as exc:
        log.warning("could not offer a keyboard under the input field: %s", type(exc).__name__)
        return False
    return True


async def remove_reply_keyboard(bot: Bot, chat_id: int, text: str) -> None:
    """Take away the keyboard under the input field. Only a message of its own can carry
    ReplyKeyboardRemove, and Telegram never lets such a message be edited (into the answer with
    its buttons), so a short one is sent silently and deleted at once. Optional: a failure is
    logged, never raised (a one-time keyboard has folded away anyway; see reminder_handlers)."""
    try:
        sent = await retry.deliver(
            lambda: bot.send_message(chat_id, text, reply_markup=ReplyKeyboardRemove(), disable_notification=True),
            method="sendMessage", chat_id=chat_id,
        )
        await retry.deliver(lambda: sent.delete(), method="deleteMessage", chat_id=chat_id)
    except (TelegramError, Undelivered) as exc:
        log.warning("could not take the keyboard under the input field away: %s", type(exc).__name__)


async def send(
    bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None, *, for_user: User | None = None
) -> Message:
    """A new message in the chat, not a reply to any message; `for_user`: whom its buttons are for."""
    return await _send(bot, chat_id, text, kb.marked(markup, owner=_owner(chat_id, for_user)))


async def _send(bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None) -> Message:
    return await retry.deliver(
        lambda: bot.send_message(chat_id, text, reply_markup=markup), method="sendMessage", chat_id=chat_id
    )


async def drop_keyboard(bot: Bot, chat_id: int, message_id: int) -> None:
    """Take the buttons off a message, leaving its text as it is; a message already without them,
    or gone, is no error (the keyboard was only there to be tapped)."""
    try:
        await retry.deliver(
            lambda: bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id, reply_markup=None),
            method="editMessageReplyMarkup", chat_id=chat_id,
        )
    except BadRequest as exc:
        reason = str(exc).lower()
        if NOT_MODIFIED not in reason and not any(gone in reason for gone in MESSAGE_GONE):
            raise
