"""SLA clock, assignment rules and the SLA watch (customers/tickets/sla.py, assignment.py,
escalation.py): business-hours arithmetic in Asia/Shanghai, round-robin, warnings and
escalations at explicit moments, each firing once."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from customers.models import CustomerGrade
from customers.tickets import sla
from customers.tickets.actions import (
    change_ticket_priority,
    change_ticket_status,
    create_ticket,
    reply_to_ticket,
)
from customers.tickets.escalation import check_sla
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
    TicketStatus,
)
from customers.tickets.tasks import check_ticket_sla_task
from kb.models import Product
from permissions.roles import Role
from tests.factories import CustomerFactory, UserFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
MINUTE = dt.timedelta(minutes=1)


def at(year, month, day, hour=0, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def office_hours(**overrides) -> BusinessHours:
    """Monday to Friday 09:00–18:00, with a May Day holiday and a 调休 Saturday (2026)."""
    values = {
        "name": "工作时间",
        "weekdays": [1, 2, 3, 4, 5],
        "start": dt.time(9, 0),
        "end": dt.time(18, 0),
        # 2026-05-01 is a Friday; Monday 4 and Tuesday 5 are holidays too ...
        "holidays": ["2026-05-01", "2026-05-04", "2026-05-05"],
        # ... and Saturday 9 is worked instead (调休).
        "extra_workdays": ["2026-05-09"],
    }
    values.update(overrides)
    return BusinessHours(**values)


def add(start, minutes, hours=None):
    return sla.add_business_minutes(start, minutes, office_hours() if hours is None else hours)


# --- business hours ----------------------------------------------------------------------------


class TestBusinessMinutes:
    def test_within_one_working_day(self):
        assert add(at(2026, 3, 2, 10), 120) == at(2026, 3, 2, 12)

    def test_crossing_the_night(self):
        # Monday 17:00: one hour left today, the second hour on Tuesday morning.
        assert add(at(2026, 3, 2, 17), 120) == at(2026, 3, 3, 10)

    def test_crossing_the_weekend(self):
        assert add(at(2026, 3, 6, 17, 30), 60) == at(2026, 3, 9, 9, 30)

    def test_opened_at_the_weekend_starts_on_monday_morning(self):
        assert add(at(2026, 3, 7, 23, 59), 30) == at(2026, 3, 9, 9, 30)

    def test_start_before_opening_counts_from_opening(self):
        assert add(at(2026, 3, 2, 7, 0), 30) == at(2026, 3, 2, 9, 30)

    def test_start_exactly_at_closing_counts_from_next_morning(self):
        assert add(at(2026, 3, 2, 18, 0), 1) == at(2026, 3, 3, 9, 1)

    def test_start_after_closing_counts_from_next_morning(self):
        assert add(at(2026, 3, 2, 21, 15), 60) == at(2026, 3, 3, 10, 0)

    def test_a_target_ending_at_closing_is_due_at_closing_not_next_morning(self):
        assert add(at(2026, 3, 2, 17), 60) == at(2026, 3, 2, 18)
        # Three full working days from Monday's opening end at Wednesday's closing.
        assert add(at(2026, 3, 2, 9), 3 * 9 * 60) == at(2026, 3, 4, 18)

    def test_zero_minutes_outside_working_time_is_the_next_opening(self):
        assert add(at(2026, 3, 2, 20), 0) == at(2026, 3, 3, 9)

    def test_a_chinese_holiday_is_skipped(self):
        # Thursday 30 April 17:00: Friday 1 May, the weekend, Monday 4 and Tuesday 5 are off.
        assert add(at(2026, 4, 30, 17), 120) == at(2026, 5, 6, 10)

    def test_a_holiday_start_counts_from_the_next_working_day(self):
        assert add(at(2026, 5, 1, 10), 30) == at(2026, 5, 6, 9, 30)

    def test_a_tiaoxiu_saturday_is_a_working_day(self):
        # Friday 8 May 17:00: the second hour falls on Saturday 9 May, a 调休 working day.
        assert add(at(2026, 5, 8, 17), 120) == at(2026, 5, 9, 10)
        # Without the extra working day the Saturday is off.
        assert add(at(2026, 5, 8, 17), 120, office_hours(extra_workdays=[])) == at(2026, 5, 11, 10)

    def test_an_extra_workday_wins_over_a_holiday_on_the_same_date(self):
        hours = office_hours(holidays=["2026-05-09"], extra_workdays=["2026-05-09"])
        assert add(at(2026, 5, 9, 8), 60, hours) == at(2026, 5, 9, 10)

    def test_asia_shanghai_has_no_daylight_saving_time(self):
        # The weekend Europe and North America change their clocks (8 March / 29 March 2026):
        # Shanghai's office hours stay 01:00–10:00 UTC on both sides.
        due = add(at(2026, 3, 6, 17, 30), 60)
        assert due == at(2026, 3, 9, 9, 30)
        assert due.utcoffset() == dt.timedelta(hours=8)
        assert due.astimezone(dt.UTC) == dt.datetime(2026, 3, 9, 1, 30, tzinfo=dt.UTC)
        spring = add(at(2026, 3, 27, 17), 120)
        assert spring.astimezone(dt.UTC) == dt.datetime(2026, 3, 30, 2, 0, tzinfo=dt.UTC)

    def test_an_aware_start_in_another_zone_is_counted_in_shanghai_time(self):
        start = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai
        assert add(start, 60) == at(2026, 3, 2, 10)

    def test_the_server_zone_counts_even_when_a_request_activated_another(self):
        with timezone.override(ZoneInfo("America/New_York")):
            assert add(at(2026, 3, 2, 17), 120) == at(2026, 3, 3, 10)

    def test_no_calendar_means_around_the_clock(self):
        start = at(2026, 3, 7, 23)  # a Saturday night
        assert sla.add_business_minutes(start, 90, None) == start + 90 * MINUTE

    def test_a_calendar_without_working_time_falls_back_to_around_the_clock(self):
        start = at(2026, 3, 2, 17)
        empty_day = office_hours(start=dt.time(18), end=dt.time(9))
        assert sla.add_business_minutes(start, 60, empty_day) == start + 60 * MINUTE
        no_days = office_hours(weekdays=[], extra_workdays=[])
        assert sla.add_business_minutes(start, 60, no_days) == start + 60 * MINUTE


# --- targets -----------------------------------------------------------------------------------


@pytest.mark.django_db
class TestTargets:
    def test_without_a_policy_the_first_response_is_due_in_12_hours_around_the_clock(self):
        start = at(2026, 3, 6, 20)  # Friday evening: no business hours without a policy
        policy, first_due, resolution_due = sla.targets(TicketPriority.NORMAL, start)
        assert policy is None
        assert first_due == at(2026, 3, 7, 8)
        assert resolution_due is None

    def test_the_default_follows_the_setting(self, settings):
        settings.KB_TICKET_FIRST_RESPONSE_HOURS = 4
        start = at(2026, 3, 2, 10)
        assert sla.targets(TicketPriority.NORMAL, start)[1] == at(2026, 3, 2, 14)

    def test_a_policy_counts_in_its_business_hours(self):
        hours = office_hours()
        hours.save()
        policy = SLAPolicy.objects.create(
            name="普通",
            priority=TicketPriority.NORMAL,
            first_response_minutes=120,
            resolution_minutes=2 * 9 * 60,
            business_hours=hours,
        )
        assert sla.targets(TicketPriority.NORMAL, at(2026, 3, 6, 17)) == (
            policy,
            at(2026, 3, 9, 10),
            at(2026, 3, 10, 17),
        )

    def test_a_policy_without_business_hours_runs_around_the_clock(self):
        policy = SLAPolicy.objects.create(
            name="紧急", priority=TicketPriority.URGENT, first_response_minutes=30
        )
        start = at(2026, 3, 7, 23)
        _policy, first_due, resolution_due = sla.targets(TicketPriority.URGENT, start)
        assert (_policy, first_due) == (policy, start + 30 * MINUTE)
        assert resolution_due == start + dt.timedelta(days=5)

    def test_an_inactive_policy_is_ignored(self):
        SLAPolicy.objects.create(
            name="停用", priority=TicketPriority.NORMAL, first_response_minutes=5, active=False
        )
        start = at(2026, 3, 2, 10)
        assert sla.targets(TicketPriority.NORMAL, start) == (None, at(2026, 3, 2, 22), None)

    def test_warning_window(self, settings):
        settings.KB_TICKET_SLA_WARN_MINUTES = 45
        assert sla.warn_before(None) == dt.timedelta(minutes=45)
        policy = SLAPolicy(name="x", priority=TicketPriority.HIGH, warn_before_minutes=15)
        assert sla.warn_before(policy) == dt.timedelta(minutes=15)


# --- assignment rules --------------------------------------------------------------------------


def service_agent(username, **kwargs):
    return UserFactory(username=username, roles=[Role.SERVICE_AGENT], **kwargs)


@pytest.fixture
def desk(db):
    """An operator who takes calls and a customer of grade A."""
    return {
        "operator": service_agent("operator"),
        "customer": CustomerFactory(name="上海汽车配件有限公司", grade=CustomerGrade.A),
    }


def open_ticket(desk, *, when=None, **kwargs):
    kwargs.setdefault("subject", "空调不制冷")
    kwargs.setdefault("channel", "email")
    kwargs.setdefault("customer", desk["customer"])
    if when is None:
        return create_ticket(actor=desk["operator"], **kwargs)
    with time_machine.travel(when, tick=False):
        return create_ticket(actor=desk["operator"], **kwargs)


@pytest.mark.django_db
class TestAssignmentRules:
    def test_round_robin_cycles_through_active_service_agents_in_pk_order(self, desk):
        first, second, third = (service_agent(name) for name in ("a1", "a2", "a3"))
        gone = service_agent("a0-left", is_active=False)
        engineer = UserFactory(username="engineer", roles=[Role.RND_ENGINEER])
        group = AgentGroup.objects.create(name="一线客服")
        group.members.set([third, gone, engineer, first, second])
        AssignmentRule.objects.create(name="全部", group=group)

        assignees = [open_ticket(desk).assignee for _ in range(4)]

        assert assignees == [first, second, third, first]
        group.refresh_from_db()
        assert group.last_assigned == first

    def test_round_robin_resumes_after_a_member_leaves(self, desk):
        first, second, third = (service_agent(name) for name in ("b1", "b2", "b3"))
        group = AgentGroup.objects.create(name="二线客服")
        group.members.set([first, second, third])
        AssignmentRule.objects.create(name="全部", group=group)
        assert open_ticket(desk).assignee == first
        second.is_active = False
        second.save()
        assert [open_ticket(desk).assignee for _ in range(2)] == [third, first]

    def test_the_first_matching_rule_in_order_fires(self, desk):
        catch_all = AgentGroup.objects.create(name="综合组")
        complaints = AgentGroup.objects.create(name="投诉组")
        # Created first but ordered later: order, not creation, decides.
        AssignmentRule.objects.create(name="其他", order=20, group=catch_all, round_robin=False)
        rule = AssignmentRule.objects.create(
            name="投诉", order=10, category=TicketCategory.COMPLAINT, group=complaints
        )
        AssignmentRule.objects.create(
            name="停用的规则", order=1, group=catch_all, active=False, round_robin=False
        )

        complaint = open_ticket(desk, category=TicketCategory.COMPLAINT)
        question = open_ticket(desk, category=TicketCategory.QUESTION)

        assert complaint.group == complaints
        assert question.group == catch_all
        event = complaint.events.get(kind=TicketEventKind.RULE)
        assert event.data["rule"] == rule.pk
        assert event.data["group"] == "投诉组"
        assert "投诉" in event.message
        assert question.events.get(kind=TicketEventKind.RULE).data["group"] == "综合组"

    def test_product_and_grade_conditions(self, desk):
        pump = Product.objects.create(name="水泵", code="WP-1")
        fan = Product.objects.create(name="风扇", code="FN-2")
        pumps = AgentGroup.objects.create(name="水泵组")
        key_accounts = AgentGroup.objects.create(name="大客户组")
        AssignmentRule.objects.create(name="水泵", order=1, product=pump, group=pumps)
        AssignmentRule.objects.create(
            name="A级客户", order=2, customer_grade=CustomerGrade.A, group=key_accounts
        )
        small = CustomerFactory(name="小客户", grade=CustomerGrade.C)

        assert open_ticket(desk, product=pump, customer=small).group == pumps
        assert open_ticket(desk, product=fan).group == key_accounts  # grade A
        unrouted = open_ticket(desk, product=fan, customer=small)
        assert unrouted.group is None
        assert not unrouted.events.filter(kind=TicketEventKind.RULE).exists()

    def test_a_combined_rule_needs_every_condition(self, desk):
        pump = Product.objects.create(name="水泵", code="WP-1")
        group = AgentGroup.objects.create(name="水泵投诉")
        AssignmentRule.objects.create(
            name="水泵投诉",
            category=TicketCategory.COMPLAINT,
            product=pump,
            customer_grade=CustomerGrade.A,
            group=group,
        )
        assert open_ticket(desk, product=pump, category=TicketCategory.COMPLAINT).group == group
        assert open_ticket(desk, product=pump).group is None

    def test_rule_assignment_and_priority_are_on_the_timeline_and_set_the_sla(self, desk):
        agent = service_agent("c1")
        group = AgentGroup.objects.create(name="故障组")
        group.members.add(agent)
        rule = AssignmentRule.objects.create(
            name="故障加急",
            category=TicketCategory.FAULT,
            group=group,
            set_priority=TicketPriority.URGENT,
        )
        SLAPolicy.objects.create(
            name="紧急", priority=TicketPriority.URGENT, first_response_minutes=30
        )
        opened = at(2026, 3, 2, 10)

        ticket = open_ticket(desk, category=TicketCategory.FAULT, when=opened)

        assert (ticket.group, ticket.assignee, ticket.priority) == (group, agent, "urgent")
        assert ticket.first_response_due == opened + 30 * MINUTE
        event = ticket.events.get(kind=TicketEventKind.RULE)
        assert event.data == {
            "rule": rule.pk,
            "group": "故障组",
            "priority": "urgent",
            "assignee": "c1",
        }
        notice = TicketNotice.objects.get(ticket=ticket)
        assert (notice.recipient, notice.kind) == (agent, TicketEventKind.ASSIGNED)

    def test_without_round_robin_the_ticket_waits_and_the_lead_is_told(self, desk):
        lead = service_agent("lead")
        group = AgentGroup.objects.create(name="排队组", lead=lead)
        group.members.add(service_agent("d1"))
        AssignmentRule.objects.create(name="排队", group=group, round_robin=False)

        ticket = open_ticket(desk)

        assert ticket.group == group
        assert ticket.assignee is None
        assert "assignee" not in ticket.events.get(kind=TicketEventKind.RULE).data
        notice = TicketNotice.objects.get(ticket=ticket)
        assert (notice.recipient, notice.kind) == (lead, TicketEventKind.ASSIGNED)

    def test_a_group_without_agents_leaves_the_ticket_unassigned(self, desk):
        group = AgentGroup.objects.create(name="空组")
        AssignmentRule.objects.create(name="空", group=group)
        ticket = open_ticket(desk, channel="phone")
        # A rule fired, so the operator who took the call does not keep it.
        assert (ticket.group, ticket.assignee) == (group, None)


# --- escalation --------------------------------------------------------------------------------

OPENED = at(2026, 3, 2, 10)  # a Monday morning


@pytest.fixture
def team(desk):
    """A group with a lead and one agent; normal tickets are answered within 2 hours."""
    lead = service_agent("lead")
    agent = service_agent("agent1")
    group = AgentGroup.objects.create(name="一线客服", lead=lead)
    group.members.add(agent)
    AssignmentRule.objects.create(name="全部", group=group)
    SLAPolicy.objects.create(
        name="普通",
        priority=TicketPriority.NORMAL,
        first_response_minutes=120,
        resolution_minutes=8 * 60,
        warn_before_minutes=60,
    )
    return {**desk, "lead": lead, "agent": agent, "group": group}


def kinds(ticket, *wanted):
    return list(
        TicketEvent.objects.filter(ticket=ticket, kind__in=wanted).values_list("kind", flat=True)
    )


def notices(ticket, kind):
    return sorted(
        TicketNotice.objects.filter(ticket=ticket, kind=kind).values_list(
            "recipient__username", flat=True
        )
    )


NO_CHANGE = {"warnings": 0, "escalations": 0}


@pytest.mark.django_db
class TestEscalation:
    def test_nothing_fires_before_the_warning_window(self, team):
        ticket = open_ticket(team, when=OPENED)
        assert ticket.first_response_due == OPENED + 120 * MINUTE
        assert check_sla(now=OPENED + 59 * MINUTE) == NO_CHANGE
        assert kinds(ticket, "sla_warning", "sla_breach", "escalated") == []

    def test_warning_goes_to_the_assignee_once(self, team):
        ticket = open_ticket(team, when=OPENED)
        warned_at = OPENED + 61 * MINUTE

        assert check_sla(now=warned_at) == {"warnings": 1, "escalations": 0}
        assert check_sla(now=OPENED + 90 * MINUTE) == NO_CHANGE

        ticket.refresh_from_db()
        assert ticket.first_response_warned_at == warned_at
        assert ticket.first_response_breached_at is None
        assert (ticket.priority, ticket.assignee) == ("normal", team["agent"])
        assert kinds(ticket, "sla_warning", "sla_breach", "escalated") == ["sla_warning"]
        assert notices(ticket, TicketEventKind.SLA_WARNING) == ["agent1"]
        warning = TicketEvent.objects.get(ticket=ticket, kind="sla_warning")
        assert warning.data["target"] == "first response"
        assert "12:00" in warning.message  # the due time, in Shanghai time

    def test_breach_escalates_to_the_lead_once(self, team):
        ticket = open_ticket(team, when=OPENED)
        check_sla(now=OPENED + 70 * MINUTE)  # the warning
        breached_at = OPENED + 121 * MINUTE

        assert check_sla(now=breached_at) == {"warnings": 0, "escalations": 1}

        ticket.refresh_from_db()
        assert ticket.priority == TicketPriority.HIGH
        assert ticket.assignee == team["lead"]
        assert ticket.escalation_level == 1
        assert ticket.first_response_breached_at == breached_at
        assert ticket.resolution_breached_at is None
        assert kinds(ticket, "sla_warning", "sla_breach", "escalated") == [
            "sla_warning",
            "sla_breach",
            "escalated",
        ]
        escalated = TicketEvent.objects.get(ticket=ticket, kind="escalated")
        assert escalated.data == {
            "target": "first response",
            "before_priority": "normal",
            "after_priority": "high",
            "before_assignee": "agent1",
            "after_assignee": "lead",
        }
        assert notices(ticket, TicketEventKind.ESCALATED) == ["agent1", "lead"]

        # Later runs find nothing new to do for the first response.
        assert check_sla(now=breached_at + 5 * MINUTE) == NO_CHANGE
        assert check_sla(now=breached_at + 60 * MINUTE) == NO_CHANGE
        ticket.refresh_from_db()
        assert (ticket.priority, ticket.assignee, ticket.escalation_level) == (
            "high",
            team["lead"],
            1,
        )
        assert kinds(ticket, "sla_breach", "escalated") == ["sla_breach", "escalated"]
        assert TicketNotice.objects.filter(ticket=ticket).count() == 4  # assigned, warn, 2 esc.

    def test_the_resolution_target_escalates_separately(self, team):
        ticket = open_ticket(team, when=OPENED)
        reply_to_ticket(actor=team["agent"], ticket=ticket, body="您好，我们正在处理。")
        assert check_sla(now=OPENED + 7 * 60 * MINUTE + MINUTE) == {"warnings": 1, "escalations": 0}
        assert check_sla(now=OPENED + 8 * 60 * MINUTE) == {"warnings": 0, "escalations": 1}
        ticket.refresh_from_db()
        assert (ticket.priority, ticket.assignee) == ("high", team["lead"])
        assert TicketEvent.objects.get(ticket=ticket, kind="sla_breach").data["target"] == (
            "resolution"
        )
        assert check_sla(now=OPENED + 9 * 60 * MINUTE) == NO_CHANGE

    def test_a_ticket_answered_in_time_is_never_escalated(self, team):
        ticket = open_ticket(team, when=OPENED)
        with time_machine.travel(OPENED + 30 * MINUTE, tick=False):
            reply_to_ticket(actor=team["agent"], ticket=ticket, body="您好，请重启空调试试。")
        ticket.refresh_from_db()
        assert ticket.first_responded_at == OPENED + 30 * MINUTE
        assert ticket.status == TicketStatus.OPEN

        for minutes in (61, 121, 300):
            assert check_sla(now=OPENED + minutes * MINUTE) == NO_CHANGE
        ticket.refresh_from_db()
        assert (ticket.priority, ticket.assignee) == ("normal", team["agent"])
        assert kinds(ticket, "sla_warning", "sla_breach", "escalated") == []

    def test_an_internal_note_or_a_customer_reply_is_no_first_response(self, team):
        ticket = open_ticket(team, when=OPENED)
        reply_to_ticket(actor=team["agent"], ticket=ticket, body="先查库存", internal=True)
        reply_to_ticket(actor=None, ticket=ticket, body="还没人回复吗？", system=True)
        ticket.refresh_from_db()
        assert ticket.first_responded_at is None
        assert check_sla(now=OPENED + 121 * MINUTE)["escalations"] == 1

    def test_resolved_and_closed_tickets_are_skipped(self, team):
        resolved = open_ticket(team, when=OPENED)
        closed = open_ticket(team, when=OPENED)
        change_ticket_status(actor=team["agent"], ticket=resolved, status=TicketStatus.RESOLVED)
        change_ticket_status(actor=team["agent"], ticket=closed, status=TicketStatus.CLOSED)

        assert check_sla(now=OPENED + 24 * 60 * MINUTE) == NO_CHANGE
        for ticket in (resolved, closed):
            ticket.refresh_from_db()
            assert (ticket.priority, ticket.escalation_level) == ("normal", 0)
            assert kinds(ticket, "sla_warning", "sla_breach", "escalated") == []

    def test_a_ticket_waiting_in_the_queue_warns_the_lead(self, team):
        AssignmentRule.objects.update(round_robin=False)
        ticket = open_ticket(team, when=OPENED)
        assert ticket.assignee is None
        check_sla(now=OPENED + 61 * MINUTE)
        assert notices(ticket, TicketEventKind.SLA_WARNING) == ["lead"]
        check_sla(now=OPENED + 121 * MINUTE)
        ticket.refresh_from_db()
        assert ticket.assignee == team["lead"]
        assert (
            TicketEvent.objects.get(ticket=ticket, kind="escalated").data["before_assignee"] is None
        )

    def test_without_a_group_lead_priority_still_rises(self, team):
        team["group"].lead = None
        team["group"].save()
        ticket = open_ticket(team, when=OPENED)
        check_sla(now=OPENED + 121 * MINUTE)
        ticket.refresh_from_db()
        assert (ticket.priority, ticket.assignee) == ("high", team["agent"])
        assert notices(ticket, TicketEventKind.ESCALATED) == ["agent1"]

    def test_urgent_stays_urgent(self, team):
        SLAPolicy.objects.create(
            name="紧急", priority=TicketPriority.URGENT, first_response_minutes=30
        )
        ticket = open_ticket(team, when=OPENED, priority=TicketPriority.URGENT)
        assert check_sla(now=OPENED + 31 * MINUTE)["escalations"] == 1
        ticket.refresh_from_db()
        assert (ticket.priority, ticket.escalation_level) == ("urgent", 1)

    def test_the_12_hour_default_without_a_policy(self, team, settings):
        SLAPolicy.objects.all().delete()
        settings.KB_TICKET_SLA_WARN_MINUTES = 60
        ticket = open_ticket(team, when=OPENED)
        assert ticket.sla_policy is None
        assert ticket.first_response_due == OPENED + dt.timedelta(hours=12)
        assert ticket.resolution_due is None

        assert check_sla(now=OPENED + dt.timedelta(hours=10)) == NO_CHANGE
        assert check_sla(now=OPENED + dt.timedelta(hours=11, minutes=1))["warnings"] == 1
        assert check_sla(now=OPENED + dt.timedelta(hours=12))["escalations"] == 1
        ticket.refresh_from_db()
        assert (ticket.priority, ticket.assignee) == ("high", team["lead"])

    def test_a_wide_warning_window_warns_as_early_as_it_says(self, team):
        SLAPolicy.objects.filter(priority=TicketPriority.NORMAL).update(
            first_response_minutes=4 * 24 * 60,
            resolution_minutes=10 * 24 * 60,
            warn_before_minutes=2 * 24 * 60,
        )
        ticket = open_ticket(team, when=OPENED)
        assert check_sla(now=OPENED + dt.timedelta(days=1)) == NO_CHANGE
        assert check_sla(now=OPENED + dt.timedelta(days=2, minutes=1)) == {
            "warnings": 1,
            "escalations": 0,
        }
        assert notices(ticket, TicketEventKind.SLA_WARNING) == ["agent1"]

    def test_priority_change_recomputes_the_targets(self, team):
        SLAPolicy.objects.create(
            name="紧急",
            priority=TicketPriority.URGENT,
            first_response_minutes=30,
            resolution_minutes=4 * 60,
            warn_before_minutes=10,
        )
        ticket = open_ticket(team, when=OPENED)
        check_sla(now=OPENED + 61 * MINUTE)  # warned about the 2-hour target
        ticket.refresh_from_db()
        assert ticket.first_response_warned_at is not None

        ticket = change_ticket_priority(
            actor=team["agent"], ticket=ticket, priority=TicketPriority.URGENT
        )

        ticket.refresh_from_db()
        assert ticket.sla_policy.priority == TicketPriority.URGENT
        assert ticket.first_response_due == OPENED + 30 * MINUTE
        assert ticket.resolution_due == OPENED + 4 * 60 * MINUTE
        assert ticket.first_response_warned_at is None
        event = TicketEvent.objects.get(ticket=ticket, kind="priority")
        assert (event.data["before"], event.data["after"]) == ("normal", "urgent")
        # Already past the new target: the next run escalates (urgent stays urgent).
        assert check_sla(now=OPENED + 62 * MINUTE)["escalations"] == 1

    def test_priority_change_keeps_a_met_or_breached_target(self, team):
        SLAPolicy.objects.create(name="低", priority=TicketPriority.LOW, first_response_minutes=600)
        ticket = open_ticket(team, when=OPENED)
        check_sla(now=OPENED + 121 * MINUTE)  # breached, now high
        ticket.refresh_from_db()
        breached_due = ticket.first_response_due

        change_ticket_priority(actor=team["lead"], ticket=ticket, priority=TicketPriority.LOW)

        ticket.refresh_from_db()
        assert ticket.first_response_due == breached_due
        assert check_sla(now=OPENED + 200 * MINUTE) == NO_CHANGE

    def test_the_task_checks_at_the_current_time(self, team):
        ticket = open_ticket(team, when=OPENED)
        with time_machine.travel(OPENED + 3 * 60 * MINUTE, tick=False):
            assert check_ticket_sla_task.delay().get() == {"warnings": 0, "escalations": 1}
        ticket.refresh_from_db()
        assert ticket.first_response_breached_at == OPENED + 3 * 60 * MINUTE

    def test_one_failing_ticket_does_not_stop_the_others(self, team, monkeypatch):
        broken = open_ticket(team, when=OPENED)
        fine = open_ticket(team, when=OPENED)
        from customers.tickets import escalation

        real = escalation._escalate

        def fail_for_broken(ticket, *args):
            if ticket.pk == broken.pk:
                raise RuntimeError("boom")
            return real(ticket, *args)

        monkeypatch.setattr(escalation, "_escalate", fail_for_broken)
        assert check_sla(now=OPENED + 121 * MINUTE)["escalations"] == 1
        assert Ticket.objects.get(pk=fine.pk).priority == "high"
        broken.refresh_from_db()
        assert (broken.priority, broken.first_response_breached_at) == ("normal", None)
