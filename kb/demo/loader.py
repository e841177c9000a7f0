"""Write the demo content to the database, once: every item is looked up by its natural key first.

This is a bootstrap of a whole dataset in one transaction, so it writes models directly instead of
calling the per-object actions (each of which opens its own durable transaction); it leaves one
audit row for the whole load, which also dates the demo for later runs.
"""

from __future__ import annotations

import secrets
import string
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from config import parsers as env
from customers.models import Contact, Customer
from customers.tickets.models import Ticket
from documents.actions import read_facts
from documents.models import DocumentVersion, KnowledgeDocument
from documents.tasks import extract_document_task
from kb.actions import ensure_products, split_product_names
from kb.demo import content
from kb.demo.content import structured as structured_content
from kb.demo.generators import MIME_TYPES, render_document
from kb.models import (
    ArticlePage,
    CaseHistoryPage,
    CategoryPage,
    FAQPage,
    FieldKind,
    KnowledgeHomePage,
    KnowledgeTemplate,
    StructuredItemPage,
    TemplateField,
)
from permissions.actions import log_audit_event
from permissions.models import AuditEvent, Department, User
from permissions.roles import Role, sync_role_groups

AUDIT_ACTION = "demo.load"
_PASSWORD_ALPHABET = "".join(
    c for c in string.ascii_letters + string.digits if c not in "0O1lI"
)  # read aloud and typed by hand in a demo


class DemoDataError(Exception):
    """The database is not ready for the demo (e.g. migrations have not run)."""


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    name: str
    password: str | None  # None when the stored password is no longer the demo one


@dataclass
class LoadResult:
    created: Counter = field(default_factory=Counter)  # model label -> rows created
    logins: list[Login] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Passwords


def _stored_secret(path: Path) -> str:
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        value = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(14))
        path.write_text(value + "\n")
        path.chmod(0o600)
        return value


def demo_passwords() -> dict[str, str]:
    """Return the administrator and shared demo passwords, from KB_* or generated once and kept."""
    data_dir = Path(settings.DATA_DIR)
    return {
        "admin": env.get_str("KB_ADMIN_PASSWORD") or _stored_secret(data_dir / "admin_password"),
        "demo": env.get_str("KB_DEMO_PASSWORD") or _stored_secret(data_dir / "demo_password"),
    }


# ---------------------------------------------------------------------------------------------
# Loading


def load_demo_data(*, passwords: dict[str, str] | None = None) -> LoadResult:
    """Create whatever part of the demo dataset is missing, in one transaction; return the logins."""
    passwords = passwords or demo_passwords()
    loader = _Loader(passwords)
    try:
        with transaction.atomic():
            loader.run()
    except BaseException:
        loader.discard_files()
        raise
    return LoadResult(created=+loader.created, logins=list_demo_logins(passwords))


def list_demo_logins(passwords: dict[str, str]) -> list[Login]:
    """Return username, role and password of each demo user that exists."""
    users = {
        u.username: u
        for u in User.objects.filter(username__in=[s["username"] for s in content.USERS])
    }
    verified: dict[tuple[str, str], bool] = {}
    logins = []
    for spec in content.USERS:
        user = users.get(spec["username"])
        if user is None:
            continue
        candidate = passwords[spec["password"]]
        # Demo users share one hash, so this costs one hasher run per distinct password.
        key = (candidate, user.password)
        if key not in verified:
            verified[key] = check_password(candidate, user.password)
        logins.append(
            Login(
                username=user.username,
                role=str(Role(spec["role"]).label),
                name=str(user),
                password=candidate if verified[key] else None,
            )
        )
    return logins


