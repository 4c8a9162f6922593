"""Can `stretchbot run` listen where its settings say? Checked before anything starts, so a port
that is taken or not allowed is one line naming the setting (exit 2), not the server's traceback.

Each address is bound and listened on the way the servers do it (aiohttp for METRICS_PORT,
tornado for WEBHOOK_PORT: SO_REUSEADDR, IPv6 sockets v6-only), all held until every one is
checked (so two settings naming one port are caught too), then closed. Another process could
still take a port in the moment between; what this catches is the usual mistake: a port already
served, a port below 1024 without root, or a listen address this machine does not have.
"""

from __future__ import annotations

import errno
import socket
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.config import Settings, SettingsError

_UNPRIVILEGED_PORT_START = Path("/proc/sys/net/ipv4/ip_unprivileged_port_start")


@dataclass(frozen=True)
class Listener:
    """A server the bot will start: where, and the settings that say so."""

    port_setting: str  # e.g. "METRICS_PORT"
    listen_setting: str  # e.g. "METRICS_LISTEN"
    host: str
    port: int


def listeners(settings: Settings, webhook: bool) -> list[Listener]:
    """The servers `stretchbot run` starts, in the order it starts them."""
    found = []
    if settings.metrics_port is not None:
        found.append(
            Listener(
                "METRICS_PORT", "METRICS_LISTEN", settings.metrics_listen, settings.metrics_port
            )
        )
    if webhook:
        found.append(
            Listener(
                "WEBHOOK_PORT", "WEBHOOK_LISTEN", settings.webhook_listen, settings.webhook_port
            )
        )
    return found


def check_listeners(listeners: list[Listener]) -> None:
    """Raise SettingsError, naming the setting, for the first listener that cannot listen."""
    with ExitStack() as held:
        bound: list[Listener] = []
        for listener in listeners:
            for family, proto, address in _addresses(listener):
                sock = held.enter_context(socket.socket(family, socket.SOCK_STREAM, proto))
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if family == socket.AF_INET6:
                    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                try:
                    sock.bind(address)
                    # Listening, as the servers will: two SO_REUSEADDR sockets that merely
                    # bound one port do not collide on Linux; a listening one does.
                    sock.listen()
                except OSError as error:
                    raise SettingsError(_explain(listener, error, bound)) from None
            bound.append(listener)


def _addresses(listener: Listener) -> list[tuple[socket.AddressFamily, int, tuple[Any, ...]]]:
    """(family, protocol, address) of each address the host name stands for ("localhost" may
    be two), as the servers resolve it."""
    try:
        found = socket.getaddrinfo(
            listener.host or None,
            listener.port,
            type=socket.SOCK_STREAM,
            flags=socket.AI_PASSIVE,
        )
    except socket.gaierror as error:
        raise SettingsError(
            f"{listener.listen_setting} {listener.host!r} is not an address to listen on "
            f"({error.strerror})"
        ) from None
    return [(family, proto, address) for family, _, proto, _, address in found]


def _explain(listener: Listener, error: OSError, bound: list[Listener]) -> str:
    where = f"{listener.port_setting} {listener.port}"
    if error.errno == errno.EADDRINUSE:
        for other in bound:
            if other.port == listener.port:
                return f"{where} is also {other.port_setting}: each server needs its own port"
        return (
            f"{where} is already in use on {listener.host} (another process listens there; "
            "stop it or choose a free port)"
        )
    if error.errno == errno.EACCES:
        if listener.port < _unprivileged_port_start():
            return (
                f"{where} is not allowed: ports below {_unprivileged_port_start()} need root "
                "(or CAP_NET_BIND_SERVICE); choose a higher port"
            )
        return f"{where} is not allowed on {listener.host}: permission denied"
    if error.errno == errno.EADDRNOTAVAIL:
        return (
            f"{listener.listen_setting} {listener.host} is not an address of this machine "
            f"(for {where})"
        )
    return f"{where} cannot be listened on at {listener.host}: {error.strerror or error}"


def _unprivileged_port_start() -> int:
    try:
        return int(_UNPRIVILEGED_PORT_START.read_text())
    except (OSError, ValueError):
        return 1024
