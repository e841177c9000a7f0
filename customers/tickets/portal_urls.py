"""The customer's side of tickets: the help centre's contact form (/help/contact/) and the
customer portal's tickets and rating page (/portal/tickets/)."""

from django.urls import path

from customers.tickets import portal_views

# Mounted at /help/contact/ by config/urls.py.
contact_patterns: tuple = (
    [
        path("", portal_views.contact, name="contact"),
        path("sent/", portal_views.contact_sent, name="sent"),
        path("suggest/", portal_views.contact_suggest, name="suggest"),
    ],
    "help_contact",
)

app_name = "portal_tickets"

urlpatterns: list = [
    path("", portal_views.ticket_list, name="list"),
    path("new/", portal_views.ticket_new, name="new"),
    path("<int:pk>/", portal_views.ticket_detail, name="detail"),
    path("<int:pk>/reply/", portal_views.ticket_reply, name="reply"),
    path("<int:pk>/rate/", portal_views.ticket_rate, name="rate_ticket"),
    path("rate/<str:token>/", portal_views.rate_by_link, name="rate"),
    path("api/", portal_views.api_ticket_list, name="api_list"),
    path("api/<int:pk>/", portal_views.api_ticket_detail, name="api_detail"),
]
