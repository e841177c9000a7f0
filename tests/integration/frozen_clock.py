"""Test-only hook that freezes the clock of a real Celery worker's tasks at a moment a test sets.

A test starts the worker with `--include tests.integration.frozen_clock` and the environment
variable ZHIKU_TEST_CLOCK_FILE naming a file. Before each task the pool process reads the ISO
8601 moment written in that file and stops time there (time-machine, `tick=False`: `time.time`,
`datetime.now` and so `django.utils.timezone.now` all return it) until the task ends; the test can
move the clock between tasks by rewriting the file. After each task one JSON line (task name,
the frozen moment, the result) is appended to `<file>.runs`, so the test knows what ran when.

Only the task runs on the frozen clock: the worker's main process, which polls the broker and
checks message expiry, keeps the real one. Without the variable or the file nothing is frozen.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import time_machine
from celery.signals import task_postrun, task_prerun

CLOCK_FILE = "ZHIKU_TEST_CLOCK_FILE"

_travel: time_machine.travel | None = None
_moment: str | None = None


def _clock_file() -> Path | None:
    path = os.environ.get(CLOCK_FILE)
    return Path(path) if path else None


@task_prerun.connect
def freeze_clock(**kwargs):
    global _travel, _moment
    path = _clock_file()
    if path is None or not path.exists():
        return
    _moment = path.read_text().strip()
    _travel = time_machine.travel(dt.datetime.fromisoformat(_moment), tick=False)
    _travel.start()


@task_postrun.connect
def thaw_clock(task=None, retval=None, state=None, **kwargs):
    global _travel, _moment
    path = _clock_file()
    if _travel is not None:
        _travel.stop()
        _travel = None
    if path is None:
        return
    line = {"task": getattr(task, "name", None), "state": state, "clock": _moment}
    line["result"] = retval if isinstance(retval, dict | list | str | int | None) else repr(retval)
    _moment = None
    with Path(f"{path}.runs").open("a", encoding="utf-8") as runs:
        runs.write(json.dumps(line, ensure_ascii=False) + "\n")
