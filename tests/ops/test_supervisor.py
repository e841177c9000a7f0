"""The run_zhiku supervisor stops every child together: on a signal, and when one child dies."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from kb.ops.management.commands.run_zhiku import build_children
from kb.ops.supervisor import Supervisor

ROOT = Path(__file__).resolve().parents[2]
SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purpose.
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"


def test_when_one_child_dies_the_others_are_stopped_and_the_status_is_failure(capsys):
    supervisor = Supervisor(
        [
            {"name": "sleeper", "argv": SLEEPER},
            {"name": "crasher", "argv": [sys.executable, "-c", "raise SystemExit(3)"]},
        ],
        stop_timeout=5,
    )
    started = time.monotonic()
    assert supervisor.run() == 1
    assert time.monotonic() - started < 10
    assert supervisor.processes["sleeper"].returncode is not None
    assert "crasher exited with status 3" in capsys.readouterr().err


def test_sigterm_stops_every_child_and_exits_cleanly(tmp_path):
    spec = {
        "children": [{"name": "a", "argv": SLEEPER}, {"name": "b", "argv": SLEEPER}],
        "pid_file": str(tmp_path / "zhiku.pid"),
        "stop_timeout": 5,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "kb.ops.supervisor", json.dumps(spec)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        pids = [int(re.search(r"pid (\d+)", process.stdout.readline())[1]) for _ in range(2)]
        assert all(_alive(pid) for pid in pids)
        assert (tmp_path / "zhiku.pid").read_text() == str(process.pid)

        process.send_signal(signal.SIGTERM)

        assert process.wait(timeout=15) == 0
        assert not any(_alive(pid) for pid in pids)
        assert not (tmp_path / "zhiku.pid").exists()
    finally:
        process.kill()
        process.wait()


def test_the_three_processes_use_this_python_and_the_settings(settings):
    children = dict(
        build_children(bind="127.0.0.1:9999", web_workers=1, web_threads=2, concurrency=2)
    )
    assert set(children) == {"web", "worker", "beat"}
    assert all(argv[0] == sys.executable for argv in children.values())
    assert "127.0.0.1:9999" in children["web"]
    assert children["worker"][children["worker"].index("--concurrency") + 1] == "2"
    assert settings.CELERY_BEAT_SCHEDULE_FILENAME in children["beat"]
