"""The client's address behind the edge. The edge (or any proxy) is the peer of every request
it forwards, and names the client in `X-Forwarded-For`; that header is believed only when the
peer is one of `TRUSTED_PROXIES`, since anyone else can write whatever they like in it. The
per-address rate limit and the readers counted on article pages both rely on this."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import TYPE_CHECKING

from werkzeug.middleware.proxy_fix import ProxyFix

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_networks(addresses: Iterable[str]) -> tuple[Network, ...]:
    """`TRUSTED_PROXIES`' addresses and networks (`127.0.0.1`, `172.16.0.0/12`)."""
    try:
        return tuple(ipaddress.ip_network(address.strip(), strict=False) for address in addresses)
    except ValueError as error:
        raise ValueError(f"TRUSTED_PROXIES: {error}") from None


class TrustedProxies:
    """WSGI middleware: behind a trusted proxy, REMOTE_ADDR becomes the address that proxy
    appended to `X-Forwarded-For` (the last one) and the scheme its `X-Forwarded-Proto`;
    from anyone else, both headers are ignored."""

    def __init__(self, app: WSGIApplication, networks: tuple[Network, ...]) -> None:
        self.app, self.networks = app, networks
        self.forwarded = ProxyFix(app, x_for=1, x_proto=1, x_host=0, x_port=0, x_prefix=0)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if self.networks and self.trusts(environ.get("REMOTE_ADDR", "")):
            return self.forwarded(environ, start_response)
        return self.app(environ, start_response)

    def trusts(self, peer: str) -> bool:
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:
            return False
        return any(address in network for network in self.networks)
