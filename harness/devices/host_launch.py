"""How the host starts a shell process: forked from a server that has imported the runtime, or spawned.

One fork server per runtime and thread count (the thread pools' environment variables are read at import),
started on first use and stopped when the run ends. A server that died is started again.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from harness.errors import DeviceError

READY_TIMEOUT_SECONDS = 300.0  # importing a runtime on a slow, busy machine


class ForkServer:
    def __init__(self, runtime: str, env: dict[str, str]):
        self.process = subprocess.Popen([sys.executable, "-m", "harness.shell.forkserver", runtime], env=env,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        bufsize=0)
        self._pending = b""  # what the server wrote past the last whole line
        ready = self._read(READY_TIMEOUT_SECONDS, "importing the runtime")
        if "ready" not in ready:
            self.stop()
            raise DeviceError(f"the {runtime} shell could not start: {ready.get('error', ready)}")

    def _read(self, timeout: float, what: str) -> dict:
        """The server's next message; read from the pipe itself, so select() sees every byte not yet taken."""
        assert self.process.stdout is not None
        fd, deadline = self.process.stdout.fileno(), time.monotonic() + timeout
        while b"\n" not in self._pending:
            readable, _, _ = select.select([fd], [], [], max(deadline - time.monotonic(), 0))
            chunk = os.read(fd, 65536) if readable else b""
            if not chunk:
                raise _Unanswered(what)
            self._pending += chunk
        line, self._pending = self._pending.split(b"\n", 1)
        return json.loads(line)

    def alive(self) -> bool:
        return self.process.poll() is None

    def run(self, request: Path, result: Path, log: Path, cpus: tuple[int, ...] | None,
            timeout: float) -> tuple[int, int]:
        """Fork one shell for the request; its exit code and CPU time (ns). Raises DeviceError when it outlives
        ``timeout``."""
        stdin = self.process.stdin
        assert stdin is not None
        job = {"request": str(request), "result": str(result), "log": str(log), "cpus": list(cpus) if cpus else None}
        stdin.write((json.dumps(job) + "\n").encode())
        stdin.flush()
        pid = self._read(60.0, "forking")["pid"]
        begin = time.monotonic()
        try:
            ended = self._read(timeout, "the shell")
            return ended["exit"], ended["cpu_time_ns"]
        except _Unanswered:
            if not self.alive():
                raise
            os.kill(pid, signal.SIGKILL)
            self._read(60.0, "the killed shell")
            raise DeviceError(f"the host shell did not finish within {time.monotonic() - begin:.0f}s "
                              f"and was killed (log: {log})") from None

    def stop(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class _Unanswered(DeviceError):
    def __init__(self, what: str):
        super().__init__(f"the fork server stopped answering while {what}")


class ForkServers:
    """The running servers of one run, by runtime and thread count."""

    def __init__(self) -> None:
        self._servers: dict[tuple[str, int], ForkServer] = {}

    def running(self, runtime: str, threads: int) -> bool:
        server = self._servers.get((runtime, threads))
        return server is not None and server.alive()

    def server(self, runtime: str, threads: int, env: dict[str, str]) -> ForkServer:
        """The running server, or a new one in place of one that died or never started."""
        if not self.running(runtime, threads):
            self._servers[(runtime, threads)] = ForkServer(runtime, env)
        return self._servers[(runtime, threads)]

    def stop(self) -> None:
        for server in self._servers.values():
            server.stop()
        self._servers.clear()

