"""Ticket reports, mounted at /tickets/reports/."""

from django.urls import path

from customers.tickets import report_views

app_name = "ticket_reports"

urlpatterns: list = [
    path("", report_views.report_index, name="index"),
    path("data/", report_views.report_data, name="data"),
    path("export/", report_views.report_export, name="export"),
]
