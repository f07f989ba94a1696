"""The one way Warta's servers fetch a URL that someone else gave them (an office's lead image,
and any remote fetch after it): https only, to public addresses only, with a time and a size
cap. Anything else would let an office key make the server probe hosts only it can reach
(its own loopback, the database, a cloud's metadata address).

The host name is resolved once and every address it resolves to must be public; the
connection then goes to that checked address (a second lookup could answer otherwise), with
TLS verified against the name. Each redirect is a new URL and passes the same checks. The
time cap covers the whole fetch, name lookups and redirects included."""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as LookupTimeout
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urljoin, urlsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
REDIRECTS = {301, 302, 303, 307, 308}
NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
# getaddrinfo cannot be given a timeout: it runs here, and is waited for no longer than the cap.
_lookups = ThreadPoolExecutor(max_workers=4, thread_name_prefix="warta-lookup")


class Refused(Exception):
    """Not a URL that Warta fetches: not https, or not only public addresses."""


class Failed(Exception):
    """The fetch went wrong: no answer in time, too large, a network or TLS error."""


def is_public(address: Address) -> bool:
    """Reachable on the public internet: not private, loopback, link-local, shared (CGNAT),
    reserved, documentation or multicast, nor an IPv6 form of one (mapped, 6to4, NAT64)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and any(address in network for network in NAT64):
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public(embedded)
    return address.is_global and not address.is_multicast


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    status: int
    headers: Message
    body: bytes


@dataclass(frozen=True)
class RemoteFetcher:
    timeout: float = 5.0  # seconds for the whole fetch
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 3
    # Which addresses may be connected to, and which certificates are trusted. Only tests
    # change these, to stand a server of their own in for a public one.
    allowed: Callable[[Address], bool] = is_public
    ssl_context: ssl.SSLContext | None = None

    def head(self, url: str) -> Fetched:
        return self.fetch("HEAD", url)

    def get(self, url: str) -> Fetched:
        return self.fetch("GET", url)

    def fetch(self, method: str, url: str) -> Fetched:
        """The answer to `method url`, following redirects; raises Refused or Failed."""
        deadline = time.monotonic() + self.timeout
        for _ in range(self.max_redirects + 1):
            fetched = self._once(method, url, deadline)
            location = fetched.headers.get("Location")
            if fetched.status not in REDIRECTS or not location:
                return fetched
            url = urljoin(url, location)
        raise Failed(f"more than {self.max_redirects} redirects")

    def _once(self, method: str, url: str, deadline: float) -> Fetched:
        parts = urlsplit(url)
        try:
            port = parts.port or 443
        except ValueError:
            raise Refused(f"not a valid port: {url}") from None
        if parts.scheme != "https" or not parts.hostname or parts.username or parts.password:
            raise Refused(f"only https URLs without credentials are fetched: {url}")
        addresses = self._addresses(parts.hostname, port, deadline)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        context = self.ssl_context or ssl.create_default_context()
        connection = _PinnedConnection(parts.hostname, port, addresses, context, deadline)
        # A server that sends a byte now and then never lets a socket timeout expire: at the
        # deadline the connection is shut, whatever is being read.
        watchdog = threading.Timer(_remaining(deadline), connection.shut)
        watchdog.start()
        try:
            connection.request(
                method, path, headers={"User-Agent": "Warta", "Accept-Encoding": "identity"}
            )
            response = connection.getresponse()
            body = b"" if method == "HEAD" else self._body(response)
            _remaining(deadline)  # a read cut by the watchdog may look like the end of the body
            return Fetched(url, response.status, response.headers, body)
        except (OSError, http.client.HTTPException) as error:
            raise Failed(f"{url}: {type(error).__name__}: {error}") from None
        finally:
            watchdog.cancel()
            connection.close()

    def _addresses(self, host: str, port: int, deadline: float) -> list[str]:
        lookup = _lookups.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
        try:
            found = lookup.result(timeout=_remaining(deadline))
        except LookupTimeout:
            raise Failed(f"{host}: no address in time") from None
        except OSError as error:
            raise Failed(f"{host}: {error}") from None
        addresses = [str(info[4][0]) for info in found]
        refused = [a for a in addresses if not self.allowed(ipaddress.ip_address(a))]
        if refused or not addresses:
            raise Refused(f"{host} resolves to an address that is not public: {refused}")
        return addresses

    def _body(self, response: http.client.HTTPResponse) -> bytes:
        length = response.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > self.max_bytes:
            raise Failed(f"larger than {self.max_bytes} bytes ({length})")
        body = bytearray()
        while chunk := response.read1(65536):
            body += chunk
            if len(body) > self.max_bytes:
                raise Failed(f"larger than {self.max_bytes} bytes")
        return bytes(body)


class _PinnedConnection(http.client.HTTPSConnection):
    """An HTTPS connection to addresses checked beforehand, for a host name that TLS verifies;
    each socket operation waits no longer than what is left of the deadline."""

    def __init__(
        self,
        host: str,
        port: int,
        addresses: list[str],
        context: ssl.SSLContext,
        deadline: float,
    ) -> None:
        super().__init__(host, port, context=context, timeout=_remaining(deadline))
        self.addresses, self.deadline, self.context = addresses, deadline, context
        # Kept here: http.client forgets its socket once a response without a length begins.
        self.connected: socket.socket | None = None

    def connect(self) -> None:
        error: OSError = OSError("no address")
        for address in self.addresses:
            try:
                sock = socket.create_connection((address, self.port), _remaining(self.deadline))
            except OSError as failure:
                error = failure
                continue
            self.sock = self.connected = self.context.wrap_socket(sock, server_hostname=self.host)
            return
        raise error

    def shut(self) -> None:
        """End the connection from another thread: a read in progress returns at once. (The
        plain socket's shutdown: the TLS one's would pull its state from under that read.)"""
        if self.connected is not None:
            with contextlib.suppress(OSError):
                socket.socket.shutdown(self.connected, socket.SHUT_RDWR)


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise Failed("no answer in time")
    return left
