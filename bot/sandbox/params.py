"""Reading Bot API request parameters the way Telegram does, whatever the encoding.

Clients send query strings, url-encoded forms, multipart forms or JSON bodies. In forms every value
is a string and structured values (reply_markup, entities, commands...) are JSON text, so the
typed getters below accept both a native value and its string form.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web


class ApiError(Exception):
    """A Bot API error answer. `violation` marks errors caused by what the bot sent.

    Errors that come from the scenario rather than the bot (a blocked user, a deleted chat, an
    injected fault, a polling conflict) are answered the same way but are not violations.
    """

    def __init__(self, error_code: int, description: str, *, retry_after: int | None = None, violation: bool = True):
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after
        self.violation = violation

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(text: str) -> ApiError:
    return ApiError(400, f"Bad Request: {text}")


async def read_params(request: web.Request) -> dict[str, Any]:
    """Merge the query string and the body (JSON, url-encoded or multipart) into one dict."""
    params: dict[str, Any] = dict(request.query)
    if request.method != "POST" or not request.body_exists:
        return params
    if request.content_type == "application/json":
        body = await request.json(loads=json.loads)
        if not isinstance(body, dict):
            raise bad_request("the request body must be a JSON object")
        params.update(body)
    else:  # application/x-www-form-urlencoded and multipart/form-data
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                params[key] = {"file_name": value.filename, "content_type": value.content_type}
            else:
                params[key] = value
    return params


class Params:
    """Typed access to one request's parameters."""

    __slots__ = ("raw",)

    def __init__(self, raw: dict[str, Any]):
        self.raw = raw

    def __contains__(self, name: str) -> bool:
        return self.raw.get(name) is not None

    def str(self, name: str, default: str | None = None) -> str | None:
        value = self.raw.get(name)
        if value is None:
            return default
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    def int(self, name: str, default: int | None = None) -> int | None:
        value = self.raw.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        try:
            return int(float(value)) if isinstance(value, float) or "." in str(value) else int(str(value))
        except ValueError:
            raise bad_request(f'field "{name}" must be a valid Number') from None

    def float(self, name: str, default: float | None = None) -> float | None:
        value = self.raw.get(name)
        if value is None or value == "":
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f'field "{name}" must be a valid Number') from None

    def bool(self, name: str, default: bool = False) -> bool:
        value = self.raw.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in ("true", "1")

    def json(self, name: str) -> Any:
        """The structured value of `name` (None if absent); ValueError if it is not valid JSON."""
        value = self.raw.get(name)
        if isinstance(value, str):
            return json.loads(value)
        return value
