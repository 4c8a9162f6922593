"""Injectable failures: what a flaky network or an unhappy Telegram does to a request.

A fault matches by method (case-insensitive, None = any) and chat (None = any) and fires
``times`` times (None = until removed). Latency faults add up and let the request go on;
every other kind ends the request, the first matching one (in the order added) wins.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

FaultKind = Literal[
    "latency",  # wait `seconds`, then answer normally
    "429",  # Too Many Requests with parameters.retry_after = `retry_after`
    "5xx",  # HTTP `status` (default 502 Bad Gateway)
    "drop",  # close the connection without answering
    "timeout",  # answer nothing for `seconds` (default: longer than any client waits)
    "blocked",  # 403 bot was blocked by the user
    "deactivated",  # 403 user is deactivated
    "chat_not_found",  # 400 chat not found
    "error",  # any `status` + `description` you like
]
FAULT_KINDS: frozenset[str] = frozenset(FaultKind.__args__)  # type: ignore[attr-defined]
_5XX_DESCRIPTIONS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


@dataclass(eq=False)
class Fault:
    kind: FaultKind
    method: str | None = None
    chat_id: int | None = None
    times: int | None = 1
    seconds: float = 0.0
    retry_after: int = 1
    status: int = 502
    description: str | None = None
    # True: the method takes effect and only the answer is lost (the classic duplicate-send trap)
    execute: bool = False
    hits: int = field(default=0, init=False)
    _owner: FaultSet | None = field(default=None, init=False, repr=False)

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.hits >= self.times

    def matches(self, method: str, chat_id: int | None) -> bool:
        if self.method is not None and self.method.lower() != method.lower():
            return False
        return self.chat_id is None or self.chat_id == chat_id

    def remove(self) -> None:
        if self._owner is not None:
            self._owner.remove(self)

    def error_description(self) -> str:
        if self.description:
            return self.description
        if self.kind == "5xx":
            return _5XX_DESCRIPTIONS.get(self.status, "Internal Server Error")
        return "Injected error"


@dataclass(frozen=True)
class Triggered:
    """What the faults say about one request."""

    latency: float = 0.0
    fault: Fault | None = None


class FaultSet:
    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(
        self,
        kind: FaultKind,
        *,
        method: str | None = None,
        chat_id: int | None = None,
        times: int | None = 1,
        seconds: float | None = None,
        retry_after: int = 1,
        status: int = 502,
        description: str | None = None,
        execute: bool = False,
    ) -> Fault:
        """Arm a fault; ``times=None`` keeps it until ``fault.remove()`` or ``clear()``."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {sorted(FAULT_KINDS)}")
        if times is not None and times < 1:
            raise ValueError("times must be >= 1, or None for a persistent fault")
        if seconds is None:
            seconds = 3600.0 if kind == "timeout" else 0.0
        fault = Fault(
            kind,
            method=method,
            chat_id=chat_id,
            times=times,
            seconds=seconds,
            retry_after=retry_after,
            status=status,
            description=description,
            execute=execute,
        )
        fault._owner = self
        self._faults.append(fault)
        return fault

    def remove(self, fault: Fault) -> None:
        if fault in self._faults:
            self._faults.remove(fault)

    def clear(self) -> None:
        self._faults.clear()

    def __len__(self) -> int:
        return len(self._faults)

    def __iter__(self) -> Iterator[Fault]:
        return iter(list(self._faults))

    def take(self, method: str, chat_id: int | None) -> Triggered:
        """Consume the faults that apply to this request."""
        if not self._faults:
            return Triggered()
        latency = 0.0
        chosen: Fault | None = None
        for fault in self._faults:
            if not fault.matches(method, chat_id):
                continue
            if fault.kind == "latency":
                latency += fault.seconds
                fault.hits += 1
            elif chosen is None:
                chosen = fault
                fault.hits += 1
        self._faults = [fault for fault in self._faults if not fault.exhausted]
        return Triggered(latency, chosen)
