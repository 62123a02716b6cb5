"""``smm-bot`` / ``python -m bot``: start the shop's bot."""

from __future__ import annotations

import asyncio
import logging
import sys

from bot.app import run_polling
from bot.config import ConfigError, load_settings


def main() -> None:
    """Read the settings, then run the bot; a bad setting ends with one clear line."""
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"smm-bot: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # aiohttp's access log and aiogram's update log would print message contents.
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)
    asyncio.run(run_polling(settings))


if __name__ == "__main__":
    main()
