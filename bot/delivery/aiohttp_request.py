"""python-telegram-bot's HTTP transport on aiohttp instead of httpx.

Why: at Telegram's rate the bot's CPU goes mostly into the HTTP client. Measured on the project's
2-core machine against the emulator: one Bot API call costs ~1.6 ms of CPU through httpx (its
connection pool scans every connection per request, and httpcore retries a failing
`import sniffio` several times per request) and ~0.3 ms through aiohttp (C parser); a whole
`send_photo` through python-telegram-bot ~2.1 ms vs ~0.6 ms. That is the difference between
missing and meeting the 1 ms of CPU per reminder budget (benchmarks/README.md).

python-telegram-bot supports this officially: a `BaseRequest` returns (status, body) and the
library does the rest (JSON, errors, RetryAfter). Errors map like its `HTTPXRequest`: timeouts
raise `TimedOut`, every other transport failure `NetworkError`, so callers (the sender's
retries) see the same exceptions.

Failed calls can be observed (`on_error`: /metrics counts them by status code, see bot.ops.metrics),
whoever made the call: the engine, a handler or the update fetcher.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_DEFAULT = type(BaseRequest.DEFAULT_NONE)  # python-telegram-bot's DefaultValue
_JSON = {"Content-Type": "application/json"}


# RequestData is marked final for type checkers (how PTB builds it is its own business); this
# subclass adds a field and changes nothing of it, and carries the body through
# `BaseRequest.post`, so the call keeps python-telegram-bot's error mapping.
class JsonBody(RequestData):  # type: ignore[misc]
    """A request whose JSON body is already encoded (the engine's prompts, which are mostly the
    same bytes each time: see bot.delivery.json_bodies). Only `AiohttpRequest` sends the body;
    to another `BaseRequest` it would be a request without parameters."""

    __slots__ = ("body",)

    def __init__(self, body: bytes) -> None:
        super().__init__()
        self.body = body


class AiohttpRequest(BaseRequest):
    """Same constructor knobs and defaults as `telegram.request.HTTPXRequest` (those that
    apply). aiohttp has no write timeout: a request that uploads a file is bounded as a whole by
    `media_write_timeout` (or the call's write timeout) plus the read timeout.

    `on_error` is told of every call that failed: with Telegram's HTTP status code for a non-2xx
    answer, "timeout" or "network" for one that got no answer."""

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._on_error = on_error

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            # Created here, inside the running event loop (python-telegram-bot calls this from
            # Application.initialize), never at construction.
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
                # The Bot API sets no cookies; the default jar filters and updates them on every
                # request and answer all the same.
                cookie_jar=aiohttp.DummyCookieJar(),
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        data: aiohttp.FormData | bytes | None = None
        headers: dict[str, str] | None = None
        files = request_data.multipart_data if request_data else None
        if isinstance(request_data, JsonBody):
            data = request_data.body
            headers = _JSON
        elif request_data is not None:
            if files:
                form = aiohttp.FormData()
                for name, value in request_data.json_parameters.items():
                    form.add_field(name, value)
                for name, (filename, content, mimetype) in files.items():
                    form.add_field(name, content, filename=filename, content_type=mimetype)
                data = form
            else:
                # A JSON body (the Bot API takes one), not a url-encoded form: aiohttp encodes a
                # form with urllib's quote_plus, pure Python per character, which on a prompt's
                # long HTML caption was ~6 % of the bot's CPU per reminder; json.dumps is C.
                data = json.dumps(request_data.parameters).encode()
                headers = _JSON
        if isinstance(read_timeout, _DEFAULT):
            read_timeout = self._read_timeout
        if isinstance(connect_timeout, _DEFAULT):
            connect_timeout = self._connect_timeout
        if isinstance(pool_timeout, _DEFAULT):
            pool_timeout = self._pool_timeout
        if isinstance(write_timeout, _DEFAULT):
            write_timeout = self._media_write_timeout if files else self._write_timeout
        timeout = aiohttp.ClientTimeout(
            # Getting a connection: waiting for a free one from the pool, then connecting.
            connect=None
            if pool_timeout is None or connect_timeout is None
            else pool_timeout + connect_timeout,
            sock_connect=connect_timeout,
            sock_read=read_timeout,
            # aiohttp has no write timeout; an upload is bounded as a whole instead.
            total=write_timeout + read_timeout
            if files and write_timeout is not None and read_timeout is not None
            else None,
        )
        try:
            async with session.request(
                method, url, data=data, headers=headers, timeout=timeout
            ) as response:
                status, payload = response.status, await response.read()
        except TimeoutError as error:  # aiohttp's timeouts are TimeoutErrors too
            self._failed("timeout")
            raise TimedOut from error
        except aiohttp.ClientError as error:
            self._failed("network")
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error
        except Exception:
            self._failed("network")
            raise
        if not 200 <= status <= 299:
            self._failed(str(status))
        return status, payload

    def _failed(self, code: str) -> None:
        if self._on_error is not None:
            self._on_error(code)
