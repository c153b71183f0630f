"""A python-telegram-bot request backend on aiohttp (already a dependency for bot.sandbox).

PTB's default backend (httpx) costs about 1 ms of CPU per request here; this one about a quarter
of that, which matters when a tick sends thousands of reminders. Errors are raised the way PTB's
own backend raises them (TimedOut / NetworkError, chained from the aiohttp error), with one
addition the dispatcher relies on: when the request certainly never reached the server the
chained cause is a `NotSent`, so a retry cannot duplicate a message.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_JSON = {"Content-Type": "application/json"}


class NotSent(Exception):
    """The request did not leave this machine (no connection could be made)."""


class AiohttpRequest(BaseRequest):
    __slots__ = ("_connect_timeout", "_pool_size", "_proxies", "_read_timeout", "_session", "_write_timeout")

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
    ):
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str], str | None] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size)
            self._session = aiohttp.ClientSession(connector=connector, headers={"User-Agent": self.USER_AGENT})

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def _proxy_for(self, url: str) -> str | None:
        """HTTPS_PROXY / NO_PROXY from the environment, as PTB's httpx backend honours them.

        Looked up once per host: aiohttp's own trust_env re-reads the environment on every
        request, which costs a third of the sending rate."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname or "")
        if key not in self._proxies:
            proxy = getproxies().get(parts.scheme)
            self._proxies[key] = None if not proxy or proxy_bypass(key[1]) else proxy
        return self._proxies[key]

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | None | DefaultValue = BaseRequest.DEFAULT_NONE,
        write_timeout: float | None | DefaultValue = BaseRequest.DEFAULT_NONE,
        connect_timeout: float | None | DefaultValue = BaseRequest.DEFAULT_NONE,
        pool_timeout: float | None | DefaultValue = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        write = self._write_timeout if isinstance(write_timeout, DefaultValue) else write_timeout
        connect = self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        timeout = aiohttp.ClientTimeout(
            total=None, connect=connect, sock_read=None if read is None else read + (write or 0)
        )
        data, headers = None, None
        if request_data is not None:
            if request_data.contains_files:
                form = aiohttp.FormData()
                for name, value in request_data.json_parameters.items():
                    form.add_field(name, value)  # the plain parameters travel beside the files
                for name, value in request_data.multipart_data.items():
                    if isinstance(value, tuple):
                        form.add_field(name, value[1], filename=value[0], content_type=value[2] if len(value) > 2 else None)
                    else:
                        form.add_field(name, value)
                data = form
            else:
                # The same name -> string pairs PTB would form-encode, as a JSON object: the Bot API
                # reads both alike, and json.dumps is far cheaper than url-encoding long texts.
                data, headers = request_data.json_payload, _JSON
        try:
            async with self._session.request(
                method, url, data=data, headers=headers, timeout=timeout, proxy=self._proxy_for(url)
            ) as response:
                return response.status, await response.read()
        except aiohttp.ClientConnectorError as exc:  # includes refused connections and DNS errors
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from NotSent(exc)
        except aiohttp.ConnectionTimeoutError as exc:
            raise TimedOut("Connect timed out") from NotSent(exc)
        except (asyncio.TimeoutError, aiohttp.ServerTimeoutError) as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc
