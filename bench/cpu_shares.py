"""Where the CPU went during a benchmark: each program's processes (with every child, thread
and pool process) summed from /proc, PostgreSQL's server processes, and the benchmark itself.

    shares = CpuShares({"ingest": 1234, ...})   # program name -> its leader's pid
    shares.start(); ...; print(shares.report(reports))

A share is the fraction of one core over the window; the machine has `os.cpu_count()` of them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _processes() -> dict[int, tuple[int, str, float]]:
    """pid -> (parent pid, owner's uid as text, CPU seconds so far) of every process."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            owner = str((entry / "status").stat().st_uid)
        except OSError:  # gone meanwhile
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
        seconds = (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime
        found[int(entry.name)] = (int(fields[1]), owner, seconds)
    return found


class CpuShares:
    def __init__(self, leaders: Mapping[str, int], postgres_uid: int | None = None) -> None:
        self.leaders = dict(leaders)
        self.postgres_uid = postgres_uid if postgres_uid is not None else _uid_of("postgres")
        self.began: dict[str, float] = {}
        self.started_at = 0.0

    def totals(self) -> dict[str, float]:
        """CPU seconds so far by program (live processes only: pool processes live on)."""
        processes = _processes()
        children: dict[int, list[int]] = {}
        for pid, (parent, _, _) in processes.items():
            children.setdefault(parent, []).append(pid)
        totals: dict[str, float] = {}
        for name, leader in {**self.leaders, "benchmark": os.getpid()}.items():
            stack, seconds = [leader], 0.0
            while stack:
                pid = stack.pop()
                if pid in processes:
                    seconds += processes[pid][2]
                    if name != "benchmark":  # the benchmark's children are the programs
                        stack.extend(children.get(pid, []))
            totals[name] = seconds
        if self.postgres_uid is not None:
            owner = str(self.postgres_uid)
            totals["postgresql"] = sum(cpu for _, uid, cpu in processes.values() if uid == owner)
        return totals

    def start(self) -> None:
        self.began, self.started_at = self.totals(), time.monotonic()

    def report(self, reports: int, unit: str = "report") -> str:
        """One line: the CPU time each of `reports` cost (each a `unit`), and each program's
        share of a core since `start`, largest first."""
        ended, seconds = self.totals(), time.monotonic() - self.started_at
        shares = {name: (ended[name] - self.began.get(name, 0.0)) / seconds for name in ended}
        ordered = sorted(shares.items(), key=lambda item: -item[1])
        busy = sum(shares.values())
        return (
            f"{busy * seconds / reports * 1000:.1f} ms a {unit}; {busy:.0%} of one core busy "
            f"over {seconds:.0f} s ({os.cpu_count()} cores): "
            + ", ".join(f"{name} {share:.0%}" for name, share in ordered if share >= 0.005)
        )


def _uid_of(user: str) -> int | None:
    import pwd

    try:
        return pwd.getpwnam(user).pw_uid
    except KeyError:
        return None
