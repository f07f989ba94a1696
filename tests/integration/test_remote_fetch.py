"""The guarded fetcher (warta.remote_fetch) against real sockets: a listener on an address
that is not public must never see a connection, whatever form the URL takes and wherever a
redirect points; a server of the test's own stands in for a public image host to show the
size and time caps."""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import HttpsServer, Listener
from warta.remote_fetch import Failed, Refused, RemoteFetcher, is_public

IMAGE = b"\xff\xd8\xff\xe0" + b"jpeg" * 1000


@pytest.fixture
def listener() -> Iterator[Listener]:
    bare = Listener()
    yield bare
    bare.close()


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1:{port}/a.jpg",
        "https://localhost:{port}/a.jpg",  # a name that resolves to loopback
        "https://127.1:{port}/a.jpg",
        "https://2130706433:{port}/a.jpg",  # 127.0.0.1 as one number
        "https://0x7f000001:{port}/a.jpg",
        "https://[::ffff:127.0.0.1]:{port}/a.jpg",
        "http://127.0.0.1:{port}/a.jpg",
        "https://user:secret@127.0.0.1:{port}/a.jpg",
    ],
)
def test_no_connection_goes_to_an_address_that_is_not_public(listener: Listener, url: str) -> None:
    for method in ("HEAD", "GET"):
        with pytest.raises(Refused):
            RemoteFetcher().fetch(method, url.format(port=listener.port))
    assert listener.connections() == 0


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2606:4700::1111", True),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("127.0.0.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),  # noqa: S104 (refused, not bound)
        ("192.0.2.1", False),
        ("224.0.0.1", False),
        ("239.1.2.3", False),
        ("255.255.255.255", False),
        ("::1", False),
        ("::", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("ff02::1", False),
        ("::ffff:10.0.0.1", False),  # IPv4-mapped
        ("2002:a00:1::", False),  # 6to4 of 10.0.0.1
        ("64:ff9b::a00:1", False),  # NAT64 of 10.0.0.1
        ("64:ff9b::808:808", True),  # NAT64 of 8.8.8.8
    ],
)
def test_public_addresses(address: str, public: bool) -> None:
    assert is_public(ipaddress.ip_address(address)) is public


def redirect(to: str) -> Any:
    def answer(handler: Any) -> None:
        handler.send_response(302)
        handler.send_header("Location", to)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return answer


def image(handler: Any) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "image/jpeg")
    handler.send_header("Content-Length", str(len(IMAGE)))
    handler.end_headers()
    if handler.command == "GET":
        handler.wfile.write(IMAGE)


def endless(handler: Any) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "image/jpeg")
    handler.end_headers()  # no length: the body ends when the connection does
    for _ in range(1000):
        handler.wfile.write(b"x" * 65536)


def trickle(handler: Any) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "image/jpeg")
    handler.end_headers()
    for _ in range(100):  # a byte every 0.1 s: no read ever waits long
        handler.wfile.write(b"x")
        handler.wfile.flush()
        time.sleep(0.1)


@pytest.fixture
def host(tmp_path: Path, listener: Listener) -> Iterator[HttpsServer]:
    elsewhere = Listener("127.0.0.2")  # loopback too on Linux, and not allowed below
    routes = {
        "/foto.jpg": image,
        "/moved.jpg": redirect("/foto.jpg"),
        "/inside.jpg": redirect(f"https://127.0.0.2:{elsewhere.port}/x.jpg"),
        "/mapped.jpg": redirect(f"https://[::ffff:127.0.0.3]:{listener.port}/x.jpg"),
        "/plain.jpg": redirect(f"http://127.0.0.1:{listener.port}/x.jpg"),
        "/loop.jpg": redirect("/loop.jpg"),
        "/endless.jpg": endless,
        "/trickle.jpg": trickle,
    }
    server = HttpsServer(tmp_path, routes)
    server.elsewhere = elsewhere  # type: ignore[attr-defined]
    yield server
    server.close()
    elsewhere.close()


def fetcher(host: HttpsServer, **caps: Any) -> RemoteFetcher:
    """The guard as it is, but for the test's host standing in for a public one."""
    only_the_host = ipaddress.ip_address("127.0.0.1")
    return RemoteFetcher(
        allowed=lambda address: address == only_the_host,
        ssl_context=host.client_context(),
        **caps,
    )


def test_a_public_host_is_asked_and_redirects_are_followed(host: HttpsServer) -> None:
    head = fetcher(host).head(f"{host.url}/moved.jpg")
    assert head.status == 200 and head.url == f"{host.url}/foto.jpg"
    assert head.headers["Content-Length"] == str(len(IMAGE)) and head.body == b""
    assert fetcher(host).get(f"{host.url}/foto.jpg").body == IMAGE
    assert host.requests == [("HEAD", "/moved.jpg"), ("HEAD", "/foto.jpg"), ("GET", "/foto.jpg")]


def test_every_redirect_passes_the_same_guard(host: HttpsServer, listener: Listener) -> None:
    for path in ("/inside.jpg", "/mapped.jpg", "/plain.jpg"):
        with pytest.raises(Refused):
            fetcher(host).get(f"{host.url}{path}")
    assert listener.connections() == 0
    assert host.elsewhere.connections() == 0  # type: ignore[attr-defined]
    with pytest.raises(Failed, match="redirects"):
        fetcher(host).head(f"{host.url}/loop.jpg")


def test_size_and_time_are_capped(host: HttpsServer) -> None:
    with pytest.raises(Failed, match="larger than"):
        fetcher(host, max_bytes=1000).get(f"{host.url}/foto.jpg")  # says its length
    with pytest.raises(Failed, match="larger than"):
        fetcher(host, max_bytes=1_000_000).get(f"{host.url}/endless.jpg")  # does not
    with pytest.raises(Failed):
        fetcher(host, timeout=1.0).get(f"{host.url}/trickle.jpg")
