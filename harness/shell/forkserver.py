"""A fork server for one runtime: imports it once, then forks a fresh host shell for each request.

Usage: python -m harness.shell.forkserver RUNTIME   (driven by harness.devices.host_launch)

A spawned shell spends seconds starting Python and importing its runtime (torch, for ExecuTorch and the
lite interpreter) before it loads a model. Forked from this server, the shell starts with the imports
done and measures load, inference and memory in the child. Forked shells measured slower and heavier
than spawned ones (benchmarks/shell_start.py, docs/wall-budget.md), so this is `shell_start: fork`,
for quick looks; spawning is the default.

On stdin, one JSON line per request: {"request": PATH, "result": PATH, "log": PATH, "cpus": [..] | null}.
On the protocol stream, one line when the runtime is imported ({"ready": true} or {"error": TEXT}), then
per request {"pid": N} as the child starts and {"exit": CODE, "cpu_time_ns": N} when it ends (a negative CODE:
the signal; cpu_time_ns: the child's whole CPU time, from wait4).
"""

from __future__ import annotations

import gc
import json
import os
import sys
import traceback


def _child(job: dict) -> int:
    from harness.shell import host

    log = os.open(job["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    if job.get("cpus"):
        os.sched_setaffinity(0, job["cpus"])
    return host.main([job["request"], job["result"]])


def _fork(job: dict, reply) -> None:
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            code = _child(job)
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
    os.dup2(2, 1)  # whatever the runtime prints goes to stderr, not into the protocol

    def reply(message: dict) -> None:
        protocol.write(json.dumps(message) + "\n")

    try:
        import harness.shell.host  # noqa: F401  (what every child runs)
        from harness.runtimes import runtime

        runtime(argv[0]).load_session()
    except Exception as error:
        reply({"error": f"{type(error).__name__}: {error}"[:2000]})
        return 1
    gc.collect()
    gc.freeze()  # the imported objects stay shared with the children instead of being copied when gc walks them
    reply({"ready": True})
    for line in sys.stdin:
        if line.strip():
            _fork(json.loads(line), reply)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
