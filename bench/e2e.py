"""Benchmark: the bot process end to end over HTTP, many customers ordering at once.

The shop runs as its owner runs it (``python -m bot``), with 100,000 orders in its database.

Set-up, not measured: a fresh SQLite file is given ``--orders`` orders through the shop's own
repositories, as placement and tracking would have left them (a quote, the charge, the
panel's id, every state change, refunds of partial and canceled orders). Most are old and
final; ``--active-share`` of them are recent and still running at the sandbox panel, booked
there over the last hour of the panel's clock, so the tracker has work and the notifier tells
their customers as they start and end. Customers have topped up first.

Then the bot runs as a separate process, talking over loopback HTTP to the sandbox panel and
to the Bot API double (``tests/support/bot_api.py``, Telegram's limits off: the bot is
measured, not Telegram), both served by this process on 127.0.0.1. The panel's clock runs
with the wall clock. ``--customers`` customers order at once, each in a closed loop: New
order, a category, a service, Order, the link, the quantity, (No drip-feed,) Confirm, and
again; each update is queued for getUpdates only once the bot has shown the screen the
customer waits for.

Prints: updates handled per second after a warm-up, the time from queueing an update to the
bot's first reply call for that chat and to the screen the customer waits for (p50, p95, p99,
max, and per step), orders placed, errors (a step the bot did not answer; a traceback in the
bot's log), the bot's RSS at start, after the run and at its peak, the database's size, the
CPU time of the bot, of this process (the panel, Telegram and every customer: on a small
machine it competes with the bot) and of everything else on the machine, and the machine.

    python bench/e2e.py [--customers 200] [--seconds 60] [--orders 100000] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from aiohttp import web

from api import DefaultOrder, OrderType, PanelClient, Service
from api.responses import parse_status
from api.sandbox import ManualClock, SandboxPanel, create_app
from shop.catalogue import sync_catalogue
from shop.ledger import credit
from shop.money import Currency
from shop.ordering import refund_key, start_order, store_quote
from shop.refunds import refund_due
from shop.storage import (
    Database,
    LedgerReason,
    OrderRow,
    OrderState,
    Repositories,
    ServiceRow,
    utc_now,
)
from shop.terms import Terms

# The double and the shop's test settings live with the tests; run as a script, the
# project's root is not on the path.
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.e2e.shop import ADMIN_CHAT, OWNER, PANEL_KEY, TOKEN  # noqa: E402
from tests.support.telegram.bot_api import BotApiCall, BotApiDouble, create_bot_api_app  # noqa: E402
from tests.support.telegram.chat import Customer as Chat  # noqa: E402
from tests.support.telegram.chat import Screen, screen_of  # noqa: E402

#: The customers who order during the run are the first ids; the rest only have history.
FIRST_USER = 100_000
#: Orders of history per customer, on average.
ORDERS_PER_CUSTOMER = 10
UNITS = 1000
#: Orders written per transaction while seeding.
SEED_BATCH = 1000
LOAD_TOP_UP = Decimal(100_000)
HISTORY_TOP_UP = Decimal(2_000)
#: The running orders' life at the panel: pending, then in progress (panel seconds).
PENDING_SECONDS = 600.0
PROGRESS_SECONDS = 3000.0
#: Panel ids of the final orders: a range the sandbox never hands out.
FINAL_PANEL_IDS = 90_000_000
#: A step the bot has not answered in this long counts as an error.
STEP_TIMEOUT = 60.0


# --- the shop's history ---------------------------------------------------------------------


@dataclass(frozen=True)
class History:
    customers: int
    orders: int
    states: Counter[OrderState]
    seconds: float


def _final_state(number: int) -> OrderState:
    """Old orders: most completed, some partial, a few canceled."""
    match number % 20:
        case 0:
            return OrderState.CANCELED
        case 1 | 2:
            return OrderState.PARTIAL
        case _:
            return OrderState.COMPLETED


async def _placed(
    tx: Repositories, shop: Terms, request: DefaultOrder, *, user_id: int, panel_id: int
) -> OrderRow:
    """An order as a confirmed placement leaves it: quote used, customer charged, pending
    with the panel's id."""
    quote = await store_quote(tx, shop, user_id, request, utc_now())
    order = await start_order(tx, shop, user_id, quote.id, utc_now())
    await tx.orders.set_placed(order.id, panel_id)
    return order


