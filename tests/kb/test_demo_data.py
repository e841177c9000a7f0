"""`manage.py load_demo_data`: a complete, idempotent demo dataset with its logins."""

from __future__ import annotations

import hashlib
import io
import stat
from datetime import timedelta
from types import SimpleNamespace
from unittest import mock

import pytest
from django.apps import apps
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from customers.models import Customer
from customers.tickets.models import Ticket
from documents.models import ExtractionStatus, KnowledgeDocument
from kb.demo import loader
from kb.demo.loader import demo_passwords
from kb.models import ArticlePage, CaseHistoryPage, CategoryPage, FAQPage
from permissions.models import Confidentiality, Department, User
from permissions.policy import can_view, visible_to
from permissions.roles import Role

PROTECTED_MODELS = [CategoryPage, ArticlePage, FAQPage, CaseHistoryPage, KnowledgeDocument]
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
