"""The check's screens as (text, keyboard) pairs, built from the triage core and content only."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.content import Content
from bot.core.triage import (
    Outcome,
    Triage,
    asked_count,
    choices,
    open_question,
    render_outcome,
    render_question,
    render_tips,
)
from bot.telegram import callbacks as cb
from bot.telegram import keyboards as kb
from bot.telegram import triage_callbacks as tcb

Screen = tuple[str, InlineKeyboardMarkup]


def _disclaimer(content: Content) -> str:
    return f"<i>{content.messages.disclaimer}</i>"


def question_screen(triage: Triage, content: Content, answers: str) -> Screen:
    """The open question for `answers` (a valid, unfinished state): Yes/No(/Not sure), Back, Cancel."""
    question = open_question(triage, answers)
    if question is None:
        raise ValueError(f"no open question for {answers!r}")
    version = triage.version
    answer_row = [
        InlineKeyboardButton(label, callback_data=tcb.step_data(version, answers, choice))
        for choice, label in choices(triage, question)
    ]
    nav_row = [InlineKeyboardButton(triage.labels.cancel, callback_data=tcb.cancel_data())]
    if asked_count(answers):  # nothing to undo at the first question
        back_data = tcb.step_data(version, answers, tcb.BACK)
        nav_row.insert(0, InlineKeyboardButton(content.messages.buttons.back, callback_data=back_data))
    return render_question(triage, answers), InlineKeyboardMarkup([answer_row, nav_row])


def restart_screen(triage: Triage, content: Content) -> Screen:
    """For a button from an older question set: say so, then the first question."""
    text, markup = question_screen(triage, content, "")
    return f"{triage.labels.restarted}\n\n{text}", markup


def outcome_screen(triage: Triage, content: Content, outcome: Outcome, answers: str) -> Screen:
    """The outcome with the disclaimer. Emergency and same day get only the way home; self-care and
    appointment get the tips button (its data is the finished state, so it knows which tips).
    It is advice: none of its buttons edits it (keyboards.advice)."""
    text = render_outcome(outcome, _disclaimer(content))
    rows = []
    if outcome.offer_tips:
        data = tcb.tips_data(triage.version, answers)
        rows.append([InlineKeyboardButton(triage.labels.tips_button, callback_data=data)])
    if outcome.offer_reminders:
        rows.append([kb.button(triage.labels.reminders_button, cb.REMINDERS)])
    rows.append(kb.home_row(content))
    return text, kb.advice(InlineKeyboardMarkup(rows))


def tips_screen(triage: Triage, content: Content, outcome: Outcome | None) -> Screen:
    """The self-care tips, sent as a new message under the outcome (None: the general tips only);
    advice too, so Main menu under them leaves them in place."""
    return render_tips(triage, outcome, _disclaimer(content)), kb.advice(kb.only_home(content))
