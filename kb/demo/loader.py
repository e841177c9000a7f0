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
from datetime import datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from wagtail.log_actions import log

from config import parsers as env
from customers.models import AccountManagerChange, Contact, Customer, Interaction
from customers.tickets import sla
from customers.tickets.knowledge import html_to_text
from customers.tickets.models import (
    AgentGroup,
    AssignmentRule,
    BusinessHours,
    ContactAttempt,
    ReplyTemplate,
    Satisfaction,
    SatisfactionVia,
    SLAPolicy,
    Ticket,
    TicketChannel,
    TicketEvent,
    TicketEventKind,
    TicketNotice,
    TicketPriority,
    TicketReply,
    TicketReplyVia,
    TicketStatus,
)
from customers.tickets.models.tickets import ACTIVE_STATUSES, PRIORITY_ORDER, STATUS_TRANSITIONS
from documents.actions import read_facts
from documents.models import DocumentVersion, KnowledgeDocument
from documents.tasks import extract_document_task
from kb.actions import ensure_products, split_product_names
from kb.demo import content
from kb.demo.content import customers as customer_content
from kb.demo.content import service as service_content
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
    Product,
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
CUSTOMER_PROFILE = ("kind", "customer_type", "source", "grade", "preferences")
SLA_WATCH_DELAY = timedelta(minutes=3)  # the SLA watch runs every few minutes


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
        self.products: dict[str, Product] = {}
        self.groups: dict[str, AgentGroup] = {}
        self.rules: list[AssignmentRule] = []
        self.business_hours: BusinessHours | None = None
        self.templates: dict[str, ReplyTemplate] = {}
        self.tickets: dict[str, Ticket] = {}  # by subject
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
        self.load_service_desk()
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
                    **{key: spec[key] for key in CUSTOMER_PROFILE},
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

    # --- customer records and the service desk -----------------------------------------------

    def load_service_desk(self) -> None:
        """Customer records, the desk's rules and templates, then the tickets worked through it."""
        self.load_customer_records()
        self.load_workflow()
        self.load_reply_templates()
        self.load_tickets()
        self.load_contact_attempts()

    def _count(self, model, number: int = 1) -> None:
        self.created[model._meta.label] += number

    def _product(self, name: str) -> Product:
        if name not in self.products:
            self.products[name] = ensure_products([name])[0]
        return self.products[name]

    def load_customer_records(self) -> None:
        for spec in customer_content.FORMER_STAFF:
            user = User.objects.filter(username=spec["username"]).first()
            if user is None:
                user = User.objects.create(
                    username=spec["username"],
                    password=make_password(None),  # unusable: they have left
                    first_name=spec["first_name"],
                    last_name=spec["last_name"],
                    email=f"{spec['username']}@{content.STAFF_MAIL_DOMAIN}",
                    phone=spec["phone"],
                    position=spec["position"],
                    is_active=False,
                )
                user.departments.set([self.departments[code] for code in spec["departments"]])
                self._count(User)
            self.users[spec["username"]] = user
        for spec in content.CUSTOMERS:
            customer = self.customers[spec["code"]]
            if not customer.manager_history.exists():
                self._customer_profile(customer, spec)
        for spec in customer_content.INTERACTIONS:
            customer = self.customers[spec["customer"]]
            if Interaction.objects.filter(customer=customer, content=spec["content"]).exists():
                continue
            recorder = self.users[spec["recorded_by"]]
            closed = spec["closed_days_ago"]
            Interaction.objects.create(
                customer=customer,
                contact=customer.contacts.order_by("pk")[spec["contact"]],
                occurred_at=self.days_ago(spec["days_ago"], spec["hour"]),
                place=spec["place"],
                channel=spec["channel"],
                content=spec["content"],
                result=spec["result"],
                next_step=spec["next_step"],
                recorded_by=recorder,
                # Created closed: the lock only stops changes to a stored record.
                closed_at=self.days_ago(closed, hour=18) if closed is not None else None,
                closed_by=recorder if closed is not None else None,
            )
            self._count(Interaction)

    def _customer_profile(self, customer: Customer, spec: dict) -> None:
        """Give a customer its products in use and account manager history (and, when it was
        loaded before customers had profiles, its profile)."""
        profile = {key: spec[key] for key in CUSTOMER_PROFILE}
        Customer.objects.filter(pk=customer.pk).update(**profile)
        for key, value in profile.items():
            setattr(customer, key, value)
        customer.products.set([self._product(name) for name in spec["products"]])
        admin = self.users["admin"]
        periods = []
        started = customer.created_at
        handover = spec.get("handover")
        if handover:
            moment = self.days_ago(handover["days_ago"], hour=9)
            periods.append(
                AccountManagerChange(
                    customer=customer,
                    manager=self.users[handover["from"]],
                    started_at=started,
                    ended_at=moment,
                    changed_by=admin,
                )
            )
            started = moment
        periods.append(
            AccountManagerChange(
                customer=customer,
                manager=customer.account_manager,
                started_at=started,
                changed_by=self.users[handover["by"]] if handover else admin,
                reason=handover["reason"] if handover else "",
            )
        )
        AccountManagerChange.objects.bulk_create(periods)
        self._count(AccountManagerChange, len(periods))

    def load_workflow(self) -> None:
        """Business hours, an SLA policy per priority, the service groups and assignment rules."""
        spec = service_content.BUSINESS_HOURS
        hours = BusinessHours.objects.filter(name=spec["name"]).first()
        if hours is None:
            hours = BusinessHours.objects.create(
                name=spec["name"],
                weekdays=spec["weekdays"],
                start=time.fromisoformat(spec["start"]),
                end=time.fromisoformat(spec["end"]),
                holidays=spec["holidays"],
                extra_workdays=spec["extra_workdays"],
            )
            self._count(BusinessHours)
        self.business_hours = hours
        for spec in service_content.SLA_POLICIES:
            if not SLAPolicy.objects.filter(priority=spec["priority"]).exists():
                SLAPolicy.objects.create(business_hours=hours, **spec)
                self._count(SLAPolicy)
        for spec in service_content.AGENT_GROUPS:
            group = AgentGroup.objects.filter(name=spec["name"]).first()
            if group is None:
                group = AgentGroup.objects.create(name=spec["name"], lead=self.users[spec["lead"]])
                group.members.set([self.users[username] for username in spec["members"]])
                self._count(AgentGroup)
            self.groups[spec["name"]] = group
        for spec in service_content.ASSIGNMENT_RULES:
            if not AssignmentRule.objects.filter(name=spec["name"]).exists():
                AssignmentRule.objects.create(
                    name=spec["name"],
                    order=spec["order"],
                    category=spec["category"],
                    customer_grade=spec["customer_grade"],
                    group=self.groups[spec["group"]],
                    round_robin=spec["round_robin"],
                    set_priority=spec["set_priority"],
                )
                self._count(AssignmentRule)
        # The rules as they stand (an administrator may have changed them) route the tickets.
        self.rules = list(
            AssignmentRule.objects.filter(active=True).select_related("group", "group__lead")
        )

    def load_reply_templates(self) -> None:
        for spec in service_content.REPLY_TEMPLATES:
            faq = FAQPage.objects.filter(slug=spec["faq"]).first()
            if faq is None:
                continue
            template = ReplyTemplate.objects.filter(faq=faq).first()
            if template is None:
                template = ReplyTemplate.objects.create(
                    title=faq.title,
                    body=html_to_text(faq.answer),
                    faq=faq,
                    keywords=spec["keywords"],
                    category=spec["category"],
                    usage_count=spec["usage_count"],
                    created_by=self.users[spec["created_by"]],
                    created_at=self.days_ago(spec["days_ago"]),
                )
                self._count(ReplyTemplate)
            self.templates[spec["faq"]] = template

    # --- tickets -----------------------------------------------------------------------------

    def load_tickets(self) -> None:
        """Open the demo tickets (numbered per day of their date) and work each new one."""
        dated = sorted(
            (
                (self.days_ago(s["days_ago"], s["hour"], minute=n * 17 % 60), n, s)
                for n, s in enumerate(content.TICKETS)
            ),
            key=lambda item: (item[0], item[1]),
        )
        per_day: Counter = Counter()
        turns: dict[int, tuple[datetime, User]] = {}  # group -> its latest round-robin pick
        for created_at, _number, spec in dated:
            day = timezone.localtime(created_at).strftime("%Y%m%d")
            per_day[day] += 1
            number = f"T{day}-{per_day[day]:04d}"
            ticket = Ticket.objects.filter(number=number).select_related("customer").first()
            if ticket is None:
                ticket = self._open_ticket(number, spec, created_at)
            elif ticket.subject != spec["subject"] or ticket.events.exists():
                # Worked on since (or loaded by an older demo and then changed): left alone.
                if ticket.subject == spec["subject"]:
                    self.tickets[spec["subject"]] = ticket
                continue
            # New, or loaded by a demo from before the service desk: work it through the desk.
            rule = self._work_ticket(ticket, spec)
            if rule is not None and rule.round_robin and ticket.assignee_id:
                latest = turns.get(rule.group_id)
                if latest is None or latest[0] < ticket.created_at:
                    turns[rule.group_id] = (ticket.created_at, ticket.assignee)
            self.tickets[spec["subject"]] = ticket
        for group_id, (_moment, agent) in turns.items():
            AgentGroup.objects.filter(pk=group_id).update(last_assigned=agent)

    def _open_ticket(self, number: str, spec: dict, created_at: datetime) -> Ticket:
        customer = self.customers[spec["customer"]]
        contact = customer.contacts.order_by("pk")[spec["contact"]]
        assignee = self.users[spec["assignee"]] if spec["assignee"] else None
        if spec["channel"] == TicketChannel.PORTAL:
            opener = self._portal_user(customer, contact)
        elif spec["channel"] == TicketChannel.EMAIL:
            opener = None  # e-mail intake
        else:
            opener = assignee  # the agent who took the call or message
        ticket = Ticket.objects.create(
            number=number,
            customer=customer,
            contact=contact,
            requester_email=(
                contact.email
                if spec["channel"] in (TicketChannel.EMAIL, TicketChannel.PORTAL)
                else ""
            ),
            subject=spec["subject"],
            description=spec["description"],
            status=TicketStatus.NEW,
            priority=spec["priority"],
            channel=spec["channel"],
            assignee=assignee,
            created_by=opener,
            created_at=created_at,
        )
        self._count(Ticket)
        return ticket

    def _portal_user(self, customer: Customer, contact: Contact | None) -> User | None:
        """The portal user of a customer who is this contact (same e-mail), if any."""
        if contact is None or not contact.email:
            return None
        return customer.portal_users.filter(email__iexact=contact.email).first()

    def _work_ticket(self, ticket: Ticket, spec: dict) -> AssignmentRule | None:
        """Route a ticket, set its SLA targets and write its timeline up to the demo's moment:
        replies, notes, status changes, SLA warnings and escalations, the satisfaction follow-up.

        Mirrors what the actions and the SLA watch would have written, with their messages."""
        opened = ticket.created_at
        ticket.category = spec["category"]
        ticket.product = self._product(spec["product"]) if spec["product"] else None
        ticket.priority = spec["priority"]
        assignee = self.users[spec["assignee"]] if spec["assignee"] else None
        entries: list[tuple[datetime, int, str, dict]] = []  # (moment, order, kind, details)

        def add(moment: datetime, kind: str, **details) -> None:
            entries.append((moment, len(entries), kind, details))

        add(opened, "created")
        rule = next((rule for rule in self.rules if rule.matches(ticket)), None)
        ticket.group = rule.group if rule else None
        if rule is not None:
            changes = {"group": rule.group.name}
            if rule.set_priority and rule.set_priority != ticket.priority:
                changes["priority"] = ticket.priority = rule.set_priority
            if rule.round_robin and assignee is not None:
                changes["assignee"] = assignee.get_username()
            add(opened, "rule", rule=rule, changes=changes)
        ticket.sla_policy, ticket.first_response_due, ticket.resolution_due = sla.targets(
            ticket.priority, opened
        )
        add(opened, "sla")

        items, status = replay_ticket_steps(
            spec["steps"], opened, self.business_hours, until=self.anchor
        )
        if assignee is not None and not (rule and rule.round_robin):
            # Waited in the queue until the group lead (or whoever took it) handed it out.
            handed = sla.add_business_minutes(opened, 5, self.business_hours)
            if items:
                handed = min(handed, items[0][0] - timedelta(minutes=1))
            add(max(handed, opened), "assigned")
        for moment, kind, details in items:
            add(moment, kind, **details)

        ticket.first_responded_at = next(
            (moment for moment, kind, _d in items if kind == "reply"), None
        )
        ticket.resolved_at = ticket.closed_at = None
        ticket.reopened_count = 0
        requested = None
        for moment, kind, details in items:
            if kind != "status":
                continue
            if details["after"] == TicketStatus.RESOLVED:
                ticket.resolved_at = moment
                requested = requested or moment
            elif details["after"] == TicketStatus.CLOSED:
                ticket.closed_at = moment
                ticket.resolved_at = ticket.resolved_at or moment
            elif details["before"] in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
                ticket.reopened_count += 1
                ticket.resolved_at = ticket.closed_at = None
        ticket.status = status

        # The SLA watch: a warning before each target, a breach and an escalation after it,
        # while the target is not met and the ticket active (and not beyond the demo's moment).
        window = sla.warn_before(ticket.sla_policy)
        for target, due, done in (
            ("first response", ticket.first_response_due, ticket.first_responded_at),
            ("resolution", ticket.resolution_due, ticket.resolved_at),
        ):
            if due is None:
                continue
            watched_until = min(m for m in (done, ticket.resolved_at, self.anchor) if m)
            warn_at = due - window + SLA_WATCH_DELAY
            if warn_at < due and warn_at < watched_until:
                add(warn_at, "warning", target=target, due=due)
            if due + SLA_WATCH_DELAY < watched_until:
                add(due + SLA_WATCH_DELAY, "breach", target=target, due=due)

        self._write_timeline(ticket, sorted(entries), assignee, requested)
        return rule

    def _write_timeline(self, ticket, entries, assignee, requested) -> None:
        """Write the sorted timeline entries of `_work_ticket` and the ticket's final state."""
        portal_user = self._portal_user(ticket.customer, ticket.contact)
        stamps: dict[str, datetime] = {}
        escalations = 0
        satisfaction: dict = {}
        notices: list[TicketNotice] = []
        last = ticket.created_at

        def event(moment, kind, message="", actor=None, internal=True, **data):
            TicketEvent.objects.create(
                ticket=ticket,
                created_at=moment,
                kind=kind,
                actor=actor,
                message=str(message)[:500],
                internal=internal,
                data=data,
            )
            self._count(TicketEvent)

        def notify(moment, recipients, kind, message):
            seen = set()
            for user in recipients:
                if user is not None and user.pk not in seen:
                    seen.add(user.pk)
                    notices.append(
                        TicketNotice(
                            recipient=user,
                            ticket=ticket,
                            kind=kind,
                            message=str(message)[:500],
                            created_at=moment,
                        )
                    )

        current = None  # the assignee as the timeline goes
        for moment, _order, kind, details in entries:
            last = max(last, moment)
            if kind == "created":
                event(
                    moment,
                    TicketEventKind.CREATED,
                    _("Ticket opened via %(channel)s.") % {"channel": ticket.get_channel_display()},
                    actor=ticket.created_by,
                    internal=False,
                )
            elif kind == "rule":
                rule = details["rule"]
                if "assignee" in details["changes"]:
                    current = assignee
                event(
                    moment,
                    TicketEventKind.RULE,
                    _("Rule “%(rule)s” assigned the ticket to %(group)s.")
                    % {"rule": rule.name, "group": rule.group.name},
                    rule=rule.pk,
                    **details["changes"],
                )
            elif kind == "sla":
                event(
                    moment,
                    TicketEventKind.SLA,
                    _("First response due %(due)s.") % {"due": _local(ticket.first_response_due)},
                    policy=ticket.sla_policy_id,
                    first_response_due=ticket.first_response_due.isoformat(),
                    resolution_due=(
                        ticket.resolution_due.isoformat() if ticket.resolution_due else None
                    ),
                )
            elif kind == "assigned":
                current = assignee
                lead = ticket.group.lead if ticket.group else None
                event(
                    moment,
                    TicketEventKind.ASSIGNED,
                    _("Assigned to %(who)s.") % {"who": assignee},
                    actor=lead or assignee,
                    assignee=assignee.get_username(),
                    group=ticket.group.name if ticket.group else None,
                )
            elif kind in ("reply", "note", "customer"):
                self._write_reply(ticket, moment, kind, details, current, portal_user, event)
            elif kind == "status":
                by = details.get("by")
                actor = portal_user if by == "customer" else self.users[by] if by else current
                event(
                    moment,
                    TicketEventKind.STATUS,
                    _("Status: %(before)s → %(after)s")
                    % {
                        "before": TicketStatus(details["before"]).label,
                        "after": TicketStatus(details["after"]).label,
                    },
                    actor=actor,
                    internal=False,
                    before=details["before"],
                    after=details["after"],
                )
            elif kind == "rating":
                via = details["via"]
                if via == SatisfactionVia.PORTAL and portal_user is None:
                    via = SatisfactionVia.LINK
                actor = {SatisfactionVia.PORTAL: portal_user, SatisfactionVia.PHONE: current}.get(
                    via
                )
                satisfaction = {
                    "rating": details["rating"],
                    "comment": details["comment"],
                    "via": via,
                    "rated_at": moment,
                    "recorded_by": current if via == SatisfactionVia.PHONE else None,
                }
                event(
                    moment,
                    TicketEventKind.RATED,
                    _("Rated %(rating)s of 5.") % {"rating": details["rating"]},
                    actor=actor,
                    internal=False,
                    rating=details["rating"],
                    via=via,
                )
            elif kind == "warning":
                stamps[_stamp(details["target"], "warned")] = moment
                message = _("Ticket %(number)s: the %(target)s is due at %(due)s.") % {
                    "number": ticket.number,
                    "target": _target_label(details["target"]),
                    "due": _local(details["due"]),
                }
                event(
                    moment,
                    TicketEventKind.SLA_WARNING,
                    message,
                    target=details["target"],
                    due=details["due"].isoformat(),
                )
                lead = ticket.group.lead if ticket.group else None
                notify(moment, [current or lead], TicketEventKind.SLA_WARNING, message)
            elif kind == "breach":
                stamps[_stamp(details["target"], "breached")] = moment
                message = _(
                    "Ticket %(number)s: the %(target)s was due at %(due)s and is overdue."
                ) % {
                    "number": ticket.number,
                    "target": _target_label(details["target"]),
                    "due": _local(details["due"]),
                }
                event(
                    moment,
                    TicketEventKind.SLA_BREACH,
                    message,
                    target=details["target"],
                    due=details["due"].isoformat(),
                )
                # Escalated as the SLA watch does: one priority up, to the group lead.
                before_priority, before_assignee = ticket.priority, current
                ticket.priority = _raised(ticket.priority)
                escalations += 1
                lead = ticket.group.lead if ticket.group else None
                if lead is not None:
                    current = lead
                event(
                    moment,
                    TicketEventKind.ESCALATED,
                    _("Escalated: priority %(before)s → %(after)s, assigned to %(who)s.")
                    % {
                        "before": TicketPriority(before_priority).label,
                        "after": TicketPriority(ticket.priority).label,
                        "who": current or "—",
                    },
                    target=details["target"],
                    before_priority=before_priority,
                    after_priority=ticket.priority,
                    before_assignee=before_assignee.get_username() if before_assignee else None,
                    after_assignee=current.get_username() if current else None,
                )
                notify(moment, [lead, before_assignee], TicketEventKind.ESCALATED, message)

        if requested is not None:
            Satisfaction.objects.create(ticket=ticket, requested_at=requested, **satisfaction)
            self._count(Satisfaction)
        done = ticket.status not in ACTIVE_STATUSES
        for notice in notices:
            notice.read_at = (ticket.resolved_at or ticket.closed_at) if done else None
        TicketNotice.objects.bulk_create(notices)
        self._count(TicketNotice, len(notices))
        Ticket.objects.filter(pk=ticket.pk).update(
            category=ticket.category,
            product=ticket.product,
            group=ticket.group,
            status=ticket.status,
            priority=ticket.priority,
            assignee=current,
            sla_policy=ticket.sla_policy,
            first_response_due=ticket.first_response_due,
            resolution_due=ticket.resolution_due,
            first_responded_at=ticket.first_responded_at,
            resolved_at=ticket.resolved_at,
            closed_at=ticket.closed_at,
            first_response_warned_at=stamps.get("first_response_warned_at"),
            first_response_breached_at=stamps.get("first_response_breached_at"),
            resolution_warned_at=stamps.get("resolution_warned_at"),
            resolution_breached_at=stamps.get("resolution_breached_at"),
            escalation_level=escalations,
            reopened_count=ticket.reopened_count,
            updated_at=last,  # the list shows the latest activity
        )
        ticket.refresh_from_db()

    def _write_reply(self, ticket, moment, kind, details, current, portal_user, event) -> None:
        contact = ticket.contact
        if kind == "customer":
            author = portal_user
            label = author.get_username() if author else f"{contact.name} <{contact.email}>"
            template = None
            via = TicketReplyVia.PORTAL if author else TicketReplyVia.EMAIL
            body = details["body"]
        else:
            author = self.users[details["by"]] if details.get("by") else current
            if author is None and ticket.group is not None:
                author = ticket.group.lead
            label = author.get_username() if author else ""
            template = self.templates.get(details.get("template"))
            via = TicketReplyVia.AGENT
            body = details["body"].replace("{template}", template.body if template else "")
        reply = TicketReply.objects.create(
            ticket=ticket,
            author=author,
            author_label=label,
            body=body.strip(),
            internal=kind == "note",
            from_customer=kind == "customer",
            via=via,
            template=template,
            created_at=moment,
        )
        self._count(TicketReply)
        event(
            moment,
            TicketEventKind.NOTE if kind == "note" else TicketEventKind.REPLY,
            label[:100],
            actor=author,
            internal=kind == "note",
            reply=reply.pk,
            template=template.pk if template else None,
        )

    # --- the help centre ---------------------------------------------------------------------

    def load_contact_attempts(self) -> None:
        """Uses of the help centre's contact form: answered by an FAQ, a ticket, or neither."""
        slugs = {
            slug
            for spec in service_content.CONTACT_ATTEMPTS
            for slug in [*spec["suggested"], spec.get("answer")]
            if slug
        }
        faqs = dict(FAQPage.objects.filter(slug__in=slugs).values_list("slug", "pk"))
        for number, spec in enumerate(service_content.CONTACT_ATTEMPTS):
            ticket = None
            if "ticket" in spec:
                ticket = self.tickets.get(spec["ticket"])
                if ticket is None:
                    continue
                text = ticket.subject
                created_at = ticket.created_at - timedelta(minutes=4)
            else:
                text = spec["text"]
                created_at = self.days_ago(spec["days_ago"], spec["hour"], minute=number * 13 % 60)
            if ContactAttempt.objects.filter(text=text, outcome=spec["outcome"]).exists():
                continue
            ContactAttempt.objects.create(
                created_at=created_at,
                user=self.users[spec["user"]] if spec.get("user") else None,
                text=text,
                suggested=[faqs[slug] for slug in spec["suggested"] if slug in faqs],
                outcome=spec["outcome"],
                faq_page_id=faqs.get(spec.get("answer")),
                ticket=ticket,
            )
            self._count(ContactAttempt)


