"""Service reports (/tickets/reports/): the page, the JSON its charts are drawn from, the CSV.

Service staff and managers only; everyone else gets the same 404 as a missing page.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from customers.tickets import reports
from customers.tickets.models import AgentGroup, TicketCategory
from kb.models import Product
from permissions.access import ItemNotFound

# A longer range is refused: the report reads every ticket in it.
MAX_RANGE_DAYS = 3 * 366


class ReportFilterForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("Start date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=gettext_lazy("End date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    product = forms.ModelChoiceField(
        label=gettext_lazy("Product"),
        queryset=Product.objects.order_by("name"),
        required=False,
        empty_label=gettext_lazy("All products"),
    )
    category = forms.ChoiceField(
        label=gettext_lazy("Category"),
        choices=[("", gettext_lazy("All categories")), *TicketCategory.choices],
        required=False,
    )
    group = forms.ModelChoiceField(
        label=gettext_lazy("Group"),
        queryset=AgentGroup.objects.order_by("name"),
        required=False,
        empty_label=gettext_lazy("All groups"),
    )

    def clean(self):
        data = super().clean()
        default_start, default_end = reports.default_range()
        start = data.get("start") or None
        end = data.get("end") or None
        if start is None and end is None:
            start, end = default_start, default_end
        elif start is None:
            start = end - dt.timedelta(days=reports.DEFAULT_RANGE_DAYS - 1)
        elif end is None:
            end = max(start, default_end)
        if end < start:
            raise forms.ValidationError(_("The end date is before the start date."))
        if (end - start).days + 1 > MAX_RANGE_DAYS:
            raise forms.ValidationError(
                _("Choose a range of at most %(days)d days.") % {"days": MAX_RANGE_DAYS}
            )
        data["start"], data["end"] = start, end
        return data

    def report_args(self) -> dict:
        """Return the keyword arguments of the report selectors (after is_valid())."""
        data = self.cleaned_data
        return {
            "start": data["start"],
            "end": data["end"],
            "product": data["product"].pk if data.get("product") else None,
            "category": data.get("category") or None,
            "group": data["group"].pk if data.get("group") else None,
        }

    def query_string(self) -> str:
        """Return the filters as a query string, for the JSON and CSV links."""
        args = self.report_args()
        return urlencode(
            {
                key: value.isoformat() if isinstance(value, dt.date) else value
                for key, value in args.items()
                if value is not None
            }
        )


def _require_report_viewer(user) -> None:
    if not reports.may_view_service_reports(user):
        raise ItemNotFound(_("No such item."))


def _unfiltered_args() -> dict:
    start, end = reports.default_range()
    return {"start": start, "end": end}


def _report(request) -> tuple[ReportFilterForm, dict | None]:
    """Return the bound filter form and its report (None when the filters are invalid)."""
    form = ReportFilterForm(request.GET)  # bound even when empty: the defaults fill in
    if not form.is_valid():
        return form, None
    args = form.report_args()
    viewer = request.user
    return form, reports.get_service_report(viewer, args.pop("start"), args.pop("end"), **args)


@login_required
@never_cache
@require_GET
def report_index(request):
    _require_report_viewer(request.user)
    form, report = _report(request)
    if report is None:  # show the errors, and the default range beneath them
        args = _unfiltered_args()
        report = reports.get_service_report(request.user, args["start"], args["end"])
        query = urlencode({key: value.isoformat() for key, value in args.items()})
    else:
        query = form.query_string()
    for record in report["feedback"]["records"]:
        record["created"] = parse_datetime(record["created_at"])
    context = {
        "form": form,
        "report": report,
        "query": query,
        "ratings": _rating_rows(report["satisfaction"]),
        "deflection_rows": _deflection_rows(report["deflection"]),
    }
    return render(request, "tickets/reports.html", context)


def _rating_rows(satisfaction: dict) -> list[dict]:
    rated = satisfaction["rated"]
    return [
        {**row, "percent": round(100 * row["count"] / rated, 1) if rated else None}
        for row in satisfaction["distribution"]
    ]


def _deflection_rows(deflection: dict) -> list[tuple[str, int]]:
    return [
        (_("Answered by an FAQ"), deflection["deflected"]),
        (_("Ticket created"), deflection["ticket"]),
        (_("Left without either"), deflection["abandoned"]),
    ]


def _errors_response(form) -> JsonResponse:
    return JsonResponse({"errors": form.errors.get_json_data()}, status=400)


@login_required
@never_cache
@require_GET
def report_data(request):
    _require_report_viewer(request.user)
    form, report = _report(request)
    if report is None:
        return _errors_response(form)
    return JsonResponse(
        report, encoder=DjangoJSONEncoder, json_dumps_params={"ensure_ascii": False}
    )


@login_required
@never_cache
@require_GET
def report_export(request):
    _require_report_viewer(request.user)
    form, report = _report(request)
    if report is None:
        return _errors_response(form)
    body = report_csv(report, form.cleaned_data)
    # The BOM lets Excel open UTF-8 with Chinese text correctly.
    response = HttpResponse("\ufeff" + body, content_type="text/csv; charset=utf-8")
    name = f"service-report-{report['range']['start']}-{report['range']['end']}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _csv_safe(value):
    # Spreadsheets run cells starting with these as formulas; customers write ticket texts.
    # https://owasp.org/www-community/attacks/CSV_Injection
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def _local_minute(iso: str | None) -> str:
    # "2026-03-05 09:00": Excel reads this as a date and time; the ISO "T" and offset it does not.
    return iso[:16].replace("T", " ") if iso else ""


def _optional(value) -> object:
    return "" if value is None else value


def report_csv(report: dict, filters: dict) -> str:
    """Return the report as one CSV with a section per table, a blank line between sections."""
    out = io.StringIO()
    writer = csv.writer(out)

    def row(*cells):
        writer.writerow([_csv_safe(cell) for cell in cells])

    def section(title, *header):
        writer.writerow([])
        row(f"[{title}]")
        if header:
            row(*header)

    rng = report["range"]
    row(_("Service report"))
    row(_("Start date"), rng["start"], _("End date"), rng["end"], _("Time zone"), rng["time_zone"])
    row(
        _("Product"),
        str(filters.get("product") or _("All products")),
        _("Category"),
        str(dict(TicketCategory.choices).get(filters.get("category"), _("All categories"))),
        _("Group"),
        str(filters.get("group") or _("All groups")),
    )

    section(_("Summary"), _("Figure"), _("Value"))
    row(_("Tickets created"), report["totals"]["created"])
    row(_("Open tickets now"), report["totals"]["open_now"])

    section(_("Tickets by category"), _("Category"), _("Tickets"))
    for item in report["by_category"]:
        row(item["label"], item["count"])

    section(_("Tickets by product"), _("Product"), _("Tickets"))
    for item in report["by_product"]:
        row(item["label"], item["count"])

    section(_("Tickets by period"), _("Period"), _("Created"), _("Resolved"))
    for item in report["by_period"]["series"]:
        row(item["label"], item["created"], item["resolved"])

    feedback = report["feedback"]
    section(
        _("Complaints and suggestions by product"),
        _("Product"),
        _("Complaints"),
        pgettext("ticket category", "Suggestions"),
        _("Total"),
    )
    for item in feedback["by_product"]:
        row(item["label"], item["complaint"], item["suggestion"], item["total"])

    section(
        _("Complaint and suggestion record"),
        _("Ticket number"),
        _("Type"),
        _("Subject"),
        _("Description"),
        _("Product"),
        _("Customer"),
        _("Time"),
        _("Receiver"),
        _("Reply"),
        _("Replied by"),
        _("Satisfaction"),
        _("Comment"),
    )
    for item in feedback["records"]:
        row(
            item["number"],
            item["category_label"],
            item["subject"],
            item["description"],
            item["product"],
            item["customer"],
            _local_minute(item["created_at"]),
            item["receiver"],
            item["reply"],
            item["replier"],
            _optional(item["rating"]),
            item["rating_comment"],
        )

    section(
        _("SLA compliance"),
        _("Target"),
        _("With a target"),
        _("Met"),
        _("Breached"),
        _("Still running"),
        _("Compliance (%)"),
    )
    for key, label in (
        ("first_response", _("First response")),
        ("resolution", pgettext("SLA target", "Resolution")),
    ):
        item = report["sla"][key]
        row(
            label,
            item["with_target"],
            item["met"],
            item["breached"],
            item["running"],
            _optional(item["compliance_percent"]),
        )

    section(
        _("Handling times"),
        _("Measure"),
        _("Tickets"),
        _("Median (hours)"),
        _("90th percentile (hours)"),
    )
    for key, label in (
        ("first_response", _("Time to first response")),
        ("resolution", _("Time to resolution")),
    ):
        item = report["times"][key]
        row(label, item["count"], _optional(item["median_hours"]), _optional(item["p90_hours"]))

    satisfaction = report["satisfaction"]
    section(_("Satisfaction"), _("Rating"), _("Follow-ups"))
    for item in satisfaction["distribution"]:
        row(item["rating"], item["count"])
    row(_("Requested"), satisfaction["requested"])
    row(_("Rated"), satisfaction["rated"])
    row(_("Average rating"), _optional(satisfaction["average"]))
    row(_("Response rate (%)"), _optional(satisfaction["response_rate_percent"]))

    section(
        _("Agent workload"),
        _("Assignee"),
        _("Open now"),
        _("Resolved in range"),
        _("Rated"),
        _("Average rating"),
    )
    for item in report["workload"]:
        row(
            item["name"],
            item["open"],
            item["resolved"],
            item["rated"],
            _optional(item["average_rating"]),
        )

    deflection = report["deflection"]
    section(_("Help-centre deflection"), _("Outcome"), _("Enquiries"))
    for label, count in _deflection_rows(deflection):
        row(label, count)
    row(_("Deflection rate (%)"), _optional(deflection["rate_percent"]))
    return out.getvalue()
