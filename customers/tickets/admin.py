"""Wagtail admin of the service desk (服务台): service groups, assignment rules, business hours,
SLA policies and reply templates (registered in customers/tickets/wagtail_hooks.py).

Who sees and changes what is the model permissions the roles grant (permissions/roles.py);
Wagtail's default model permission policy applies them, menu entries included. Reply templates
drawn from an FAQ the user may not read are left out of the listing and cannot be opened.
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from customers.tickets.models import (
    AgentGroup,
    AssignmentRule,
    BusinessHours,
    ReplyTemplate,
    SLAPolicy,
)
from kb.versions.snippets import (
    PolicyUsageView,
    VersionedCreateView,
    VersionedDeleteView,
    VersionedEditView,
    VersionedSnippetViewSet,
)
from permissions.policy import SERVICE_ROLES, readable_pages
from permissions.roles import users_in_roles

WEEKDAYS = [
    (1, _("Monday")),
    (2, _("Tuesday")),
    (3, _("Wednesday")),
    (4, _("Thursday")),
    (5, _("Friday")),
    (6, _("Saturday")),
    (7, _("Sunday")),
]


def service_staff_users():
    """Active users who work the ticket queue: the only ones a group may hold or be led by."""
    return users_in_roles(SERVICE_ROLES)


# --- service groups ----------------------------------------------------------------------------


class AgentGroupForm(WagtailAdminModelForm):
    """Lead and agents are chosen among service staff: the round-robin and the SLA watch skip
    anyone else, and an escalation must go to someone who may see the ticket."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("lead", "members"):
            if name in self.fields:
                self.fields[name].queryset = service_staff_users()


class AgentGroupViewSet(SnippetViewSet):
    model = AgentGroup
    icon = "group"
    menu_label = _("Service groups")
    menu_name = "service_groups"
    url_prefix = "service-desk/groups"
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldPanel("lead"),
            FieldPanel("members", widget=forms.CheckboxSelectMultiple),
        ],
        base_form_class=AgentGroupForm,
    )
    list_display = ["name", "lead"]
    search_fields = ["name"]
    search_backend_name = None
    ordering = ["name"]
    copy_view_enabled = False
    inspect_view_enabled = False


# --- assignment rules --------------------------------------------------------------------------


class AssignmentRuleViewSet(VersionedSnippetViewSet):
    model = AssignmentRule
    icon = "list-ol"
    menu_label = _("Assignment rules")
    menu_name = "assignment_rules"
    url_prefix = "service-desk/assignment-rules"
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("name"), FieldPanel("order"), FieldPanel("active")]),
            MultiFieldPanel(
                [FieldPanel("category"), FieldPanel("product"), FieldPanel("customer_grade")],
                heading=_("When a new ticket matches (an empty condition matches any ticket)"),
            ),
            MultiFieldPanel(
                [FieldPanel("group"), FieldPanel("round_robin"), FieldPanel("set_priority")],
                heading=_("Then"),
            ),
        ]
    )
    list_display = ["name", "order", "category", "customer_grade", "group", "active"]
    list_filter = ["active", "group"]
    search_fields = ["name"]
    search_backend_name = None
    ordering = ["order", "pk"]  # the order the rules are tried in
    copy_view_enabled = False
    inspect_view_enabled = False


# --- business hours ----------------------------------------------------------------------------


