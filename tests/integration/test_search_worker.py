"""A real Celery worker drains the search outbox; the index converges to the database after the
worker is killed mid-batch and after an engine outage (issue 5: outbox indexing loses nothing)."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from customers.tickets.models import Ticket
from search import outbox
from search.backends import load_backend
from search.indexing import iter_records
from search.models import IndexOutbox
from tests.factories import CustomerFactory
from tests.integration.test_celery_worker import (
    _producer,
    _spawn,
    _stop,
    worker_arguments,
    worker_environment,
)

TIMEOUT = 120
DRAIN = "search.tasks.drain_search_outbox_task"
SWEEP = "search.tasks.sweep_search_outbox_task"
# Long enough that analysing one batch takes a good fraction of a second, as real documents do.
TEXT = "发动机冷却液需要定期更换，变速箱换挡冲击的原因可能是阀体磨损。" * 60


class Worker:
    """One Celery worker subprocess on the test database, which can be killed and restarted."""

    def __init__(self, tmp_path: Path):
        self.data_dir = tmp_path / "var"
        self.log_path = tmp_path / "worker.log"
        # The run's broker: on the Redis run a filesystem-broker worker would never see a task.
        self.env = worker_environment(self.data_dir)
        self.producer = _producer(self.data_dir)
        self.process = None

    def start(self):
        with self.log_path.open("ab") as log:
            hostname = f"search-{os.getpid()}-{time.monotonic_ns()}@%h"
            self.process = _spawn(worker_arguments(hostname), self.env, log)

    def kill(self):
        if self.process is not None:
            _stop(self.process)  # SIGKILL to the whole process group
            self.process = None

    def send(self, name, **kwargs):
        self.producer.send_task(name, kwargs=kwargs)

    def wait(self, condition, what):
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if condition():
                return
            if self.process is not None and self.process.poll() is not None:
                break
            time.sleep(0.05)
        log = self.log_path.read_text(errors="replace")[-4000:]
        pytest.fail(f"{what} did not happen within {TIMEOUT} s; worker log:\n{log}")

    def backend(self):
        return load_backend(
            "default",
            BACKEND="search.backends.tantivy.TantivyBackend",
            PATH=self.data_dir / "index",
        )


@pytest.fixture
def worker(transactional_db, tmp_path):
    worker = Worker(tmp_path)
    yield worker
    worker.kill()


def make_tickets(n: int) -> set[str]:
    """Create `n` tickets and mark them (bulk: the test is about draining, not about signals)."""
    customer = CustomerFactory(name="甲方科技")
    Ticket.objects.bulk_create(
        Ticket(number=f"T{i:06d}", customer=customer, subject=f"工单{i} 冷却液", description=TEXT)
        for i in range(n)
    )
    pks = Ticket.objects.values_list("pk", flat=True)
    outbox.mark_many([("tickets.ticket", pk) for pk in pks], drain=False)
    outbox.mark_many([("customers.customer", customer.pk)], drain=False)
    return database_keys()


def database_keys() -> set[str]:
    return {key for key, record in iter_records() if record is not None}


def test_index_converges_after_the_worker_is_killed_mid_batch(worker):
    expected = make_tickets(1500)
    total = IndexOutbox.objects.count()
    worker.start()
    worker.send(DRAIN, batch_size=100)

    # Kill once a batch is settled and the next one claimed: the drain is then in the middle of
    # a batch (waiting only for the first settle could kill it between two batches).
    def mid_batch():
        if IndexOutbox.objects.count() >= total:
            return False
        return IndexOutbox.objects.filter(next_attempt_at__gt=timezone.now()).exists()

    worker.wait(mid_batch, "the first batch, and the claim of the next")
    worker.kill()

    now = timezone.now()
    claimed = IndexOutbox.objects.filter(next_attempt_at__gt=now).count()
    left = IndexOutbox.objects.count()
    assert 0 < left < total
    assert claimed > 0, "the worker was not killed in the middle of a batch"
    indexed = worker.backend().keys()
    assert indexed != expected

    # The claim's lease runs out (ten minutes in production): let the clock pass it.
    IndexOutbox.objects.filter(next_attempt_at__gt=now).update(next_attempt_at=now)
    worker.start()
    worker.send(SWEEP)
    worker.wait(lambda: not IndexOutbox.objects.exists(), "the sweep's drain")

    backend = worker.backend()
    worker.wait(lambda: backend.keys() == expected, "the index converging to the database")
    assert backend.count() == len(expected)


def test_index_recovers_after_an_engine_outage(worker):
    expected = make_tickets(300)
    index_dir = worker.data_dir / "index"
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    index_dir.write_text("not a directory")  # the engine cannot open its index: an outage
    worker.start()
    worker.send(DRAIN)

    worker.wait(
        lambda: IndexOutbox.objects.filter(attempts__gte=1).exists(), "the failed drain's backoff"
    )
    first_failed = IndexOutbox.objects.filter(attempts__gte=1).order_by("pk").first()
    assert first_failed.last_error and first_failed.next_attempt_at > timezone.now()
    assert IndexOutbox.objects.count() == len(expected)  # nothing lost

    index_dir.unlink()  # the engine is back
    IndexOutbox.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    worker.send(SWEEP)
    worker.wait(lambda: not IndexOutbox.objects.exists(), "the sweep's drain")

    backend = worker.backend()
    worker.wait(lambda: backend.keys() == expected, "the index converging to the database")
