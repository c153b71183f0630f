"""Telegram's HTML parse mode: what it accepts, checked without Telegram.

Used by the content checks and by the fake Bot API server, so both refuse what Telegram refuses.
The rules follow the parser Telegram runs server-side: only the tags in ALLOWED_TAGS; unknown
attributes are ignored; `&lt;` `&gt;` `&amp;` `&quot;` and numeric references are decoded and any
other `&...` stays literal text; error texts and byte offsets match Telegram's.
"""

from __future__ import annotations

import html
import re

MAX_MESSAGE_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024

# Tag -> attributes Telegram reads on it (others are ignored, as Telegram does).
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

# Tag -> the MessageEntity type it produces.
_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}

_SPECIAL = re.compile(r"[<&]")
_SPACE = " \t\r\n\v\f\0"
_NAME_TOKEN = re.compile(r"[A-Za-z0-9.-]*")
_ALPHA = re.compile(r"[A-Za-z]*")
_DIGITS = re.compile(r"[0-9]*")
_HEX = re.compile(r"[0-9A-Fa-f]*")


class HtmlError(ValueError):
    pass


def escape(text: str) -> str:
    """Make any user-provided string safe inside an HTML-mode message."""
    return html.escape(text, quote=False)


def utf16_length(text: str) -> int:
    """Telegram counts length in UTF-16 code units (an emoji can count as two)."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def _run(pattern: re.Pattern[str], text: str, pos: int) -> str:
    """The run of `pattern` at text[pos]; the patterns used end in `*`, so at worst it is ""."""
    match = pattern.match(text, pos)
    return match.group() if match is not None else ""


def _byte_offset(text: str, pos: int) -> int:
    return len(text[:pos].encode("utf-8", "surrogatepass"))


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decode the reference starting at text[pos] == '&' -> (character, end); None keeps '&' literal."""
    if text.startswith("&#", pos):
        hexadecimal = text.startswith("x", pos + 2)  # Telegram reads only a lower-case x
        start = pos + 3 if hexadecimal else pos + 2
        digits = _run(_HEX if hexadecimal else _DIGITS, text, start)
        end = start + len(digits)
        if not digits:
            return None
        code = int(digits, 16 if hexadecimal else 10)
        if code == 0 or code >= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None
        char = chr(code)
    else:
        name = _run(_ALPHA, text, pos + 1)
        if name not in NAMED_ENTITIES:
            return None
        char = NAMED_ENTITIES[name]
        end = pos + 1 + len(name)
    if text.startswith(";", end):  # the semicolon is optional for Telegram
        end += 1
    return char, end


def _skip_spaces(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _SPACE:
        pos += 1
    return pos


def _parse_start_tag(text: str, begin: int) -> tuple[str, str, int]:
    """Parse `<name attr=...>` at `begin` -> (tag name, argument, position after '>')."""
    offset = _byte_offset
    pos = begin + 1
    while pos < len(text) and text[pos] not in _SPACE and text[pos] != ">":
        pos += 1
    if pos >= len(text):
        raise HtmlError(f"Unclosed start tag at byte offset {offset(text, begin)}")
    name = text[begin + 1 : pos].lower()
    if name not in ALLOWED_TAGS:
        raise HtmlError(f'Unsupported start tag "{name}" at byte offset {offset(text, begin)}')
    argument = ""
    while True:
        pos = _skip_spaces(text, pos)
        if pos >= len(text):
            raise HtmlError(f"Unclosed start tag at byte offset {offset(text, begin)}")
        if text[pos] == ">":
            break
        attr_start = pos
        while pos < len(text) and text[pos] not in _SPACE and text[pos] not in "=>":
            pos += 1
        attr = text[attr_start:pos].lower()
        if not attr:
            raise HtmlError(f'Empty attribute name in the tag "{name}" at byte offset {offset(text, begin)}')
        pos = _skip_spaces(text, pos)
        value = ""
        if pos < len(text) and text[pos] == "=":
            pos = _skip_spaces(text, pos + 1)
            if pos >= len(text):
                raise HtmlError(f"Unclosed start tag at byte offset {offset(text, begin)}")
            quote = text[pos]
            if quote in "'\"":
                value, pos = _parse_quoted(text, pos + 1, quote)
                if pos >= len(text):
                    raise HtmlError(f"Unclosed start tag at byte offset {offset(text, begin)}")
            else:
                value = _run(_NAME_TOKEN, text, pos)
                pos += len(value)
                value = value.lower()
                if pos < len(text) and text[pos] not in _SPACE and text[pos] != ">":
                    raise HtmlError(f"Unexpected end of name token at byte offset {offset(text, pos - len(value))}")
        argument = _tag_argument(name, attr, value, argument)
    if name == "span" and argument != "spoiler":
        raise HtmlError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset(text, begin)}')
    return name, argument, pos + 1


