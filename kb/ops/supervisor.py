"""A small process supervisor: start several commands, stop them all together.

Standard library only, so that the supervising process stays a few megabytes: `manage.py
run_zhiku` prepares the commands with Django's settings, then replaces itself with
`python -m kb.ops.supervisor SPEC_JSON`, which no longer holds Django in memory.

Each child runs in its own session, so Ctrl-C in the terminal reaches only the supervisor, which
then stops the children (SIGTERM to each, SIGKILL to the group of whatever is left after a grace
period). If one child dies, the others are stopped and the exit status is 1.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

PR_SET_PDEATHSIG = 1


def _die_with_parent():
    """Have the kernel send SIGTERM to the child if the supervisor is killed outright (Linux)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def _say(message, stream=None):
    print(f"[zhiku] {message}", file=stream or sys.stdout, flush=True)


def answers(url) -> bool:
    """Return True when `url` answers 200 within a second."""
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


class Supervisor:
    def __init__(
        self, children, *, ready_url=None, ready_message="", stop_timeout=20, pid_file=None
    ):
        self.specs = children  # [{"name": ..., "argv": [...]}]
        self.ready_url = ready_url
        self.ready_message = ready_message
        self.stop_timeout = stop_timeout
        self.pid_file = pid_file
        self.processes: dict[str, subprocess.Popen] = {}
        self.stopping = None

    def run(self) -> int:
        """Start every child, watch them until a signal or a death, stop them; return the status."""
        previous = {
            sig: signal.signal(sig, self._on_signal)
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
        }
        if self.pid_file:
            with open(self.pid_file, "w") as f:
                f.write(str(os.getpid()))
        try:
            for spec in self.specs:
                process = subprocess.Popen(
                    spec["argv"],
                    env=spec.get("env"),
                    start_new_session=True,
                    preexec_fn=_die_with_parent,
                )
                self.processes[spec["name"]] = process
                _say(f"started {spec['name']} (pid {process.pid})")
            return self._watch()
        finally:
            self._stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            if self.pid_file:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self.pid_file)

    def _on_signal(self, signum, frame):
        self.stopping = signal.Signals(signum).name

    def _watch(self) -> int:
        announced = self.ready_url is None
        while self.stopping is None:
            for name, process in self.processes.items():
                code = process.poll()
                if code is not None:
                    _say(f"{name} exited with status {code}; stopping the others.", sys.stderr)
                    return 1
            if not announced and answers(self.ready_url):
                announced = True
                _say(self.ready_message)
            time.sleep(0.5)
        _say(f"{self.stopping} received, stopping.")
        return 0

    def _stop(self):
        running = {n: p for n, p in self.processes.items() if p.poll() is None}
        for process in running.values():
            # The leader only: gunicorn and Celery stop their own workers gracefully.
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        for name, process in running.items():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _say(f"{name} did not stop within {self.stop_timeout} s; killing it.", sys.stderr)
        for process in self.processes.values():
            # Whatever is left in the child's group (a stuck pool process) goes too.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        _say("all processes stopped.")


def main(argv=None) -> int:
    spec = json.loads((argv or sys.argv)[1])
    return Supervisor(
        spec["children"],
        ready_url=spec.get("ready_url"),
        ready_message=spec.get("ready_message", ""),
        stop_timeout=spec.get("stop_timeout", 20),
        pid_file=spec.get("pid_file"),
    ).run()


if __name__ == "__main__":
    sys.exit(main())
