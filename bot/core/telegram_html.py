"""Telegram's HTML parse mode: what it accepts, checked without Telegram.

Used by the content checks and by the fake Bot API server, so both refuse what Telegram refuses.
"""

from __future__ import annotations

import html
import re

MAX_MESSAGE_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024

# Tag -> attributes Telegram accepts on it.
ALLOWED_TAGS: dict[str, frozenset[str]] = {
    "b": frozenset(),
    "strong": frozenset(),
    "i": frozenset(),
    "em": frozenset(),
    "u": frozenset(),
    "ins": frozenset(),
    "s": frozenset(),
    "strike": frozenset(),
    "del": frozenset(),
    "span": frozenset({"class"}),
    "tg-spoiler": frozenset(),
    "a": frozenset({"href"}),
    "code": frozenset({"class"}),
    "pre": frozenset(),
    "blockquote": frozenset({"expandable"}),
    "tg-emoji": frozenset({"emoji-id"}),
}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}

_TOKEN = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:=(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*)\s*>")
_ATTR = re.compile(r"([a-zA-Z-]+)(?:=(\"[^\"]*\"|'[^']*'|[^\s>]+))?")
_ENTITY = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]+);")


class HtmlError(ValueError):
    pass


def escape(text: str) -> str:
    """Make any user-provided string safe inside an HTML-mode message."""
    return html.escape(text, quote=False)


def _decode_entity(token: str) -> str:
    if token.startswith("#x") or token.startswith("#X"):
        return chr(int(token[2:], 16))
    if token.startswith("#"):
        return chr(int(token[1:]))
    if token in NAMED_ENTITIES:
        return NAMED_ENTITIES[token]
    raise HtmlError(f'Unsupported HTML entity "&{token};"')


def parse_html(text: str) -> str:
    """Return the visible text of an HTML-mode message, or raise HtmlError like Telegram would."""
    out: list[str] = []
    stack: list[str] = []
    pos = 0
    while pos < len(text):
        ch = text[pos]
        if ch == "<":
            match = _TOKEN.match(text, pos)
            if not match:
                raise HtmlError(f"Unexpected start of a tag at byte offset {len(text[:pos].encode())}")
            closing, name, attrs = match.group(1), match.group(2).lower(), match.group(3)
            if name not in ALLOWED_TAGS:
                kind = "end" if closing else "start"
                raise HtmlError(f'Unsupported {kind} tag "{name}" at byte offset {len(text[:pos].encode())}')
            if closing:
                if not stack or stack[-1] != name:
                    expected = f'"</{stack[-1]}>"' if stack else "no end tag"
                    raise HtmlError(f'Unmatched end tag at byte offset {len(text[:pos].encode())}, expected {expected}, found "</{name}>"')
                stack.pop()
            else:
                for attr, _value in _ATTR.findall(attrs):
                    if attr.lower() not in ALLOWED_TAGS[name]:
                        raise HtmlError(f'Unsupported attribute "{attr}" in tag "{name}"')
                if name == "span" and "tg-spoiler" not in attrs:
                    raise HtmlError('Tag "span" must have class "tg-spoiler"')
                stack.append(name)
            pos = match.end()
        elif ch == "&":
            match = _ENTITY.match(text, pos)
            if match:
                out.append(_decode_entity(match.group(1)))
                pos = match.end()
            else:  # Telegram keeps a lone ampersand as text.
                out.append("&")
                pos += 1
        elif ch == ">":
            out.append(">")
            pos += 1
        else:
            out.append(ch)
            pos += 1
    if stack:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


def utf16_length(text: str) -> int:
    """Telegram counts length in UTF-16 code units (an emoji can count as two)."""
    return len(text.encode("utf-16-le")) // 2


def check_message_text(text: str, parse_mode: str | None = "HTML", limit: int = MAX_MESSAGE_LENGTH) -> str | None:
    """None if Telegram would accept `text`, else Telegram's error description."""
    visible = text
    if parse_mode and parse_mode.upper() == "HTML":
        try:
            visible = parse_html(text)
        except HtmlError as exc:
            return f"Bad Request: can't parse entities: {exc}"
    if not visible.strip():
        return "Bad Request: message text is empty"
    if utf16_length(visible) > limit:
        return "Bad Request: message is too long"
    return None