async def _moved(
    tx: Repositories,
    currency: Currency,
    order: OrderRow,
    state: OrderState,
    *,
    panel_status: str,
    start_count: int | None,
    remains: int | None,
    charge: Decimal | None,
) -> None:
    """A state the panel reported, stored and refunded as the tracker does."""
    await tx.orders.apply_status(
        order.id,
        state=state,
        panel_status=panel_status,
        start_count=start_count,
        remains=remains,
        charge=charge,
        now=utc_now(),
    )
    refund = refund_due(order, state, remains, charge, currency).amount
    if refund > 0:
        await credit(
            tx, order.user_id, refund, LedgerReason.REFUND, refund_key(order.id), order_id=order.id
        )


async def _final_order(
    tx: Repositories, shop: Terms, service: ServiceRow, user_id: int, number: int
) -> None:
    request = DefaultOrder(
        service=service.id, link=f"https://instagram.com/p/history-{number}", quantity=UNITS
    )
    order = await _placed(tx, shop, request, user_id=user_id, panel_id=FINAL_PANEL_IDS + number)
    final = _final_state(number)
    start_count = number % 20_000
    if final is OrderState.CANCELED:
        await _moved(tx, shop.currency, order, final, panel_status="Canceled",
                     start_count=None, remains=UNITS, charge=Decimal(0))  # fmt: skip
        return
    await _moved(tx, shop.currency, order, OrderState.IN_PROGRESS, panel_status="In progress",
                 start_count=start_count, remains=UNITS // 2, charge=order.cost)  # fmt: skip
    remains = 0 if final is OrderState.COMPLETED else UNITS // 3
    await _moved(tx, shop.currency, order, final, panel_status=final.value.capitalize(),
                 start_count=start_count, remains=remains, charge=order.cost)  # fmt: skip


async def seed(
    db: Database,
    panel: SandboxPanel,
    clock: ManualClock,
    shop: Terms,
    services: list[ServiceRow],
    *,
    customers: int,
    orders: int,
    active_share: float,
) -> History:
    """Customers with a top-up; ``orders`` orders of theirs, the last ``active_share`` of
    them booked at the panel over its last hour and stored as the tracker last saw them."""
    started = time.perf_counter()
    total_customers = max(2 * customers, orders // ORDERS_PER_CUSTOMER)
    for start in range(0, total_customers, SEED_BATCH):
        async with db.transaction() as tx:
            for index in range(start, min(start + SEED_BATCH, total_customers)):
                user_id = FIRST_USER + index
                ordering = index < customers
                language = "en" if ordering or index % 3 else "ru"
                await tx.users.upsert(user_id, None, f"Customer {index}", language)
                top_up = LOAD_TOP_UP if ordering else HISTORY_TOP_UP
                await credit(tx, user_id, top_up, LedgerReason.TOPUP, f"topup:{user_id}")

    active = round(orders * active_share)
    final = orders - active
    for start in range(0, final, SEED_BATCH):
        async with db.transaction() as tx:
            for number in range(start, min(start + SEED_BATCH, final)):
                user_id = FIRST_USER + number % total_customers
                service = services[number % len(services)]
                await _final_order(tx, shop, service, user_id, number)

    panel.pending_seconds = PENDING_SECONDS
    panel.progress_seconds = PROGRESS_SECONDS
    gap = (PENDING_SECONDS + PROGRESS_SECONDS) / max(active, 1)
    running: list[tuple[OrderRow, int]] = []
    for start in range(0, active, SEED_BATCH):
        async with db.transaction() as tx:
            for number in range(start, min(start + SEED_BATCH, active)):
                # Customers who are not ordering now: their notices go to chats that the
                # benchmark's customers do not read.
                user_id = FIRST_USER + customers + number % (total_customers - customers)
                service = services[number % len(services)]
                request = DefaultOrder(
                    service=service.id,
                    link=f"https://instagram.com/p/recent-{number}",
                    quantity=UNITS,
                )
                answer = panel.respond(PANEL_KEY, "add", request.to_form())
                assert isinstance(answer, dict) and "order" in answer, answer
                panel_id = int(str(answer["order"]))
                order = await _placed(tx, shop, request, user_id=user_id, panel_id=panel_id)
                running.append((order, panel_id))
                clock.advance(gap)
    for start in range(0, len(running), SEED_BATCH):
        async with db.transaction() as tx:
            for order, panel_id in running[start : start + SEED_BATCH]:
                info = parse_status(panel.respond(PANEL_KEY, "status", {"order": str(panel_id)}))
                state = OrderState.of(info.status)
                if state is not OrderState.PENDING:
                    await _moved(tx, shop.currency, order, state, panel_status=info.status_raw,
                                 start_count=info.start_count, remains=info.remains,
                                 charge=info.charge)  # fmt: skip
    async with db.read() as r:
        states = Counter(await r.orders.counts_by_state())
    return History(total_customers, orders, states, time.perf_counter() - started)


# --- the bot process ------------------------------------------------------------------------


def _memory_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) of a process, in KiB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0])
    return found