# ---------------------------------------------------------------------------------------------
# Ticket timelines


def replay_ticket_steps(
    steps: list[tuple], opened: datetime, hours: BusinessHours | None, *, until: datetime
) -> tuple[list[tuple[datetime, str, dict]], str]:
    """Follow a demo ticket's steps (see kb/demo/content/customers.py) from "new".

    Return what happened before `until` as (moment, kind, details) in time order, and the status
    it ends in. A staff reply opens a new ticket and a customer reply reopens a waiting or
    resolved one, as `reply_to_ticket` does; those status changes follow the reply."""
    items: list[tuple[datetime, str, dict]] = []
    status = TicketStatus.NEW
    previous = opened
    for step in steps:
        kind, offset, *args = step
        options = args.pop() if args and isinstance(args[-1], dict) else {}
        if isinstance(offset, tuple):  # ("wall", minutes)
            moment = opened + timedelta(minutes=offset[1])
        else:
            moment = sla.add_business_minutes(opened, offset, hours)
        moment = max(moment, previous + timedelta(minutes=1))
        if moment >= until:
            break
        previous = moment
        after = None
        if kind in ("reply", "note", "customer"):
            items.append((moment, kind, {"body": args[0], **options}))
            reopens = kind == "customer" and status not in (TicketStatus.NEW, TicketStatus.OPEN)
            if reopens or (kind == "reply" and status == TicketStatus.NEW):
                after = TicketStatus.OPEN
        elif kind == "status":
            after = args[0]
        elif kind == "rating":
            rating, comment, via = args
            items.append((moment, kind, {"rating": rating, "comment": comment, "via": via}))
        else:
            raise DemoDataError(f"unknown ticket step {kind!r}")
        if after is not None and after != status:
            if after not in STATUS_TRANSITIONS[status]:
                raise DemoDataError(f"a ticket cannot go from {status} to {after}")
            by = "customer" if kind == "customer" else options.get("by")
            items.append((moment, "status", {"before": status, "after": after, "by": by}))
            status = after
    return items, status


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _stamp(target: str, what: str) -> str:
    return f"{target.replace(' ', '_')}_{what}_at"


def _target_label(target: str) -> str:
    return str(pgettext("SLA target", target))


def _raised(priority: str) -> str:
    index = PRIORITY_ORDER.index(priority)
    return PRIORITY_ORDER[min(index + 1, len(PRIORITY_ORDER) - 1)]
