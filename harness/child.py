"""One way to run a step in a child process: a job file in, an outcome file out.

The parent writes the job as JSON, starts `python -m MODULE JOB OUTCOME`, and reads the outcome back
through the type it expects. A step that times out, dies, or writes no outcome is one error, of the
kind the caller names, with the tail of what the child printed. The child side (`child_main`) turns
any exception into a `StepFailed` outcome, so the parent always gets a typed answer.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from harness.errors import HarnessError
from harness.files import write_json_atomic
from harness.forkserver import killed_message

if TYPE_CHECKING:
    from harness.forkserver import ForkServer

Job = TypeVar("Job", bound=BaseModel)
Outcome = TypeVar("Outcome")
_TAIL = 1500


class StepFailed(BaseModel):
    """What a child writes when its step raised: the error in one line; the traceback went to its log."""

    model_config = ConfigDict(frozen=True)
    status: Literal["failed"] = "failed"
    error: str


@dataclass(frozen=True)
class ChildStep:
    module: str  # run as `python -m module JOB OUTCOME`
    what: str  # how messages name it: "the converter", "the host shell"
    error: type[HarnessError]  # raised when no outcome comes back
    timeout_seconds: float
    env: Mapping[str, str] | None = None
    cpu_affinity: tuple[int, ...] | None = None
    log: Path | None = None  # appended to; None: the output is kept for the error message only
    program: Path | None = None  # run `program JOB OUTCOME` instead of a Python module (the native runner)


def run_child(step: ChildStep, job: BaseModel | dict, job_file: Path, read_outcome: Callable[[Path], Outcome],
              fork_from: ForkServer | None = None) -> Outcome:
    """Run one step in a fresh process and read its outcome, written next to the job file."""
    return run_child_measured(step, job, job_file, read_outcome, fork_from)[0]


def run_child_measured(step: ChildStep, job: BaseModel | dict, job_file: Path, read_outcome: Callable[[Path], Outcome],
                       fork_from: ForkServer | None = None) -> tuple[Outcome, int | None]:
    """run_child, and the CPU time the child used over its whole life, exit included, as the kernel counted it
    when the child was reaped (wait4; None where the platform cannot wait for one child with a timeout).
    ``fork_from``: a server that has imported the step's module forks the process instead of a fresh start."""
    write_json_atomic(job_file, job.model_dump(mode="json", exclude_none=False) if isinstance(job, BaseModel) else job)
    outcome_file = job_file.with_name(f"{job_file.stem}-outcome.json")
    where = f" (log: {step.log})" if step.log else ""
    cpu_time_ns: int | None
    if fork_from is not None:
        log = step.log or job_file.with_name(f"{job_file.stem}.log")
        code, cpu_time_ns = fork_from.run(job_file, outcome_file, log, step)
        printed = "" if step.log else log.read_text(errors="replace") if log.is_file() else ""
    else:
        code, cpu_time_ns, printed = _spawn(step, job_file, outcome_file, where)
    if not outcome_file.is_file():
        raise step.error(no_result_message(step.what, code, printed, where))
    return read_outcome(outcome_file), cpu_time_ns


def _spawn(step: ChildStep, job_file: Path, outcome_file: Path, where: str) -> tuple[int, int | None, str]:
    """The spawned child's exit code, CPU time and, without a log, what it printed."""
    start = [str(step.program)] if step.program else [sys.executable, "-m", step.module]
    command = [*start, str(job_file), str(outcome_file)]
    cpus = step.cpu_affinity
    pin = (lambda: os.sched_setaffinity(0, cpus)) if cpus else None
    with open(step.log, "a") if step.log else tempfile.TemporaryFile("w+") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=step.env, preexec_fn=pin,
                                   text=True)
        code, cpu_time_ns = _reap(process, step.timeout_seconds)
        if code is None:
            raise step.error(killed_message(step, where))
        printed = "" if step.log else (output.seek(0), output.read())[1]
    return code, cpu_time_ns, printed


def _reap(process: subprocess.Popen, timeout: float) -> tuple[int | None, int | None]:
    """The child's exit code (None: it outlived ``timeout`` and was killed) and CPU time in nanoseconds."""
    if not hasattr(os, "pidfd_open"):  # not Linux: no CPU time of this one child
        try:
            return process.wait(timeout), None
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            return None, None
    descriptor = os.pidfd_open(process.pid)
    try:
        ended = bool(select.select([descriptor], [], [], timeout)[0])  # readable once the child has exited
    finally:
        os.close(descriptor)
    if not ended:
        process.kill()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return (process.returncode if ended else None), int((usage.ru_utime + usage.ru_stime) * 1e9)


def no_result_message(what: str, code: int, output: str, where: str = "") -> str:
    """A process that ended without writing its outcome, with the tail of what it printed."""
    tail = output[-_TAIL:].strip()
    return f"{what} exited with code {code} and wrote no result{where}" + (f": {tail}" if tail else "")


def child_main(argv: list[str], step: Callable[[Job], BaseModel], job_type: type[Job],
               describe: Callable[[BaseException], str]) -> int:
    """The child's side: read the job, run the step, write its outcome or the failure in one line."""
    job = job_type.model_validate_json(Path(argv[0]).read_text())
    try:
        outcome = step(job)
    except Exception as error:
        traceback.print_exc()
        outcome = StepFailed(error=describe(error))
    write_json_atomic(Path(argv[1]), outcome.model_dump(mode="json"))
    return 0


def read_step_outcome(outcome_type: type[Outcome], step: ChildStep, prefix: str = "") -> Callable[[Path], Outcome]:
    """Read an outcome that is either ``outcome_type`` (whose status is "ok") or StepFailed; a failure raises
    ``step.error`` with ``prefix`` and the child's one-line description."""
    adapter: TypeAdapter = TypeAdapter(Annotated[outcome_type | StepFailed, Field(discriminator="status")])

    def read(path: Path) -> Outcome:
        outcome = adapter.validate_json(path.read_text())
        if isinstance(outcome, StepFailed):
            raise step.error(f"{prefix}{outcome.error}" + (f" (log: {step.log})" if step.log else ""))
        return outcome

    return read
