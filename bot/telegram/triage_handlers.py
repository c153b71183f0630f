"""The symptom check ("triage") in Telegram: taps edit the check's message in place per question;
a typed answer moves the check to a new message at the bottom of the chat (the old one keeps its
text and loses its buttons), so what the person typed is always answered below it. The outcome is
advice: its buttons never edit it (keyboards.advice, sending.show).

State lives in two places, both outside memory:
- each button carries its check's whole state (see triage_callbacks), so taps survive restarts
  and two checks in two messages never mix;
- a small SQLite row per chat (the chat's one awaiting-an-answer row, bot.storage.open_triage) says which message asks the open question and the
  answers so far, only so a typed "yes" can be applied. It is deleted when the check ends, is
  cancelled, the person moves on (a command or another button) or after POINTER_TTL of quiet.
Only the outcome level is counted, anonymously; nothing of the answers is kept after the end.

Handler groups: typed text and "moving on" run in groups of their own (bot.app's routing table,
TRIAGE_TYPED and TRIAGE_LEAVE), so they never shadow the reminders' typed-input handlers (in a
group only the first matching handler runs).
"""

from __future__ import annotations

import logging
import re

from telegram import Message, Update
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.core.triage import (
    Outcome,
    answer,
    back,
    decide,
    is_finished,
    is_opening,
    next_step,
    open_question,
    parse_typed_answer,
    preanswer,
    render_tap_hint,
)
from bot.storage import open_triage, stats
from bot.storage import pending as pending_store
from bot.telegram import triage_callbacks as tcb
from bot.telegram.handlers import main_menu_screen, stale_button
from bot.telegram.sending import answer_query, drop_keyboard, reply, send, show
from bot.telegram.services import Services, services
from bot.telegram.triage_screens import outcome_screen, question_screen, restart_screen, tips_screen

log = logging.getLogger(__name__)

# Typed answers apply this long after the last step (the one expiry of every awaited answer);
# buttons always work.
POINTER_TTL = pending_store.MAX_AGE


# ---- the open-check pointer ----

async def _remember(svc: Services, chat_id: int, message_id: int, answers: str) -> None:
    now = svc.clock()
    await open_triage.purge_open_triages(svc.db, now - POINTER_TTL)
    await open_triage.save_open_triage(svc.db, chat_id, message_id, svc.triage.version, answers, now)


async def _open_pointer(svc: Services, chat_id: int) -> open_triage.OpenTriage | None:
    pointer = await open_triage.get_open_triage(svc.db, chat_id)
    if pointer is not None and pointer.updated_at < svc.clock() - POINTER_TTL:
        await open_triage.close_open_triage(svc.db, chat_id, pointer.message_id)
        return None
    return pointer


async def _finish(svc: Services, chat_id: int, message_id: int, outcome: Outcome) -> None:
    await open_triage.close_open_triage(svc.db, chat_id, message_id)
    await stats.count_triage_outcome(svc.db, outcome.level)
    log.info("triage finished")
    log.debug("triage outcome level=%s", outcome.level)


# ---- starting ----

async def _start_in_new_message(message: Message, svc: Services, answers: str = "") -> None:
    """`answers`: what the opening message already said (context only; see triage.preanswer)."""
    sent = await reply(message, *question_screen(svc.triage, svc.content, answers))
    await _remember(svc, sent.chat_id, sent.message_id, answers)
    log.info("triage started")


async def triage_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _start_in_new_message(update.effective_message, services(context))


# ---- buttons ----

async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    tap = tcb.parse(query.data)
    if tap is None:
        await stale_button(update, context)
        return
    svc = services(context)
    triage, content = svc.triage, svc.content
    chat = update.effective_chat
    message_id = query.message.message_id if query.message is not None else None

    async def remember(answers: str) -> None:
        if chat is not None and message_id is not None:
            await _remember(svc, chat.id, message_id, answers)

    # The database is brought up to date before the screen changes: once the person sees a
    # step, a typed answer to it finds the right state.
    if tap.kind == "start":
        await remember("")
        await answer_query(query)
        await show(query, *question_screen(triage, content, ""))
        log.info("triage started")
        return
    if tap.kind == "resume":
        await answer_query(query)
        await _resume(query.get_bot(), svc, chat.id if chat is not None else None, query.from_user)
        return
    if tap.kind == "cancel":
        if chat is not None:
            await open_triage.close_open_triage(svc.db, chat.id, message_id)
        await answer_query(query)
        await show(query, *main_menu_screen(content, content.messages.cancelled))
        return
    if tap.action == tcb.TIPS:
        await _send_tips(update, svc, tap)
        return

    question = open_question(triage, tap.answers) if tap.version == triage.version else None
    if question is None or (tap.action != tcb.BACK and tap.action not in question.choices):
        # A keyboard from an older question set, or data that was tampered with.
        log.info("triage button from another question set; starting again")
        await remember("")
        await answer_query(query, triage.labels.restarted)
        await show(query, *restart_screen(triage, content))
        return

    answers = back(tap.answers) if tap.action == tcb.BACK else answer(triage, tap.answers, tap.action)
    step = next_step(triage, answers)
    if isinstance(step, Outcome):
        if chat is not None and message_id is not None:
            await _finish(svc, chat.id, message_id, step)
        await answer_query(query)
        await show(query, *outcome_screen(triage, content, step, answers))
        return
    await remember(answers)
    await answer_query(query)
    await show(query, *question_screen(triage, content, answers))


