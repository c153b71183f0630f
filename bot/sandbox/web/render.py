"""Messages as the page shows them: Telegram's formatting rebuilt from entities as safe HTML.

A Telegram client never renders the HTML a bot sent: it shows the parsed text with entities on
top. Doing the same here means every character of message text is escaped, and only the tags
below are ever produced, whatever the bot or a user typed.
"""

from __future__ import annotations

import html
import re
from typing import Any

from bot.sandbox.models import ChatMessage

# Entity type -> (opening tag, closing tag). text_link, url and pre are built separately.
_SIMPLE = {
    "bold": ("<b>", "</b>"),
    "italic": ("<i>", "</i>"),
    "underline": ("<u>", "</u>"),
    "strikethrough": ("<s>", "</s>"),
    "spoiler": ('<span class="spoiler" tabindex="0" title="spoiler: tap to show">', "</span>"),
    "code": ("<code>", "</code>"),
    "blockquote": ("<blockquote>", "</blockquote>"),
    "expandable_blockquote": ('<blockquote class="expandable">', "</blockquote>"),
    "mention": ('<span class="mention">', "</span>"),
    "hashtag": ('<span class="mention">', "</span>"),
    "bot_command": ('<span class="command">', "</span>"),
}
_NO_COMMANDS_INSIDE = frozenset({"code", "pre", "text_link", "url"})
# A /command in a bot's text is tappable in Telegram: it sends the command.
_COMMAND = re.compile(r"(?<![^\s(])/[A-Za-z][A-Za-z0-9_]{0,31}\b")
_SAFE_LINK = re.compile(r"^https?://", re.IGNORECASE)


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def _utf16_to_index(text: str) -> dict[int, int]:
    """UTF-16 offset -> index into the Python string, for every character boundary."""
    mapping, units = {0: 0}, 0
    for index, char in enumerate(text, 1):
        units += 2 if ord(char) > 0xFFFF else 1
        mapping[units] = index
    return mapping


def _link(url: str) -> tuple[str, str]:
    if _SAFE_LINK.match(url):
        return f'<a href="{_escape(url)}" target="_blank" rel="noopener noreferrer">', "</a>"
    # tg://, mailto: or anything else: shown, never followed from the page.
    return f'<span class="link" title="{_escape(url)}">', "</span>"


def _tags(entity: dict, text: str) -> tuple[str, str]:
    kind = entity.get("type")
    if kind in _SIMPLE:
        return _SIMPLE[kind]
    if kind == "text_link":
        return _link(str(entity.get("url", "")))
    if kind == "url":
        return _link(text if "://" in text else "http://" + text)
    if kind == "pre":
        language = entity.get("language")
        attr = f' class="language-{_escape(str(language))}"' if language else ""
        return f"<pre><code{attr}>", "</code></pre>"
    return '<span class="entity">', "</span>"  # anything newer: plain, but marked


def _plain(segment: str, commands: bool) -> str:
    if not commands:
        return _escape(segment)
    out, last = [], 0
    for match in _COMMAND.finditer(segment):
        command = match.group()
        out.append(_escape(segment[last : match.start()]))
        out.append(f'<a class="cmd" href="#" data-command="{_escape(command)}">{_escape(command)}</a>')
        last = match.end()
    out.append(_escape(segment[last:]))
    return "".join(out)


def to_html(text: str, entities: tuple[dict, ...] | list[dict] = (), *, commands: bool = False) -> str:
    """Safe HTML for `text` with its entities (UTF-16 offsets, as the Bot API gives them).

    Entities that overlap without nesting are closed and reopened around each other, as HTML
    needs. With commands=True, /commands outside code and links become tappable.
    """
    positions = _utf16_to_index(text)
    spans = []
    for order, entity in enumerate(entities):
        try:
            start = positions[int(entity["offset"])]
            end = positions[int(entity["offset"]) + int(entity["length"])]
        except (KeyError, TypeError, ValueError):
            continue  # an offset inside a surrogate pair or past the end: ignore, as clients do
        if end > start:
            spans.append((start, end, order, entity))
    spans.sort(key=lambda s: (s[0], -s[1], s[2]))
    cuts = sorted({0, len(text), *(s[0] for s in spans), *(s[1] for s in spans)})

    out: list[str] = []
    stack: list[tuple[int, int, int, dict]] = []
    pending = list(reversed(spans))  # pop() gives the next span to open
    for here, there in zip(cuts, cuts[1:] + [None], strict=False):
        # Close what ends here; anything opened inside it is closed and opened again.
        if any(span[1] == here for span in stack):
            keep = [span for span in stack if span[1] != here]
            for span in reversed(stack):
                out.append(_tags(span[3], text[span[0] : span[1]])[1])
            stack = []
            for span in keep:
                out.append(_tags(span[3], text[span[0] : span[1]])[0])
                stack.append(span)
        while pending and pending[-1][0] == here:
            span = pending.pop()
            out.append(_tags(span[3], text[span[0] : span[1]])[0])
            stack.append(span)
        if there is None:
            break
        inside_code = any(span[3].get("type") in _NO_COMMANDS_INSIDE for span in stack)
        out.append(_plain(text[here:there], commands and not inside_code))
    for span in reversed(stack):
        out.append(_tags(span[3], text[span[0] : span[1]])[1])
    return "".join(out)


_PLACEHOLDERS = {"sticker": "🖼 sticker", "photo": "📷 photo", "voice": "🎤 voice message"}


def message_view(message: ChatMessage, sender: dict[str, Any]) -> dict[str, Any]:
    """The JSON the page gets for one message as it stands now."""
    if message.kind == "text":
        body = to_html(message.text or "", message.entities, commands=message.from_bot)
    else:
        caption = (message.extra or {}).get("caption")
        body = _escape(_PLACEHOLDERS.get(message.kind, message.kind))
        if caption:
            body += "\n" + _escape(caption)
    return {
        "id": message.message_id,
        "chat_id": message.chat_id,
        "from_bot": message.from_bot,
        "sender": sender.get("first_name", ""),
        "sender_id": sender.get("id"),
        "date": message.date,
        "edited": message.edits > 0,
        "edits": message.edits,
        "html": body,
        "buttons": [[_button(b) for b in row] for row in message.inline_keyboard],
        "reply_to": message.reply_to,
        "delivered": message.delivered,
    }


def _button(button: dict) -> dict[str, Any]:
    view: dict[str, Any] = {"text": str(button.get("text", ""))}
    if button.get("callback_data") not in (None, ""):
        view["data"] = str(button["callback_data"])
    elif isinstance(button.get("url"), str) and _SAFE_LINK.match(button["url"]):
        view["url"] = button["url"]
    return view  # neither: shown but not tappable here (web apps, games, payments...)