def _bare_aiogram_kib() -> int:
    """The RSS of a Python process that has only imported aiogram, in KiB: the floor the
    bot's own memory is measured against, taken in the same run."""
    code = (
        "import aiogram, pathlib; print(next(l.split()[1] for l in"
        " pathlib.Path('/proc/self/status').read_text().splitlines()"
        " if l.startswith('VmRSS:')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return int(done.stdout.strip())


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _machine_busy_seconds() -> float:
    """CPU time spent by everything on the machine so far (all cores)."""
    ticks = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = ticks[3] + ticks[4]
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


@dataclass
class BotProcess:
    process: asyncio.subprocess.Process
    log: Path

    @classmethod
    async def start(
        cls, env: dict[str, str], workdir: Path, log: Path, double: BotApiDouble
    ) -> BotProcess:
        """Start ``python -m bot`` and wait until it polls for updates."""
        with log.open("wb") as stderr:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", cwd=workdir, env=env,
                stdout=asyncio.subprocess.DEVNULL, stderr=stderr,
            )  # fmt: skip
        bot = cls(process, log)
        for _ in range(1200):
            if any(call.method == "getUpdates" for call in double.calls):
                return bot
            if process.returncode is not None:
                break
            await asyncio.sleep(0.05)
        await bot.stop()
        raise SystemExit(f"FAILED: the bot did not start:\n{log.read_text()}")

    @property
    def pid(self) -> int:
        return self.process.pid

    async def stop(self) -> int:
        """SIGTERM, as systemd and Docker stop it; the exit code."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.process.wait(), 60)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
            return -9

    def tracebacks(self) -> int:
        return self.log.read_text(errors="replace").count("Traceback")


def _bot_env(
    workdir: Path, panel_url: str, telegram_url: str, poll_interval: float
) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PANEL_")}
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "BOT_TOKEN": TOKEN,
            "PANEL_API_KEY": PANEL_KEY,
            "PANEL_API_URL": panel_url,
            "TELEGRAM_API_URL": telegram_url,
            "DATABASE_PATH": str(workdir / "shop.sqlite3"),
            "POLL_INTERVAL_SECONDS": str(poll_interval),
            "ADMIN_CHAT_ID": str(ADMIN_CHAT),
            "ADMIN_IDS": str(OWNER),
        }
    )
    return env


# --- customers ------------------------------------------------------------------------------


@dataclass
class Step:
    """One update a customer sent, and when the bot answered it."""

    kind: str
    queued: float
    shown: asyncio.Future[Screen]
    callback_id: str | None = None
    first_reply: float | None = None
    screen_at: float | None = None


@dataclass
class Tally:
    """What every customer saw."""

    steps: list[Step] = field(default_factory=list)
    placed: int = 0
    not_placed: Counter[str] = field(default_factory=Counter)
    #: Steps the bot did not answer in time, or screens without the expected button.
    errors: Counter[str] = field(default_factory=Counter)


class StepError(Exception):
    """The bot did not show what the customer was waiting for."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


class TimeIsUp(Exception):
    """The run is over: no new step."""


