"""The fixtures every folder shares: the sandbox panel over loopback HTTP on a driven clock,
the shop's settings and runtime on a real SQLite file, the recording Telegram session, the
bot, its Dispatcher and the people talking to it, and the launcher of bot processes.

A folder's ``conftest.py`` adjusts them by overriding the small fixtures they are built
from: ``panel_funds``, ``panel_services``, ``catalogue_synced``, ``settings_overrides``.

Two things are done once per run rather than once per test, as neither changes: the Fluent
catalogues are parsed once, and the shop's database is migrated (and the sandbox's
catalogue synced into it) once, then copied for each test.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import shutil
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiogram import Bot, Dispatcher
from aiohttp.test_utils import TestServer

from api import PanelClient
from api.sandbox import ManualClock, SandboxPanel, create_app
from bot.app import create_dispatcher, open_runtime
from bot.config import Settings, load_settings
from bot.runtime import Runtime
from shop.catalogue import sync_catalogue
from shop.storage import ClosedError, Database
from shop.texts import LOCALES_DIR, Texts

from .support.ledger import assert_ledger_consistent
from .support.process import Launcher
from .support.telegram import BotClient, RecordingSession, make_bot

PANEL_KEY = "test-key-3f9a2c71d0"
TOKEN = "123456789:AAEhBOweik6ad9r_QXMENQjcrGbqCr4K-Ew"
#: The admin group of the shop in every test that has one.
ADMIN_CHAT = -100500
#: The shop's database file, in each test's own folder.
DATABASE_NAME = "shop.sqlite3"


# --- once per run -----------------------------------------------------------------------------


_read_catalogues = Texts.load
_READ_CATALOGUES: dict[tuple[str, Path], Texts] = {}


async def _catalogues_read_once(default_locale: str, path: Path = LOCALES_DIR) -> Texts:
    key = (default_locale, path)
    if key not in _READ_CATALOGUES:
        _READ_CATALOGUES[key] = await _read_catalogues(default_locale, path)
    return _READ_CATALOGUES[key]


@pytest.fixture(scope="session", autouse=True)
def _translations_parsed_once() -> Iterator[None]:
    """Parsing the Fluent catalogues is most of a shop's opening time, and they do not change
    during the run: every shop gets the same, really loaded, translations."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Texts, "load", staticmethod(_catalogues_read_once))
        yield


async def _build_template(path: Path, synced: bool) -> None:
    async with await Database.open(path) as database:
        if not synced:
            return
        panel = SandboxPanel(clock=ManualClock())
        panel.add_account(PANEL_KEY, Decimal(1))
        server = TestServer(create_app(panel), host="127.0.0.1")
        await server.start_server()
        try:
            async with PanelClient(str(server.make_url("/api/v2")), PANEL_KEY) as client:
                await sync_catalogue(database, client)
        finally:
            await server.close()


@pytest.fixture(scope="session")
def database_templates(tmp_path_factory: pytest.TempPathFactory) -> Mapping[bool, Path]:
    """The shop's database as a fresh shop has it, migrated: ``True`` with the sandbox's
    catalogue synced into it, ``False`` without. Built once, in a loop of its own."""
    folder = tmp_path_factory.mktemp("templates")
    templates = {synced: folder / f"synced-{synced}.sqlite3" for synced in (True, False)}
    with concurrent.futures.ThreadPoolExecutor(1) as worker:
        for synced, path in templates.items():
            worker.submit(asyncio.run, _build_template(path, synced)).result()
    return templates


@pytest.fixture
def catalogue_synced() -> bool:
    """Whether the shop's database starts with the sandbox's catalogue in it, as after the
    first sync (override with False where the test syncs itself)."""
    return True


@pytest.fixture
def database_path(
    tmp_path: Path, database_templates: Mapping[bool, Path], catalogue_synced: bool
) -> Path:
    """The test's own copy of the migrated database."""
    path = tmp_path / DATABASE_NAME
    shutil.copyfile(database_templates[catalogue_synced], path)
    return path


# --- the panel --------------------------------------------------------------------------------


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def panel_funds() -> Decimal:
    """The shop's balance at the panel."""
    return Decimal(100_000)


@pytest.fixture
def panel_services() -> Sequence[Mapping[str, object]] | None:
    """The catalogue the sandbox serves; None: its own."""
    return None


@pytest.fixture
def panel(
    clock: ManualClock,
    panel_funds: Decimal,
    panel_services: Sequence[Mapping[str, object]] | None,
) -> SandboxPanel:
    extra: dict[str, Any] = {} if panel_services is None else {"services": panel_services}
    sandbox = SandboxPanel(clock=clock, **extra)
    sandbox.add_account(PANEL_KEY, panel_funds)
    return sandbox


@pytest.fixture
async def panel_server(panel: SandboxPanel) -> AsyncIterator[TestServer]:
    server = TestServer(create_app(panel), host="127.0.0.1")
    await server.start_server()
    yield server
    await server.close()


