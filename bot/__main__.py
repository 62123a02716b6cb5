"""``smm-bot`` / ``python -m bot``: start the shop's bot."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable

try:
    import uvloop
except ImportError:  # pragma: no cover - not installed on Windows
    uvloop = None  # type: ignore[assignment]

from bot.app import TelegramRefused, run
from bot.config import SANDBOX, ConfigError, load_settings

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class OneLineFormatter(logging.Formatter):
    """One line per record: a message spanning lines (an error quoting the HTML page of a
    proxy, a library's advice under a flood wait) is folded, so every line of the log
    starts a record, as grep and journald expect. A traceback stays as it is."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return super().formatMessage(record).replace("\r", "").replace("\n", " | ")


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="smm-bot", description="A Telegram storefront for an SMM panel (API v2)."
    )
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="run on a sandbox panel inside the bot (same as PANEL_API_URL=sandbox):"
        " every flow works, nothing real is bought",
    )
    return parser.parse_args()


def main() -> None:
    """Read the settings, then run the bot; a bad setting, or one Telegram refuses (the
    token), ends with one clear line and exit status 2."""
    options = _options()
    try:
        settings = load_settings(**({"panel_api_url": SANDBOX} if options.sandbox else {}))
    except ConfigError as exc:
        print(f"smm-bot: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    handler = logging.StreamHandler()
    handler.setFormatter(OneLineFormatter(LOG_FORMAT))
    logging.basicConfig(level=settings.log_level, handlers=[handler])
    # aiogram logs every update at INFO; the shop's own log says what matters.
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)
    try:
        with asyncio.Runner(loop_factory=_event_loop_factory()) as runner:
            runner.run(run(settings))
    except TelegramRefused as exc:
        # Everything opened was closed on the way out; only the reason is left to say.
        print(f"smm-bot: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's event loop where it is installed (Linux, macOS): the same asyncio, with
    its sockets, timers and thread wake-ups in C, so one core serves more customers.
    Elsewhere, asyncio's own."""
    return None if uvloop is None else uvloop.new_event_loop


if __name__ == "__main__":
    main()
