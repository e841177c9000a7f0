"""Customers (客户), their contacts, account managers over time and interaction records.

Private fields (address, income, family, preferences) are read only through
`customers.access.private_fields_for_viewer`, which asks the permission policy and audits the look.
"""

from __future__ import annotations

import reversion
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CustomerKind(models.TextChoices):
    COMPANY = "company", _("Company")
    PERSON = "person", _("Person")


class CustomerType(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    CUSTOMER = "customer", _("Customer")
    DISTRIBUTOR = "distributor", _("Distributor")
    PARTNER = "partner", _("Partner")


class CustomerSource(models.TextChoices):
    REFERRAL = "referral", _("Referral")
    EXHIBITION = "exhibition", _("Trade fair")
    WEBSITE = "website", _("Website")
    TELESALES = "telesales", _("Telephone sales")
    TENDER = "tender", _("Tender")
    OTHER = "other", _("Other")


class CustomerGrade(models.TextChoices):
    A = "A", _("A (key account)")
    B = "B", _("B (regular)")
    C = "C", _("C (occasional)")


# The fields only the account manager, their department head and administrators may read.
PRIVATE_FIELDS = ("address", "annual_income", "family_notes", "preferences")


@reversion.register(follow=["contacts"])
class Customer(models.Model):
    """A customer company or person; one account manager is responsible for it at a time."""

    kind = models.CharField(
        _("company or person"),
        max_length=20,
        choices=CustomerKind.choices,
        default=CustomerKind.COMPANY,
    )
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("customer number"), max_length=50, unique=True)
    customer_type = models.CharField(
        _("type"), max_length=20, choices=CustomerType.choices, default=CustomerType.CUSTOMER
    )
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    source = models.CharField(
        _("source"), max_length=20, choices=CustomerSource.choices, blank=True
    )
    grade = models.CharField(
        _("grade"), max_length=1, choices=CustomerGrade.choices, default=CustomerGrade.B
    )
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_customers",
    )
    portal_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("portal users"),
        blank=True,
        related_name="customer_accounts",
    )
    products = models.ManyToManyField(
        "kb.Product", verbose_name=_("products in use"), blank=True, related_name="customers"
    )
    # Private fields: see PRIVATE_FIELDS.
    address = models.CharField(_("address"), max_length=255, blank=True)
    annual_income = models.DecimalField(
        _("annual income"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    family_notes = models.TextField(_("family notes"), blank=True)
    preferences = models.TextField(_("personal preferences"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["code"]

    def __str__(self):
        return self.name


class AccountManagerChange(models.Model):
    """One period during which a user was a customer's account manager (客户经理)."""

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="manager_history",
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account manager"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField(pgettext_lazy("period", "from"), default=timezone.now)
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("account manager period")
        verbose_name_plural = _("account manager history")
        ordering = ["-started_at", "-pk"]

    def __str__(self):
        return f"{self.customer} {self.manager}"


@reversion.register()
class Contact(models.Model):
    """A person at a customer."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("job title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    wechat = models.CharField(_("WeChat"), max_length=100, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_primary", "name", "pk"]

    def __str__(self):
        return self.name


class InteractionChannel(models.TextChoices):
    VISIT = "visit", _("Visit")
    PHONE = "phone", _("Phone")
    MEETING = "meeting", _("Meeting")
    WECHAT = "wechat", _("WeChat")
    EMAIL = "email", _("E-mail")
    EXHIBITION = "exhibition", _("Trade fair")
    OTHER = "other", _("Other")


@reversion.register()
class Interaction(models.Model):
    """An interaction record (交往记录); it locks once closed and cannot be changed afterwards."""

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="interactions",
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interactions",
    )
    occurred_at = models.DateTimeField(_("time"), default=timezone.now)
    place = models.CharField(_("place"), max_length=200, blank=True)
    channel = models.CharField(
        _("channel"),
        max_length=20,
        choices=InteractionChannel.choices,
        default=InteractionChannel.VISIT,
    )
    content = models.TextField(_("content"))
    result = models.TextField(_("result"), blank=True)
    next_step = models.TextField(_("next step"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("interaction record")
        verbose_name_plural = _("interaction records")
        ordering = ["-occurred_at", "-pk"]

    def __str__(self):
        return f"{self.customer} {self.occurred_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        # The lock holds whatever path writes (admin, shell, a bug): closing is the last change.
        if self.pk is not None and not kwargs.get("force_insert"):
            stored = type(self)._default_manager.filter(pk=self.pk).values("closed_at").first()
            if stored is not None and stored["closed_at"] is not None:
                from django.core.exceptions import ValidationError

                raise ValidationError(
                    _("This interaction record is closed and can no longer be changed."),
                    code="locked",
                )
        super().save(*args, **kwargs)

    @property
    def is_locked(self) -> bool:
        return self.closed_at is not None
