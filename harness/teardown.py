"""Ending a child process once its outcome file is written, without the interpreter's teardown.

Unloading torch's or TensorFlow's modules and libraries takes half a second or more after a shell or a
conversion step has written its outcome, and nothing reads what the teardown would release. Light on
purpose: the host shell imports it.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn


def end_process(code: int) -> NoReturn:
    """Flush what was printed, then end at once with ``code``."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed or broken stream: nothing more can reach it
            pass
    os._exit(code)
