"""`manage.py load_demo_data`: a complete, idempotent demo dataset with its logins."""

from __future__ import annotations

import datetime
import hashlib
import io
import stat
from datetime import timedelta
from types import SimpleNamespace
from unittest import mock

import pytest
from django.apps import apps
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from customers.models import AccountManagerChange, Customer, Interaction
from customers.tickets import sla
from customers.tickets.knowledge import html_to_text
from customers.tickets.models import (
    AgentGroup,
    AssignmentRule,
    BusinessHours,
    ContactAttempt,
    ContactOutcome,
    ReplyTemplate,
    Satisfaction,
    SLAPolicy,
    Ticket,
    TicketCategory,
    TicketEvent,
    TicketEventKind,
    TicketNotice,
    TicketPriority,
    TicketReply,
    TicketStatus,
)
from customers.tickets.models.tickets import ACTIVE_STATUSES
from documents.models import ExtractionStatus, KnowledgeDocument
from kb.demo import content, loader
from kb.demo.content import service as service_content
from kb.demo.loader import demo_passwords, replay_ticket_steps
from kb.models import ArticlePage, CaseHistoryPage, CategoryPage, FAQPage
from permissions.models import Confidentiality, Department, User
from permissions.policy import can_view, visible_to
from permissions.roles import Role

PROTECTED_MODELS = [CategoryPage, ArticlePage, FAQPage, CaseHistoryPage, KnowledgeDocument]
SERVICE_DESK_MODELS = [
    AccountManagerChange,
    Interaction,
    BusinessHours,
    SLAPolicy,
    AgentGroup,
    AssignmentRule,
    ReplyTemplate,
    TicketEvent,
    TicketReply,
    TicketNotice,
    Satisfaction,
    ContactAttempt,
]
ADMIN_PASSWORD = "Admin-from-env-2026"


