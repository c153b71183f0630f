"""Sending and editing with Telegram's harmless refusals handled on purpose.

Parse mode (HTML) and no link previews are Application-wide Defaults, set in bot.app.
"""

from __future__ import annotations

import logging

from telegram import CallbackQuery, InlineKeyboardMarkup, Message
from telegram.error import BadRequest

from bot.core.telegram_html import HtmlError, parse_html

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


async def answer_query(query: CallbackQuery, text: str | None = None) -> None:
    """Every callback query is answered; one that is too old is the only refusal we accept."""
    try:
        await query.answer(text)
    except BadRequest as exc:
        if QUERY_TOO_OLD not in str(exc).lower() and "query id is invalid" not in str(exc).lower():
            raise
        log.debug("callback query expired before we answered it")


async def show(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Turn the tapped message into `text` in place; send a new one if it can no longer be edited."""
    message = query.message if isinstance(query.message, Message) else None
    if _same_content(message, text, markup):
        return  # a second tap on the same button: nothing to change
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as exc:
        reason = str(exc).lower()
        if NOT_MODIFIED in reason:
            return
        if any(gone in reason for gone in MESSAGE_GONE) and query.message is not None:
            await query.get_bot().send_message(query.message.chat.id, text, reply_markup=markup)
            return
        raise


async def reply(message: Message, text: str, markup: InlineKeyboardMarkup | None = None) -> Message:
    return await message.reply_text(text, reply_markup=markup)
