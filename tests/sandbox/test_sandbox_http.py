"""The HTTP layer: how fields may arrive, what goes back, and the command line."""

from __future__ import annotations

import asyncio
import os
import re
import sys
import time
from decimal import Decimal
from pathlib import Path

import aiohttp
import pytest

from api.sandbox import ManualClock, RealClock, SandboxPanel, real_world_catalogue
from api.sandbox.__main__ import build_panel, build_parser, main

from .sandbox_http import KEY, SandboxAPI

REPO_ROOT = Path(__file__).resolve().parents[2]


async def test_answers_are_json(api: SandboxAPI) -> None:
    answer = await api.send("balance")
    assert answer.content_type == "application/json"
    assert answer.text == '{"balance":"100.00000","currency":"USD"}'


async def test_get_query_is_accepted(api: SandboxAPI) -> None:
    answer = await api.raw({"key": KEY, "action": "balance"}, method="GET")
    assert answer.json() == {"balance": "100.00000", "currency": "USD"}


async def test_query_and_body_merge_with_the_body_winning(
    api: SandboxAPI, session: aiohttp.ClientSession, panel: SandboxPanel
) -> None:
    url = api.url.with_query({"key": KEY, "action": "services", "extra": "q"})
    async with session.post(url, data={"action": "balance"}) as response:
        assert (await response.json())["currency"] == "USD"
    assert panel.requests[-1].action == "balance"
    assert panel.requests[-1].fields == {"extra": "q"}


async def test_multipart_form_with_a_file_field(
    api: SandboxAPI, session: aiohttp.ClientSession, panel: SandboxPanel
) -> None:
    form = aiohttp.FormData()
    for name, value in {"key": KEY, "action": "add", "service": "121", "link": "x"}.items():
        form.add_field(name, value)
    comments = "\n".join(f"comment {i}" for i in range(10)).encode()
    form.add_field("comments", comments, filename="comments.txt")
    async with session.post(api.url, data=form) as response:
        assert await response.json() == {"order": 23501}
    assert panel.orders[23501].quantity == 10


async def test_json_body_is_ignored_like_php_does(
    api: SandboxAPI, session: aiohttp.ClientSession
) -> None:
    async with session.post(api.url, json={"key": KEY, "action": "balance"}) as response:
        assert await response.json() == {"error": "Invalid API key"}


async def test_repeated_field_takes_the_last_value(
    api: SandboxAPI, session: aiohttp.ClientSession
) -> None:
    form = [("key", "wrong"), ("key", KEY), ("action", "balance")]
    async with session.post(api.url, data=form) as response:
        assert (await response.json())["currency"] == "USD"


async def test_other_paths_are_not_found(api: SandboxAPI, session: aiohttp.ClientSession) -> None:
    async with session.post(api.url.with_path("/api/v1"), data={"key": KEY}) as response:
        assert response.status == 404


def test_clocks() -> None:
    manual = ManualClock(start=10)
    manual.advance(2.5)
    assert manual.now() == 12.5
    with pytest.raises(ValueError, match="back"):
        manual.advance(-1)
    real = RealClock(speed=1000)
    before = real.now()
    time.sleep(0.01)
    assert real.now() - before >= 9
    assert abs(RealClock().now() - time.time()) < 1
    with pytest.raises(ValueError, match="positive"):
        RealClock(speed=0)


def test_command_line_options_build_the_panel() -> None:
    options = build_parser().parse_args(
        ["--key", "k", "--balance", "12.5", "--currency", "EUR", "--services", "300",
         "--latency", "0.1", "--fail-ratio", "0.2", "--timeout-ratio", "0.05", "--seed", "3"]
    )  # fmt: skip
    panel = build_panel(options)
    assert panel.balance_of("k") == Decimal("12.5")
    assert panel.accounts["k"].currency == "EUR"
    assert len(panel.services) == 300
    assert len(panel.faults) == 3
    assert not panel.record_requests
    assert build_parser().parse_args(["--key", "k"]).host == "127.0.0.1"
    assert len(build_panel(build_parser().parse_args(["--key", "k"])).faults) == 0


async def _start_cli(*args: str, env: dict[str, str] | None = None) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "api.sandbox",
        *args,
        cwd=REPO_ROOT,
        env={**os.environ, **(env or {})},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _stop(process: asyncio.subprocess.Process) -> int:
    if process.returncode is None:
        process.terminate()
    return await asyncio.wait_for(process.wait(), timeout=10)


@pytest.mark.parametrize("key_from_env", [False, True])
async def test_command_line_serves_until_terminated(key_from_env: bool) -> None:
    secret = "cli-secret-key-42"
    args = ["--port", "0", "--balance", "7.25"]
    env = {"SANDBOX_API_KEY": secret} if key_from_env else {"SANDBOX_API_KEY": ""}
    if not key_from_env:
        args += ["--key", secret]
    process = await _start_cli(*args, env=env)
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), timeout=15)).decode()
        assert secret not in line
        match = re.search(r"http://127\.0\.0\.1:(\d+)/api/v2", line)
        assert match, line
        assert match.group(1) != "0"
        async with aiohttp.ClientSession() as session:
            form = {"key": secret, "action": "balance"}
            async with session.post(match.group(0), data=form) as response:
                assert await response.json() == {"balance": "7.25000", "currency": "USD"}
    finally:
        code = await _stop(process)
    assert code == 0
    assert process.stdout is not None
    assert await process.stdout.read() == b""


async def test_command_line_without_a_key_fails() -> None:
    process = await _start_cli("--port", "0", env={"SANDBOX_API_KEY": ""})
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=15)
    assert process.returncode == 2
    assert b"API key is required" in stderr


def test_command_line_serves_the_real_world_catalogue() -> None:
    default = build_panel(build_parser().parse_args(["--key", "k", "--real-world"]))
    assert len(default.services) == 2400
    assert default.services == real_world_catalogue()
    smaller = build_panel(
        build_parser().parse_args(
            ["--key", "k", "--real-world", "--services", "300", "--seed", "4"]
        )
    )
    assert smaller.services == real_world_catalogue(300, seed=4)


def test_main_is_the_console_entry_point() -> None:
    assert callable(main)
