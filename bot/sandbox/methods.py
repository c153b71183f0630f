"""The Bot API methods the fake server answers, each a function (fake, params) -> result.

A method raises ApiError to answer an error. Checks run in the order Telegram's server runs them:
request fields first (text, parse mode, markup), then the chat, then the blocked state and limits.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any, Awaitable, Callable
from urllib.parse import urlsplit

from bot.sandbox.markup import bot_commands, check_length, reply_markup, scope_key
from bot.sandbox.models import CallbackAnswer, ChatAction, ChatMessage, ChatState, WebhookSetting
from bot.sandbox.params import ApiError, Params, bad_request
from bot.sandbox.text import compact_json, formatted_text, message_json

if TYPE_CHECKING:
    from bot.sandbox.server import FakeTelegram

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
BLOCKED = "Forbidden: bot was blocked by the user"
WEBHOOK_ACTIVE = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
WEBHOOK_PORTS = (443, 80, 88, 8443)
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
MAX_CALLBACK_ANSWER = 200
MAX_DESCRIPTION = 512
MAX_SHORT_DESCRIPTION = 120
DELETE_WINDOW = 48 * 3600  # a bot may delete messages in a private chat for 48 hours
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


# --- shared checks -------------------------------------------------------------------------


def require_chat_id(p: Params) -> None:
    if p.raw.get("chat_id") in (None, ""):
        raise bad_request("chat_id is empty")


def find_chat(fake: FakeTelegram, p: Params) -> ChatState:
    require_chat_id(p)
    try:
        chat_id = int(str(p.raw["chat_id"]).strip())
    except ValueError:  # "@username" and other names: no public chats here
        raise bad_request("chat not found") from None
    chat = fake.chats.get(chat_id)
    if chat is None:
        raise bad_request("chat not found")
    if chat.deleted:  # the scenario removed it; the bot could not have known
        raise ApiError(400, "Bad Request: chat not found", violation=False)
    return chat


def require_reachable(chat: ChatState) -> None:
    if chat.blocked:
        raise ApiError(403, BLOCKED, violation=False)


def require_message_id(p: Params) -> int:
    message_id = p.int("message_id")
    if message_id is None:
        if "inline_message_id" in p:
            raise bad_request("inline messages are not supported by the fake server")
        raise bad_request("message identifier is not specified")
    return message_id


def inline_markup(markup: dict | None) -> dict | None:
    """Only an inline keyboard with buttons stays attached to a message."""
    if markup and "inline_keyboard" in markup and any(markup["inline_keyboard"]):
        return markup
    return None


# --- sending and editing ---------------------------------------------------------------------


def send_message(fake: FakeTelegram, p: Params) -> dict[str, Any]:
    require_chat_id(p)
    text, entities, mode = formatted_text(p)
    markup = reply_markup(p)
    chat = find_chat(fake, p)
    require_reachable(chat)
    _check_reply_target(chat, p)
    fake.admit_send(chat.chat_id)
    message = ChatMessage(
        message_id=chat.new_message_id(),
        chat_id=chat.chat_id,
        from_bot=True,
        date=int(fake.clock()),
        text=text,
        entities=entities,
        markup_json=compact_json(markup),
        source=p.str("text"),
        parse_mode=mode,
    )
    chat.sent += 1
    _keep_reply_keyboard(chat, markup)
    fake.record_bot_message(chat, message, "sent")
    return message_json(message, chat.chat, fake.bot_user, markup)


def _keep_reply_keyboard(chat: ChatState, markup: dict | None) -> None:
    if markup and "keyboard" in markup:
        chat.reply_keyboard = [[b if isinstance(b, dict) else {"text": b} for b in row] for row in markup["keyboard"]]
    elif markup and markup.get("remove_keyboard"):
        chat.reply_keyboard = None


def _check_reply_target(chat: ChatState, p: Params) -> None:
    try:
        reply = p.json("reply_parameters")
    except ValueError:
        raise bad_request("can't parse reply parameters JSON object") from None
    if isinstance(reply, dict):
        target, lenient = reply.get("message_id"), reply.get("allow_sending_without_reply")
    else:
        target, lenient = p.int("reply_to_message_id"), p.bool("allow_sending_without_reply")
    if target is None or lenient:
        return
    found = chat.messages.get(int(target))
    if found is None or found.deleted:
        raise bad_request("message to be replied not found")


def _editable(p: Params, chat: ChatState) -> ChatMessage:
    message = chat.messages.get(require_message_id(p))
    if message is None or message.deleted:
        raise bad_request("message to edit not found")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    markup = message.reply_markup
    if markup and "inline_keyboard" not in markup:
        # "only possible to edit messages without reply_markup or with inline keyboards"
        raise bad_request("message can't be edited")
    return message


def edit_message_text(fake: FakeTelegram, p: Params) -> dict[str, Any]:
    require_chat_id(p)
    require_message_id(p)
    text, entities, mode = formatted_text(p)
    markup = inline_markup(reply_markup(p, inline_only=True))
    chat = find_chat(fake, p)
    require_reachable(chat)
    message = _editable(p, chat)
    if message.kind != "text":
        raise bad_request("there is no text in the message to edit")
    if (message.text, message.entities, inline_markup(message.reply_markup)) == (text, entities, markup):
        raise bad_request(NOT_MODIFIED)
    edited = dataclasses.replace(
        message,
        text=text,
        entities=entities,
        markup_json=compact_json(markup),  # an edit without reply_markup removes the keyboard
        source=p.str("text"),
        parse_mode=mode,
        edits=message.edits + 1,
        edit_date=int(fake.clock()),
    )
    fake.record_bot_message(chat, edited, "edited")
    return message_json(edited, chat.chat, fake.bot_user, markup)


def edit_message_reply_markup(fake: FakeTelegram, p: Params) -> dict[str, Any]:
    require_chat_id(p)
    require_message_id(p)
    markup = inline_markup(reply_markup(p, inline_only=True))
    chat = find_chat(fake, p)
    require_reachable(chat)
    message = _editable(p, chat)
    if inline_markup(message.reply_markup) == markup:
        raise bad_request(NOT_MODIFIED)
    edited = dataclasses.replace(
        message, markup_json=compact_json(markup), edits=message.edits + 1, edit_date=int(fake.clock())
    )
    fake.record_bot_message(chat, edited, "edited")
    return message_json(edited, chat.chat, fake.bot_user, markup)


def delete_message(fake: FakeTelegram, p: Params) -> bool:
    require_chat_id(p)
    chat = find_chat(fake, p)
    message = chat.messages.get(require_message_id(p))
    if message is None or message.deleted:
        raise bad_request("message to delete not found")
    if fake.clock() - message.date > DELETE_WINDOW:
        raise bad_request("message can't be deleted for everyone")
    fake.record_bot_message(chat, dataclasses.replace(message, deleted=True), "deleted")
    return True


def send_chat_action(fake: FakeTelegram, p: Params) -> bool:
    require_chat_id(p)
    action = p.str("action")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    chat = find_chat(fake, p)
    require_reachable(chat)
    fake.emit("action", ChatAction(chat.chat_id, action, fake.clock()))
    return True


def answer_callback_query(fake: FakeTelegram, p: Params) -> bool:
    text = p.str("text")
    if text and len(text) > MAX_CALLBACK_ANSWER:
        raise bad_request("MESSAGE_TOO_LONG")
    query_id = p.str("callback_query_id") or ""
    query = fake.queries.get(query_id)
    now = fake.clock()
    if query is None or query.answer is not None or now - query.created_at > fake.callback_answer_timeout:
        raise bad_request(QUERY_TOO_OLD)
    query.answer = CallbackAnswer(
        query_id=query_id,
        text=text,
        show_alert=p.bool("show_alert"),
        url=p.str("url"),
        cache_time=p.int("cache_time", 0) or 0,
        answered_at=now,
    )
    fake.callback_answers[query_id] = query.answer
    fake.emit("answered", query)
    return True


# --- updates and webhook ---------------------------------------------------------------------


async def _get_updates(fake: FakeTelegram, p: Params) -> list[dict[str, Any]]:
    allowed = _allowed_updates(p)
    limit = min(100, max(1, p.int("limit", 100) or 100))
    timeout = p.float("timeout", 0.0) or 0.0
    return await fake.updates.get(p.int("offset"), limit, timeout, allowed)


async def get_updates(fake: FakeTelegram, p: Params) -> list[dict[str, Any]]:
    if fake.webhook is not None:
        raise ApiError(409, WEBHOOK_ACTIVE)
    return await _get_updates(fake, p)


def _allowed_updates(p: Params) -> list[str] | None:
    try:
        allowed = p.json("allowed_updates")
    except ValueError:
        raise bad_request("can't parse allowed_updates JSON array") from None
    if allowed is not None and not isinstance(allowed, list):
        raise bad_request("can't parse allowed_updates JSON array")
    return allowed


def set_webhook(fake: FakeTelegram, p: Params) -> bool:
    """setWebhook as api.json describes it: an HTTPS URL (empty: remove), a secret_token of
    1-256 characters A-Z a-z 0-9 _ -, max_connections 1-100, allowed_updates as for getUpdates.
    The fake does not post anywhere by itself: see FakeTelegram.deliver_webhook."""
    if "url" not in p.raw:
        raise bad_request("parameter \"url\" is required")
    url = (p.str("url") or "").strip()
    allowed = _allowed_updates(p)
    if not url:
        fake.webhook = None
        return True
    parts = urlsplit(url)
    if parts.scheme.lower() != "https" or not parts.hostname:
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    try:
        port = parts.port or 443
    except ValueError:
        raise bad_request("bad webhook: Wrong port number specified in the URL") from None
    if port not in WEBHOOK_PORTS:
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
    secret = p.str("secret_token")
    if secret is not None and not SECRET_TOKEN.fullmatch(secret):
        raise bad_request("secret token contains unallowed characters" if secret and len(secret) <= 256
                          else "secret token must be 1-256 characters long")
    max_connections = p.int("max_connections", 40) or 40
    if not 1 <= max_connections <= 100:
        raise bad_request("max_connections must be between 1 and 100")
    if p.bool("drop_pending_updates"):
        fake.updates.clear()
    if allowed is not None:
        fake.updates.allowed = list(allowed)
    fake.webhook = WebhookSetting(url, secret, max_connections, p.str("ip_address"))
    return True


def delete_webhook(fake: FakeTelegram, p: Params) -> bool:
    if p.bool("drop_pending_updates"):
        fake.updates.clear()
    fake.webhook = None
    return True


def get_webhook_info(fake: FakeTelegram, p: Params) -> dict[str, Any]:
    info: dict[str, Any] = {"url": "", "has_custom_certificate": False, "pending_update_count": len(fake.updates)}
    hook = fake.webhook
    if hook is not None:
        info.update(url=hook.url, max_connections=hook.max_connections)
        if fake.updates.allowed:
            info["allowed_updates"] = list(fake.updates.allowed)
        if hook.ip_address:
            info["ip_address"] = hook.ip_address
        if hook.last_error_date is not None:
            info.update(last_error_date=hook.last_error_date, last_error_message=hook.last_error_message)
    return info


# --- the bot's profile -----------------------------------------------------------------------


def get_me(fake: FakeTelegram, p: Params) -> dict[str, Any]:
    return fake.me


def set_my_commands(fake: FakeTelegram, p: Params) -> bool:
    commands = bot_commands(p)
    key = (scope_key(p), p.str("language_code") or "")
    if commands:
        fake.command_lists[key] = commands
    else:  # an empty list clears, as on Telegram
        fake.command_lists.pop(key, None)
    fake.emit("commands", None)
    return True


def get_my_commands(fake: FakeTelegram, p: Params) -> list[dict[str, str]]:
    return fake.command_lists.get((scope_key(p), p.str("language_code") or ""), [])


def delete_my_commands(fake: FakeTelegram, p: Params) -> bool:
    fake.command_lists.pop((scope_key(p), p.str("language_code") or ""), None)
    fake.emit("commands", None)
    return True


def set_my_description(fake: FakeTelegram, p: Params) -> bool:
    text = check_length(p.str("description"), MAX_DESCRIPTION, "Bad Request: description is too long")
    fake.descriptions[p.str("language_code") or ""] = text
    return True


def get_my_description(fake: FakeTelegram, p: Params) -> dict[str, str]:
    return {"description": fake.descriptions.get(p.str("language_code") or "", "")}


def set_my_short_description(fake: FakeTelegram, p: Params) -> bool:
    text = check_length(p.str("short_description"), MAX_SHORT_DESCRIPTION, "Bad Request: short description is too long")
    fake.short_descriptions[p.str("language_code") or ""] = text
    return True


def get_my_short_description(fake: FakeTelegram, p: Params) -> dict[str, str]:
    return {"short_description": fake.short_descriptions.get(p.str("language_code") or "", "")}


def always_true(fake: FakeTelegram, p: Params) -> bool:
    return True


Handler = Callable[["FakeTelegram", Params], Any | Awaitable[Any]]

# Lower-case name -> handler: Telegram matches method names case-insensitively.
METHODS: dict[str, Handler] = {
    name.lower(): handler
    for name, handler in {
        "getMe": get_me,
        "getUpdates": get_updates,
        "setWebhook": set_webhook,
        "deleteWebhook": delete_webhook,
        "getWebhookInfo": get_webhook_info,
        "setMyCommands": set_my_commands,
        "getMyCommands": get_my_commands,
        "deleteMyCommands": delete_my_commands,
        "setMyDescription": set_my_description,
        "getMyDescription": get_my_description,
        "setMyShortDescription": set_my_short_description,
        "getMyShortDescription": get_my_short_description,
        "sendMessage": send_message,
        "editMessageText": edit_message_text,
        "editMessageReplyMarkup": edit_message_reply_markup,
        "deleteMessage": delete_message,
        "answerCallbackQuery": answer_callback_query,
        "sendChatAction": send_chat_action,
        "close": always_true,
        "logOut": always_true,
    }.items()
}
# Methods that count against the sending limits and the sent counters.
SEND_METHODS = frozenset({"sendmessage"})
