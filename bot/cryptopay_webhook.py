"""Crypto Pay's webhook: the ``invoice_paid`` updates Crypto Pay posts to the shop, served
by the same aiohttp server as Telegram's webhook."""

from __future__ import annotations

import logging

from aiohttp import web
from pydantic import SecretStr

from api.cryptopay import SIGNATURE_HEADER, InvalidSignature, InvalidUpdate, read_update
from api.cryptopay.webhook import MAX_UPDATE_BYTES
from shop.crypto_topups import CryptoDesk

logger = logging.getLogger(__name__)


def add_crypto_pay_route(
    app: web.Application, path: str, token: SecretStr, desk: CryptoDesk
) -> None:
    """Serve Crypto Pay's webhook at ``path`` of ``app``.

    A request whose signature is missing or wrong is refused with 401 and logged (without
    the token or the body): nothing in it is trusted. A genuine update is settled (see
    :meth:`shop.crypto_topups.CryptoDesk.receive`) and answered 200, also when its invoice
    was credited before or is not the shop's (the admins are told of those); Crypto Pay
    sends it again only when the answer is not 200, which is what a failure to store it
    should lead to.
    """

    async def receive(request: web.Request) -> web.Response:
        if (request.content_length or 0) > MAX_UPDATE_BYTES:
            logger.warning("Crypto Pay webhook: a request too large was refused")
            return web.Response(status=413)
        raw = await request.read()
        try:
            update = read_update(
                token.get_secret_value(), raw, request.headers.get(SIGNATURE_HEADER)
            )
        except InvalidSignature:
            logger.warning(
                "Crypto Pay webhook: a request from %s without a valid signature was refused",
                request.remote,
            )
            return web.Response(status=401, text="invalid signature")
        except InvalidUpdate as exc:
            logger.warning("Crypto Pay webhook: a signed request was not read: %s", exc)
            return web.Response(status=400, text="not an invoice_paid update")
        settled = await desk.receive(update)
        logger.info("Crypto Pay webhook: invoice %d %s", update.payload.invoice_id, settled.value)
        return web.Response(text="ok")

    app.router.add_post(path, receive)
