from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Customer(models.Model):
    """A customer company or person; one account manager is responsible for it."""

    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("customer number"), max_length=50, unique=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
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
    # Private fields: only roles allowed by the policy may see them (customers issue).
    address = models.CharField(_("address"), max_length=255, blank=True)
    annual_income = models.DecimalField(
        _("annual income"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    family_notes = models.TextField(_("family notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Contact(models.Model):
    """A person at a customer."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("job title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self):
        return self.name