@pytest.fixture
def panel_url(panel_server: TestServer) -> str:
    return str(panel_server.make_url("/api/v2"))


@pytest.fixture
async def panel_client(panel_url: str) -> AsyncIterator[PanelClient]:
    async with PanelClient(
        panel_url, PANEL_KEY, timeouts=aiohttp.ClientTimeout(total=1)
    ) as client:
        yield client


# --- a second panel, for the shops that sell from two ---------------------------------------

SECOND_PANEL_KEY = "second-key-7c4e19b2"


@pytest.fixture
def second_panel_services() -> Sequence[Mapping[str, object]] | None:
    """The catalogue the second sandbox serves; None: the sandbox's own."""
    return None


@pytest.fixture
def second_panel(
    clock: ManualClock,
    panel_funds: Decimal,
    second_panel_services: Sequence[Mapping[str, object]] | None,
) -> SandboxPanel:
    """Another sandbox panel, on the same clock, with an account for the shop."""
    extra: dict[str, Any] = (
        {} if second_panel_services is None else {"services": second_panel_services}
    )
    sandbox = SandboxPanel(clock=clock, seed=2, **extra)
    sandbox.add_account(SECOND_PANEL_KEY, panel_funds)
    return sandbox


@pytest.fixture
async def second_panel_url(second_panel: SandboxPanel) -> AsyncIterator[str]:
    server = TestServer(create_app(second_panel), host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url("/api/v2"))
    await server.close()


@pytest.fixture
def two_panels(second_panel_url: str) -> dict[str, object]:
    """The settings of a shop that also sells from the second panel, named ``second``
    (merge them into ``settings_overrides``)."""
    return {
        "panels": "second",
        "panel_second_url": second_panel_url,
        "panel_second_key": SECOND_PANEL_KEY,
    }


# --- the shop -------------------------------------------------------------------------------


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    """Settings a test module sets for its shop (override this fixture)."""
    return {}


@pytest.fixture
def settings(
    database_path: Path, panel_url: str, settings_overrides: dict[str, object]
) -> Settings:
    options: dict[str, object] = {
        "bot_token": TOKEN,
        "panel_api_key": PANEL_KEY,
        "panel_api_url": panel_url,
        "database_path": database_path,
        "admin_chat_id": ADMIN_CHAT,
        **settings_overrides,
    }
    return load_settings(env_file=None, **options)


@pytest.fixture
async def services(settings: Settings) -> AsyncIterator[Runtime]:
    """The shop's runtime as the bot opens it (its background loops not started)."""
    runtime = await open_runtime(settings)
    yield runtime
    # Whatever the test did, the books are in order (in the database as the test left it:
    # a test may have closed the runtime, as a stop would).
    try:
        await assert_ledger_consistent(runtime.db, runtime.terms.currency)
    except ClosedError:
        async with await Database.open(settings.database_path) as database:
            await assert_ledger_consistent(database, runtime.terms.currency)
    await runtime.aclose()


# --- Telegram, in-process -----------------------------------------------------------------------


@pytest.fixture
def session() -> RecordingSession:
    return RecordingSession()


@pytest.fixture
def bot(session: RecordingSession) -> Bot:
    return make_bot(session)


@pytest.fixture
def dispatcher(services: Runtime) -> Dispatcher:
    return create_dispatcher(services)


@pytest.fixture
def make_client(dispatcher: Dispatcher, bot: Bot) -> Callable[..., BotClient]:
    def build(**options: Any) -> BotClient:
        return BotClient(dispatcher, bot, **options)

    return build


@pytest.fixture
def alice(make_client: Callable[..., BotClient]) -> BotClient:
    """A customer, in her private chat."""
    return make_client()


# --- the order of the run ---------------------------------------------------------------------

#: Folders whose tests last longest (bot processes, whole catalogues): run first, so that with
#: several workers (``-n``) the last minute is not one worker finishing them alone.
LONG_FIRST = ("e2e", "corpus")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        folder = item.path.relative_to(Path(__file__).parent).parts[0]
        return LONG_FIRST.index(folder) if folder in LONG_FIRST else len(LONG_FIRST)

    items.sort(key=rank)


# --- bot processes ----------------------------------------------------------------------------

_launcher: Launcher | None = None


def _shared_launcher() -> Launcher:
    global _launcher  # noqa: PLW0603 - one per run, started as early as it is known to be used
    if _launcher is None:
        _launcher = Launcher()
    return _launcher


def pytest_collection_finish(session: pytest.Session) -> None:
    # Its imports take seconds: let them run beside the first tests, not before a later one.
    if any("launcher" in getattr(item, "fixturenames", ()) for item in session.items):
        _shared_launcher()


def pytest_sessionfinish() -> None:
    if _launcher is not None:
        _launcher.close()


@pytest.fixture(scope="session")
def launcher() -> Launcher:
    """Starts bot processes (see :mod:`tests.support.process`)."""
    return _shared_launcher()
