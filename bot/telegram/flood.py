"""Flood control, before everything else: one chat sending messages faster than a person types
gets one "slow down a little" note and its excess is not answered (bot.core.flood decides).

Messages only: a tap must always get its callback answer, and taps are few. The note goes out
once per flood; what was dropped is dropped (a person resends the one question that matters,
and answering 100 copies would hold everyone else's replies behind them at Telegram's limit).
"""

from __future__ import annotations

import logging
import time

from telegram import Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, ContextTypes, MessageHandler, filters

from bot.core.flood import DROP, WARN, FloodGate
from bot.telegram.sending import reply
from bot.telegram.services import services

log = logging.getLogger(__name__)

GATE_KEY = "flood_gate"


def flood_handlers() -> list[BaseHandler]:
    return [MessageHandler(filters.ALL & ~filters.StatusUpdate.ALL, on_message)]


async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = update.effective_chat
    message = update.effective_message
    if chat is None or message is None:
        return
    svc = services(context)
    gate: FloodGate = svc.extras[GATE_KEY]
    verdict = gate.admit(chat.id, time.monotonic())
    if verdict == WARN:
        log.info("flood: chat %s asked to slow down", chat.id)
        await reply(message, svc.content.messages.slow_down)
    if verdict in (WARN, DROP):
        raise ApplicationHandlerStop
