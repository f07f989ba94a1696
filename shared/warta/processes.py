"""A small process supervisor for the local run: starts each program in its own session,
prefixes its output with its name, and stops them all (SIGTERM, then SIGKILL) on Ctrl-C or
when one of them dies: the programs first, the infrastructure they use (Redis) once they have
exited, so that a worker finishing its tasks can still acknowledge them."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import IO

PR_SET_PDEATHSIG = 1  # linux/prctl.h


@dataclass
class Supervisor:
    env: Mapping[str, str]
    stop_timeout: float = 15.0
    running: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    infrastructure: set[str] = field(default_factory=set)  # stopped last

    def start(
        self,
        name: str,
        argv: list[str],
        env: Mapping[str, str] | None = None,
        *,
        infrastructure: bool = False,
    ) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            argv,
            env={**self.env, **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            # Its own session: Ctrl-C reaches the supervisor alone, which stops children in order.
            start_new_session=True,
            # Should the supervisor itself be killed, the child gets SIGTERM instead of living on.
            preexec_fn=_terminate_with_parent,
        )
        assert process.stdout is not None
        threading.Thread(target=_copy, args=(name, process.stdout), daemon=True).start()
        self.running[name] = process
        if infrastructure:
            self.infrastructure.add(name)
        return process

    def exited(self) -> tuple[str, int] | None:
        for name, process in self.running.items():
            code = process.poll()
            if code is not None:
                return name, code
        return None

    def stop_all(self) -> None:
        """Web services, relay and workers first, all at once; Redis (and any other
        infrastructure) only once they have exited."""
        programs = [name for name in self.running if name not in self.infrastructure]
        self._stop([self.running[name] for name in reversed(programs)])
        self._stop([self.running[name] for name in reversed(self.running) if name not in programs])
        self.running.clear()
        self.infrastructure.clear()

    def _stop(self, processes: list[subprocess.Popen[bytes]]) -> None:
        # SIGTERM to each leader alone: celery and gunicorn then stop their own children after
        # the work in hand (a signal to the whole group would kill tasks mid-way).
        for process in processes:
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + self.stop_timeout
        for process in processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()
            if process.stdout is not None:
                process.stdout.close()


def _terminate_with_parent() -> None:
    if sys.platform == "linux":
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


def _copy(name: str, stream: IO[bytes]) -> None:
    prefix = f"{name:>8} | ".encode()
    for line in iter(stream.readline, b""):
        sys.stdout.buffer.write(prefix + line)
        sys.stdout.buffer.flush()