class DateListField(forms.CharField):
    """Dates as YYYY-MM-DD, one a line (commas and spaces also separate); stored as a sorted list."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(str(item) for item in value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        dates = set()
        for token in re.split(r"[\s,，、;；]+", text or ""):
            if not token:
                continue
            try:
                dates.add(dt.date.fromisoformat(token).isoformat())
            except ValueError:
                raise ValidationError(
                    _("“%(value)s” is not a date written as YYYY-MM-DD."),
                    code="invalid",
                    params={"value": token},
                ) from None
        return sorted(dates)


class BusinessHoursForm(WagtailAdminModelForm):
    """Working days as check boxes and dates as lines, instead of raw JSON."""

    weekdays = forms.TypedMultipleChoiceField(
        label=_("working days"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    holidays = DateListField(
        label=_("holidays"),
        required=False,
        help_text=_("Public holidays and other days off, one date (YYYY-MM-DD) a line."),
    )
    extra_workdays = DateListField(
        label=_("extra working days"),
        required=False,
        help_text=_(
            "Weekend days worked instead of a holiday (调休), one date (YYYY-MM-DD) a line. "
            "A date on both lists is a working day."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start >= end:
            self.add_error("end", _("The working day must end after it starts."))
        if not cleaned.get("weekdays") and not cleaned.get("extra_workdays"):
            self.add_error("weekdays", _("Choose at least one working day."))
        return cleaned


class BusinessHoursViewSet(VersionedSnippetViewSet):
    model = BusinessHours
    icon = "time"
    menu_label = _("Business hours")
    menu_name = "business_hours"
    url_prefix = "service-desk/business-hours"
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldPanel("weekdays"),
            FieldRowPanel([FieldPanel("start"), FieldPanel("end")]),
            FieldPanel("holidays"),
            FieldPanel("extra_workdays"),
        ],
        base_form_class=BusinessHoursForm,
    )
    list_display = ["name", "start", "end"]
    search_fields = ["name"]
    search_backend_name = None
    ordering = ["name"]
    copy_view_enabled = False
    inspect_view_enabled = False


# --- SLA policies ------------------------------------------------------------------------------


class SLAPolicyViewSet(VersionedSnippetViewSet):
    """Targets apply to tickets opened (or re-prioritised) after a change, not to open ones."""

    model = SLAPolicy
    icon = "warning"
    menu_label = _("SLA policies")
    menu_name = "sla_policies"
    url_prefix = "service-desk/sla-policies"
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("name"), FieldPanel("priority"), FieldPanel("active")]),
            FieldRowPanel(
                [
                    FieldPanel("first_response_minutes"),
                    FieldPanel("resolution_minutes"),
                    FieldPanel("warn_before_minutes"),
                ]
            ),
            FieldPanel("business_hours"),
        ]
    )
    list_display = [
        "name",
        "priority",
        "first_response_minutes",
        "resolution_minutes",
        "business_hours",
        "active",
    ]
    list_filter = ["active", "priority"]
    search_fields = ["name"]
    search_backend_name = None
    ordering = ["priority"]
    copy_view_enabled = False
    inspect_view_enabled = False


# --- reply templates ---------------------------------------------------------------------------


def reply_templates_for_editor(user, queryset=None):
    """Reply templates `user` may see in the admin: none drawn from an FAQ they may not read."""
    from kb.models import FAQPage

    queryset = ReplyTemplate.objects.all() if queryset is None else queryset
    readable_faqs = readable_pages(user, FAQPage.objects.all()).values("pk")
    return queryset.filter(Q(faq__isnull=True) | Q(faq__in=readable_faqs))


class ReplyTemplateForm(WagtailAdminModelForm):
    def clean_faq(self):
        faq = self.cleaned_data.get("faq")
        user = getattr(self, "for_user", None)
        if faq is not None and user is not None:
            from kb.models import FAQPage

            if not readable_pages(user, FAQPage.objects.filter(pk=faq.pk)).exists():
                raise ValidationError(_("Choose an FAQ you may read."), code="faq")
        return faq


class _ReadableTemplateMixin:
    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not reply_templates_for_editor(self.request.user).filter(pk=obj.pk).exists():
            raise Http404
        return obj


class ReplyTemplateCreateView(VersionedCreateView):
    def save_instance(self):
        self.form.instance.created_by = self.request.user
        return super().save_instance()


class ReplyTemplateEditView(_ReadableTemplateMixin, VersionedEditView):
    pass


class ReplyTemplateDeleteView(_ReadableTemplateMixin, VersionedDeleteView):
    pass


class ReplyTemplateUsageView(_ReadableTemplateMixin, PolicyUsageView):
    pass


class ReplyTemplateViewSet(VersionedSnippetViewSet):
    model = ReplyTemplate
    icon = "mail"
    menu_label = _("Reply templates")
    menu_name = "reply_templates"
    url_prefix = "service-desk/reply-templates"
    add_view_class = ReplyTemplateCreateView
    edit_view_class = ReplyTemplateEditView
    delete_view_class = ReplyTemplateDeleteView
    usage_view_class = ReplyTemplateUsageView
    edit_handler = ObjectList(
        [
            FieldPanel("title"),
            FieldPanel("body"),
            FieldPanel("faq"),
            FieldRowPanel([FieldPanel("category"), FieldPanel("active")]),
            FieldPanel("keywords"),
        ],
        base_form_class=ReplyTemplateForm,
    )
    list_display = ["title", "category", "usage_count", "active"]
    list_filter = ["active", "category"]
    # Substring search in the database: agents look a reply up by a word of its title or text.
    search_fields = ["title", "keywords", "body"]
    search_backend_name = None
    ordering = ["-usage_count", "title"]
    copy_view_enabled = False
    inspect_view_enabled = False

    def get_queryset(self, request):
        return reply_templates_for_editor(request.user)


class ServiceDeskMenuGroup(SnippetViewSetGroup):
    """One "Service desk" (服务台) menu; each entry shows to holders of its model permissions."""

    menu_label = _("Service desk")
    menu_icon = "help"
    menu_name = "service_desk"
    menu_order = 470
    items = (
        ReplyTemplateViewSet,
        AgentGroupViewSet,
        AssignmentRuleViewSet,
        SLAPolicyViewSet,
        BusinessHoursViewSet,
    )