class Customer(Chat):
    """A person in a private chat with the bot, tapping through one order after another: the
    tests' chat driver, timing each step from the update queued to the bot's first reply
    and to the screen the customer acts on next."""

    def __init__(
        self, double: BotApiDouble, user_id: int, service: Service, tally: Tally, until: float
    ) -> None:
        super().__init__(double, user_id)
        self.service = service
        self.tally = tally
        self.until = until
        self.step: Step | None = None
        self.screen: Screen | None = None

    # The double calls this for each reply to this chat (see Replies).
    def observe(self, call: BotApiCall, now: float) -> None:
        step = self.step
        # A callback is answered after the screen it belongs to: not a reply to the next step.
        if step is None or (
            call.method == "answerCallbackQuery"
            and call.params.get("callback_query_id") != step.callback_id
        ):
            return
        if step.first_reply is None:
            step.first_reply = now
        message_id = self.shown_by(call)
        if (
            message_id is not None
            and isinstance(call.params.get("reply_markup"), dict)
            and not step.shown.done()
        ):
            step.screen_at = now
            step.shown.set_result(screen_of(call, message_id))

    async def _step(self, kind: str, post: Callable[[], object]) -> Screen:
        if time.perf_counter() >= self.until:
            raise TimeIsUp
        step = Step(kind, time.perf_counter(), asyncio.get_running_loop().create_future())
        self.step = step
        post()
        step.callback_id = self.query_id
        try:
            screen = await asyncio.wait_for(step.shown, STEP_TIMEOUT)
        except TimeoutError:
            raise StepError(kind) from None
        finally:
            self.step = None
        self.tally.steps.append(step)
        self.screen = screen
        return screen

    async def write(self, kind: str, text: str) -> Screen:
        """Send ``text``; the screen it brings."""
        return await self._step(kind, lambda: self.post_text(text))

    async def tap(self, kind: str, wanted: Callable[[str, str], bool]) -> Screen:
        """Tap the button ``wanted`` picks on the screen shown, turning pages (▶) to find it."""
        while True:
            screen = self.screen
            if screen is None:
                raise StepError(kind)
            data = screen.button(wanted)
            if data is not None:
                return await self._tap(kind, screen, data)
            forward = screen.button(lambda label, _: label == "▶")
            if forward is None:
                raise StepError(kind)
            await self._tap("page", screen, forward)

    async def _tap(self, kind: str, screen: Screen, data: str) -> Screen:
        return await self._step(
            kind, lambda: self.post_tap(data, screen.message_id, screen.text, screen.markup)
        )

    async def order(self, number: int) -> None:
        service = self.service
        await self.tap("new order", lambda _, data: data == "m:new")
        await self.tap("category", lambda label, _: label.startswith(f"{service.category} ("))
        await self.tap("service", lambda _, data: data.startswith(f"svc:{service.id}:"))
        await self.tap("order", lambda _, data: data == f"buy:{service.id}")
        await self.write("link", f"https://instagram.com/p/e2e-{self.user_id}-{number}")
        screen = await self.write("quantity", str(UNITS))
        if screen.button(lambda label, _: label == "No") is not None:
            await self.tap("drip-feed", lambda label, _: label == "No")
        placed = await self.tap("confirm", lambda _, data: data.startswith("q:confirm:"))
        if placed.text.startswith("✅"):
            self.tally.placed += 1
        else:
            self.tally.not_placed[placed.text.split("\n", 1)[0]] += 1

    async def run(self) -> None:
        """Order again and again until the time is up; after an error, start over."""
        numbers = itertools.count(1)
        try:
            await self.write("start", "/start")
        except StepError as error:
            self.tally.errors[error.kind] += 1
        while True:
            try:
                await self.order(next(numbers))
            except TimeIsUp:
                return
            except StepError as error:
                self.tally.errors[error.kind] += 1
                try:
                    await self.write("start", "/start")
                except StepError as again:
                    self.tally.errors[again.kind] += 1
                except TimeIsUp:
                    return


