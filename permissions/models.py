from __future__ import annotations

from django.contrib.auth.models import AbstractUser, Group
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField


class Department(models.Model):
    """A department (部门) users belong to and content is owned by."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.SlugField(_("code"), max_length=50, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # The head (部门负责人) may read the private fields of customers their members manage.
    head = models.ForeignKey(
        "permissions.User",
        verbose_name=_("department head"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_departments",
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A Zhiku user: staff in roles and departments, or a portal customer."""

    departments = models.ManyToManyField(
        Department, verbose_name=_("departments"), blank=True, related_name="members"
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    position = models.CharField(_("position"), max_length=100, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        swappable = "AUTH_USER_MODEL"

    def __str__(self):
        full = f"{self.last_name}{self.first_name}".strip()
        return full or self.username


class Confidentiality(models.TextChoices):
    PUBLIC = "public", _("Public (anyone, including customers)")
    CUSTOMERS = "customers", _("Customers (all staff and the portal users of the named customers)")
    INTERNAL = "internal", _("Internal (all staff)")
    DEPARTMENT = "department", _("Department (staff of the owning departments)")
    CONFIDENTIAL = "confidential", _("Confidential (named groups and users)")


class ProtectedContent(models.Model):
    """Fields every protected model carries; the policy in permissions.policy reads them.

    Subclasses must be ClusterableModel (Wagtail pages are), so that the relations are kept in
    revisions and drafts. `policy_owner_field` names the field of the item's owner, who may always
    see it.
    """

    policy_owner_field: str | None = None

    confidentiality = models.CharField(
        _("confidentiality"),
        max_length=20,
        choices=Confidentiality.choices,
        default=Confidentiality.INTERNAL,
        db_index=True,
    )
    owning_departments = ParentalManyToManyField(
        Department,
        verbose_name=_("owning departments"),
        blank=True,
        related_name="+",
    )
    allowed_groups = ParentalManyToManyField(
        Group,
        verbose_name=_("allowed groups"),
        blank=True,
        related_name="+",
        help_text=_("Only for confidential content: the groups that may see it."),
    )
    allowed_customers = ParentalManyToManyField(
        "customers.Customer",
        verbose_name=_("allowed customers"),
        blank=True,
        related_name="+",
        help_text=_("Only for customer content: the customers whose portal users may see it."),
    )
    allowed_users = ParentalManyToManyField(
        "permissions.User",
        verbose_name=_("allowed users"),
        blank=True,
        related_name="+",
        help_text=_("Only for confidential content: the users that may see it."),
    )

    class Meta:
        abstract = True


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The audit log is append-only.")

    def delete(self):
        raise TypeError("The audit log is append-only.")


class AuditEvent(models.Model):
    """One append-only row of the audit log: who did what to which object, when, from where."""

    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        "permissions.User",
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,  # the row outlives the user it names
    )
    actor_label = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.ForeignKey(
        ContentType,
        verbose_name=_("object type"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    object_label = models.CharField(_("object"), max_length=255, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=255, blank=True)
    extra = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]
        default_permissions = ("view",)

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The audit log is append-only.")
