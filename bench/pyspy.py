"""Sampling the web workers with py-spy while ``bench/visit.py`` loads them, and where the CPU went.

``py-spy`` (``pip install -e .[bench]`` or ``pip install py-spy``; it reads the workers' memory, so it needs root or
``ptrace`` rights) records the Python CPU time (the samples holding the GIL) of every
worker of the server for the length of one wrk run, as collapsed stacks. :func:`summarize`
reads them back: the share of the busy samples in which each function is on the stack
(inclusive) and at the top (self).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path


def binary() -> str:
    """The py-spy executable (beside this Python's, or on PATH), or exit saying how to install it."""
    import sys

    beside = Path(sys.executable).with_name("py-spy")
    found = str(beside) if beside.exists() else shutil.which("py-spy")
    if not found:
        raise SystemExit("py-spy is not installed: run `pip install py-spy`")
    return found


def record(pid: int, seconds: float, output: Path) -> subprocess.Popen:
    """Start sampling ``pid`` and its child processes for ``seconds`` into ``output`` (collapsed stacks)."""
    command = [binary(), "record", "--pid", str(pid), "--subprocesses", "--duration", f"{max(1, int(seconds))}"]
    command += ["--format", "raw", "--function", "--gil", "--nonblocking", "--output", str(output)]
    log = open(output.with_suffix(".log"), "wb")
    return subprocess.Popen(command, stdout=log, stderr=log)


FRAME = re.compile(r"^(?P<function>.+?) \((?P<file>[^()]*)\)$")


def _frames(stack: str) -> list[str]:
    out = []
    for frame in stack.split(";"):
        match = FRAME.match(frame)
        out.append(f"{match['function']} ({match['file']})" if match else frame)
    return out


def summarize(path: Path, top: int = 25) -> list[str]:
    """The report of one recording: busy samples, then the top inclusive and self shares."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames, n = [f for f in _frames(stack) if not f.startswith("process ")], int(count)
        if any(f.startswith(("wait (threading", "select (selectors", "_worker (concurrent")) for f in frames[-1:]):
            continue  # an idle thread (py-spy shows some waits as active)
        total += n
        if not frames:
            continue
        for frame in set(frames):
            inclusive[frame] += n
        own[frames[-1]] += n
    if not total:
        return [f"{path.name}: no samples"]
    lines = [f"{path.name}: {total} busy samples", "  inclusive:"]
    lines += [f"    {100 * n / total:5.1f}%  {f}" for f, n in inclusive.most_common(top)]
    lines.append("  self:")
    lines += [f"    {100 * n / total:5.1f}%  {f}" for f, n in own.most_common(top // 2)]
    return lines
