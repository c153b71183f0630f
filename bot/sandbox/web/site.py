"""The web chat's HTTP side: the page, its files, a small JSON API and the event stream.

Only the person at this machine should drive the sandbox, so the API takes JSON bodies only (a
form on another site cannot post JSON without asking first, and nothing here says yes) and, on a
loopback address, only requests whose Host is that address (no DNS-rebinding tricks).
"""

from __future__ import annotations

import asyncio
import json
from importlib.resources import files
from pathlib import Path
from typing import Any

from aiohttp import web
from yarl import URL

from bot.sandbox.web.hub import Hub, InputError

STATIC = Path(str(files("bot.sandbox.web") / "static"))
KEEPALIVE = 15.0  # seconds between comments on an idle event stream, so proxies keep it open
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
HUB = web.AppKey("hub", Hub)
# The page loads nothing from elsewhere and runs no inline script: a bug that let markup in
# could still not run it.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def build_site(hub: Hub, host: str = "127.0.0.1") -> web.Application:
    app = web.Application(middlewares=[_guard(host)], client_max_size=64 * 1024)
    app[HUB] = hub
    app.router.add_get("/", _index)
    app.router.add_static("/static/", STATIC, follow_symlinks=False)
    app.router.add_get("/api/state", _state)
    app.router.add_get("/api/events", _events)
    app.router.add_post("/api/send", _send)
    app.router.add_post("/api/tap", _tap)
    app.router.add_post("/api/clock", _clock)
    app.router.add_post("/api/users", _add_user)
    return app


def _guard(host: str):
    check_host = host in LOOPBACK

    @web.middleware
    async def guard(request: web.Request, handler):
        if check_host and _hostname(request) not in LOOPBACK:
            return web.json_response({"error": "unknown host"}, status=403)
        if request.method == "POST" and request.content_type != "application/json":
            return web.json_response({"error": "send JSON"}, status=415)
        response = await handler(request)
        response.headers.update(SECURITY_HEADERS)
        return response

    return guard


def _hostname(request: web.Request) -> str | None:
    try:
        return URL.build(scheme="http", authority=request.host).host
    except ValueError:
        return None


async def _index(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})


async def _state(request: web.Request) -> web.Response:
    return web.json_response(request.app[HUB].state())


async def _events(request: web.Request) -> web.StreamResponse:
    hub = request.app[HUB]
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    response.headers.update(SECURITY_HEADERS)
    await response.prepare(request)
    # Subscribed before the snapshot is taken, with no await between: nothing falls in a gap.
    queue = hub.subscribe()
    try:
        await response.write(_sse(hub.state()))
        while True:
            try:
                event = await asyncio.wait_for(queue.get(), KEEPALIVE)
            except TimeoutError:
                await response.write(b": keep-alive\n\n")
                continue
            if event is None:
                break
            await response.write(_sse(event))
    except ConnectionResetError:
        pass  # the page went away
    finally:
        hub.unsubscribe(queue)
    return response


def _sse(event: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(event, ensure_ascii=False, separators=(',', ':'))}\n\n".encode()


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise InputError("the request body is not JSON") from None
    if not isinstance(body, dict):
        raise InputError("the request body must be a JSON object")
    return body


def _int(body: dict[str, Any], name: str, required: bool = True) -> int | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{name} must be a whole number")
    return value


def _api(action):
    async def handler(request: web.Request) -> web.Response:
        try:
            result = await action(request.app[HUB], await _body(request))
        except InputError as exc:
            return web.json_response({"error": str(exc)}, status=400)
        return web.json_response({"ok": True, **result})

    return handler


@_api
async def _send(hub: Hub, body: dict[str, Any]) -> dict[str, Any]:
    text = body.get("text")
    if not isinstance(text, str):
        raise InputError("text must be a string")
    message = await hub.send(_int(body, "chat_id"), _int(body, "user_id"), text, _int(body, "reply_to", False))
    return {"message_id": message.message_id, "delivered": message.delivered}


@_api
async def _tap(hub: Hub, body: dict[str, Any]) -> dict[str, Any]:
    data = body.get("data")
    if not isinstance(data, str) or not data:
        raise InputError("data must be the button's callback data")
    query_id = await hub.tap(_int(body, "chat_id"), _int(body, "user_id"), _int(body, "message_id"), data)
    return {"query_id": query_id}


@_api
async def _clock(hub: Hub, body: dict[str, Any]) -> dict[str, Any]:
    if body.get("to") == "next-reminder":
        return await hub.advance_to_next_reminder()
    seconds = body.get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise InputError("seconds must be a number")
    return await hub.advance(float(seconds))


@_api
async def _add_user(hub: Hub, body: dict[str, Any]) -> dict[str, Any]:
    name = body.get("first_name")
    if not isinstance(name, str):
        raise InputError("first_name must be a string")
    user = hub.add_user(name)
    return {"user_id": user.id}
