"""The HTTP face of the sandbox panel: an aiohttp application over :class:`SandboxPanel`.

Like a PHP panel it reads ``key``, ``action`` and the other fields from the query string
and from a urlencoded or multipart body alike (the body wins), and ignores a JSON body.
"""

from __future__ import annotations

import asyncio
import contextlib

from aiohttp import web
from multidict import MultiMapping

from api.http import form_fields
from api.sandbox.panel import SandboxPanel

#: Set when the application shuts down, to release requests that are never answered.
_STOPPING = web.AppKey("sandbox_stopping", asyncio.Event)


def create_app(panel: SandboxPanel, path: str = "/api/v2") -> web.Application:
    """An application serving ``panel`` at ``path`` for POST and GET."""
    app = web.Application()
    app[_STOPPING] = asyncio.Event()

    async def serve(request: web.Request) -> web.StreamResponse:
        form = dict(_fields(request.query))
        if request.method == "POST" and request.body_exists:
            form.update(await form_fields(request))
        reply = panel.handle(form)
        stopping = request.app[_STOPPING]
        if reply.delay > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), reply.delay)
        if reply.hang:
            # No answer while the server runs; whoever still waits at shutdown gets a 503.
            await stopping.wait()
            raise web.HTTPServiceUnavailable
        return web.Response(
            status=reply.status,
            text=reply.body,
            content_type=reply.content_type,
            charset="utf-8",
        )

    async def release_waiting(app: web.Application) -> None:
        app[_STOPPING].set()

    app.router.add_route("POST", path, serve)
    app.router.add_route("GET", path, serve)
    app.on_shutdown.append(release_waiting)
    return app


def _fields(values: MultiMapping[str]) -> dict[str, str]:
    # For a repeated name the last value counts, as in PHP's $_POST.
    return dict(values.items())
