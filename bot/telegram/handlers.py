"""Menus, commands and free-text answers.

Features with their own state (triage, reminders) have handlers in earlier groups that claim a
message or button and stop it there; everything else arrives here in group 0. The order of all
handlers is one table: bot.app.routes.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.core.answers import Reply
from bot.core.content import Content
from bot.core.telegram_html import escape
from bot.storage import pending
from bot.telegram import callbacks as cb
from bot.telegram import keyboards as kb
from bot.telegram import safety
from bot.telegram.groups import without_mention
from bot.telegram.sending import answer_query, reply, show
from bot.telegram.services import services

log = logging.getLogger(__name__)


# ---- screens: (text, keyboard) pairs shared by commands and buttons ----

def main_menu_screen(content: Content, lead: str | None = None):
    text = content.messages.main_menu if lead is None else f"{lead}\n\n{content.messages.main_menu}"
    return text, kb.main_menu(content)


def category_screen(content: Content, category_id: str):
    category = content.category(category_id)
    if category is None:
        return None
    return f"<b>{escape(category.title)}</b>\n{category.intro}", kb.category_menu(content, category_id)


def topic_screen(content: Content, topic_id: str, came_from: str | None = None):
    topic = content.topics.get(topic_id)
    if topic is None or (came_from is not None and came_from not in content.topics):
        return None
    markup = kb.topic_actions(content, topic_id, back_to=came_from)
    return f"{topic.body}\n\n<i>{content.messages.disclaimer}</i>", markup


def reply_screen(content: Content, answer: Reply):
    """What to send for a free-text answer from the engine.

    An answer, an urgent reply and a polite refusal that says who can help instead ("a pharmacist
    or GP can", "a vet") are advice: their buttons send the next screen as a new message and leave
    them as they are (keyboards.advice). "Did you mean", the safety question, small talk and "I
    don't know" are only a way on, and may be turned into what is tapped."""
    if answer.kind == "answer" and answer.topics:
        # A typed answer has no screen before it: the section button names where it goes.
        return answer.text, kb.advice(kb.topic_actions(content, answer.topics[0], answer.related, typed=True))
    if answer.kind == "clarify":
        return answer.text, kb.topic_choices(content, answer.topics)
    if answer.kind == "urgent":
        # Only the way home: an emergency reply ends with what to do, never with tips.
        return answer.text, kb.advice(kb.only_home(content))
    if answer.kind == "check":
        return answer.text, safety.buttons(content, answer)
    if answer.kind == "no_match" and answer.declined:
        return answer.text, kb.advice(kb.main_menu(content))
    if answer.kind == "smalltalk" and answer.level not in ("menu", "help"):
        # "ok", "thanks", "hi": one line and the way home, not the whole menu again.
        return answer.text, kb.only_home(content)
    return answer.text, kb.main_menu(content)


# ---- commands ----

async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    content = services(context).content
    lead = f"{content.messages.welcome}\n\n<i>{content.messages.disclaimer}</i>"
    await reply(update.effective_message, *main_menu_screen(content, lead))


async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await reply(update.effective_message, *main_menu_screen(services(context).content))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    content = services(context).content
    await reply(update.effective_message, content.messages.help, kb.main_menu(content))


async def about(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    content = services(context).content
    await reply(update.effective_message, content.messages.about, kb.only_home(content))


def category_command(category_id: str):
    async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        content = services(context).content
        screen = category_screen(content, category_id) or main_menu_screen(content)
        await reply(update.effective_message, *screen)

    return handler


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    content = services(context).content
    await reply(update.effective_message, *main_menu_screen(content, content.messages.cancelled))


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    content = services(context).content
    await reply(update.effective_message, content.messages.unknown_command, kb.main_menu(content))


async def coming_soon(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    content = services(context).content
    await reply(update.effective_message, *main_menu_screen(content, content.messages.coming_soon))


# ---- messages ----

async def free_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    message: Message = update.effective_message
    # "@this_bot what causes…" in a group: the engine reads the question, not the bot's name.
    answer = svc.engine.answer(without_mention(message.text or "", context.bot.username))
    # The kind and topic ids only: users' words stay out of the logs.
    log.info("answered free text: kind=%s topics=%s", answer.kind, ",".join(answer.topics))
    if answer.kind == "smalltalk" and answer.level == "stop":
        # Typed "stop" does what /cancel does: the open question (check or prompt) is closed.
        for close in svc.closers:  # what a command does to each feature's open question
            await close(update, context)
        await reply(message, *main_menu_screen(svc.content, svc.content.messages.cancelled))
        return
    text, markup = reply_screen(svc.content, answer)
    if answer.kind != "urgent":  # an emergency reply ends with what to do, nothing else
        text, markup = await _with_continue_offers(svc, message.chat_id, text, markup)
    await reply(message, text, markup)


async def _with_continue_offers(svc, chat_id: int, text: str, markup):
    """A question left open (the symptom check) is offered under the answer: one line, one button.

    Every open question is a row of the chat's one `awaiting` state, so one read first: with none
    (nearly every message) the offers are not asked, one round trip instead of one per offer."""
    if not svc.continue_offers or not await pending.anything_awaited(svc.db, chat_id):
        return text, markup
    rows = [list(row) for row in markup.inline_keyboard] if markup is not None else []
    for offer in svc.continue_offers:
        found = await offer(svc, chat_id)
        if found:
            line, label, data = found
            text = f"{text}\n\n<i>{escape(line)}</i>"
            rows.insert(0, [InlineKeyboardButton(label, callback_data=data)])
    return text, InlineKeyboardMarkup(rows) if rows else markup


async def unsupported(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    content = services(context).content
    await reply(update.effective_message, content.messages.unsupported_media, kb.main_menu(content))


# ---- buttons ----

async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    content = services(context).content
    fields = cb.decode(query.data)
    action, args = (fields[0], fields[1:]) if fields else ("", [])

    screen = None
    if action == cb.MAIN_MENU and not args:
        screen = main_menu_screen(content)
    elif action == cb.CATEGORY and len(args) == 1:
        screen = category_screen(content, args[0])
    elif action == cb.TOPIC and len(args) in (1, 2):
        # t:<topic>[:<topic it was opened from>]: Back returns to where the person came from.
        screen = topic_screen(content, args[0], came_from=args[1] if len(args) == 2 else None)
    elif action == cb.ASK and not args:
        screen = content.messages.ask_prompt, kb.only_home(content)
    elif action == cb.ABOUT and not args:
        screen = content.messages.about, kb.only_home(content)

    if screen is None:
        await stale_button(update, context)
        return
    await answer_query(query)
    await show(query, *screen)


async def stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button this version of the bot does not know: say so and offer a fresh menu."""
    content = services(context).content
    query = update.callback_query
    log.info("stale or unknown button pressed")
    await answer_query(query, _first_line(content.messages.stale_button))
    await show(query, *main_menu_screen(content, content.messages.stale_button))


def _first_line(text: str) -> str:
    from bot.core.content import plain_text

    return plain_text(text).strip().splitlines()[0][:200]


# One command per main-menu section; each is also a category id in content/categories.toml.
SECTION_COMMANDS = ("causes", "remedies", "symptoms", "doctor", "prevention")

MENU_BUTTONS = rf"^({cb.MAIN_MENU}|{cb.CATEGORY}|{cb.TOPIC}|{cb.ASK}|{cb.ABOUT})({cb.SEP}|$)"


def main_handlers() -> list[BaseHandler]:
    """Commands and menu buttons."""
    return [
        CommandHandler("start", start),
        CommandHandler("menu", menu),
        CommandHandler("help", help_command),
        CommandHandler("about", about),
        *(CommandHandler(section, category_command(section)) for section in SECTION_COMMANDS),
        CommandHandler("cancel", cancel),
        CallbackQueryHandler(on_button, pattern=MENU_BUTTONS),
        CallbackQueryHandler(safety.on_safety_button, pattern=safety.PATTERN),
    ]


def fallbacks() -> list[BaseHandler]:
    """Last in group 0: anything no feature claimed still gets an answer."""
    return [
        CallbackQueryHandler(stale_button),
        MessageHandler(filters.TEXT & ~filters.COMMAND, free_text),
        MessageHandler(filters.COMMAND, unknown_command),
        MessageHandler(~filters.TEXT & ~filters.StatusUpdate.ALL, unsupported),
    ]
