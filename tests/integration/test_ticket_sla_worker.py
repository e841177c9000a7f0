"""A real Celery worker, fed by a real beat, escalates an overdue ticket on schedule while its
clock is frozen.

How the clock is frozen inside the worker: the worker is started with
`--include tests.integration.frozen_clock` and ZHIKU_TEST_CLOCK_FILE naming a file in the test's
temporary folder. That test-only hook (tests/integration/frozen_clock.py) connects to Celery's
`task_prerun`/`task_postrun` signals in the worker; before each task the pool process reads the
moment in the file and stops time there with time-machine (`tick=False`), and after the task it
appends what ran at which moment to `<file>.runs`. The test moves the worker's clock by rewriting
the file. Beat runs "tickets-check-sla" (config/settings.py) every 3 seconds
(KB_TICKET_SLA_CHECK_SECONDS=3) on the real clock; the worker's main process keeps the real clock
too, so beat's `expires` works as in production.

The ticket is opened in January 2030, years after the real time of any run of this test: with the
real clock the watch would find nothing due. The stamps the worker writes are exactly the frozen
moments, so the worker's time was frozen, not merely shifted.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from customers.models import CustomerGrade
from customers.tickets.actions import create_ticket
from customers.tickets.models import (
    AgentGroup,
    AssignmentRule,
    BusinessHours,
    SLAPolicy,
    Ticket,
    TicketCategory,
    TicketEvent,
    TicketEventKind,
    TicketNotice,
    TicketPriority,
)
from permissions.roles import Role
from tests.factories import CustomerFactory, UserFactory
from tests.integration.test_celery_worker import _spawn, _stop, worker_arguments, worker_environment

TIMEOUT = 180  # two Django processes start on a small machine that may be busy
CHECK = "customers.tickets.tasks.check_ticket_sla_task"
EMAIL = "customers.tickets.tasks.send_ticket_notice_emails_task"
SHANGHAI = ZoneInfo("Asia/Shanghai")
# tests.integration.frozen_clock reads it; not imported here, so that its signal handlers are
# connected in the worker only.
CLOCK_FILE = "ZHIKU_TEST_CLOCK_FILE"

# Monday 7 January 2030, 17:00: two business hours to answer (09:00–18:00 Monday to Friday), so
# the first response is due on Tuesday at 10:00, and the assignee is warned from 09:00.
OPENED = dt.datetime(2030, 1, 7, 17, 0, tzinfo=SHANGHAI)
DUE = dt.datetime(2030, 1, 8, 10, 0, tzinfo=SHANGHAI)
NIGHT = dt.datetime(2030, 1, 7, 23, 0, tzinfo=SHANGHAI)  # past 2 h around the clock: not due
MORNING = dt.datetime(2030, 1, 8, 9, 30, tzinfo=SHANGHAI)  # in the warning hour
OVERDUE = dt.datetime(2030, 1, 8, 10, 1, tzinfo=SHANGHAI)
NOTHING = {"warnings": 0, "escalations": 0}


class ClockedCelery:
    """A worker (on the file's frozen clock) and a beat (on the real one) on the test database."""

    def __init__(self, tmp_path: Path):
        data_dir = tmp_path / "var"
        self.clock = tmp_path / "clock"
        self.runs_path = Path(f"{self.clock}.runs")
        self.log_path = tmp_path / "celery.log"
        self.env = worker_environment(
            data_dir,
            KB_TICKET_SLA_CHECK_SECONDS="3",
            KB_HEARTBEAT_INTERVAL="3600",  # keep beat's other entries out of the way
            **{CLOCK_FILE: str(self.clock)},
        )
        self.beat_schedule = data_dir / "beat-schedule"
        self.processes = []

    def set_clock(self, moment: dt.datetime) -> None:
        partial = self.clock.with_suffix(".partial")
        partial.write_text(moment.isoformat())
        os.replace(partial, self.clock)  # a task never reads half a moment

    def start(self) -> None:
        hostname = f"sla-{os.getpid()}-{time.monotonic_ns()}@%h"
        arguments = [*worker_arguments(hostname), "--include", "tests.integration.frozen_clock"]
        with self.log_path.open("ab") as log:
            self.processes.append(_spawn(arguments, self.env, log))
            self.processes.append(
                _spawn(
                    ["beat", "--loglevel", "INFO", "--schedule", str(self.beat_schedule)],
                    self.env,
                    log,
                )
            )

    def stop(self) -> None:
        for process in self.processes:
            _stop(process)
        self.processes = []

    def runs(self, task=CHECK, clock: dt.datetime | None = None) -> list[dict]:
        if not self.runs_path.exists():
            return []
        lines = [json.loads(line) for line in self.runs_path.read_text().splitlines() if line]
        return [
            run
            for run in lines
            if run["task"] == task and (clock is None or run["clock"] == clock.isoformat())
        ]

    def wait(self, condition, what: str):
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if condition():
                return
            if any(process.poll() is not None for process in self.processes):
                break
            time.sleep(0.2)
        log = self.log_path.read_text(errors="replace")[-4000:]
        pytest.fail(f"{what} did not happen within {TIMEOUT} s; runs: {self.runs(None)}\n{log}")

    def wait_for_checks(self, clock: dt.datetime, count: int) -> list[dict]:
        self.wait(
            lambda: len(self.runs(clock=clock)) >= count,
            f"{count} SLA check(s) by the worker at {clock.isoformat()}",
        )
        return self.runs(clock=clock)


@pytest.fixture
def clocked_celery(transactional_db, tmp_path):
    celery = ClockedCelery(tmp_path)
    celery.set_clock(NIGHT)
    celery.start()
    try:
        yield celery
    finally:
        celery.stop()


def _counts(run) -> dict:
    """The warnings and escalations of one check; a failed run's result is its exception."""
    assert run["state"] == "SUCCESS", run
    return run["result"]


def _service_agent(username):
    return UserFactory(username=username, roles=[Role.SERVICE_AGENT])


def _snapshot(ticket_pk):
    ticket = Ticket.objects.get(pk=ticket_pk)
    return (
        ticket.priority,
        ticket.assignee.username if ticket.assignee else None,
        ticket.escalation_level,
        ticket.first_response_warned_at,
        ticket.first_response_breached_at,
        list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True)),
        list(TicketNotice.objects.filter(ticket=ticket).values_list("pk", flat=True)),
    )


