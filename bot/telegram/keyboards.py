"""Inline keyboards for the menus, built from content only.

Each menu is a pure function of the content and its (hashable) arguments, and PTB's markups are
immutable, so a keyboard is built once per content and arguments and shared after that: building
one costs 30-130 us, about a tenth of the bot's own work for a tap or a command.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.content import Content
from bot.telegram import callbacks as cb

CONTENTS_REMEMBERED = 4  # a running bot has one content; tests load many
KEYBOARDS_PER_CONTENT = 1024  # topic_actions and topic_choices vary with the answer; bounded anyway
ADVICE_REMEMBERED = 256

_built: OrderedDict[int, tuple[Content, dict[tuple, InlineKeyboardMarkup]]] = OrderedDict()
_advised: OrderedDict[int, tuple[InlineKeyboardMarkup, InlineKeyboardMarkup]] = OrderedDict()


def per_content(build: Callable[..., InlineKeyboardMarkup]) -> Callable[..., InlineKeyboardMarkup]:
    """Remember what `build(content, *args)` returned, for this very content object (its identity:
    Content holds dicts, so it has no hash) and these arguments."""

    @functools.wraps(build)
    def cached(content: Content, *args: Any, **kwargs: Any) -> InlineKeyboardMarkup:
        entry = _built.get(id(content))
        if entry is None or entry[0] is not content:  # the entry holds it, so its id is not reused
            entry = _built[id(content)] = (content, {})
            while len(_built) > CONTENTS_REMEMBERED:
                _built.popitem(last=False)
        key = (build.__name__, args, tuple(sorted(kwargs.items())))
        markup = entry[1].get(key)
        if markup is None:
            if len(entry[1]) >= KEYBOARDS_PER_CONTENT:
                entry[1].clear()
            markup = entry[1][key] = build(content, *args, **kwargs)
        return markup

    return cached


def button(text: str, *data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=cb.encode(*data))


# The first-hours answer sits above the menu: someone whose back has just gone should not have to
# guess which section it is in. Topic ids never change (content/README.md).
RIGHT_NOW_TOPIC = "right-now"
SHORT_LABEL = 16  # two labels this long still fit side by side on a narrow phone


def pack(buttons: list[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    """Two short buttons to a row; a long label gets a row of its own so it is not cut off."""
    rows: list[list[InlineKeyboardButton]] = []
    for b in buttons:
        last = rows[-1] if rows else None
        if last and len(last) == 1 and len(last[0].text) <= SHORT_LABEL and len(b.text) <= SHORT_LABEL:
            last.append(b)
        else:
            rows.append([b])
    return rows


@per_content
def main_menu(content: Content) -> InlineKeyboardMarkup:
    labels = content.messages.buttons
    categories = [button(c.title, cb.CATEGORY, c.id) for c in content.categories]
    rows = []
    right_now = content.topics.get(RIGHT_NOW_TOPIC)
    if right_now is not None:
        rows.append([button(right_now.title, cb.TOPIC, right_now.id)])
    rows += pack(categories)
    rows.append([button(labels.triage, cb.TRIAGE)])
    rows += pack([button(labels.reminders, cb.REMINDERS), button(labels.ask, cb.ASK), button(labels.about, cb.ABOUT)])
    return InlineKeyboardMarkup(rows)


def home_row(content: Content) -> list[InlineKeyboardButton]:
    return [button(content.messages.buttons.main_menu, cb.MAIN_MENU)]


@per_content
def only_home(content: Content) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([home_row(content)])


@per_content
def category_menu(content: Content, category_id: str) -> InlineKeyboardMarkup:
    rows = [[button(t.title, cb.TOPIC, t.id)] for t in content.topics_in(category_id)]
    rows.append(home_row(content))
    return InlineKeyboardMarkup(rows)


@per_content
def topic_actions(
    content: Content,
    topic_id: str,
    related: tuple[str, ...] | None = None,
    back_to: str | None = None,
    typed: bool = False,
) -> InlineKeyboardMarkup:
    """Related topics, then a way back and Main menu.

    Related buttons remember this topic, so Back on the next screen returns here. Back goes to
    `back_to` (the topic this one was opened from) or else the topic's section; under a typed
    answer there is nothing to go back to, so the button names the section instead."""
    topic = content.topics[topic_id]
    related_ids = topic.related if related is None else related
    rows = [[button(content.topics[r].title, cb.TOPIC, r, topic_id)] for r in related_ids if r in content.topics]
    if back_to is not None:
        way_back = button(content.messages.buttons.back, cb.TOPIC, back_to)
    else:
        category = content.category(topic.category)
        label = category.title if typed and category is not None else content.messages.buttons.back
        way_back = button(label, cb.CATEGORY, topic.category)
    rows.append([way_back, button(content.messages.buttons.main_menu, cb.MAIN_MENU)])
    return InlineKeyboardMarkup(rows)


def marked(markup: InlineKeyboardMarkup | None, *, advice: bool = False, owner: int | None = None):
    """The same keyboard with marks on every callback button (see bot.telegram.callbacks)."""
    if markup is None or (not advice and owner is None):
        return markup
    rows = [
        [
            InlineKeyboardButton(b.text, callback_data=cb.mark(b.callback_data, advice=advice, owner=owner))
            if isinstance(b.callback_data, str) else b
            for b in row
        ]
        for row in markup.inline_keyboard
    ]
    return InlineKeyboardMarkup(rows)


def advice(markup: InlineKeyboardMarkup) -> InlineKeyboardMarkup:
    """The keyboard of a message that carries advice: its buttons never edit it (sending.show).
    Remembered by the markup's identity, so the marks on a shared menu are made once."""
    hit = _advised.get(id(markup))
    if hit is not None and hit[0] is markup:  # the entry holds the markup, so its id is not reused
        return hit[1]
    result = marked(markup, advice=True)
    _advised[id(markup)] = (markup, result)
    while len(_advised) > ADVICE_REMEMBERED:
        _advised.popitem(last=False)
    return result


@per_content
def topic_choices(content: Content, topic_ids: tuple[str, ...]) -> InlineKeyboardMarkup:
    """'Did you mean…' candidates, then Main menu."""
    rows = [[button(content.topics[t].title, cb.TOPIC, t)] for t in topic_ids if t in content.topics]
    rows.append(home_row(content))
    return InlineKeyboardMarkup(rows)