class _Loader:
    def __init__(self, passwords: dict[str, str]):
        self.passwords = passwords
        self.created: Counter = Counter()
        self.new_files: list[str] = []
        self.departments: dict[str, Department] = {}
        self.users: dict[str, User] = {}
        self.new_usernames: set[str] = set()
        self.customers: dict[str, Customer] = {}
        self.categories: dict[str, CategoryPage] = {}
        self.documents: dict[str, KnowledgeDocument] = {}
        self._hashes: dict[str, str] = {}
        first_load = (
            AuditEvent.objects.filter(action=AUDIT_ACTION).order_by("created_at", "id").first()
        )
        # Ticket numbers and dates derive from this moment, so a later run computes the same ones.
        self.anchor: datetime = first_load.created_at if first_load else timezone.now()

    def run(self) -> None:
        home = KnowledgeHomePage.objects.first()
        if home is None:
            raise DemoDataError(
                _("The knowledge home page is missing: run `manage.py migrate` first.")
            )
        sync_role_groups()
        self.load_departments()
        self.load_users()
        self.load_customers()
        for spec in content.CATEGORIES:
            self.load_category(home, spec, path="", inherited={})
        self.load_documents()
        self.load_pages()
        self.load_structured()
        self.load_tickets()
        if self.created:
            log_audit_event(
                actor=self.users.get("admin"),
                action=AUDIT_ACTION,
                extra={"created": dict(sorted(self.created.items()))},
            )

    def discard_files(self) -> None:
        """Remove files stored by a load that rolled back, so they do not linger in MEDIA_ROOT."""
        for name in self.new_files:
            default_storage.delete(name)

    def days_ago(self, days: float, hour: int = 10, minute: int = 0) -> datetime:
        local = timezone.localtime(self.anchor)
        moment = (local - timedelta(days=days)).replace(
            hour=hour, minute=minute, second=0, microsecond=0
        )
        return min(moment, self.anchor - timedelta(minutes=1))

    # --- people ------------------------------------------------------------------------------

    def load_departments(self) -> None:
        for spec in content.DEPARTMENTS:
            department, created = Department.objects.get_or_create(
                code=spec["code"], defaults={"name": spec["name"]}
            )
            self.departments[spec["code"]] = department
            if created:
                self.created[Department._meta.label] += 1

    def _password_hash(self, kind: str) -> str:
        # One hash per distinct password: the hasher is deliberately slow (seconds for nine users),
        # and the demo users share their password anyway, so a shared salt reveals nothing more.
        if kind not in self._hashes:
            self._hashes[kind] = make_password(self.passwords[kind])
        return self._hashes[kind]

    def load_users(self) -> None:
        groups = {g.name: g for g in Group.objects.filter(name__in=[r.value for r in Role])}
        for spec in content.USERS:
            user = User.objects.filter(username=spec["username"]).first()
            if user is None:
                is_admin = spec["role"] == Role.ADMINISTRATOR
                user = User.objects.create(
                    username=spec["username"],
                    password=self._password_hash(spec["password"]),
                    first_name=spec["first_name"],
                    last_name=spec["last_name"],
                    email=spec.get("email", f"{spec['username']}@{content.STAFF_MAIL_DOMAIN}"),
                    phone=spec["phone"],
                    position=spec["position"],
                    is_staff=is_admin,
                    is_superuser=is_admin,
                )
                user.groups.add(groups[Role(spec["role"]).value])
                user.departments.set([self.departments[code] for code in spec["departments"]])
                self.new_usernames.add(user.username)
                self.created[User._meta.label] += 1
            self.users[spec["username"]] = user

    def load_customers(self) -> None:
        portal_users: dict[str, list[str]] = {}
        for spec in content.USERS:
            if spec.get("customer"):
                portal_users.setdefault(spec["customer"], []).append(spec["username"])
        for spec in content.CUSTOMERS:
            customer = Customer.objects.filter(code=spec["code"]).first()
            created = customer is None
            if created:
                customer = Customer.objects.create(
                    code=spec["code"],
                    name=spec["name"],
                    industry=spec["industry"],
                    region=spec["region"],
                    phone=spec["phone"],
                    email=spec["email"],
                    account_manager=self.users[spec["account_manager"]],
                    address=spec["address"],
                    annual_income=spec["annual_income"],
                    family_notes=spec["family_notes"],
                    created_at=self.days_ago(spec["created_days_ago"]),
                )
                Contact.objects.bulk_create(
                    Contact(customer=customer, **contact) for contact in spec["contacts"]
                )
                self.created[Customer._meta.label] += 1
                self.created[Contact._meta.label] += len(spec["contacts"])
            for username in portal_users.get(spec["code"], []):
                if created or username in self.new_usernames:
                    customer.portal_users.add(self.users[username])
            self.customers[spec["code"]] = customer

    # --- pages -------------------------------------------------------------------------------

    def _protect(self, obj, spec: dict) -> None:
        """Set confidentiality and its relations on an unsaved page or document."""
        obj.confidentiality = spec["confidentiality"]
        obj.owning_departments = [self.departments[c] for c in spec.get("owning_departments", [])]
        obj.allowed_groups = list(Group.objects.filter(name__in=spec.get("allowed_groups", [])))
        obj.allowed_users = [self.users[u] for u in spec.get("allowed_users", [])]
        obj.allowed_customers = [self.customers[c] for c in spec.get("allowed_customers", [])]

    def _publish(self, parent, page, *, spec: dict, author: User, days_ago: float | None) -> None:
        """Add `page` under `parent` and publish it as `author`, unless its slug is taken there."""
        if parent.get_children().filter(slug=page.slug).exists():
            return
        page.owner = author
        self._protect(page, spec)
        parent.add_child(instance=page)
        revision = page.save_revision(user=author)
        log(instance=page, action="wagtail.create", user=author, revision=revision)
        revision.publish(user=author, skip_permission_checks=True)
        if days_ago is not None:
            # Spread publication dates so "latest" lists and staleness reviews have something to
            # show; the log entries keep their real time.
            moment = self.days_ago(days_ago)
            type(page).objects.filter(pk=page.pk).update(
                first_published_at=moment,
                last_published_at=moment,
                latest_revision_created_at=moment,
            )
            type(revision).objects.filter(pk=revision.pk).update(created_at=moment)
        self.created[type(page)._meta.label] += 1

    def _child(self, parent, slug: str):
        return parent.get_children().filter(slug=slug).first().specific

    def load_category(self, parent, spec: dict, *, path: str, inherited: dict) -> None:
        protection = {
            key: spec.get(key, inherited.get(key))
            for key in ("confidentiality", "owning_departments")
            if key in spec or key in inherited
        }
        page = CategoryPage(title=spec["title"], slug=spec["slug"], summary=spec["summary"])
        self._publish(parent, page, spec=protection, author=self.users["sunhui"], days_ago=None)
        page = self._child(parent, spec["slug"])
        key = f"{path}{spec['slug']}"
        self.categories[key] = page
        for child in spec.get("children", []):
            self.load_category(page, child, path=f"{key}/", inherited=protection)

    def load_pages(self) -> None:
        """Publish the articles, FAQs and case histories, each in its category as its author."""
        for specs, build in (
            (content.ARTICLES, self._article),
            (content.FAQS, self._faq),
            (content.CASES, self._case),
        ):
            for spec in specs:
                self._publish(
                    self.categories[spec["category"]],
                    build(spec),
                    spec=spec,
                    author=self.users[spec["author"]],
                    days_ago=spec["days_ago"],
                )

    def _article(self, spec: dict) -> ArticlePage:
        return ArticlePage(
            title=spec["title"],
            slug=spec["slug"],
            summary=spec["summary"],
            body=[self._block(item) for item in spec["body"]],
            review_date=(self.days_ago(spec["days_ago"]) + timedelta(days=365)).date(),
        )

    def _block(self, item: tuple) -> dict:
        kind, *args = item
        if kind == "callout":
            return {"type": "callout", "value": {"kind": args[0], "text": args[1]}}
        if kind == "code":
            return {"type": "code", "value": {"language": args[0], "code": args[1]}}
        if kind == "document":
            return {"type": "document", "value": self.documents[args[0]].pk}
        return {"type": kind, "value": args[0]}

    def _faq(self, spec: dict) -> FAQPage:
        return FAQPage(
            title=spec["title"],
            slug=spec["slug"],
            question=spec["question"],
            alternative_questions=spec["alternatives"],
            answer=spec["answer"],
            products=ensure_products(split_product_names(spec["products"])),
        )

    def _case(self, spec: dict) -> CaseHistoryPage:
        return CaseHistoryPage(
            title=spec["title"],
            slug=spec["slug"],
            summary=spec["summary"],
            customer=self.customers[spec["customer"]],
            product=(ensure_products(split_product_names(spec["product"])) or [None])[0],
            symptom=spec["symptom"],
            cause=spec["cause"],
            resolution=spec["resolution"],
            outcome=spec["outcome"],
        )

    def load_structured(self) -> None:
        """Create the structured-knowledge templates, then publish the items made from them."""
        templates = {}
        for spec in structured_content.TEMPLATES:
            template = KnowledgeTemplate.objects.filter(name=spec["name"]).first()
            if template is None:
                template = KnowledgeTemplate.objects.create(
                    name=spec["name"], description=spec["description"]
                )
                for order, field in enumerate(spec["fields"]):
                    TemplateField.objects.create(template=template, sort_order=order, **field)
                self.created[KnowledgeTemplate._meta.label] += 1
            templates[spec["name"]] = template
        for spec in structured_content.STRUCTURED_ITEMS:
            template = templates[spec["template"]]
            documents = {f.key for f in template.fields.all() if f.kind == FieldKind.DOCUMENT}
            data = {
                key: self.documents[value].pk if key in documents else value
                for key, value in spec["data"].items()
            }
            page = StructuredItemPage(
                title=spec["title"],
                slug=spec["slug"],
                summary=spec["summary"],
                template=template,
                data=data,
            )
            self._publish(
                self.categories[spec["category"]],
                page,
                spec=spec,
                author=self.users[spec["author"]],
                days_ago=spec["days_ago"],
            )

    # --- documents ---------------------------------------------------------------------------

    def load_documents(self) -> None:
        for number, spec in enumerate(content.DOCUMENTS):
            document = KnowledgeDocument.objects.filter(title=spec["title"]).first()
            if document is None:
                document = self._create_document(spec, days_ago=15 + number * 23)
            self.documents[spec["key"]] = document

    def _create_document(self, spec: dict, *, days_ago: int) -> KnowledgeDocument:
        data = ContentFile(render_document(spec))
        facts = read_facts(data)
        document = KnowledgeDocument(
            title=spec["title"],
            description=spec["description"],
            category=self.categories[spec["category"]],
            author=spec["author"],
            uploaded_by_user=self.users[spec["uploaded_by"]],
            file_size=facts.size,
            file_hash=facts.sha1,  # Wagtail's own duplicate check
            checksum=facts.checksum,
            mime_type=MIME_TYPES[spec["format"]],
        )
        document.file.save(spec["filename"], data, save=False)
        self.new_files.append(document.file.name)
        self._protect(document, spec)
        document.save()
        KnowledgeDocument.objects.filter(pk=document.pk).update(created_at=self.days_ago(days_ago))
        DocumentVersion.objects.create(
            document=document,
            number=1,
            file=document.file.name,
            original_filename=spec["filename"],
            file_size=facts.size,
            checksum=document.checksum,
            mime_type=document.mime_type,
            uploaded_by=document.uploaded_by_user,
            uploaded_at=self.days_ago(days_ago),
        )
        # The worker extracts the text once the whole demo is committed.
        transaction.on_commit(lambda pk=document.pk: extract_document_task.delay(pk))
        self.created[KnowledgeDocument._meta.label] += 1
        return document

    # --- tickets -----------------------------------------------------------------------------

    def load_tickets(self) -> None:
        dated = sorted(
            (
                (self.days_ago(s["days_ago"], s["hour"], minute=n * 17 % 60), n, s)
                for n, s in enumerate(content.TICKETS)
            ),
            key=lambda item: (item[0], item[1]),
        )
        per_day: Counter = Counter()
        for created_at, _number, spec in dated:
            day = timezone.localtime(created_at).strftime("%Y%m%d")
            per_day[day] += 1
            number = f"T{day}-{per_day[day]:04d}"
            if Ticket.objects.filter(number=number).exists():
                continue
            customer = self.customers[spec["customer"]]
            Ticket.objects.create(
                number=number,
                customer=customer,
                contact=customer.contacts.order_by("pk")[spec["contact"]],
                subject=spec["subject"],
                description=spec["description"],
                status=spec["status"],
                priority=spec["priority"],
                channel=spec["channel"],
                assignee=self.users.get(spec["assignee"]) if spec["assignee"] else None,
                created_at=created_at,
            )
            self.created[Ticket._meta.label] += 1