def test_worker_escalates_an_overdue_ticket_on_schedule_with_a_frozen_clock(clocked_celery):
    celery = clocked_celery
    lead = _service_agent("zhang.lead")
    agent = _service_agent("li.agent")
    operator = _service_agent("wang.operator")
    group = AgentGroup.objects.create(name="售后一组", lead=lead)
    group.members.add(agent)
    AssignmentRule.objects.create(
        name="投诉到售后一组", category=TicketCategory.COMPLAINT, group=group
    )
    hours = BusinessHours.objects.create(
        name="工作日", weekdays=[1, 2, 3, 4, 5], start=dt.time(9), end=dt.time(18)
    )
    SLAPolicy.objects.create(
        name="普通工单",
        priority=TicketPriority.NORMAL,
        first_response_minutes=120,
        resolution_minutes=3 * 9 * 60,
        warn_before_minutes=60,
        business_hours=hours,
    )
    customer = CustomerFactory(name="苏州精密机械有限公司", grade=CustomerGrade.B)
    with time_machine.travel(OPENED, tick=False):
        ticket = create_ticket(
            actor=operator,
            customer=customer,
            subject="设备异响，售后无人回复",
            category=TicketCategory.COMPLAINT,
            channel="email",
        )
    assert (ticket.assignee, ticket.first_response_due) == (agent, DUE)

    # Monday night: two hours have passed, but no business hours.
    assert [run["result"] for run in celery.wait_for_checks(NIGHT, 1)] == [NOTHING]
    assert _snapshot(ticket.pk)[:5] == ("normal", "li.agent", 0, None, None)

    # Tuesday 09:30, within the warning hour: the assignee is warned, once.
    celery.set_clock(MORNING)
    celery.wait(
        lambda: any(_counts(run)["warnings"] for run in celery.runs(clock=MORNING)),
        "the SLA warning",
    )
    ticket.refresh_from_db()
    assert ticket.first_response_warned_at == MORNING
    assert ticket.priority == TicketPriority.NORMAL
    assert list(
        TicketNotice.objects.filter(ticket=ticket, kind=TicketEventKind.SLA_WARNING).values_list(
            "recipient__username", flat=True
        )
    ) == ["li.agent"]

    # Tuesday 10:01, overdue: the worker escalates to the group lead.
    celery.set_clock(OVERDUE)
    celery.wait(
        lambda: any(_counts(run)["escalations"] for run in celery.runs(clock=OVERDUE)),
        "the escalation",
    )
    ticket.refresh_from_db()
    assert ticket.priority == TicketPriority.HIGH
    assert ticket.assignee == lead
    assert ticket.escalation_level == 1
    assert ticket.first_response_breached_at == OVERDUE
    assert ticket.resolution_breached_at is None
    kinds = list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert [kind for kind in kinds if kind in ("sla_warning", "sla_breach", "escalated")] == [
        "sla_warning",
        "sla_breach",
        "escalated",
    ]
    escalated = TicketEvent.objects.get(ticket=ticket, kind=TicketEventKind.ESCALATED)
    assert escalated.created_at == OVERDUE
    assert escalated.data["before_assignee"] == "li.agent"
    assert escalated.data["after_assignee"] == "zhang.lead"
    escalation_notices = TicketNotice.objects.filter(ticket=ticket, kind=TicketEventKind.ESCALATED)
    assert sorted(escalation_notices.values_list("recipient__username", flat=True)) == [
        "li.agent",
        "zhang.lead",
    ]
    assert {notice.created_at for notice in escalation_notices} == {OVERDUE}

    # Beat goes on sending the check; later runs at the same moment change nothing.
    after_escalation = _snapshot(ticket.pk)
    first_escalating = next(
        index
        for index, run in enumerate(celery.runs(clock=OVERDUE))
        if run["result"]["escalations"]
    )
    runs = celery.wait_for_checks(OVERDUE, first_escalating + 3)
    assert [run["result"] for run in runs[first_escalating + 1 :]] == [NOTHING] * (
        len(runs) - first_escalating - 1
    )
    assert sum(run["result"]["escalations"] for run in runs) == 1
    assert sum(run["result"]["warnings"] for run in celery.runs()) == 1
    assert _snapshot(ticket.pk) == after_escalation

    # The worker's notices were e-mailed after commit by the same worker: the warning to the
    # agent, the escalation to the agent and the lead.
    celery.wait(
        lambda: sum(run["result"] for run in celery.runs(EMAIL) if run["state"] == "SUCCESS") >= 3,
        "the notice e-mails",
    )
    assert {run["state"] for run in celery.runs(EMAIL)} == {"SUCCESS"}
