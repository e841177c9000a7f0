"""Service reports (customers/tickets/reports.py, report_views.py): exact figures from a known
March 2026 in Asia/Shanghai, and who may see them."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from customers.tickets import reports
from customers.tickets.models import (
    AgentGroup,
    ContactAttempt,
    ContactOutcome,
    Satisfaction,
    Ticket,
    TicketCategory,
    TicketReply,
    TicketStatus,
)
from kb.models import Product
from permissions.roles import Role
from tests.factories import CustomerFactory, TicketFactory, UserFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
MARCH_QUERY = {"start": "2026-03-01", "end": "2026-03-31"}


def at(month, day, hour=0, minute=0, year=2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _frozen_now():
    # "Now" decides which unanswered tickets are overdue: ten days after the range.
    with time_machine.travel(at(4, 10, 12), tick=False):
        yield


@pytest.fixture
def agent2(db):
    return UserFactory(
        username="agent2", first_name="丽", last_name="李", roles=[Role.SERVICE_AGENT]
    )


@pytest.fixture
def march(db, agent, agent2):
    """Tickets, replies, follow-ups and help-centre contacts with known figures.

    In March: t1, t2 complaints and t7 a request about the scanner; t3 a suggestion about the
    printer; t4 a question without product at 23:30 on the 31st. Outside: t5 on 28 February at
    23:30 and t6 on 1 April at 00:10 (both on the other side of midnight in UTC), t8 created in
    February but resolved on 1 March.
    """
    scanner = Product.objects.create(name="扫描仪 S1")
    printer = Product.objects.create(name="打印机 P2")
    group = AgentGroup.objects.create(name="二线支持")
    customer = CustomerFactory(name="华东机械")

    def ticket(number, category, created, **values):
        return TicketFactory(
            number=number,
            customer=customer,
            category=category,
            created_at=created,
            subject=f"{number} 主题",
            **values,
        )

    t1 = ticket(
        "T1",
        TicketCategory.COMPLAINT,
        at(3, 2, 9),
        product=scanner,
        assignee=agent,
        status=TicketStatus.RESOLVED,
        description="扫描仪卡纸，多次报修无人处理",
        first_response_due=at(3, 2, 13),
        first_responded_at=at(3, 2, 10),  # 1 h, met
        resolution_due=at(3, 4, 9),
        resolved_at=at(3, 3, 9),  # 24 h, met
    )
    t2 = ticket(
        "T2",
        TicketCategory.COMPLAINT,
        at(3, 5, 9),
        product=scanner,
        assignee=agent2,
        status=TicketStatus.RESOLVED,
        first_response_due=at(3, 5, 13),
        first_responded_at=at(3, 5, 15),  # 6 h, late
        first_response_breached_at=at(3, 5, 13),
        resolution_due=at(3, 6, 9),
        resolved_at=at(3, 7, 9),  # 48 h, late
    )
    ticket(
        "T3",
        TicketCategory.SUGGESTION,
        at(3, 10, 9),
        product=printer,
        assignee=agent,
        group=group,
        status=TicketStatus.OPEN,
        first_response_due=at(3, 10, 13),
        first_responded_at=at(3, 10, 11),  # 2 h, met
        resolution_due=at(4, 30, 9),  # still running
    )
    t4 = ticket(
        "T4",
        TicketCategory.QUESTION,
        at(3, 31, 23, 30),
        status=TicketStatus.NEW,
        first_response_due=at(4, 1, 3, 30),  # passed, not answered, not yet stamped: breached
    )
    ticket(
        "T5",
        TicketCategory.FAULT,
        at(2, 28, 23, 30),
        product=printer,
        status=TicketStatus.CLOSED,
        resolved_at=at(2, 28, 23, 50),
        closed_at=at(2, 28, 23, 50),
    )
    ticket(
        "T6",
        TicketCategory.FAULT,
        at(4, 1, 0, 10),
        product=printer,
        assignee=agent2,
        status=TicketStatus.OPEN,
    )
    t7 = ticket(
        "T7",
        TicketCategory.REQUEST,
        at(3, 20, 9),
        product=scanner,
        assignee=agent2,
        status=TicketStatus.CLOSED,
        first_response_due=at(3, 20, 13),
        first_responded_at=at(3, 20, 12),  # 3 h, met
        resolution_due=at(3, 21, 9),
        resolved_at=at(3, 20, 18),  # 9 h, met
        closed_at=at(3, 20, 19),
    )
    t8 = ticket(
        "T8",
        TicketCategory.QUESTION,
        at(2, 20, 9),
        assignee=agent,
        status=TicketStatus.RESOLVED,
        resolved_at=at(3, 1, 9),
    )

    # What the customer of T2 was told first: the staff's first public reply, not the customer's
    # own message nor the internal note before it.
    TicketReply.objects.create(
        ticket=t2, body="还是不行", from_customer=True, created_at=at(3, 5, 10)
    )
    TicketReply.objects.create(
        ticket=t2, author=agent2, body="内部：转二线", internal=True, created_at=at(3, 5, 14)
    )
    TicketReply.objects.create(
        ticket=t2, author=agent2, body="已安排工程师上门检修", created_at=at(3, 5, 15)
    )
    TicketReply.objects.create(
        ticket=t2, author=agent2, body="工程师已到现场", created_at=at(3, 6, 9)
    )
    TicketReply.objects.create(
        ticket=t1, author=agent, body="请先清洁进纸辊", created_at=at(3, 2, 10)
    )

    Satisfaction.objects.create(
        ticket=t1, requested_at=at(3, 3, 10), rating=5, rated_at=at(3, 4, 8)
    )
    Satisfaction.objects.create(
        ticket=t2, requested_at=at(3, 7, 10), rating=2, comment="太慢了", rated_at=at(3, 8, 8)
    )
    Satisfaction.objects.create(
        ticket=t7, requested_at=at(3, 21, 10), rating=4, rated_at=at(3, 21, 12)
    )
    Satisfaction.objects.create(ticket=t8, requested_at=at(3, 1, 10))  # no answer

    for moment, outcome in [
        (at(3, 1, 8), ContactOutcome.DEFLECTED),
        (at(3, 9, 8), ContactOutcome.DEFLECTED),
        (at(3, 31, 23, 59), ContactOutcome.DEFLECTED),
        (at(3, 12, 8), ContactOutcome.TICKET),
        (at(3, 13, 8), ContactOutcome.TICKET),
        (at(3, 14, 8), ContactOutcome.ABANDONED),
        (at(2, 28, 23, 59), ContactOutcome.DEFLECTED),  # outside
        (at(4, 1, 0, 1), ContactOutcome.TICKET),  # outside
    ]:
        ContactAttempt.objects.create(created_at=moment, outcome=outcome)
    ContactAttempt.objects.filter(outcome=ContactOutcome.TICKET, created_at__lt=at(3, 13)).update(
        ticket=t4
    )
    return {
        "scanner": scanner,
        "printer": printer,
        "group": group,
        "customer": customer,
        "tickets": {t.number: t for t in Ticket.objects.all()},
    }


def report(viewer, **filters):
    return reports.get_service_report(viewer, *MARCH, **filters)


# ---------------------------------------------------------------------------------------------
# Figures


def test_counts_per_category_in_the_local_calendar(agent, march):
    counts = {row["key"]: row["count"] for row in report(agent)["by_category"]}
    # T4 (23:30 on 31 March) is in; T5 (28 Feb 23:30) and T6 (1 April 00:10) are out, though in
    # UTC they fall the other way.
    assert counts == {"question": 1, "complaint": 2, "suggestion": 1, "request": 1, "fault": 0}
    assert report(agent)["totals"] == {"created": 5, "open_now": 3}


def test_counts_per_product_most_first_and_no_product_last(agent, march):
    rows = report(agent)["by_product"]
    assert [(row["id"], row["count"]) for row in rows] == [
        (march["scanner"].pk, 3),
        (march["printer"].pk, 1),
        (None, 1),
    ]
    assert rows[0]["label"] == "扫描仪 S1"


def test_filters_narrow_every_figure(agent, march):
    by_product = report(agent, product=march["scanner"].pk)
    assert {row["key"]: row["count"] for row in by_product["by_category"] if row["count"]} == {
        "complaint": 2,
        "request": 1,
    }
    assert by_product["satisfaction"]["requested"] == 3
    complaints = report(agent, category=TicketCategory.COMPLAINT)
    assert complaints["totals"]["created"] == 2
    assert complaints["sla"]["first_response"]["compliance_percent"] == 50.0
    assert report(agent, group=march["group"].pk)["totals"]["created"] == 1


def test_series_per_day_in_local_time(agent, march):
    period = reports.list_tickets_by_period(agent, *MARCH)
    assert period["bucket"] == "day"
    assert len(period["series"]) == 31
    created = {row["period"]: row["created"] for row in period["series"] if row["created"]}
    resolved = {row["period"]: row["resolved"] for row in period["series"] if row["resolved"]}
    assert created == {
        "2026-03-02": 1,
        "2026-03-05": 1,
        "2026-03-10": 1,
        "2026-03-20": 1,
        "2026-03-31": 1,
    }
    assert resolved == {"2026-03-01": 1, "2026-03-03": 1, "2026-03-07": 1, "2026-03-20": 1}


def test_longer_ranges_count_per_week_and_per_month(agent, march):
    assert reports.choose_bucket(dt.date(2026, 1, 1), dt.date(2026, 1, 31)) == "day"
    assert reports.choose_bucket(dt.date(2026, 1, 1), dt.date(2026, 6, 30)) == "week"
    assert reports.choose_bucket(dt.date(2025, 1, 1), dt.date(2026, 3, 31)) == "month"

    weeks = reports.list_tickets_by_period(agent, dt.date(2026, 2, 1), dt.date(2026, 4, 30))
    assert weeks["bucket"] == "week"
    assert weeks["series"][0]["period"] == "2026-01-26"  # the Monday of 1 February's week
    by_week = {row["period"]: row["created"] for row in weeks["series"] if row["created"]}
    # T1 (Mon 2 Mar) and T2 (Thu 5 Mar) share a week; T5 (Sat 28 Feb) is in the week of 23 Feb,
    # T4 (Tue 31 Mar) and T6 (Wed 1 Apr) in that of 30 Mar.
    assert by_week == {
        "2026-02-16": 1,
        "2026-02-23": 1,
        "2026-03-02": 2,
        "2026-03-09": 1,
        "2026-03-16": 1,
        "2026-03-30": 2,
    }

    months = reports.list_tickets_by_period(agent, dt.date(2025, 10, 15), dt.date(2026, 4, 30))
    assert months["bucket"] == "month"
    assert [(row["label"], row["created"]) for row in months["series"]] == [
        ("2025-10", 0),
        ("2025-11", 0),
        ("2025-12", 0),
        ("2026-01", 0),
        ("2026-02", 2),
        ("2026-03", 5),
        ("2026-04", 1),
    ]


def test_sla_compliance(agent, march):
    sla = reports.get_sla_compliance(agent, *MARCH)
    # First response: T1, T3, T7 met; T2 late, T4 overdue and unanswered.
    assert sla["first_response"] == {
        "with_target": 5,
        "met": 3,
        "breached": 2,
        "running": 0,
        "compliance_percent": 60.0,
    }
    # Resolution: T1, T7 met; T2 late; T3 still within its target (left out of the share).
    assert sla["resolution"] == {
        "with_target": 4,
        "met": 2,
        "breached": 1,
        "running": 1,
        "compliance_percent": 66.7,
    }


def test_handling_times_median_and_p90_in_hours(agent, march):
    times = reports.get_handling_times(agent, *MARCH)
    # First responses 1, 6, 2, 3 h; resolutions 24, 48, 9 h.
    assert times["first_response"] == {"count": 4, "median_hours": 2.5, "p90_hours": 5.1}
    assert times["resolution"] == {"count": 3, "median_hours": 24.0, "p90_hours": 43.2}


def test_percentile_interpolates():
    assert reports.percentile([], 50) is None
    assert reports.percentile([7.0], 90) == 7.0
    assert reports.percentile([1, 2, 3, 4], 50) == 2.5
    assert reports.percentile([10, 0, 5], 100) == 10


def test_satisfaction_distribution(agent, march):
    satisfaction = reports.get_satisfaction(agent, *MARCH)
    assert [row["count"] for row in satisfaction["distribution"]] == [0, 1, 0, 1, 1]
    assert satisfaction["requested"] == 4
    assert satisfaction["rated"] == 3
    assert satisfaction["average"] == 3.67
    assert satisfaction["response_rate_percent"] == 75.0


def test_agent_workload(agent, agent2, march):
    rows = {row["id"]: row for row in reports.list_agent_workload(agent, *MARCH)}
    assert rows[agent.pk] == {
        "id": agent.pk,
        "name": "王小明",
        "open": 1,  # T3
        "resolved": 2,  # T1, T8
        "rated": 1,
        "average_rating": 5.0,
    }
    assert rows[agent2.pk] == {
        "id": agent2.pk,
        "name": "李丽",
        "open": 1,  # T6, created after the range but open now
        "resolved": 2,  # T2, T7
        "rated": 2,
        "average_rating": 3.0,
    }
    assert rows[None]["open"] == 1  # T4
    assert list(rows)[-1] is None  # the unassigned row comes last


def test_deflection_rate(agent, march):
    assert reports.get_deflection(agent, *MARCH) == {
        "deflected": 3,
        "ticket": 2,
        "abandoned": 1,
        "total": 6,
        "rate_percent": 60.0,
    }


def test_complaint_and_suggestion_record(agent, march):
    feedback = reports.get_feedback_distribution(agent, *MARCH)
    assert feedback["total"] == 3
    assert {row["key"]: row["count"] for row in feedback["by_category"]} == {
        "complaint": 2,
        "suggestion": 1,
    }
    assert [
        (row["label"], row["complaint"], row["suggestion"]) for row in feedback["by_product"]
    ] == [("扫描仪 S1", 2, 0), ("打印机 P2", 0, 1)]
    records = feedback["records"]
    assert [record["number"] for record in records] == ["T3", "T2", "T1"]
    t2 = records[1]
    assert t2["category"] == "complaint"
    assert t2["receiver"] == "李丽"
    assert t2["reply"] == "已安排工程师上门检修"
    assert t2["replier"] == "李丽"
    assert t2["rating"] == 2
    assert t2["rating_comment"] == "太慢了"
    assert t2["created_at"].startswith("2026-03-05T09:00:00+08:00")
    assert records[2]["description"] == "扫描仪卡纸，多次报修无人处理"
    assert records[0]["reply"] == "" and records[0]["rating"] is None


def test_figures_count_only_tickets_the_viewer_may_see(rnd_engineer, march):
    # An engineer who manages one customer's account sees that customer's tickets only.
    mine = CustomerFactory(name="自己的客户", account_manager=rnd_engineer)
    TicketFactory(customer=mine, category=TicketCategory.FAULT, created_at=at(3, 15, 9))
    figures = report(rnd_engineer)
    assert figures["totals"]["created"] == 1
    assert {row["key"]: row["count"] for row in figures["by_category"]}["fault"] == 1
    assert figures["feedback"]["total"] == 0
    assert figures["satisfaction"]["requested"] == 0
    assert [(row["id"], row["open"], row["resolved"]) for row in figures["workload"]] == [
        (None, 1, 0)
    ]
    assert figures["deflection"]["total"] == 0  # help-centre data is for service staff only


# ---------------------------------------------------------------------------------------------
# Page, JSON and CSV


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def test_page_renders_charts_and_tables_for_an_agent(english, agent, march):
    english.force_login(agent)
    response = english.get(reverse("ticket_reports:index"), MARCH_QUERY)
    assert response.status_code == 200
    html = response.content.decode()
    for chart in ("by-category", "by-product", "by-period", "sla", "satisfaction", "workload"):
        assert f'data-chart="{chart}"' in html
    for table in ("table-by-category", "table-sla", "table-satisfaction", "table-deflection"):
        assert f'id="{table}"' in html
    assert 'data-report-url="/tickets/reports/data/?start=2026-03-01&amp;end=2026-03-31"' in html
    assert "tickets/reports.js" in html and "/jsi18n/" in html
    assert "<script>" not in html  # no inline script
    assert 'data-figure="created">5<' in html
    assert 'data-figure="sla-first-response">60.0%<' in html
    assert 'data-figure="deflection">60.0%<' in html
    assert "已安排工程师上门检修" in html
    assert '<tr data-key="complaint"><th scope="row">Complaint</th><td class="num">2</td>' in html


def test_page_default_range_and_bad_filters(english, agent, march):
    english.force_login(agent)
    assert english.get(reverse("ticket_reports:index")).status_code == 200
    response = english.get(
        reverse("ticket_reports:index"), {"start": "2026-03-31", "end": "2026-03-01"}
    )
    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()
    bad = english.get(reverse("ticket_reports:data"), {"start": "2026-03-31", "end": "2026-03-01"})
    assert bad.status_code == 400
    assert "errors" in bad.json()


def test_json_endpoint(client, knowledge_manager, march):
    client.force_login(knowledge_manager)
    response = client.get(reverse("ticket_reports:data"), MARCH_QUERY)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert set(data) == {
        "range",
        "filters",
        "totals",
        "by_category",
        "by_product",
        "by_period",
        "feedback",
        "sla",
        "times",
        "satisfaction",
        "workload",
        "deflection",
    }
    assert data["range"] == {
        "start": "2026-03-01",
        "end": "2026-03-31",
        "bucket": "day",
        "time_zone": "Asia/Shanghai",
    }
    assert data["sla"]["resolution"]["compliance_percent"] == 66.7
    assert data["times"]["first_response"]["median_hours"] == 2.5
    assert [row["count"] for row in data["satisfaction"]["distribution"]] == [0, 1, 0, 1, 1]
    assert data["deflection"]["rate_percent"] == 60.0
    assert data["by_product"][0] == {"id": march["scanner"].pk, "label": "扫描仪 S1", "count": 3}

    narrowed = client.get(
        reverse("ticket_reports:data"), {**MARCH_QUERY, "product": march["printer"].pk}
    ).json()
    assert narrowed["totals"]["created"] == 1
    assert narrowed["filters"]["product"] == march["printer"].pk


def test_csv_export(english, agent, march):
    english.force_login(agent)
    response = english.get(reverse("ticket_reports:export"), MARCH_QUERY)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "service-report-2026-03-01-2026-03-31.csv" in response["Content-Disposition"]
    raw = response.content
    assert raw.startswith("\ufeff".encode())
    lines = raw.decode("utf-8-sig").splitlines()
    assert "[Tickets by category]" in lines
    assert "Complaint,2" in lines
    assert "扫描仪 S1,3" in lines
    assert "First response,5,3,2,0,60.0" in lines
    assert "Resolution,4,2,1,1,66.7" in lines
    assert "Time to first response,4,2.5,5.1" in lines
    assert "Average rating,3.67" in lines
    assert "Deflection rate (%),60.0" in lines
    assert any(
        line.startswith("T2,Complaint,T2 主题,")
        and ",2026-03-05 09:00,李丽,已安排工程师上门检修,李丽,2,太慢了" in line
        for line in lines
    )


def test_csv_cells_cannot_become_formulas(english, agent, march):
    Ticket.objects.filter(number="T1").update(subject="=HYPERLINK(1)")
    english.force_login(agent)
    body = english.get(reverse("ticket_reports:export"), MARCH_QUERY).content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in body


@pytest.mark.parametrize("name", ["index", "data", "export"])
@pytest.mark.parametrize("role", ["customer_user", "rnd_engineer"])
def test_not_for_customers_nor_other_staff(client, request, march, name, role):
    user = request.getfixturevalue(role)
    if role == "customer_user":
        march["customer"].portal_users.add(user)  # their own tickets are in the report's range
    client.force_login(user)
    response = client.get(reverse(f"ticket_reports:{name}"), MARCH_QUERY)
    assert response.status_code == 404
    assert "60.0" not in response.content.decode()


@pytest.mark.parametrize("name", ["index", "data", "export"])
def test_anonymous_is_sent_to_log_in(client, march, name):
    response = client.get(reverse(f"ticket_reports:{name}"), MARCH_QUERY)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
