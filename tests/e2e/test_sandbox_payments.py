"""``smm-bot --sandbox``: an owner without a Crypto Pay token or bank details tries every way
to pay with play money, through the bot process: Stars, crypto (the embedded Crypto Pay
double pays an invoice a few seconds after its page is opened) and transfers."""

from __future__ import annotations

from pathlib import Path

from ..support.process import Launcher
from ..support.telegram.chat import Customer
from .shop import running_shop


async def test_sandbox_mode_offers_every_way_to_pay_and_credits_play_crypto_once(
    tmp_path: Path, launcher: Launcher
) -> None:
    env = {"PANEL_API_URL": "sandbox", "CRYPTO_PAY_POLL_SECONDS": "1"}
    async with running_shop(tmp_path, launcher, env) as shop:
        ann = Customer(shop.telegram, user_id=9401)
        await ann.send("/start")
        await ann.click("Balance")
        await ann.click("Top up")
        chooser = ann.last
        assert "How would you like to pay?" in chooser.text
        assert [label for label, _ in chooser.buttons] == [
            "⭐ Telegram Stars",
            "💎 Crypto (CryptoBot)",
            "🏦 Bank transfer",
            "◀ Back",
        ]
        await ann.click("Crypto (CryptoBot)")
        await ann.click("10.00 USD")
        assert ann.last.text.startswith("💎 <b>Invoice for 10.00 USD</b>")
        [(_, pay_url), _] = ann.last.buttons
        assert pay_url.startswith("http://127.0.0.1:")

        # Without Ann opening anything (a page on the bot's machine), the play Crypto Pay
        # pays the invoice a few seconds after it was made.
        notice = await ann.wait_for("Your crypto payment has arrived", timeout=30)
        assert "10.00 USD added to your balance" in notice.text
        assert shop.query("SELECT reason, amount FROM ledger WHERE user_id = ?", ann.user_id) == [
            ("crypto_topup", 10_000_000)
        ]
        assert len(ann.texts("Your crypto payment has arrived")) == 1

        # Transfers show the play details.
        await ann.send("/start")
        await ann.click("Balance")
        await ann.click("Top up")
        await ann.click("Bank transfer")
        await ann.click("10.00 USD")
        assert "SANDBOX" in ann.last.text.upper()