async def _send_tips(update: Update, svc: Services, tap: tcb.Tap) -> None:
    """The tips go in a new message: the outcome above, with its safety net, stays as it was."""
    query = update.callback_query
    triage = svc.triage
    fits = tap.version == triage.version and is_finished(triage, tap.answers)
    # A button from an older question set still gets the general tips, only not the tailored ones.
    outcome = decide(triage, tap.answers) if fits else None
    await answer_query(query)
    chat = update.effective_chat
    if chat is not None:
        text, markup = tips_screen(triage, svc.content, outcome)
        await send(query.get_bot(), chat.id, text, markup, for_user=query.from_user)


async def _resume(bot, svc: Services, chat_id: int | None, user) -> None:
    """The open question again, as a new message at the bottom; the old one loses its buttons."""
    pointer = await _open_pointer(svc, chat_id) if chat_id is not None else None
    question = (
        open_question(svc.triage, pointer.answers)
        if pointer is not None and pointer.version == svc.triage.version
        else None
    )
    if chat_id is None or pointer is None or question is None:
        if chat_id is not None:
            await send(bot, chat_id, *restart_screen(svc.triage, svc.content), for_user=user)
        return
    sent = await send(bot, chat_id, *question_screen(svc.triage, svc.content, pointer.answers), for_user=user)
    await _remember(svc, chat_id, sent.message_id, pointer.answers)
    await drop_keyboard(bot, chat_id, pointer.message_id)


async def continue_offer(svc: Services, chat_id: int) -> tuple[str, str, str] | None:
    """(line, button label, button data) under a normal answer while a check is open."""
    pointer = await _open_pointer(svc, chat_id)
    if pointer is None or pointer.version != svc.triage.version or open_question(svc.triage, pointer.answers) is None:
        return None
    labels = svc.triage.labels
    return labels.still_open, labels.resume, tcb.resume_data()


# ---- typed messages ----

async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Claims typed openings and anything typed while a question is open; red flags go first."""
    message = update.effective_message
    text = message.text or ""
    svc = services(context)
    triage = svc.triage
    chat_id = message.chat_id
    pointer = await _open_pointer(svc, chat_id)
    opening = is_opening(triage, text)
    if pointer is None and not opening:
        return
    if svc.engine.is_urgent(text):
        return  # the emergency / same-day reply of the normal handler comes first, always

    if opening:
        await _start_in_new_message(message, svc, preanswer(triage, text))
        raise ApplicationHandlerStop
    assert pointer is not None
    choice = parse_typed_answer(text)
    question = open_question(triage, pointer.answers) if pointer.version == triage.version else None
    if question is None:
        await open_triage.close_open_triage(svc.db, chat_id, pointer.message_id)
        if choice is None:
            return  # not meant for the check: the normal handler answers it
        sent = await reply(message, *restart_screen(triage, svc.content))
        await _remember(svc, chat_id, sent.message_id, "")
        raise ApplicationHandlerStop
    if choice is None:
        # Not an answer ("can I take ibuprofen?", "hi"): the normal handler answers it, and its
        # reply offers to continue the check (continue_offer), so nothing is swallowed or lost.
        return
    if choice not in question.choices:
        await reply(message, render_tap_hint(triage, question))
        raise ApplicationHandlerStop

    answers = answer(triage, pointer.answers, choice)
    step = next_step(triage, answers)
    # The next step goes under what was typed, not into the message above it: editing that one
    # would put the answer (perhaps the outcome) off-screen while nothing new appears below.
    if isinstance(step, Outcome):
        await _finish(svc, chat_id, pointer.message_id, step)
        await reply(message, *outcome_screen(triage, svc.content, step, answers))
    else:
        sent = await reply(message, *question_screen(triage, svc.content, answers))
        await _remember(svc, chat_id, sent.message_id, answers)
    # The question above keeps its text; its buttons go, so only the newest question is live.
    await drop_keyboard(context.bot, chat_id, pointer.message_id)
    raise ApplicationHandlerStop


# ---- moving on ----

async def leave(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command or another button: typed text is no longer taken as an answer (the buttons still work)."""
    chat = update.effective_chat
    if chat is not None:
        await open_triage.close_open_triage(services(context).db, chat.id)


def is_other_button(data: object) -> bool:
    """Any button but the check's own: tapping one leaves an open check."""
    return not (isinstance(data, str) and re.match(tcb.PATTERN, data))


def leave_handlers() -> list[BaseHandler]:
    """A command or another feature's button leaves the open check (and does not stop there)."""
    return [MessageHandler(filters.COMMAND, leave), CallbackQueryHandler(leave, pattern=is_other_button)]


def typed_handlers() -> list[BaseHandler]:
    """Typed answers and typed openings, claimed with ApplicationHandlerStop."""
    return [MessageHandler(filters.TEXT & ~filters.COMMAND, on_text)]


def main_handlers() -> list[BaseHandler]:
    return [CommandHandler("triage", triage_command), CallbackQueryHandler(on_button, pattern=tcb.PATTERN)]
