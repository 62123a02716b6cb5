"""The process behind :class:`~tests.support.process.Launcher`: it imports the modules named
on its command line once, then forks one child per request read from stdin and runs it as
``python -m <module>`` (or ``python <script>``) would run it.

Requests are JSON lines: ``{"id", "module" or "path", "args", "env", "cwd", "stdout",
"stderr"}`` (``stdout`` and ``stderr`` are files, or null for /dev/null). Answers are lines:
``ready`` once the imports are done, ``started <id> <pid>`` for each child, ``exited <pid>
<status>`` when one ends (its exit code, or minus the signal that ended it). When stdin
closes, every child still running is killed and the server ends.

    python -m tests.support.forkserver bot.__main__
"""

from __future__ import annotations

import atexit
import gc
import importlib
import importlib.util
import json
import os
import runpy
import select
import signal
import sys
import traceback
from typing import Any

#: How often a child that ended is looked for, at most, while no request comes.
REAP_SECONDS = 0.01


def _redirect(fd: int, path: str | None) -> None:
    if path is None:
        target = os.open(os.devnull, os.O_RDWR)
    else:
        target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(target, fd)
    os.close(target)


def _exit_status(exc: SystemExit) -> int:
    """What the interpreter exits with for ``exc``: None is 0, a number itself, anything
    else is printed and is 1."""
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code
    print(exc.code, file=sys.stderr)
    return 1


def _child(request: dict[str, Any]) -> None:
    """In the forked child: become the requested program, run it, exit with its status."""
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    _redirect(0, None)
    _redirect(1, request.get("stdout"))
    _redirect(2, request.get("stderr"))
    status = 1
    try:
        if "module" in request:
            module = request["module"]
            sys.argv = [module, *request["args"]]
            # Imported beforehand, the module run as __main__ would be run a second time
            # (and runpy warns): a new interpreter has not imported it either.
            spec = importlib.util.find_spec(module)
            package = spec is not None and spec.submodule_search_locations is not None
            sys.modules.pop(f"{module}.__main__" if package else module, None)
            runpy.run_module(module, run_name="__main__", alter_sys=True)
        else:
            sys.argv = [request["path"], *request["args"]]
            runpy.run_path(request["path"], run_name="__main__")
        status = 0
    except SystemExit as exc:
        status = _exit_status(exc)
    except BaseException:
        traceback.print_exc()
    finally:
        # As the interpreter ends: exit handlers run, and what was left unclosed is
        # collected, so its warnings reach stderr as they would.
        atexit._run_exitfuncs()
        gc.collect()
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        os._exit(status)


def _reap(children: set[int]) -> None:
    while children:
        pid, wait_status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            return
        children.discard(pid)
        print("exited", pid, os.waitstatus_to_exitcode(wait_status), flush=True)


def main() -> None:
    for module in sys.argv[1:]:
        importlib.import_module(module)
    print("ready", flush=True)
    children: set[int] = set()
    pending = b""
    while True:
        if select.select([0], [], [], REAP_SECONDS)[0]:
            # Read from the descriptor, not sys.stdin: a buffer holding a second request
            # would keep select from waking for it.
            data = os.read(0, 1 << 16)
            if not data:
                break
            *lines, pending = (pending + data).split(b"\n")
            for line in lines:
                request = json.loads(line)
                pid = os.fork()
                if pid == 0:
                    _child(request)
                children.add(pid)
                print("started", request["id"], pid, flush=True)
        _reap(children)
    for child in children:
        os.kill(child, signal.SIGKILL)


if __name__ == "__main__":
    main()
