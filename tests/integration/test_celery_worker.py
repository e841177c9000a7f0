"""A real Celery worker and beat, started as subprocesses in the embedded profile (or on
PostgreSQL + Redis when the suite runs there), execute what the test enqueues and what beat
schedules, and record their heartbeats and failures where the status page reads them."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection
from django.utils import timezone

from kb.ops.models import ServiceHeartbeat, TaskFailure

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 40


def _database_url() -> str:
    """Point the subprocesses at the database this test runs on (the test database)."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        name = str(db["NAME"])
        assert "memory" not in name, "the SQLite test database must be a file"
        return f"sqlite:///{name}"
    auth = quote(db["USER"], safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgresql://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def worker_environment(data_dir: Path, **extra: str) -> dict[str, str]:
    """Return the environment of a test worker: the test database, this run's broker (a
    filesystem broker under `data_dir`, else the Redis of the run), none of the shell's KB_*."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("KB_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        KB_DATA_DIR=str(data_dir),
        KB_DATABASE_URL=_database_url(),
        PYTHONUNBUFFERED="1",
        **extra,
    )
    if not settings.CELERY_BROKER_URL.startswith("filesystem"):
        env["KB_BROKER_URL"] = settings.CELERY_BROKER_URL
    return env


def worker_arguments(hostname: str) -> list[str]:
    """Return the arguments of one single-process test worker (no mingle or gossip: alone)."""
    return [
        "worker",
        "--concurrency",
        "1",
        "--loglevel",
        "INFO",
        "--without-mingle",
        "--without-gossip",
        "--hostname",
        hostname,
    ]


def _producer(data_dir: Path) -> Celery:
    """A Celery app of our own that sends to the same broker as the worker subprocess."""
    app = Celery("zhiku-integration")
    if settings.CELERY_BROKER_URL.startswith("filesystem"):
        broker = data_dir / "broker"
        for folder in ("queue", "control", "processed"):
            (broker / folder).mkdir(parents=True, exist_ok=True)
        app.conf.broker_url = "filesystem://"
        app.conf.broker_transport_options = {
            "data_folder_in": str(broker / "queue"),
            "data_folder_out": str(broker / "queue"),
            "control_folder": str(broker / "control"),
            "processed_folder": str(broker / "processed"),
        }
    else:
        app.conf.broker_url = settings.CELERY_BROKER_URL
    app.conf.task_serializer = "json"
    return app


def _spawn(argv, env, log):
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", *argv],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(process):
    # Killed outright: what the test needed is already checked, and a graceful Celery shutdown
    # costs seconds. The group holds the pool processes too.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@pytest.fixture
def celery_processes(transactional_db, tmp_path):
    """Start a worker and beat on the test database; always stop them."""
    data_dir = tmp_path / "var"
    env = worker_environment(data_dir, KB_HEARTBEAT_INTERVAL="1")
    log_path = tmp_path / "celery.log"
    processes = []
    with log_path.open("wb") as log:
        try:
            processes.append(_spawn(worker_arguments(f"integration-{os.getpid()}@%h"), env, log))
            processes.append(
                _spawn(
                    ["beat", "--loglevel", "INFO", "--schedule", str(data_dir / "beat-schedule")],
                    env,
                    log,
                )
            )
            yield _producer(data_dir), log_path, processes
        finally:
            for process in processes:
                _stop(process)


def _wait_until(condition, what, log_path, processes):
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if condition():
            return
        for process in processes:
            if process.poll() is not None:
                break
        time.sleep(0.3)
    log = log_path.read_text(errors="replace")[-4000:]
    codes = [p.poll() for p in processes]
    pytest.fail(f"{what} did not happen within {TIMEOUT} s (exit codes {codes}); log:\n{log}")


def test_worker_executes_enqueued_tasks_and_beat_reaches_it(
    celery_processes, client, administrator
):
    producer, log_path, processes = celery_processes
    old = TaskFailure.objects.create(
        task_id="old",
        task_name="kb.ops.tasks.prune_task_failures_task",
        exception="ValueError: long ago",
        failed_at=timezone.now() - timedelta(days=100),
    )

    producer.send_task("kb.ops.tasks.prune_task_failures_task", kwargs={"days": 90})
    producer.send_task("kb.ops.tasks.prune_task_failures_task", kwargs={"days": "not a number"})

    def wait(condition, what):
        _wait_until(condition, what, log_path, processes)

    wait(lambda: not TaskFailure.objects.filter(pk=old.pk).exists(), "the prune task")
    wait(
        lambda: TaskFailure.objects.filter(exception__startswith="ValueError: invalid").exists(),
        "the failure of the bad task being recorded",
    )
    for service in ("worker", "beat", "scheduled_tasks"):
        wait(
            lambda service=service: ServiceHeartbeat.objects.filter(service=service).exists(),
            f"the {service} heartbeat",
        )

    client.force_login(administrator)
    html = client.get("/ops/status/").content.decode()
    for service in ("worker", "beat", "scheduled_tasks"):
        assert f'data-service="{service}" data-alive="true"' in html


def test_worker_extracts_an_uploaded_document(
    celery_processes, settings, tmp_path, rnd_engineer, monkeypatch
):
    """The prefork worker's pool processes are daemonic; extraction must still start its child."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from wagtail.models import Collection

    from documents import actions
    from documents.models import ExtractionStatus, KnowledgeDocument

    producer, log_path, processes = celery_processes
    settings.MEDIA_ROOT = tmp_path / "var" / "media"  # the worker's data directory
    if not Collection.objects.exists():  # the transactional flush removed the migrated root
        Collection.add_root(name="Root")
    # Send the task to the real worker ourselves instead of running it eagerly in this process.
    monkeypatch.setattr(actions, "_enqueue_extraction", lambda pk: None)
    document = actions.upload_document(
        actor=rnd_engineer,
        uploaded=SimpleUploadedFile("冷却液.txt", "冷却液更换周期为两年".encode("gbk")),
    )
    producer.send_task("documents.tasks.extract_document_task", args=[document.pk])
    _wait_until(
        lambda: (
            KnowledgeDocument.objects.get(pk=document.pk).extraction_status
            != ExtractionStatus.PENDING
        ),
        "the extraction by the worker",
        log_path,
        processes,
    )
    document.refresh_from_db()
    assert document.extraction_status == ExtractionStatus.EXTRACTED, document.extraction_error
    assert "冷却液更换周期为两年" in document.extracted_text
