"""/privacy, /forget (with a confirm button) and /stats (ADMIN_IDS only)."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, ContextTypes

from bot.core.schedule import zone_label
from bot.core.telegram_html import escape
from bot.storage import privacy, stats
from bot.storage.db import checkpoint_soon
from bot.telegram import handlers
from bot.telegram import keyboards as kb
from bot.telegram import reminder_ui as ui
from bot.telegram.sending import answer_query, reply, show
from bot.telegram.services import services

log = logging.getLogger(__name__)


async def privacy_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    texts = svc.reminders.texts.privacy
    summary = await privacy.chat_summary(svc.db, update.effective_chat.id)
    if summary.empty:
        now = texts.now_nothing
    else:
        kinds = ", ".join(escape(svc.reminders.texts.kinds.of(k)) for k in summary.active) or texts.none
        zone = escape(zone_label(summary.zone)) if summary.zone else texts.not_set
        now = texts.now.format(zone=zone, active=kinds, days=summary.done_days)
    await reply(update.effective_message, f"{texts.text}\n\n{now}", kb.only_home(svc.content))


async def forget_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    await reply(update.effective_message, svc.reminders.texts.privacy.forget_confirm, ui.forget_keyboard(svc.reminders))


async def forget_confirmed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The confirm button: delete every row about the chat, which also stops its reminders."""
    svc = services(context)
    query = update.callback_query
    found = await privacy.forget_chat(svc.db, update.effective_chat.id)
    # The deleted rows' old page images leave the write-ahead log too: now, or as soon as no other
    # connection (a backup) reads an older snapshot - retried in the background until then.
    await checkpoint_soon(svc.db)
    log.info("chat forgotten (had data: %s)", found)
    texts = svc.reminders.texts.privacy
    await answer_query(query)
    await show(query, texts.forgotten if found else texts.nothing_to_forget, kb.only_home(svc.content))


async def forget_kept(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    await answer_query(update.callback_query)
    await show(update.callback_query, svc.reminders.texts.privacy.kept, kb.only_home(svc.content))


async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    user = update.effective_user
    if user is None or user.id not in svc.admin_ids:
        await handlers.unknown_command(update, context)  # not even a hint that /stats exists
        return
    texts = svc.reminders.texts.stats
    counts = await stats.stats(svc.db, svc.clock())
    triage = await stats.triage_counts(svc.db)
    outcomes = ", ".join(f"{escape(level)} {n}" for level, n in triage.items()) or texts.none
    text = texts.text.format(
        users=counts.users,
        stretching=counts.active.get("stretching", 0),
        hydration=counts.active.get("hydration", 0),
        sent=counts.sent_24h,
        failed=counts.failed_24h,
        retrying=counts.retrying,
        triage=outcomes,
    )
    await reply(update.effective_message, text, kb.only_home(svc.content))


def main_handlers() -> list[BaseHandler]:
    return [
        CommandHandler("privacy", privacy_command),
        CommandHandler("forget", forget_command),
        CommandHandler("stats", stats_command),
    ]
