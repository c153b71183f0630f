"""The check's screens as (text, keyboard) pairs, built from the triage core and content only."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.content import Content
from bot.core.triage import Outcome, Triage, choices, render_outcome, render_question
from bot.telegram import callbacks as cb
from bot.telegram import keyboards as kb
from bot.telegram import triage_callbacks as tcb

REMEDIES = "remedies"  # the category the "Self-care tips" button opens

Screen = tuple[str, InlineKeyboardMarkup]


def question_screen(triage: Triage, content: Content, answers: str) -> Screen:
    """The open question for `answers` (a valid, unfinished state): Yes/No(/Not sure), Back, Cancel."""
    question = triage.questions[len(answers)]
    version = triage.version
    answer_row = [
        InlineKeyboardButton(label, callback_data=tcb.step_data(version, answers, choice))
        for choice, label in choices(triage, question)
    ]
    nav_row = [InlineKeyboardButton(triage.labels.cancel, callback_data=tcb.cancel_data())]
    if answers:  # nothing to undo at the first question
        back_data = tcb.step_data(version, answers, tcb.BACK)
        nav_row.insert(0, InlineKeyboardButton(content.messages.buttons.back, callback_data=back_data))
    return render_question(triage, answers), InlineKeyboardMarkup([answer_row, nav_row])


def restart_screen(triage: Triage, content: Content) -> Screen:
    """For a button from an older question set: say so, then the first question."""
    text, markup = question_screen(triage, content, "")
    return f"{triage.labels.restarted}\n\n{text}", markup


def outcome_screen(triage: Triage, content: Content, outcome: Outcome) -> Screen:
    """The outcome with the disclaimer; an emergency gets only the way home, no tips or reminders."""
    text = render_outcome(outcome, f"<i>{content.messages.disclaimer}</i>")
    rows = []
    if outcome.offer_tips and content.category(REMEDIES) is not None:
        rows.append([kb.button(triage.labels.tips_button, cb.CATEGORY, REMEDIES)])
    if outcome.offer_reminders:
        rows.append([kb.button(triage.labels.reminders_button, cb.REMINDERS)])
    rows.append(kb.home_row(content))
    return text, InlineKeyboardMarkup(rows)
