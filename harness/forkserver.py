"""Fork servers: a process that imports a child step's module once, then forks a fresh child for each job.

Usage: python -m harness.forkserver MODULE [ARG ...]   (driven by ForkServer, below)

MODULE is a child step (harness.child): each forked child runs its `main([JOB, OUTCOME])`, as a spawned
`python -m MODULE JOB OUTCOME` would, so the step's code is the same either way. Before the first job the
server calls `MODULE.warm(*ARGS)`, which imports what the step will need (a runtime, a converter and its
framework), and the children start with that done. Nothing runs in the server but imports, so no runtime
has started its thread pools when it forks. The threads some imports start (OpenBLAS's workers with numpy,
a jemalloc background thread with the converters) stay in the server: a forked child holds only the thread
that forked it, and tests/run/test_conversions.py compares forked conversions with spawned ones file by file.

On stdin, one JSON line per job: {"job": PATH, "outcome": PATH, "log": PATH, "cpus": [..] | null}.
On the protocol stream, one line when the module is warm ({"ready": true} or {"error": TEXT}), then per
job {"pid": N} as the child starts and {"exit": CODE, "cpu_time_ns": N} when it ends (a negative CODE:
the signal; cpu_time_ns: the child's whole CPU time, from wait4).
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from harness.errors import HarnessError

if TYPE_CHECKING:
    from harness.child import ChildStep


def killed_message(step: ChildStep, where: str) -> str:
    """A step's child that outlived its timeout, spawned or forked."""
    return f"{step.what} did not finish within {step.timeout_seconds:.0f}s and was killed{where}"

READY_TIMEOUT_SECONDS = 300.0  # importing a runtime or a converter on a slow, busy machine


def _child(step: ModuleType, job: dict) -> int:
    log = os.open(job["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    if job.get("cpus"):
        os.sched_setaffinity(0, job["cpus"])
    return step.main([job["job"], job["outcome"]])


def _fork(step: ModuleType, job: dict, reply: Callable[[dict], None]) -> None:
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            code = _child(step, job)
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    reply({"pid": pid})
    _, status, usage = os.wait4(pid, 0)  # the child's CPU time as the kernel counted it, its exit included
    reply({"exit": os.waitstatus_to_exitcode(status), "cpu_time_ns": int((usage.ru_utime + usage.ru_stime) * 1e9)})


def main(argv: list[str]) -> int:
    protocol = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # whatever the imports print goes to stderr, not into the protocol

    def reply(message: dict) -> None:
        protocol.write(json.dumps(message) + "\n")

    try:
        step = importlib.import_module(argv[0])
        step.warm(*argv[1:])
    except Exception as error:
        reply({"error": f"{type(error).__name__}: {error}"[:2000]})
        return 1
    gc.collect()
    gc.freeze()  # the imported objects stay shared with the children instead of being copied when gc walks them
    reply({"ready": True})
    for line in sys.stdin:
        if line.strip():
            _fork(step, json.loads(line), reply)
    return 0


class ForkServer:
    """The parent's side of one server; it serves one job at a time."""

    def __init__(self, module: str, args: tuple[str, ...], env: dict[str, str], what: str,
                 error: type[HarnessError]):
        self.what, self.error = what, error  # how messages name the server's children; the error it raises
        self.process = subprocess.Popen([sys.executable, "-m", "harness.forkserver", module, *args], env=env,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        bufsize=0)
        self._pending = b""  # what the server wrote past the last whole line
        ready = self._read(READY_TIMEOUT_SECONDS, "importing")
        if "ready" not in ready:
            self.stop()
            raise error(f"{what} could not start: {ready.get('error', ready)}")

    def _read(self, timeout: float, doing: str) -> dict:
        """The server's next message; read from the pipe itself, so select() sees every byte not yet taken."""
        assert self.process.stdout is not None
        fd, deadline = self.process.stdout.fileno(), time.monotonic() + timeout
        while b"\n" not in self._pending:
            readable, _, _ = select.select([fd], [], [], max(deadline - time.monotonic(), 0))
            chunk = os.read(fd, 65536) if readable else b""
            if not chunk:
                raise self.error(f"the fork server of {self.what} stopped answering while {doing}")
            self._pending += chunk
        line, self._pending = self._pending.split(b"\n", 1)
        return json.loads(line)

    def alive(self) -> bool:
        return self.process.poll() is None

    def run(self, job: Path, outcome: Path, log: Path, step: ChildStep) -> tuple[int, int]:
        """Fork one child for the job; its exit code and CPU time (ns). Raises ``step.error`` when it outlives
        the step's timeout."""
        stdin = self.process.stdin
        assert stdin is not None
        cpus = step.cpu_affinity
        message = {"job": str(job), "outcome": str(outcome), "log": str(log), "cpus": list(cpus) if cpus else None}
        stdin.write((json.dumps(message) + "\n").encode())
        stdin.flush()
        pid = self._read(60.0, "forking")["pid"]
        try:
            ended = self._read(step.timeout_seconds, f"{step.what} ran")
            return ended["exit"], ended["cpu_time_ns"]
        except self.error:
            if not self.alive():
                raise
            os.kill(pid, signal.SIGKILL)
            self._read(60.0, f"{step.what} was killed")
            raise step.error(killed_message(step, f" (log: {log})")) from None

    def stop(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class ForkServers:
    """The running servers of one run or one batch of conversions, by key. A server serves one job at a time,
    so callers on other threads that want the same key at once each get their own. A server that died is
    started again."""

    def __init__(self) -> None:
        self._idle: dict[Hashable, list[ForkServer]] = defaultdict(list)
        self._started: list[ForkServer] = []
        self._lock = threading.Lock()

    def _take(self, key: Hashable) -> ForkServer | None:
        with self._lock:
            idle = self._idle[key] = [server for server in self._idle[key] if server.alive()]
            return idle.pop() if idle else None

    def has(self, key: Hashable) -> bool:
        with self._lock:
            return any(server.alive() for server in self._idle[key])

    def _started_by(self, start: Callable[[], ForkServer]) -> ForkServer:
        server = start()
        with self._lock:
            self._started.append(server)
        return server

    def start(self, key: Hashable, start: Callable[[], ForkServer]) -> ForkServer:
        """Start a server of ``key`` ahead of its first job, so the import happens outside any job's time."""
        server = self._started_by(start)
        with self._lock:
            self._idle[key].append(server)
        return server

    @contextmanager
    def lease(self, key: Hashable, start: Callable[[], ForkServer]) -> Iterator[ForkServer]:
        """An idle server of ``key``, or one ``start`` makes; it goes back to the idle ones afterwards."""
        server = self._take(key) or self._started_by(start)
        try:
            yield server
        finally:
            with self._lock:
                if server.alive():
                    self._idle[key].append(server)

    def retire(self, keep: set) -> None:
        """Stop the idle servers whose key is not in ``keep``: nothing left needs them."""
        with self._lock:
            retired = [(key, self._idle.pop(key)) for key in list(self._idle) if key not in keep]
        for _, servers in retired:
            for server in servers:
                server.stop()

    def stop(self) -> None:
        with self._lock:
            started, self._started = self._started, []
            self._idle.clear()
        for server in started:
            server.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