class Replies:
    """Hands each call the bot makes to the customer whose chat it is for."""

    def __init__(self, double: BotApiDouble) -> None:
        self.customers: dict[int, Customer] = {}
        #: Calls to other chats: notices to customers with running orders, alerts.
        self.elsewhere: Counter[str] = Counter()
        double.on_call = self.observe

    def observe(self, call: BotApiCall) -> None:
        now = time.perf_counter()
        if call.method == "getUpdates":
            return
        if call.method == "answerCallbackQuery":
            owner = str(call.params.get("callback_query_id", "")).partition(":")[0]
            chat: object = int(owner) if owner.isdigit() else None
        else:
            chat = call.params.get("chat_id")
        customer = self.customers.get(chat) if isinstance(chat, int) else None
        if customer is None:
            self.elsewhere[call.method] += 1
            return
        customer.observe(call, now)


# --- the run --------------------------------------------------------------------------------


async def _serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


async def _follow_wall_clock(clock: ManualClock) -> None:
    """The panel's clock runs with the wall clock (until cancelled)."""
    last = time.monotonic()
    while True:
        await asyncio.sleep(0.25)
        now = time.monotonic()
        clock.advance(now - last)
        last = now


def _ordered_services(panel: SandboxPanel) -> list[Service]:
    """Default services that take an order of ``UNITS`` units."""
    found = []
    for row in panel.services:
        service = panel.service(int(str(row["service"])))
        if service.order_type is OrderType.DEFAULT and service.min <= UNITS <= service.max:
            found.append(service)
    return sorted(found, key=lambda service: service.id)


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _latency_line(name: str, values: list[float]) -> str:
    ms = [value * 1000 for value in values]
    return (
        f"{name:<34} p50 {_percentile(ms, 0.50):7.1f}  p95 {_percentile(ms, 0.95):7.1f}"
        f"  p99 {_percentile(ms, 0.99):7.1f}  max {max(ms, default=float('nan')):7.1f} ms"
    )


def _database_bytes(path: Path) -> int:
    files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
    return sum(file.stat().st_size for file in files if file.exists())


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.partition(":")[2].strip()
    return platform.processor() or "unknown"


@dataclass(frozen=True)
class Options:
    customers: int
    seconds: float
    warmup: float
    orders: int
    active_share: float
    poll_interval: float


@dataclass
class Load:
    """What the run did and cost, from the bot's first getUpdates to the last customer."""

    tally: Tally
    measured_from: float
    until: float
    wall: float = 0.0
    cpu_bot: float = 0.0
    cpu_own: float = 0.0
    cpu_machine: float = 0.0
    memory_start: dict[str, int] = field(default_factory=dict)
    memory_end: dict[str, int] = field(default_factory=dict)
    panel_calls: Counter[str] = field(default_factory=Counter)
    notices: int = 0

    def counted(self) -> list[Step]:
        """Steps sent after the warm-up and answered before the end."""
        return [
            step
            for step in self.tally.steps
            if step.queued >= self.measured_from
            and step.screen_at is not None
            and step.screen_at <= self.until
        ]


async def _load(
    options: Options,
    bot: BotProcess,
    panel: SandboxPanel,
    *,
    double: BotApiDouble,
    replies: Replies,
    services: list[Service],
) -> Load:
    """Every customer orders until the time is up."""
    started = time.perf_counter()
    load = Load(Tally(), started + options.warmup, started + options.warmup + options.seconds)
    customers = [
        Customer(double, FIRST_USER + index, services[index % len(services)], load.tally,
                 load.until)
        for index in range(options.customers)
    ]  # fmt: skip
    replies.customers = {customer.user_id: customer for customer in customers}
    load.memory_start = _memory_kib(bot.pid)
    cpu_bot, cpu_own, cpu_machine = (
        _cpu_seconds(bot.pid), _own_cpu_seconds(), _machine_busy_seconds()
    )  # fmt: skip
    await asyncio.gather(*(customer.run() for customer in customers))
    load.wall = time.perf_counter() - started
    load.cpu_bot = _cpu_seconds(bot.pid) - cpu_bot
    load.cpu_own = _own_cpu_seconds() - cpu_own
    load.cpu_machine = _machine_busy_seconds() - cpu_machine
    load.memory_end = _memory_kib(bot.pid)
    load.panel_calls = Counter(request.action for request in panel.requests)
    load.notices = replies.elsewhere["sendMessage"]
    return load