def _parse_quoted(text: str, pos: int, quote: str) -> tuple[str, int]:
    out: list[str] = []
    while pos < len(text) and text[pos] != quote:
        if text[pos] == "&" and (decoded := _decode_entity(text, pos)):
            out.append(decoded[0])
            pos = decoded[1]
        else:
            out.append(text[pos])
            pos += 1
    return "".join(out), pos + 1


def _tag_argument(name: str, attr: str, value: str, current: str) -> str:
    if name == "a" and attr == "href":
        return value
    if name == "code" and attr == "class" and value.startswith("language-"):
        return value[len("language-") :]
    if name == "span" and attr == "class" and value.startswith("tg-"):
        return value[len("tg-") :]
    if name == "tg-emoji" and attr == "emoji-id":
        return value
    if name == "blockquote" and attr == "expandable":
        return "1"
    return current


def _entity(name: str, argument: str, offset: int, length: int) -> dict | None:
    kind = _ENTITY_TYPES[name]
    entity: dict = {"type": kind, "offset": offset, "length": length}
    if kind == "text_link":
        if not argument:
            return None
        entity["url"] = argument
    elif kind == "custom_emoji":
        entity["custom_emoji_id"] = argument
    elif kind == "blockquote" and argument:
        entity["type"] = "expandable_blockquote"
    elif kind == "code" and argument:
        entity["language"] = argument  # kept only to merge into an enclosing <pre>
    return entity


def parse_html_entities(text: str) -> tuple[str, list[dict]]:
    """Return (visible text, entities) of an HTML-mode message, or raise HtmlError like Telegram.

    Entities are Bot API MessageEntity dicts with UTF-16 offsets, sorted as Telegram sorts them.
    """
    out: list[str] = []
    out_len = 0  # UTF-16 length of the text produced so far
    stack: list[tuple[str, str, int]] = []  # (tag, argument, UTF-16 start)
    entities: list[dict] = []
    pos = 0
    while True:
        match = _SPECIAL.search(text, pos)
        end = match.start() if match else len(text)
        if end > pos:
            chunk = text[pos:end]
            out.append(chunk)
            out_len += utf16_length(chunk)
        if not match:
            break
        pos = end
        if text[pos] == "&":
            decoded = _decode_entity(text, pos)
            char, pos = decoded if decoded else ("&", pos + 1)
            out.append(char)
            out_len += utf16_length(char)
        elif text.startswith("/", pos + 1):
            pos = _close_tag(text, pos, stack, entities, out_len)
        else:
            name, argument, pos = _parse_start_tag(text, pos)
            stack.append((name, argument, out_len))
    if stack:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _close_tag(text: str, begin: int, stack: list, entities: list[dict], out_len: int) -> int:
    if not stack:
        raise HtmlError(f"Unexpected end tag at byte offset {_byte_offset(text, begin)}")
    pos = begin + 2
    while pos < len(text) and text[pos] not in _SPACE and text[pos] != ">":
        pos += 1
    closing = text[begin + 2 : pos].lower()
    pos = _skip_spaces(text, pos)
    if pos >= len(text) or text[pos] != ">":
        raise HtmlError(f"Unclosed end tag at byte offset {_byte_offset(text, begin)}")
    name, argument, start = stack.pop()
    if closing and closing != name:
        raise HtmlError(
            f'Unmatched end tag at byte offset {_byte_offset(text, begin)}, expected "</{name}>", found "</{closing}>"'
        )
    if out_len > start and (entity := _entity(name, argument, start, out_len - start)):
        last = entities[-1] if entities else None
        if (
            name == "pre"
            and last is not None
            and last["type"] == "code"
            and last.get("language")
            and (last["offset"], last["length"]) == (start, out_len - start)
        ):
            entities.pop()  # <pre><code class="language-x"> is one pre entity with a language
            entity["language"] = last["language"]
        entities.append(entity)
    return pos + 1


def parse_html(text: str) -> str:
    """Return the visible text of an HTML-mode message, or raise HtmlError like Telegram would."""
    return parse_html_entities(text)[0]


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
