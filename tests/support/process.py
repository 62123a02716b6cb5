"""Programs run in processes of their own, started without paying Python's imports each time.

Importing what the bot imports (aiogram above all) takes seconds of CPU; a test that starts
the bot ten times would spend most of its time there. A :class:`Launcher` is one process
that has done those imports (:mod:`tests.support.forkserver`); each :meth:`Launcher.run`
forks it, and the child becomes the program: its environment, working folder, arguments,
stdout and stderr are the run's own, it runs the module as ``python -m`` does, and it is a
process like any other: it takes signals, SIGKILL ends it wherever it is, and its exit
status is its own. What only a new interpreter shows (``python -m bot`` found on the path,
the console script) is left to tests that start one.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: What the bot imports; a run of anything importing less starts as quickly.
PRELOAD = ("bot.__main__",)


class Child:
    """One run: a process forked by the launcher, seen as ``asyncio.subprocess.Process``
    shows one. Its stdout and stderr are files, readable while it runs."""

    def __init__(self, pid: int, stdout: Path | None, stderr: Path) -> None:
        self.pid = pid
        self.stdout_path = stdout
        self.stderr_path = stderr
        self._loop = asyncio.get_running_loop()
        self._exited: asyncio.Future[int] = self._loop.create_future()

    @property
    def returncode(self) -> int | None:
        """The exit status (minus the signal that ended it), None while it runs."""
        return self._exited.result() if self._exited.done() else None

    def send_signal(self, signum: int) -> None:
        if self.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    async def wait(self) -> int:
        return await asyncio.shield(self._exited)

    def stderr(self) -> str:
        """What it has written to stderr so far."""
        return self.stderr_path.read_text(errors="replace") if self.stderr_path.exists() else ""

    def stdout(self) -> str:
        if self.stdout_path is None or not self.stdout_path.exists():
            return ""
        return self.stdout_path.read_text(errors="replace")

    async def communicate(self) -> tuple[bytes, bytes]:
        """Until it ends: its stdout and stderr."""
        await self.wait()
        return self.stdout().encode(), self.stderr().encode()

    def _ended(self, status: int) -> None:
        # Told by the launcher's reader thread.
        def settle() -> None:
            if not self._exited.done():
                self._exited.set_result(status)

        with contextlib.suppress(RuntimeError):  # the test's loop has closed since
            self._loop.call_soon_threadsafe(settle)


class Launcher:
    """The process that forks the runs; start it once, early, and share it."""

    def __init__(self, preload: Sequence[str] = PRELOAD) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self._server = subprocess.Popen(
            [sys.executable, "-m", "tests.support.forkserver", *preload],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._started: dict[int, tuple[asyncio.AbstractEventLoop, asyncio.Future[int]]] = {}
        self._children: dict[int, Child] = {}
        self._early_exits: dict[int, int] = {}
        self._reader = threading.Thread(target=self._read, name="launcher", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self._server.stdout is not None
        for raw in self._server.stdout:
            match raw.decode().split():
                case ["ready"]:
                    self._ready.set()
                case ["started", request, pid]:
                    with self._lock:
                        loop, future = self._started.pop(int(request))
                    with contextlib.suppress(RuntimeError):
                        loop.call_soon_threadsafe(_resolve, future, int(pid))
                case ["exited", pid, status]:
                    with self._lock:
                        child = self._children.pop(int(pid), None)
                        if child is None:
                            # Its "started" is still on the way to the test.
                            self._early_exits[int(pid)] = int(status)
                    if child is not None:
                        child._ended(int(status))
        self._ready.set()

    async def run(
        self,
        *args: str,
        module: str | None = None,
        path: Path | None = None,
        env: Mapping[str, str],
        cwd: Path,
        stderr: Path,
        stdout: Path | None = None,
    ) -> Child:
        """Run ``module`` (as ``python -m module *args``) or the script at ``path``, with
        exactly ``env``, in ``cwd``; stderr (and stdout, if given) go to those files."""
        assert (module is None) != (path is None), "a module or a script"
        await asyncio.get_running_loop().run_in_executor(None, self._ready.wait)
        request_id = next(self._ids)
        request = {
            "id": request_id,
            "args": list(args),
            "env": dict(env),
            "cwd": str(cwd),
            "stdout": None if stdout is None else str(stdout),
            "stderr": str(stderr),
            **({"module": module} if module is not None else {"path": str(path)}),
        }
        loop = asyncio.get_running_loop()
        started: asyncio.Future[int] = loop.create_future()
        with self._lock:
            self._started[request_id] = (loop, started)
        assert self._server.stdin is not None, "the launcher is closed"
        self._server.stdin.write(json.dumps(request).encode() + b"\n")
        self._server.stdin.flush()
        pid = await asyncio.wait_for(started, 30)
        child = Child(pid, stdout, stderr)
        with self._lock:
            status = self._early_exits.pop(pid, None)
            if status is None:
                self._children[pid] = child
        if status is not None:
            child._ended(status)
        return child

    def close(self) -> None:
        """End the server; it kills the runs still going."""
        if self._server.stdin is not None:
            with contextlib.suppress(BrokenPipeError):
                self._server.stdin.close()
        self._server.wait(30)
        self._reader.join(5)


def _resolve(future: asyncio.Future[int], value: int) -> None:
    if not future.done():
        future.set_result(value)