def _report(options: Options, load: Load) -> None:
    counted = load.counted()
    window = load.until - load.measured_from
    first_reply = [step.first_reply - step.queued for step in counted if step.first_reply]
    to_screen = [step.screen_at - step.queued for step in counted if step.screen_at]
    tally = load.tally
    print(
        f"customers at once: {options.customers}, each sending its next update once the bot"
        f" has shown the screen; measured {options.seconds:g} s after a {options.warmup:g} s"
        " warm-up"
    )
    print(
        f"updates handled: {len(counted):,} in {window:.1f} s ="
        f" {len(counted) / window:,.1f} updates/s sustained"
    )
    print(_latency_line("update -> bot's first reply call", first_reply))
    print(_latency_line("update -> the screen awaited", to_screen))
    kinds = Counter(step.kind for step in counted)
    for kind, count in kinds.items():
        times = [step.screen_at - step.queued for step in counted
                 if step.kind == kind and step.screen_at]  # fmt: skip
        print(_latency_line(f"  {kind} ({count:,})", times))
    refused = sum(tally.not_placed.values())
    print(
        f"orders placed: {tally.placed:,} ({tally.placed / load.wall:.1f}/s);"
        f" confirmed but not placed: {refused}{f' {dict(tally.not_placed)}' if refused else ''}"
    )
    print(f"panel calls during the run: {dict(sorted(load.panel_calls.items()))}")
    print(f"messages to other chats during the run (notices, alerts): {load.notices:,}")
    others = max(0.0, load.cpu_machine - load.cpu_bot - load.cpu_own)
    print(
        f"CPU during the run ({load.wall:.1f} s): bot {load.cpu_bot:.1f} s"
        f" ({load.cpu_bot / load.wall:.0%} of a core); this process (panel, Telegram double,"
        f" customers) {load.cpu_own:.1f} s ({load.cpu_own / load.wall:.0%}); other processes"
        f" on the machine {others:.1f} s ({others / load.wall:.0%})"
    )


