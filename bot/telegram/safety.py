"""The one safety question asked before an answer, and what its Yes / No buttons do.

The engine asks it when a message touches a warning-sign area without a clear match, or names an
emergency sign in doubt ("no chest pain"). The buttons carry everything needed to finish, so
nothing of what the person typed is stored and a tap after a restart still works:

    sq:<check id without "check-">:<y|n>:<kind of the answer>:<topic ids, comma-separated>

Yes gives the urgent reply; No gives the answer the message would have had. The question stays
on screen with the answer under it; the reply arrives as a new message at the bottom of the chat.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import ContextTypes

from bot.core.answers import Reply
from bot.core.content import Content
from bot.core.telegram_html import escape
from bot.telegram import callbacks as cb
from bot.telegram import keyboards as kb
from bot.telegram.sending import answer_query, send, show
from bot.telegram.services import services

log = logging.getLogger(__name__)

PREFIX = "sq"
CHECK_PREFIX = "check-"
KINDS = {"answer": "a", "clarify": "c", "no_match": "n"}
KIND_NAMES = {v: k for k, v in KINDS.items()}


def buttons(content: Content, reply: Reply) -> InlineKeyboardMarkup:
    """Yes / No under a safety question; the No button remembers the answer to give."""
    then = reply.then
    kind = KINDS.get(then.kind, "n") if then else "n"
    topics = list(then.topics) if then else []
    check = (reply.check or "").removeprefix(CHECK_PREFIX)
    # Keep within 64 bytes: a second topic is dropped before the first (a clarify becomes an answer).
    while True:
        try:
            no = cb.encode(PREFIX, check, "n", kind, ",".join(topics))
            break
        except ValueError:
            topics = topics[:-1]
            kind = KINDS["answer"] if topics else KINDS["no_match"]
    labels = content.messages.buttons
    return InlineKeyboardMarkup(
        [[kb.button(labels.yes, PREFIX, check, "y"), kb.InlineKeyboardButton(labels.no, callback_data=no)]]
    )


def parse(data: str | None) -> tuple[str, bool, str, tuple[str, ...]] | None:
    """(check id, yes?, answer kind, topics) or None for anything malformed."""
    fields = cb.decode(data)
    if len(fields) < 3 or fields[0] != PREFIX or fields[2] not in ("y", "n"):
        return None
    check = CHECK_PREFIX + fields[1]
    if fields[2] == "y":
        return (check, True, "", ()) if len(fields) == 3 else None
    if len(fields) != 5 or fields[3] not in KIND_NAMES:
        return None
    topics = tuple(t for t in fields[4].split(",") if t)
    return check, False, KIND_NAMES[fields[3]], topics


async def on_safety_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    from bot.telegram.handlers import reply_screen, stale_button

    svc = services(context)
    query = update.callback_query
    parsed = parse(query.data)
    check = svc.engine.redflags.check_by_id.get(parsed[0]) if parsed else None
    if parsed is None or check is None:
        await stale_button(update, context)
        return
    _, yes, kind, topics = parsed
    messages = svc.content.messages
    answer = svc.engine.urgent(check.level, check.flag) if yes else svc.engine.reply_for(kind, topics)
    log.info("safety question answered: check=%s yes=%s reply=%s", check.id, yes, answer.kind)
    await answer_query(query)
    # The question stays readable with the answer under it; its buttons go, so it can't be re-tapped.
    said = messages.safety_answered.format(answer=escape(messages.buttons.yes if yes else messages.buttons.no))
    await show(query, f"{check.question}\n\n<i>{said}</i>", None)
    message = query.message if isinstance(query.message, Message) else None
    if message is not None:
        text, markup = reply_screen(svc.content, answer)
        await send(query.get_bot(), message.chat.id, text, markup, for_user=query.from_user)


PATTERN = rf"^{PREFIX}{cb.SEP}"
