"""A Crypto Pay sandbox over real loopback HTTP, a client pointed at it, and a webhook
receiver."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Protocol

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from api.cryptopay import CryptoPayClient
from api.cryptopay.sandbox import CryptoPaySandbox, create_app
from api.sandbox import ManualClock

TOKEN = "12345:AAtestTokenOfTheSandboxApp"
#: Short enough that a test of a slow answer stays fast.
TIMEOUTS = aiohttp.ClientTimeout(total=0.5)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def sandbox(clock: ManualClock) -> CryptoPaySandbox:
    return CryptoPaySandbox(TOKEN, clock=clock)


@pytest.fixture
async def sandbox_server(sandbox: CryptoPaySandbox) -> AsyncIterator[TestServer]:
    server = TestServer(create_app(sandbox), host="127.0.0.1")
    await server.start_server()
    yield server
    await server.close()


@pytest.fixture
def api_url(sandbox_server: TestServer) -> str:
    return str(sandbox_server.make_url("/api"))


@pytest.fixture
async def client(api_url: str) -> AsyncIterator[CryptoPayClient]:
    async with CryptoPayClient(TOKEN, api_url, timeouts=TIMEOUTS) as crypto_pay:
        yield crypto_pay


@dataclass
class Received:
    """The webhook requests a receiver got: raw body and headers of each."""

    requests: list[tuple[bytes, dict[str, str]]] = field(default_factory=list)


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[str, Received]]:
    """A loopback endpoint that records each POST and answers 200."""
    received = Received()

    async def record(request: web.Request) -> web.Response:
        received.requests.append((await request.read(), dict(request.headers)))
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/crypto-pay", record)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url("/crypto-pay")), received
    await server.close()


class CannedServer(Protocol):
    """Starts a server giving one prepared reply to every request; returns its API URL."""

    async def __call__(
        self, status: int, body: str, content_type: str = "application/json"
    ) -> str: ...


@pytest.fixture
async def canned() -> AsyncIterator[CannedServer]:
    """Start a server answering every request with one prepared reply; returns its API
    base URL."""
    servers: list[TestServer] = []

    async def start(status: int, body: str, content_type: str = "application/json") -> str:
        async def reply(request: web.Request) -> web.Response:
            return web.Response(status=status, text=body, content_type=content_type)

        app = web.Application()
        app.router.add_route("*", "/api/{method}", reply)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        servers.append(server)
        return str(server.make_url("/api"))

    yield start
    for server in servers:
        await server.close()