async def run(options: Options) -> None:
    print(f"machine: {os.cpu_count()} CPUs, {_cpu_model()}; {platform.python_implementation()} "
          f"{platform.python_version()}; {platform.platform()}")  # fmt: skip
    print(f"load average before the run: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    clock = ManualClock()
    panel = SandboxPanel(clock=clock, seed=1)
    panel.add_account(PANEL_KEY, Decimal(10) ** 9)
    panel.outcome_mix = {"completed": 0.8, "partial": 0.15, "canceled": 0.05}
    double = BotApiDouble()
    replies = Replies(double)
    shop = Terms(currency=Currency("USD", 2), markup_percent=Decimal(30))
    services = _ordered_services(panel)
    panel_runner, panel_base = await _serve(create_app(panel))
    telegram_runner, telegram_url = await _serve(create_bot_api_app(double))
    panel_url = f"{panel_base}/api/v2"
    bot: BotProcess | None = None
    clock_task: asyncio.Task[None] | None = None
    try:
        with tempfile.TemporaryDirectory(prefix="bench-e2e-") as folder:
            workdir = Path(folder)
            database = workdir / "shop.sqlite3"
            print(f"seeding {options.orders:,} orders...", flush=True)
            async with await Database.open(database) as db:
                async with PanelClient(panel_url, PANEL_KEY) as client:
                    await sync_catalogue(db, client)
                async with db.read() as r:
                    rows = [await r.services.get(service.id) for service in services]
                history = await seed(
                    db, panel, clock, shop, [row for row in rows if row is not None],
                    customers=options.customers, orders=options.orders,
                    active_share=options.active_share,
                )  # fmt: skip
            seeded_bytes = _database_bytes(database)
            print(
                f"database: {history.orders:,} orders of {history.customers:,} customers,"
                f" seeded in {history.seconds:.1f} s; {seeded_bytes / 2**20:.1f} MiB"
            )
            states = sorted(history.states.items())
            print(f"  orders by state: {', '.join(f'{s.value} {n:,}' for s, n in states)}")
            # Orders placed during the run stay pending: no notice to a customer ordering.
            panel.pending_seconds = 10.0**9
            panel.requests.clear()

            env = _bot_env(workdir, panel_url, telegram_url, options.poll_interval)
            clock_task = asyncio.create_task(_follow_wall_clock(clock))
            launched = time.perf_counter()
            bot = await BotProcess.start(env, workdir, workdir / "bot.log", double)
            print(
                f"bot started in {time.perf_counter() - launched:.1f} s; the tracker polls every"
                f" {options.poll_interval:g} s; Telegram's limits are off in the double"
            )
            load = await _load(
                options, bot, panel, double=double, replies=replies, services=services
            )
            exit_code = await bot.stop()
            tracebacks = bot.tracebacks()
            bot = None
            async with await Database.open(database) as db, db.read() as r:
                orders_after = sum((await r.orders.counts_by_state()).values())
                totals = await r.ledger.totals_by_user()
                outbox = await r.outbox.counts_by_state()
            final_bytes = _database_bytes(database)
    finally:
        if clock_task is not None:
            clock_task.cancel()
        if bot is not None:
            await bot.stop()
        await telegram_runner.cleanup()
        await panel_runner.cleanup()

    _report(options, load)
    errors = sum(load.tally.errors.values())
    print(
        f"errors: {errors} steps unanswered or without the button expected"
        f"{f' {dict(load.tally.errors)}' if errors else ''}; tracebacks in the bot's log:"
        f" {tracebacks}"
    )
    kib = 1024
    bare = _bare_aiogram_kib()
    print(
        f"bot RSS: {load.memory_start['VmRSS'] / kib:.1f} MiB at start (first getUpdates),"
        f" {load.memory_end['VmRSS'] / kib:.1f} MiB after the run,"
        f" peak {load.memory_end['VmHWM'] / kib:.1f} MiB; a process that only imported"
        f" aiogram: {bare / kib:.1f} MiB (the bot at start"
        f" {(load.memory_start['VmRSS'] - bare) / kib:+.1f} MiB above it, after the run"
        f" {(load.memory_end['VmRSS'] - load.memory_start['VmRSS']) / kib:+.1f} MiB above its"
        " start)"
    )
    print(
        f"database: {seeded_bytes / 2**20:.1f} MiB before the run, {final_bytes / 2**20:.1f} MiB"
        f" after (with its WAL); {orders_after:,} orders"
    )
    print(
        "outbox after the run (notices, alerts): "
        + (", ".join(f"{state.value} {count:,}" for state, count in sorted(outbox.items()))
           or "empty")
    )  # fmt: skip
    print(f"bot exit code after SIGTERM: {exit_code}")

    adds = load.panel_calls["add"]
    problems = []
    if exit_code != 0:
        problems.append(f"the bot exited with {exit_code}")
    if tracebacks:
        problems.append(f"{tracebacks} tracebacks in the bot's log")
    if errors:
        problems.append(f"{errors} steps went wrong")
    if orders_after != history.orders + adds or load.tally.placed > adds:
        problems.append(f"{orders_after} orders stored, {history.orders} seeded + {adds} placed")
    if negative := [user for user, total in totals.items() if total < 0]:
        problems.append(f"balances below zero: {negative[:10]}")
    if problems:
        raise SystemExit("FAILED: " + "; ".join(problems))
    print("books: every order stored once, no balance below zero")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0, help="measured run time")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds not measured first")
    parser.add_argument("--orders", type=int, default=100_000, help="orders in the database")
    parser.add_argument(
        "--active-share", type=float, default=0.1, help="share of them still running"
    )
    parser.add_argument(
        "--poll-interval", type=float, default=60.0, help="the tracker's POLL_INTERVAL_SECONDS"
    )
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: 20 customers, 10 s, 2,000 orders"
    )
    args = parser.parse_args()
    if args.quick:
        args.customers, args.seconds, args.warmup, args.orders = 20, 10.0, 2.0, 2_000
    if args.customers < 1 or args.seconds <= 0 or args.warmup < 0 or args.orders < 0:
        parser.error(
            "--customers and --seconds must be positive, --warmup and --orders not negative"
        )
    if not 0 <= args.active_share <= 1:
        parser.error("--active-share is a share: 0 to 1")
    asyncio.run(
        run(
            Options(
                customers=args.customers,
                seconds=args.seconds,
                warmup=args.warmup,
                orders=args.orders,
                active_share=args.active_share,
                poll_interval=args.poll_interval,
            )
        )
    )


if __name__ == "__main__":
    main()
