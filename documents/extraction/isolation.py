"""Run an extractor in a spawned child process with time, memory and output limits.

The child is started with `spawn` (never `fork`: a process that has run in-process Tika hangs when
it forks, and forking a Django worker would copy its connections). It is reused for many files —
starting in-process Tika costs about 1.2 s — and replaced when it crashes, hangs, runs out of
memory or has served `max_tasks` files. The child leads its own process group, so killing it also
kills the tesseract processes Tika starts. Memory is watched from the parent (resident set of the
whole group) because RLIMIT_AS stops the native Tika VM from starting at all; RLIMIT_DATA is set
as a second, looser bound.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import time
from importlib import import_module
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from .base import ErrorCode, ExtractionResult, Status

logger = logging.getLogger(__name__)

_POLL_SECONDS = 0.05
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _load(dotted: str) -> Any:
    module, _, name = dotted.rpartition(".")
    return getattr(import_module(module), name)


def _child_main(conn: Connection, engine: str, options: dict[str, Any], data_limit: int) -> None:
    """Serve extraction requests from the parent until told to stop or the pipe closes."""
    os.setsid()
    if data_limit:
        import resource

        resource.setrlimit(resource.RLIMIT_DATA, (data_limit, data_limit))
    extractor = _load(engine)(**options)
    try:
        while True:
            try:
                request = conn.recv()
            except (EOFError, OSError):
                break
            if request is None:
                break
            path, password = request
            conn.send(extractor.extract(path, password=password))
    finally:
        extractor.close()


def _group_rss(pgid: int) -> int:
    """Return the resident bytes of every process in a process group (Linux /proc)."""
    total = 0
    try:
        entries = os.listdir("/proc")
    except OSError:
        return 0
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        # After the command name: state ppid pgrp ... field 22 (rss in pages) is index 21 here.
        if int(fields[2]) == pgid:
            total += int(fields[21]) * _PAGE
    return total


@contextlib.contextmanager
def _children_allowed():
    """Let a daemonic process (a Celery prefork worker) start the extraction child.

    multiprocessing refuses children to daemonic processes, and Celery's prefork pool runs tasks
    in daemonic ones (https://github.com/celery/celery/issues/4525). The child is ours: it is
    daemonic itself, in its own process group, and killed by this class, so lifting the flag for
    the start leaves nothing behind.
    """
    from multiprocessing.process import AuthenticationString

    config = multiprocessing.current_process()._config
    daemon = config.pop("daemon", None)
    authkey = config.get("authkey")
    # billiard's pool processes carry billiard's AuthenticationString, which the spawn start
    # method cannot pickle; give the child the same key in multiprocessing's own type.
    if authkey is not None and type(authkey) is not AuthenticationString:
        config["authkey"] = AuthenticationString(bytes(authkey))
    try:
        yield
    finally:
        if daemon is not None:
            config["daemon"] = daemon
        if authkey is not None:
            config["authkey"] = authkey


class IsolatedExtractor:
    """An extractor that runs another one in a reusable spawned child, with limits."""

    def __init__(
        self,
        engine: str,
        options: dict[str, Any] | None = None,
        *,
        timeout: float = 120,
        max_memory_bytes: int | None = 1536 * 1024 * 1024,
        max_tasks: int = 500,
        start_method: str = "spawn",
        idle_seconds: float | None = None,
    ):
        self.engine = engine
        self.options = dict(options or {})
        self.timeout = timeout
        self.max_memory_bytes = max_memory_bytes
        self.max_tasks = max_tasks
        self._context = multiprocessing.get_context(start_method)
        self._lock = threading.Lock()
        self._process: Any = None
        self._conn: Connection | None = None
        self._owner_pid = os.getpid()
        self._served = 0
        # An idle worker should not keep a Tika child (~200 MB) alive for hours: stop it after
        # `idle_seconds` without work; the next file starts a new one (~1.2 s).
        self.idle_seconds = idle_seconds
        self._uses = 0
        self._idle_timer: threading.Timer | None = None

    # --- child management ---------------------------------------------------------------------

    def _start(self) -> None:
        parent_conn, child_conn = self._context.Pipe()
        # RLIMIT_DATA is a backstop well above the watched limit: the watchdog reports clearly.
        data_limit = 4 * self.max_memory_bytes if self.max_memory_bytes else 0
        with _children_allowed():
            process = self._context.Process(
                target=_child_main,
                args=(child_conn, self.engine, self.options, data_limit),
                name="zhiku-extraction",
                daemon=True,
            )
            process.start()
        child_conn.close()
        self._process, self._conn, self._served = process, parent_conn, 0

    def _kill(self) -> None:
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if process is None:
            return
        if process.pid:
            for kill in (os.killpg, os.kill):
                try:
                    kill(process.pid, signal.SIGKILL)
                    break
                except (ProcessLookupError, PermissionError):
                    continue
        process.join(5)
        if conn is not None:
            conn.close()

    def _stop_child(self) -> None:
        if self._conn is not None and self._process is not None:
            try:
                self._conn.send(None)
                self._process.join(5)
            except (OSError, ValueError):
                pass
        self._kill()

    def close(self) -> None:
        """Stop the child politely, or kill it if it does not stop."""
        with self._lock:
            if os.getpid() == self._owner_pid:
                self._stop_child()

    def __del__(self) -> None:  # pragma: no cover - best effort at interpreter exit
        with contextlib.suppress(Exception):
            self.close()

    # --- the contract -------------------------------------------------------------------------

    def extract(
        self, path: str | os.PathLike[str], *, password: str | None = None
    ) -> ExtractionResult:
        """Extract one file in the child; a crash, hang or memory blow-up becomes a failure."""
        with self._lock:
            self._uses += 1
            if os.getpid() != self._owner_pid:
                # Forked after the child was started: the pipe belongs to the parent process.
                self._process = self._conn = None
                self._owner_pid = os.getpid()
            if self._process is None or not self._process.is_alive():
                self._kill()
                self._start()
            result = self._round_trip(str(Path(path)), password)
            self._served += 1
            if result.error_code in {ErrorCode.TIMEOUT, ErrorCode.MEMORY, ErrorCode.CRASHED}:
                self._kill()
            elif self._served >= self.max_tasks:
                # Recycle a long-lived child: native engines can leak between files.
                self._stop_child()
            self._arm_idle_timer()
            return result

    def _arm_idle_timer(self) -> None:
        if not self.idle_seconds:
            return
        if self._idle_timer is not None:
            self._idle_timer.cancel()
        timer = threading.Timer(self.idle_seconds, self._stop_if_idle, args=(self._uses,))
        timer.daemon = True
        timer.start()
        self._idle_timer = timer

    def _stop_if_idle(self, uses: int) -> None:
        with self._lock:
            if self._uses == uses and os.getpid() == self._owner_pid:
                self._stop_child()

    def _round_trip(self, path: str, password: str | None) -> ExtractionResult:
        assert self._conn is not None and self._process is not None
        try:
            self._conn.send((path, password))
        except (OSError, ValueError) as err:
            return self._crashed(f"cannot reach the extraction process: {err}")
        deadline = time.monotonic() + self.timeout
        next_memory_check = 0.0
        while True:
            try:
                if self._conn.poll(_POLL_SECONDS):
                    return self._conn.recv()
            except (EOFError, OSError):
                return self._crashed(None)
            if not self._process.is_alive():
                # It may have sent its answer just before exiting.
                try:
                    if self._conn.poll(0):
                        return self._conn.recv()
                except (EOFError, OSError):
                    pass
                return self._crashed(None)
            now = time.monotonic()
            if now >= deadline:
                logger.warning("Extraction of %s timed out after %ss", path, self.timeout)
                return ExtractionResult.failure(
                    Status.FAILED,
                    ErrorCode.TIMEOUT,
                    f"timeout: extraction took longer than {self.timeout:g} s",
                )
            if self.max_memory_bytes and now >= next_memory_check:
                next_memory_check = now + 0.25
                rss = _group_rss(self._process.pid)
                if rss > self.max_memory_bytes:
                    logger.warning("Extraction of %s used %s bytes; killed", path, rss)
                    return ExtractionResult.failure(
                        Status.FAILED,
                        ErrorCode.MEMORY,
                        f"memory limit: extraction used more than "
                        f"{self.max_memory_bytes // (1024 * 1024)} MB",
                    )

    def _crashed(self, detail: str | None) -> ExtractionResult:
        process = self._process
        if process is not None:
            process.join(1)
        code = process.exitcode if process is not None else None
        if detail is None:
            if code is not None and code < 0:
                try:
                    detail = f"killed by signal {signal.Signals(-code).name}"
                except ValueError:
                    detail = f"killed by signal {-code}"
            else:
                detail = f"exit code {code}"
        return ExtractionResult.failure(
            Status.FAILED, ErrorCode.CRASHED, f"the extraction process crashed ({detail})"
        )
