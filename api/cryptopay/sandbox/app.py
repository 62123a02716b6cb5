"""The HTTP face of the Crypto Pay sandbox: an aiohttp application over
:class:`~api.cryptopay.sandbox.cryptopay.CryptoPaySandbox`.

It serves the API at ``{path}/{method}`` for GET and POST, reading fields from the query
string and from a JSON, urlencoded or multipart body alike (the body wins), and each
invoice's pay page at ``/pay/{hash}``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from typing import Any

from aiohttp import web

from api.cryptopay.answers import load_json
from api.cryptopay.client import TOKEN_HEADER
from api.cryptopay.models import InvoiceStatus
from api.cryptopay.sandbox.cryptopay import CryptoPaySandbox
from api.cryptopay.sandbox.pages import pay_page
from api.http import form_fields


def create_app(sandbox: CryptoPaySandbox, path: str = "/api") -> web.Application:
    """An application serving ``sandbox``'s API under ``path`` and its pay pages.

    Payments and webhooks started by the pay pages run in the background; they are
    cancelled when the application shuts down.
    """
    routes = _Routes(sandbox)
    app = web.Application()
    base = path.rstrip("/")
    app.router.add_route("POST", base + "/{method}", routes.serve_api)
    app.router.add_route("GET", base + "/{method}", routes.serve_api)
    app.router.add_get("/pay/{hash}", routes.show_pay_page)
    app.router.add_post("/pay/{hash}", routes.pay_from_page)
    app.on_shutdown.append(routes.stop)
    return app


class _Routes:
    def __init__(self, sandbox: CryptoPaySandbox) -> None:
        self.sandbox = sandbox
        # Set at shutdown, to release requests held by a delay.
        self.stopping = asyncio.Event()
        self.tasks: set[asyncio.Task[None]] = set()

    async def serve_api(self, request: web.Request) -> web.StreamResponse:
        fields: dict[str, Any] = dict(request.query.items())
        if request.method == "POST" and request.body_exists:
            fields.update(await _body_fields(request))
        known = set(self.sandbox.invoices)
        answer = self.sandbox.handle(
            request.match_info["method"],
            request.headers.get(TOKEN_HEADER),
            fields,
            origin=f"{request.scheme}://{request.host}",
            http_method=request.method,
        )
        if self.sandbox.auto_pay_on_create and self.sandbox.auto_pay_after is not None:
            for invoice_id in set(self.sandbox.invoices) - known:
                self.sandbox.invoices[invoice_id].auto_pay_started = True
                self._in_background(self.sandbox.auto_pay(invoice_id))
        if answer.delay > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), answer.delay)
        if answer.disconnect:
            # The client must see the connection drop with no answer at all; ending the
            # handler as cancelled stops aiohttp from writing to the closed transport.
            if request.transport is not None:
                request.transport.close()
            raise asyncio.CancelledError
        return web.Response(
            status=answer.status,
            text=answer.body,
            content_type=answer.content_type,
            charset="utf-8",
        )

    async def show_pay_page(self, request: web.Request) -> web.Response:
        invoice = self.sandbox.invoice_by_hash(request.match_info["hash"])
        if invoice is None:
            raise web.HTTPNotFound(text="no such invoice")
        auto = self.sandbox.auto_pay_after
        if auto is None or invoice.status is not InvoiceStatus.ACTIVE:
            auto = None
        elif not invoice.auto_pay_started:
            invoice.auto_pay_started = True
            self._in_background(self.sandbox.auto_pay(invoice.invoice_id))
        return web.Response(text=pay_page(invoice, auto_pay_after=auto), content_type="text/html")

    async def pay_from_page(self, request: web.Request) -> web.Response:
        invoice = self.sandbox.invoice_by_hash(request.match_info["hash"])
        if invoice is None:
            raise web.HTTPNotFound(text="no such invoice")
        asset = (await request.post()).get("asset")
        try:
            self.sandbox.pay(invoice.invoice_id, asset if isinstance(asset, str) else None)
        except ValueError as exc:
            raise web.HTTPConflict(text=str(exc)) from None
        self._in_background(self.sandbox.notify_paid(invoice.invoice_id))
        raise web.HTTPSeeOther(f"/pay/{invoice.hash}")

    async def stop(self, app: web.Application) -> None:
        self.stopping.set()
        tasks = list(self.tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _in_background(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)


async def _body_fields(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        try:
            value = load_json(await request.read())
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}
    return await form_fields(request)
