"""HTTP side of the emulator: Bot API routes, request decoding, faults, the request log."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.telegram_fake.errors import BOT_BLOCKED, CHAT_NOT_FOUND, USER_DEACTIVATED, ApiError
from bot.telegram_fake.faults import Fault, FaultSet
from bot.telegram_fake.methods import BotApi
from bot.telegram_fake.params import Params, Upload

log = logging.getLogger("bot.telegram_fake")

MAX_REQUEST_BYTES = 60 * 1024 * 1024  # documents may be 50 MB; aiohttp's default is 1 MB


@dataclass(frozen=True)
class RequestRecord:
    """One Bot API call as the emulator saw it (uploads described, not carried)."""

    method: str
    params: dict[str, Any]
    chat_id: int | None
    status: int  # HTTP status answered; 0 when the connection was dropped
    fault: str | None = None  # kind of injected fault, if one fired
    at: float = 0.0  # time.monotonic() when the answer was decided

    @property
    def ok(self) -> bool:
        return self.status == 200


def _json(status: int, body: dict[str, Any]) -> web.Response:
    return web.Response(
        status=status,
        body=json.dumps(body, ensure_ascii=False).encode(),
        content_type="application/json",
    )


async def read_params(request: web.Request) -> Params:
    values: dict[str, Any] = dict(request.query)
    files: dict[str, Upload] = {}
    if request.can_read_body:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise ApiError.bad_request("can't parse JSON request body") from None
            if not isinstance(body, dict):
                raise ApiError.bad_request("request body must be a JSON object")
            values.update(body)
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    files[name] = Upload(value.filename, value.content_type, value.file.read())
                else:
                    values[name] = value
    return Params(values, files)


class ApiServer:
    def __init__(self, token: str, api: BotApi, faults: FaultSet) -> None:
        self.token = token
        self.api = api
        self.faults = faults
        self.requests: list[RequestRecord] = []
        self._closing = asyncio.Event()

    def build_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_REQUEST_BYTES)
        app.router.add_route("*", "/bot{token}/{method}", self.handle_method)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self.handle_file)
        return app

    def close(self) -> None:
        """Release whatever is waiting (long polls, latency, timeouts): shutdown stays quick."""
        self._closing.set()
        self.api.closing = True
        self.api.state.updates.wake()

    async def _pause(self, seconds: float) -> None:
        if seconds > 0:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(seconds):
                    await self._closing.wait()

    async def _silence(
        self, method: str, params: Params, chat_id: int | None, fault: Fault
    ) -> None:
        try:
            await self._pause(fault.seconds)
        except asyncio.CancelledError:
            self._record(method, params, chat_id, 0, fault)  # the client hung up first
            raise

    def _record(
        self,
        method: str,
        params: Params | None,
        chat_id: int | None,
        status: int,
        fault: Fault | None = None,
    ) -> None:
        self.requests.append(
            RequestRecord(
                method,
                params.for_log() if params else {},
                chat_id,
                status,
                fault.kind if fault else None,
                time.monotonic(),
            )
        )
        if log.isEnabledFor(logging.DEBUG):
            log.debug(
                "%s chat=%s -> %s%s", method, chat_id, status, f" [{fault.kind}]" if fault else ""
            )

    async def handle_method(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return _json(401, ApiError(401, "Unauthorized").payload())
        implementation = self.api.lookup(method)
        if implementation is None:
            self._record(method, None, None, 404)
            return _json(404, ApiError(404, "Not Found").payload())
        try:
            params = await read_params(request)
        except ApiError as err:
            self._record(method, None, None, err.code)
            return _json(err.code, err.payload())
        chat_id = self.api.chat_id_of(method, params)

        triggered = self.faults.take(method, chat_id)
        await self._pause(triggered.latency)
        fault = triggered.fault
        if fault is not None and fault.kind == "timeout" and not fault.execute:
            # Silence; a client that gives up first cancels this handler and nothing happens.
            await self._silence(method, params, chat_id, fault)
            fault = None
        if fault is not None and not fault.execute:
            return await self._fault_answer(request, method, params, chat_id, fault)

        try:
            body: dict[str, Any] = {"ok": True, "result": await implementation(params)}
            status = 200
        except ApiError as err:
            status, body = err.code, err.payload()

        if fault is not None:  # execute=True: the call took effect, now lose or spoil the answer
            if fault.kind == "timeout":
                await self._silence(method, params, chat_id, fault)
            else:
                return await self._fault_answer(request, method, params, chat_id, fault)
        self._record(method, params, chat_id, status)
        return _json(status, body)

    async def _fault_answer(
        self,
        request: web.Request,
        method: str,
        params: Params,
        chat_id: int | None,
        fault: Fault,
    ) -> web.StreamResponse:
        if fault.kind == "drop":
            self._record(method, params, chat_id, 0, fault)
            if request.transport is not None:
                request.transport.abort()
            # Nothing can be sent any more; aiohttp discards a response on a closed transport.
            return web.Response(status=204)
        error = {
            "429": lambda: ApiError.too_many_requests(fault.retry_after),
            "blocked": lambda: ApiError.forbidden(BOT_BLOCKED),
            "deactivated": lambda: ApiError.forbidden(USER_DEACTIVATED),
            "chat_not_found": lambda: ApiError.bad_request(CHAT_NOT_FOUND),
        }.get(fault.kind, lambda: ApiError(fault.status, fault.error_description()))()
        self._record(method, params, chat_id, error.code, fault)
        return _json(error.code, error.payload())

    async def handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _json(401, ApiError(401, "Unauthorized").payload())
        stored = self.api.state.files.by_path(request.match_info["file_path"])
        if stored is None:
            return _json(404, ApiError(404, "Not Found").payload())
        content_type = (
            "image/jpeg" if stored.kind == "photo" else stored.meta.get("mime_type", "")
        ) or "application/octet-stream"
        return web.Response(body=stored.data, content_type=content_type)
