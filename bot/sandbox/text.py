"""Message text as Telegram stores it: parse mode applied, entities, whitespace trimmed."""

from __future__ import annotations

import json
import re
from typing import Any

from bot.core.telegram_html import MAX_MESSAGE_LENGTH, HtmlError, check_message_text, parse_html_entities, utf16_length
from bot.sandbox.models import ChatMessage
from bot.sandbox.params import ApiError, Params, bad_request

PARSE_MODES = {"": None, "html": "HTML", "markdown": "Markdown", "markdownv2": "MarkdownV2"}
# Telegram marks a command anywhere it starts a word; PTB's CommandHandler reads the one at 0.
_COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")


def formatted_text(params: Params, limit: int = MAX_MESSAGE_LENGTH) -> tuple[str, tuple[dict, ...], str | None]:
    """Read text, parse_mode and entities -> (visible text, entities, parse mode) or raise ApiError.

    Markdown modes are accepted but not parsed: the text is kept as sent, without entities.
    """
    text = params.str("text")
    if not text:
        raise bad_request("message text is empty")
    mode_name = (params.str("parse_mode") or "").lower()
    if mode_name not in PARSE_MODES:
        raise bad_request("unsupported parse_mode")
    mode = PARSE_MODES[mode_name]
    entities: list[dict] = []
    if mode == "HTML":
        try:
            text, entities = parse_html_entities(text)
        except HtmlError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None
    elif mode is None and "entities" in params:
        entities = _explicit_entities(params)
    # Length and emptiness are judged on the visible text, as Telegram does.
    problem = check_message_text(text, parse_mode=None, limit=limit)
    if problem:
        raise ApiError(400, problem)
    text, entities = _trim(text, entities)
    return text, tuple(entities), mode


def _explicit_entities(params: Params) -> list[dict]:
    try:
        value = params.json("entities")
    except ValueError:
        raise bad_request("can't parse entities JSON object") from None
    if not isinstance(value, list) or not all(isinstance(e, dict) for e in value):
        raise bad_request("can't parse entities JSON object")
    return [dict(e) for e in value]


def _trim(text: str, entities: list[dict]) -> tuple[str, list[dict]]:
    """Telegram drops leading and trailing whitespace and shifts or clips entities to match."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    shift = utf16_length(text[: len(text) - len(text.lstrip())])
    size = utf16_length(stripped)
    kept = []
    for entity in entities:
        start = max(0, entity["offset"] - shift)
        end = min(size, entity["offset"] + entity["length"] - shift)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


def command_entities(text: str) -> list[dict]:
    """bot_command entities for a user's text, with UTF-16 offsets."""
    found = []
    for match in _COMMAND.finditer(text):
        found.append(
            {
                "type": "bot_command",
                "offset": utf16_length(text[: match.start()]),
                "length": utf16_length(match.group()),
            }
        )
    return found


def compact_json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def message_json(
    message: ChatMessage, chat: dict[str, Any], sender: dict[str, Any], markup: dict | None = None
) -> dict[str, Any]:
    """The Bot API Message object for `message` (`markup`: its reply_markup if already parsed)."""
    data: dict[str, Any] = {"message_id": message.message_id, "date": message.date, "chat": chat, "from": sender}
    if message.edit_date is not None:
        data["edit_date"] = message.edit_date
    if message.kind == "text":
        data["text"] = message.text
        if message.entities:
            data["entities"] = list(message.entities)
    elif message.extra:
        data.update(message.extra)
    # Telegram echoes only inline keyboards in Message.reply_markup.
    if markup is None and message.markup_json:
        markup = message.reply_markup
    if markup and "inline_keyboard" in markup:
        data["reply_markup"] = markup
    return data
