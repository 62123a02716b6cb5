"""Run a sandbox panel from the command line, e.g. to try the bot without spending money.

    python -m api.sandbox --port 8081 --key demo-key --speed 10

The panel serves API v2 at ``http://HOST:PORT/api/v2`` and prints that URL once it
listens (with ``--port 0`` the port is chosen by the system). The key is never printed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
from decimal import Decimal, InvalidOperation

from aiohttp import web

from api.sandbox.app import create_app
from api.sandbox.catalogue import builtin_catalogue, generated_catalogue
from api.sandbox.clock import RealClock
from api.sandbox.corpus import DEFAULT_SIZE, real_world_catalogue
from api.sandbox.faults import Fault
from api.sandbox.panel import SandboxPanel

KEY_VARIABLE = "SANDBOX_API_KEY"
API_PATH = "/api/v2"


def _money(text: str) -> Decimal:
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not an amount: {text!r}") from None
    if not amount.is_finite() or amount < 0:
        raise argparse.ArgumentTypeError(f"not an amount: {text!r}")
    return amount


def _ratio(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a ratio: {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"a ratio is between 0 and 1, not {text}")
    return value


def _non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {text}")
    return value


def _positive(text: str) -> float:
    value = _non_negative(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The command-line options of the sandbox panel."""
    parser = argparse.ArgumentParser(
        prog="smm-sandbox",
        description="A fake SMM panel speaking API v2, with real accounting and no real money.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8081, help="port; 0 picks a free one")
    parser.add_argument(
        "--key",
        default=os.environ.get(KEY_VARIABLE),
        help=f"the API key the panel accepts (default: ${KEY_VARIABLE})",
    )
    parser.add_argument("--balance", type=_money, default=Decimal("1000"), help="opening balance")
    parser.add_argument("--currency", default="USD", help="currency of the balance")
    parser.add_argument(
        "--services", type=int, default=0, help="catalogue size; 0 for the built-in catalogue"
    )
    parser.add_argument(
        "--real-world",
        action="store_true",
        help="serve a catalogue shaped like real panels' (long hostile names, rates of up to"
        f" five decimals, min 0, max 10,000,000...): --services of them, {DEFAULT_SIZE:,} by"
        " default",
    )
    parser.add_argument(
        "--speed", type=_positive, default=1.0, help="how many times faster than real time"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of every random choice")
    parser.add_argument(
        "--latency", type=_non_negative, default=0.0, help="seconds added to every answer"
    )
    parser.add_argument(
        "--fail-ratio", type=_ratio, default=0.0, help="share of requests answered 502"
    )
    parser.add_argument(
        "--timeout-ratio", type=_ratio, default=0.0, help="share of requests never answered"
    )
    return parser


def build_panel(options: argparse.Namespace) -> SandboxPanel:
    """The panel the options describe, with its one account and its faults."""
    if options.services < 0:
        raise ValueError("--services must not be negative")
    if options.real_world:
        services = real_world_catalogue(options.services or DEFAULT_SIZE, options.seed)
    elif options.services:
        services = generated_catalogue(options.services, options.seed)
    else:
        services = builtin_catalogue()
    panel = SandboxPanel(clock=RealClock(options.speed), services=services, seed=options.seed)
    # A long-running server must not keep every request it ever got.
    panel.record_requests = False
    panel.add_account(options.key, options.balance, options.currency)
    if options.latency:
        panel.faults.add(Fault.latency(options.latency))
    if options.fail_ratio:
        panel.faults.add(Fault.html_502(ratio=options.fail_ratio))
    if options.timeout_ratio:
        panel.faults.add(Fault.timeout(ratio=options.timeout_ratio))
    return panel


async def serve(panel: SandboxPanel, host: str, port: int) -> None:
    """Serve ``panel`` until SIGINT or SIGTERM, printing the URL once listening."""
    runner = web.AppRunner(create_app(panel, API_PATH), handle_signals=False)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound_port = runner.addresses[0][1]
        shown_host = f"[{host}]" if ":" in host else host
        print(f"Sandbox panel listening on http://{shown_host}:{bound_port}{API_PATH}", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            # Not available on every platform; Ctrl+C still ends the run there.
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(signum, stop.set)
        await stop.wait()
    finally:
        await runner.cleanup()


def main() -> None:
    """Entry point of ``smm-sandbox`` and ``python -m api.sandbox``."""
    parser = build_parser()
    options = parser.parse_args()
    if not options.key:
        parser.error(f"an API key is required: --key or ${KEY_VARIABLE}")
    try:
        panel = build_panel(options)
    except ValueError as exc:
        parser.error(str(exc))
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(panel, options.host, options.port))


if __name__ == "__main__":
    main()
