"""``smm-bot --sandbox``: an owner without a panel, a Crypto Pay token or bank details tries
everything with play money, through the bot process: two play panels with overlapping
catalogues at different prices, and every way to pay: Stars, crypto (the embedded Crypto
Pay double pays an invoice a few seconds after it is made) and transfers."""

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


async def test_sandbox_mode_sells_from_two_play_panels_with_overlapping_catalogues(
    tmp_path: Path, launcher: Launcher
) -> None:
    async with running_shop(tmp_path, launcher, {"PANEL_API_URL": "sandbox"}) as shop:

        def listed() -> dict[str, int]:
            rows = shop.query("SELECT panel, COUNT(*) FROM panel_services GROUP BY panel")
            return {str(panel): int(str(count)) for panel, count in rows}

        await shop.until(lambda: len(listed()) == 2, 30, "both play panels are synced")
        counts = listed()
        assert counts["sandbox-b"] == (counts["main"] + 1) // 2
        # The same services, cheaper at the second panel.
        [(main_rate, second_rate)] = shop.query(
            "SELECT a.rate, b.rate FROM panel_services AS a JOIN panel_services AS b"
            " ON b.panel = 'sandbox-b' AND b.panel_service_id = a.panel_service_id + 5000"
            " WHERE a.panel = 'main' ORDER BY a.panel_service_id LIMIT 1"
        )
        assert float(str(second_rate)) < float(str(main_rate))
