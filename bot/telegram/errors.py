"""The error handler: log without users' words or the token, and still answer the user."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import ContextTypes

from bot.telegram.retry import Undelivered
from bot.telegram.sending import answer_query, send

log = logging.getLogger(__name__)

SORRY = "Sorry, something went wrong on my side. Please try again, or tap /menu."


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, Forbidden):
        log.info("update %s: the user blocked the bot", update_id)
        return
    if isinstance(error, Undelivered):  # retried for its whole budget (bot.telegram.retry)
        log.warning("update %s: %s", update_id, error.summary)
        return
    if isinstance(error, (TimedOut, NetworkError, RetryAfter)) and not isinstance(error, BadRequest):
        # Replies, edits and answers are retried in bot.telegram.sending; this is any other call
        # (a chat action, a start-up call). Polling retries getUpdates by itself.
        log.warning("update %s: Telegram unreachable or busy: %s", update_id, type(error).__name__)
        return
    log.error("update %s failed: %s", update_id, type(error).__name__, exc_info=error)
    if not isinstance(update, Update):
        return
    try:
        if update.callback_query is not None:
            await answer_query(update.callback_query, SORRY[:200])
        elif update.effective_chat is not None:
            await send(context.bot, update.effective_chat.id, SORRY)
    except TelegramError as exc:
        log.warning("could not tell the user about the error: %s", type(exc).__name__)