def run_command() -> str:
    out = io.StringIO()
    call_command("load_demo_data", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """Load the demo once for this module (it takes seconds) and roll it back afterwards."""
    root = tmp_path_factory.mktemp("demo")
    overrides = override_settings(
        DATA_DIR=root / "var",
        MEDIA_ROOT=root / "media",
        KB_SEARCH_INDEX_DIR=root / "index",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    with pytest.MonkeyPatch.context() as env, overrides, django_db_blocker.unblock():
        env.setenv("KB_ADMIN_PASSWORD", ADMIN_PASSWORD)
        env.delenv("KB_DEMO_PASSWORD", raising=False)
        with transaction.atomic():
            yield SimpleNamespace(output=run_command(), data_dir=root / "var", media=root / "media")
            transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _isolated_files():
    """Keep the module's media folder (see `demo`) instead of tests/conftest.py's per-test one."""


def snapshot() -> dict:
    """Every row of every concrete model, to prove a run changed nothing."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


def stored_files(media) -> set:
    return {path for path in media.rglob("*") if path.is_file()}


def login_line(output: str, username: str) -> str:
    return next(line for line in output.splitlines() if line.split()[:1] == [username])


@pytest.mark.django_db
def test_second_run_changes_nothing_and_prints_the_logins_again(demo):
    demo_password = (demo.data_dir / "demo_password").read_text().strip()
    assert not (demo.data_dir / "admin_password").exists()  # KB_ADMIN_PASSWORD stays in the env
    User.objects.filter(username="huanglei").update(password="!changed")
    before = snapshot()
    for model in SERVICE_DESK_MODELS:  # the service desk is part of what must not change
        assert before[model._meta.label], model

    # Days later: ticket numbers and dates derive from the first load, not from today.
    later = timezone.now() + timedelta(days=3, hours=5)
    with mock.patch("django.utils.timezone.now", return_value=later):
        second = run_command()

    assert snapshot() == before
    for output in (demo.output, second):
        assert ADMIN_PASSWORD in login_line(output, "admin")
        for username in ("zhangli", "wangqiang", "liuyang", "chenjing", "zhaomin", "sunhui"):
            assert demo_password in login_line(output, username)
    assert demo_password in login_line(demo.output, "huanglei")
    assert demo_password not in login_line(second, "huanglei")  # no longer true, so not shown
    assert check_password(ADMIN_PASSWORD, User.objects.get(username="admin").password)
    assert check_password(demo_password, User.objects.get(username="wugang").password)


@pytest.mark.django_db
def test_demo_covers_every_role_and_confidentiality_level(demo):
    for role in Role:
        assert User.objects.filter(groups__name=role.value).exists(), role
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert set(Department.objects.values_list("code", flat=True)) >= {
        "rnd",
        "service",
        "training",
        "quality",
        "sales",
        "it",
    }
    for customer_user in User.objects.filter(groups__name=Role.CUSTOMER):
        assert customer_user.customer_accounts.exists()
    assert Customer.objects.count() >= 8
    assert Ticket.objects.count() >= 20
    assert ArticlePage.objects.live().count() >= 15
    assert FAQPage.objects.live().count() >= 15
    assert CaseHistoryPage.objects.live().count() >= 8

    levels = {
        level
        for model in PROTECTED_MODELS
        for level in model.objects.values_list("confidentiality", flat=True)
    }
    assert levels == set(Confidentiality.values)
    assert ArticlePage.objects.filter(
        confidentiality=Confidentiality.DEPARTMENT, owning_departments__code="rnd"
    ).exists()
    confidential = ArticlePage.objects.get(confidentiality=Confidentiality.CONFIDENTIAL)
    assert confidential.allowed_groups.exists() and confidential.allowed_users.exists()

    # Revisions name their authors.
    article = ArticlePage.objects.get(slug="servo-alarm-codes")
    assert article.owner.username == "liuyang"
    assert article.latest_revision.user == article.owner


@pytest.mark.django_db
def test_demo_users_see_what_their_role_allows(demo):
    customer = User.objects.get(username="wugang")  # a portal user of 恒通 (C0001)
    other_customer = User.objects.get(username="huanglei")  # of 明远 (C0002)
    customer_levels = {Confidentiality.PUBLIC, Confidentiality.CUSTOMERS}

    for model in PROTECTED_MODELS:
        seen = visible_to(customer, model.objects.all())
        assert set(seen.values_list("confidentiality", flat=True)) <= customer_levels
        seen = visible_to(other_customer, model.objects.all())
        assert set(seen.values_list("confidentiality", flat=True)) <= {Confidentiality.PUBLIC}
    public_faqs = FAQPage.objects.filter(confidentiality=Confidentiality.PUBLIC)
    hengtong_faqs = FAQPage.objects.filter(
        confidentiality=Confidentiality.CUSTOMERS, allowed_customers__code="C0001"
    )
    assert hengtong_faqs.exists()
    assert visible_to(customer, FAQPage.objects.all()).count() == (
        public_faqs.count() + hengtong_faqs.count()
    )
    assert visible_to(other_customer, FAQPage.objects.all()).count() == public_faqs.count() > 0

    agent, engineer = User.objects.get(username="zhangli"), User.objects.get(username="liuyang")
    standard = ArticlePage.objects.get(slug="drive-pcb-design-standard")
    assert can_view(engineer, standard) and not can_view(agent, standard)
    review = ArticlePage.objects.get(slug="hcr-6-20-project-review")
    assert can_view(engineer, review) and not can_view(agent, review)


@pytest.mark.django_db
def test_documents_are_real_files_in_several_formats(demo):
    documents = list(KnowledgeDocument.objects.all())

    assert len(documents) >= 10
    assert len({d.mime_type for d in documents}) >= 6
    for document in documents:
        with document.file.open("rb") as handle:
            data = handle.read()
        assert data and len(data) == document.file_size
        assert hashlib.sha256(data).hexdigest() == document.checksum
        assert document.extraction_status == ExtractionStatus.PENDING
        assert document.uploaded_by_user is not None and document.category is not None
        if document.mime_type == "text/plain":
            assert "华辰" in data.decode("gbk")
        if document.mime_type == "text/csv":
            assert data.startswith(b"\xef\xbb\xbf")
        if document.mime_type == "application/pdf":
            assert data.startswith(b"%PDF")


@pytest.mark.django_db
def test_a_failed_load_leaves_no_half_dataset(demo, monkeypatch):
    # Take away what the load creates before it fails, so the failing run has work to undo.
    Ticket.objects.all().delete()
    Customer.objects.all().delete()
    KnowledgeDocument.objects.all().delete()
    before, files_before = snapshot(), stored_files(demo.media)

    def crash(self):
        raise RuntimeError("disk full")

    monkeypatch.setattr(loader._Loader, "load_pages", crash)  # after documents were stored

    with pytest.raises(RuntimeError):
        run_command()

    assert snapshot() == before
    assert stored_files(demo.media) == files_before


@pytest.fixture
def data_dir(settings, tmp_path, monkeypatch):
    """An empty data directory and no password in the environment."""
    settings.DATA_DIR = tmp_path / "var"
    monkeypatch.delenv("KB_ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("KB_DEMO_PASSWORD", raising=False)
    return settings.DATA_DIR


def test_generated_passwords_are_kept_private_and_reused(data_dir):
    first = demo_passwords()

    assert demo_passwords() == first
    assert first["admin"] != first["demo"] and len(first["admin"]) >= 12
    for name in ("admin_password", "demo_password"):
        assert stat.S_IMODE((data_dir / name).stat().st_mode) == 0o600


def test_passwords_from_the_environment_win(data_dir, monkeypatch):
    monkeypatch.setenv("KB_ADMIN_PASSWORD", "a-set-admin-password")
    monkeypatch.setenv("KB_DEMO_PASSWORD", "a-set-demo-password")

    assert demo_passwords() == {"admin": "a-set-admin-password", "demo": "a-set-demo-password"}
    assert not data_dir.exists()


# ---------------------------------------------------------------------------------------------
# Customer records and the service desk


def demo_hours() -> BusinessHours:
    spec = service_content.BUSINESS_HOURS
    return BusinessHours(
        name=spec["name"],
        weekdays=spec["weekdays"],
        start=datetime.time.fromisoformat(spec["start"]),
        end=datetime.time.fromisoformat(spec["end"]),
        holidays=spec["holidays"],
        extra_workdays=spec["extra_workdays"],
    )


def test_every_ticket_timeline_ends_in_its_status_and_days_are_not_shared():
    """The content itself: replaying the steps gives the stated status, and no two tickets share
    a day (numbers are counted per day, so a ticket added on a used day would renumber others)."""
    opened = timezone.make_aware(datetime.datetime(2026, 10, 16, 16, 30))  # Friday before 调休
    far = opened + timedelta(days=365)
    for spec in content.TICKETS:
        items, status = replay_ticket_steps(spec["steps"], opened, demo_hours(), until=far)
        assert status == spec["status"], spec["subject"]
        moments = [moment for moment, _kind, _details in items]
        assert moments == sorted(moments), spec["subject"]
    days = [spec["days_ago"] for spec in content.TICKETS]
    assert len(days) == len(set(days))


@pytest.mark.django_db
def test_customers_have_profiles_products_and_manager_history(demo):
    customers = Customer.objects.prefetch_related("products", "manager_history")
    assert {c.grade for c in customers} == {"A", "B", "C"}
    for customer in customers:
        assert customer.source and customer.preferences and customer.products.exists()
        current = customer.manager_history.get(ended_at__isnull=True)
        assert current.manager == customer.account_manager
    handovers = AccountManagerChange.objects.filter(ended_at__isnull=False)
    assert handovers.count() == 2
    departed = AccountManagerChange.objects.get(reason="原客户经理离职交接")
    earlier = departed.customer.manager_history.get(ended_at__isnull=False)
    assert earlier.ended_at == departed.started_at and not earlier.manager.is_active


@pytest.mark.django_db
def test_interactions_exist_and_closed_ones_are_locked(demo):
    closed = Interaction.objects.filter(closed_at__isnull=False)
    assert 3 <= Interaction.objects.count() <= 8
    assert closed.count() >= 3 and Interaction.objects.filter(closed_at__isnull=True).exists()

    record = closed.first()
    assert record.is_locked and record.closed_by is not None
    record.result = "改写"
    with pytest.raises(ValidationError):
        record.save()
    open_record = Interaction.objects.filter(closed_at__isnull=True).first()
    open_record.next_step = "下周再联系"
    open_record.save()  # still open: may change


@pytest.mark.django_db
def test_service_desk_has_hours_policies_groups_and_rules(demo):
    hours = BusinessHours.objects.get(name="工作日 9:00–18:00")
    assert hours.weekdays == [1, 2, 3, 4, 5]
    assert "2026-10-01" in hours.holidays and "2026-10-10" in hours.extra_workdays
    policies = {p.priority: p for p in SLAPolicy.objects.all()}
    assert set(policies) == set(TicketPriority.values)
    assert (policies["urgent"].first_response_minutes, policies["urgent"].resolution_minutes) == (
        60,
        480,
    )
    assert (policies["low"].first_response_minutes, policies["low"].resolution_minutes) == (
        1440,
        7200,
    )
    for policy in policies.values():
        assert policy.business_hours == hours and 30 <= policy.warn_before_minutes <= 60
    for group in AgentGroup.objects.all():
        assert group.lead is not None and group.lead in group.members.all()
        assert AssignmentRule.objects.filter(group=group).exists(), group
    assert set(AgentGroup.objects.values_list("name", flat=True)) == {"一线服务组", "技术支持组"}
    fault = AssignmentRule.objects.get(category=TicketCategory.FAULT)
    assert fault.customer_grade == "A" and fault.round_robin and fault.group.name == "技术支持组"
    complaint = AssignmentRule.objects.get(category=TicketCategory.COMPLAINT)
    assert complaint.set_priority == TicketPriority.HIGH and complaint.group.name == "一线服务组"
    catch_all = AssignmentRule.objects.order_by("order").last()
    assert not (catch_all.category or catch_all.customer_grade or catch_all.product_id)


@pytest.mark.django_db
def test_tickets_are_routed_timed_and_worked_consistently(demo):
    tickets = Ticket.objects.select_related("group", "customer").prefetch_related("events")
    assert set(tickets.values_list("category", flat=True)) == set(TicketCategory.values)
    for ticket in tickets:
        assert ticket.product is not None and ticket.group is not None, ticket
        kinds = [event.kind for event in ticket.events.all()]
        assert kinds[:1] == [TicketEventKind.CREATED] and TicketEventKind.SLA in kinds
        # Targets from the opening, for the priority before any escalation.
        escalation = ticket.events.filter(kind=TicketEventKind.ESCALATED).first()
        priority = escalation.data["before_priority"] if escalation else ticket.priority
        policy, first_due, resolution_due = sla.targets(priority, ticket.created_at)
        assert (ticket.sla_policy, ticket.first_response_due, ticket.resolution_due) == (
            policy,
            first_due,
            resolution_due,
        )
        if ticket.status in ACTIVE_STATUSES:
            assert ticket.resolved_at is None and ticket.closed_at is None
        else:
            assert ticket.resolved_at is not None and ticket.first_responded_at is not None
        assert (ticket.closed_at is not None) == (ticket.status == TicketStatus.CLOSED)
        if ticket.status == TicketStatus.NEW:
            assert ticket.first_responded_at is None
        public = ticket.replies.filter(internal=False, from_customer=False)
        assert ticket.first_responded_at == (public.first().created_at if public else None)
        if escalation and ticket.group.lead:
            assert ticket.assignee == ticket.group.lead
    assert TicketReply.objects.filter(internal=True).exists()
    assert TicketReply.objects.filter(from_customer=True).exists()
    assert TicketReply.objects.filter(template__isnull=False).exists()


@pytest.mark.django_db
def test_some_tickets_breached_their_sla_and_were_escalated(demo):
    breached = Ticket.objects.exclude(
        first_response_breached_at__isnull=True, resolution_breached_at__isnull=True
    )
    assert breached.exists()
    # A first response given late stays a breach after the ticket was closed.
    late = Ticket.objects.get(first_response_breached_at__isnull=False)
    assert late.first_responded_at > late.first_response_due
    assert late.status == TicketStatus.CLOSED and late.escalation_level == 1
    for ticket in breached:
        assert ticket.events.filter(kind=TicketEventKind.SLA_BREACH).exists()
        assert ticket.events.filter(kind=TicketEventKind.ESCALATED).exists()
        assert TicketNotice.objects.filter(ticket=ticket, kind=TicketEventKind.ESCALATED).exists()
    # Met targets are not stamped.
    met = Ticket.objects.filter(
        resolved_at__isnull=False, resolution_breached_at__isnull=True
    ).first()
    assert met.resolved_at <= met.resolution_due


@pytest.mark.django_db
def test_resolved_tickets_have_satisfaction_ratings(demo):
    done = Ticket.objects.filter(status__in=[TicketStatus.RESOLVED, TicketStatus.CLOSED])
    followups = Satisfaction.objects.filter(ticket__in=done)
    assert followups.count() == done.count()
    rated = followups.filter(rating__isnull=False)
    assert rated.count() > done.count() / 2
    assert set(rated.values_list("rating", flat=True)) >= {2, 3, 4, 5}
    assert rated.get(rating=2).comment
    for followup in rated:
        assert followup.requested_at <= followup.rated_at
        assert followup.ticket.events.filter(kind=TicketEventKind.RATED).exists()
    assert not Satisfaction.objects.exclude(ticket__in=done).exists()


@pytest.mark.django_db
def test_reply_templates_are_drawn_from_faqs(demo):
    templates = ReplyTemplate.objects.select_related("faq")
    assert 4 <= templates.count() <= 6
    for template in templates:
        assert template.faq is not None and template.title == template.faq.title
        assert template.keyword_list() and template.usage_count > 0
        assert template.body == html_to_text(template.faq.answer) and "<" not in template.body


@pytest.mark.django_db
def test_help_centre_contacts_show_a_deflection_rate(demo):
    since = timezone.now() - timedelta(days=30)
    attempts = ContactAttempt.objects.filter(created_at__gte=since)
    assert attempts.count() == ContactAttempt.objects.count()
    outcomes = {
        outcome: attempts.filter(outcome=outcome).count() for outcome in ContactOutcome.values
    }
    assert outcomes == {"deflected": 20, "ticket": 8, "abandoned": 4}
    for attempt in attempts.filter(outcome=ContactOutcome.DEFLECTED):
        assert attempt.faq_page_id in attempt.suggested
        assert FAQPage.objects.filter(pk=attempt.faq_page_id).exists()
    assert attempts.filter(outcome=ContactOutcome.TICKET, ticket__isnull=False).exists()


@pytest.mark.django_db
def test_a_demo_from_before_the_service_desk_is_brought_up_to_date(demo):
    """Tickets and customers an older demo loaded (no timeline, no manager history) are worked
    through the desk on the next run, exactly as a fresh load would have."""
    ticket = Ticket.objects.get(subject="驅動器頻繁報 E-410 欠壓")
    fields = [f.name for f in Ticket._meta.concrete_fields if f.name != "updated_at"]
    expected = {name: getattr(ticket, name) for name in fields}
    events = list(ticket.events.values_list("kind", "message", "created_at"))
    rating = ticket.satisfaction.rating
    customer = ticket.customer
    TicketEvent.objects.filter(ticket=ticket).delete()
    TicketReply.objects.filter(ticket=ticket).delete()
    TicketNotice.objects.filter(ticket=ticket).delete()
    Satisfaction.objects.filter(ticket=ticket).delete()
    Ticket.objects.filter(pk=ticket.pk).update(
        category=TicketCategory.QUESTION, group=None, sla_policy=None, priority="high"
    )
    customer.manager_history.all().delete()
    Customer.objects.filter(pk=customer.pk).update(grade="B", preferences="")

    run_command()

    ticket.refresh_from_db()
    assert {name: getattr(ticket, name) for name in fields} == expected
    assert list(ticket.events.values_list("kind", "message", "created_at")) == events
    assert ticket.satisfaction.rating == rating
    customer.refresh_from_db()
    assert customer.preferences and customer.manager_history.count() == 1
