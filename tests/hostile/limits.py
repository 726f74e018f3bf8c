"""Running the real `tightrope` command the way a hostile input would meet it: in its own process, with a
memory limit, a hang guard, and its CPU time measured (wall time on a shared CI machine says too little).

Also the file-system faults the disk tests need (a tiny disk, a read-only folder), each undone afterwards
and each telling why it cannot be had on this machine, so that a test skips with that reason.
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

# Enough for the game with every import it makes (~100 MB of address space), far too little for a
# hostile file to balloon in.
MEMORY_LIMIT = 768 * 1024 * 1024
# The promise: a hostile file costs at most this much CPU beyond checking a tiny valid one.
EXTRA_CPU_SECONDS = 2.0
# A process that has not finished by then is hung (the machine may be busy: this is not the promise).
HANG_SECONDS = 60.0

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "scenarios"
TINY = ROOT / "tests" / "fixtures" / "tiny.yaml"


def tightrope() -> list[str]:
    """The installed `tightrope` command beside this Python, else the same entry point through -m."""
    script = Path(sys.executable).with_name("tightrope")
    return [str(script)] if script.exists() else [sys.executable, "-m", "game"]


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str
    cpu_seconds: float
    wall_seconds: float
    hung: bool

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def limit_memory(limit: int = MEMORY_LIMIT, cpu_seconds: int | None = None) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        if cpu_seconds is not None:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))

    return apply


def run_limited(
    arguments: Sequence[str],
    *,
    stdin: str = "",
    env: dict[str, str] | None = None,
    memory: int = MEMORY_LIMIT,
    hang_seconds: float = HANG_SECONDS,
    cwd: Path | None = None,
    cpu_seconds: int | None = None,
) -> Ran:
    """Run a command to its end under the memory limit (and a CPU limit, if given: past it the kernel
    ends the process with SIGXCPU); its own CPU time comes from wait4's rusage."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        process = subprocess.Popen(
            list(arguments),
            stdin=subprocess.PIPE,
            stdout=out,
            stderr=err,
            env=env,
            cwd=cwd,
            preexec_fn=limit_memory(memory, cpu_seconds),
        )
        assert process.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            process.stdin.write(stdin.encode())
            process.stdin.close()
        hung = threading.Event()

        def kill() -> None:
            hung.set()
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGKILL)

        guard = threading.Timer(hang_seconds, kill)
        guard.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            guard.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        return Ran(
            returncode=process.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
            cpu_seconds=usage.ru_utime + usage.ru_stime,
            wall_seconds=wall,
            hung=hung.is_set(),
        )


# File-system faults. Each is a context manager that undoes itself and raises `Unavailable` (with the
# reason) when this machine cannot provide it.


class Unavailable(Exception):
    """This fault cannot be made here; the message says why (for the skip)."""


def _run_quietly(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=False)


@contextlib.contextmanager
def small_disk(folder: Path, size_kib: int = 256) -> Iterator[Path]:
    """A tmpfs of `size_kib` KiB mounted on `folder` (created), unmounted at the end."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        raise Unavailable("mounting a small tmpfs needs root and mount(8)")
    folder.mkdir(parents=True, exist_ok=True)
    mounted = _run_quietly("mount", "-t", "tmpfs", "-o", f"size={size_kib}k,mode=0755", "tmpfs", str(folder))
    if mounted.returncode != 0:
        raise Unavailable(f"mount -t tmpfs failed here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        _run_quietly("umount", "-l", str(folder))


def fill(folder: Path) -> None:
    """Write into `folder` until the disk is full."""
    chunk = b"\0" * 4096
    with contextlib.suppress(OSError), (folder / "filler").open("wb", buffering=0) as handle:
        while True:
            handle.write(chunk)


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[Path]:
    """`folder` made read-only even for root: a read-only bind mount of itself, else `chattr +i` on it
    and everything in it. Undone at the end."""
    if os.geteuid() != 0:
        # chmod is enough for anyone but root.
        modes = {path: path.stat().st_mode for path in [folder, *folder.rglob("*")]}
        for path in modes:
            path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield folder
        finally:
            for path, mode in modes.items():
                path.chmod(mode)
        return
    bound = _run_quietly("mount", "--bind", str(folder), str(folder))
    if bound.returncode == 0:
        remounted = _run_quietly("mount", "-o", "remount,bind,ro", str(folder))
        if remounted.returncode == 0:
            try:
                yield folder
            finally:
                _run_quietly("umount", "-l", str(folder))
            return
        _run_quietly("umount", "-l", str(folder))
    if shutil.which("chattr") is None:
        raise Unavailable("as root, read-only needs a bind mount or chattr; neither works here")
    paths = [str(p) for p in [folder, *folder.rglob("*")]]
    frozen = _run_quietly("chattr", "+i", *paths)
    if frozen.returncode != 0:
        raise Unavailable(f"chattr +i failed here: {frozen.stderr.strip()}")
    try:
        yield folder
    finally:
        _run_quietly("chattr", "-i", *paths)
