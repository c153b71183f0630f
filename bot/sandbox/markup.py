"""Validation of reply markup and bot commands, with Telegram's error descriptions.

One stricter-than-Telegram rule: an inline button with more than one action field (say both
url and callback_data) is refused. Telegram's documentation requires exactly one; the real server
silently picks one, which hides a bug.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from bot.sandbox.params import ApiError, Params, bad_request

MAX_CALLBACK_DATA_BYTES = 64
ACTION_FIELDS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
MAX_COMMANDS = 100
MAX_COMMAND_DESCRIPTION = 256
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_BUTTON = "can't parse inline keyboard button: "


def reply_markup(params: Params, *, inline_only: bool = False) -> dict | None:
    """The validated reply_markup of a request (None if absent), or raise ApiError."""
    if "reply_markup" not in params:
        return None
    try:
        markup = params.json("reply_markup")
    except ValueError:
        raise bad_request("can't parse reply keyboard markup JSON object") from None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _check_inline_keyboard(markup["inline_keyboard"])
    elif inline_only:
        raise bad_request("inline keyboard expected")
    elif "keyboard" in markup:
        _check_reply_keyboard(markup["keyboard"])
    elif not ({"remove_keyboard", "force_reply"} & markup.keys()):
        raise bad_request("can't parse reply keyboard markup JSON object")
    return markup


def _check_inline_keyboard(rows: Any) -> None:
    if not isinstance(rows, list):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    for row in rows:
        if not isinstance(row, list):
            raise bad_request("rows of the InlineKeyboardMarkup must be an Array")
        for button in row:
            _check_inline_button(button)


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise bad_request(_BUTTON + "InlineKeyboardButton must be an Object")
    if "text" not in button:
        raise bad_request(_BUTTON + 'Can\'t find field "text"')
    if not isinstance(button["text"], str):
        raise bad_request(_BUTTON + 'Field "text" must be of type String')
    for name in ("url", "callback_data"):
        if name in button and button[name] is not None and not isinstance(button[name], str):
            raise bad_request(_BUTTON + f'Field "{name}" must be of type String')
    # An empty url or callback_data counts as absent, as on the real server.
    actions = [name for name in ACTION_FIELDS if _has_action(button, name)]
    if not actions:
        raise bad_request(_BUTTON + "Text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise bad_request(_BUTTON + f"exactly one action field must be used, found {', '.join(actions)}")
    if not button["text"].strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    if actions[0] == "callback_data" and len(button["callback_data"].encode("utf-8")) > MAX_CALLBACK_DATA_BYTES:
        raise bad_request("BUTTON_DATA_INVALID")
    if actions[0] == "url":
        _check_url(button["url"])


def _has_action(button: dict, name: str) -> bool:
    value = button.get(name)
    if name.startswith("switch_inline_query"):
        return value is not None  # an empty query is allowed
    return value not in (None, "", False)


def _check_url(url: str) -> None:
    parts = urlsplit(url if "://" in url else "http://" + url)
    if parts.scheme.lower() not in ("http", "https", "tg", "ton"):
        raise bad_request(f"inline keyboard button URL '{url}' is invalid: Unsupported URL protocol")
    host = parts.hostname or ""
    if parts.scheme.lower() in ("http", "https") and "." not in host and host != "localhost":
        raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


def _check_reply_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays')
    for row in rows:
        for button in row:
            text = button if isinstance(button, str) else button.get("text") if isinstance(button, dict) else None
            if not isinstance(text, str):
                raise bad_request("can't parse keyboard button: Field \"text\" must be of type String")
            if not text.strip():
                raise bad_request("BUTTON_TEXT_INVALID")


def bot_commands(params: Params) -> list[dict[str, str]]:
    """The validated `commands` list of setMyCommands, or raise ApiError."""
    try:
        commands = params.json("commands")
    except ValueError:
        raise bad_request("can't parse commands JSON object") from None
    if not isinstance(commands, list):
        raise bad_request('field "commands" must be an Array')
    if len(commands) > MAX_COMMANDS:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    result = []
    for item in commands:
        if not isinstance(item, dict) or not isinstance(item.get("command"), str):
            raise bad_request("can't parse BotCommand: Field \"command\" must be of type String")
        if not isinstance(item.get("description"), str):
            raise bad_request("can't parse BotCommand: Field \"description\" must be of type String")
        command, description = item["command"], item["description"]
        if not command:
            raise bad_request("command must be non-empty")
        if not description:
            raise bad_request("command description must be non-empty")
        if not _COMMAND_NAME.fullmatch(command):
            raise bad_request("BOT_COMMAND_INVALID")
        if len(description) > MAX_COMMAND_DESCRIPTION:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        result.append({"command": command, "description": description})
    return result


def scope_key(params: Params) -> str:
    """A stable key for the `scope` of a commands request ("default" when absent)."""
    try:
        scope = params.json("scope")
    except ValueError:
        raise bad_request("can't parse BotCommandScope JSON object") from None
    if scope is None:
        return "default"
    if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
        raise bad_request("can't parse BotCommandScope: Unsupported type specified")
    if scope["type"] == "default":
        return "default"
    return ",".join(f"{key}={scope[key]}" for key in sorted(scope))


def check_length(value: str | None, limit: int, description: str) -> str:
    value = value or ""
    if len(value) > limit:
        raise ApiError(400, description)
    return value
