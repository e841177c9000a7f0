"""The agent console's ticket routes, under /tickets/ (the queue itself is "kb:tickets")."""

from django.urls import path

from customers.tickets import views

app_name = "tickets"

urlpatterns = [
    path("new/", views.new_ticket, name="new"),
    path("notices/", views.notices, name="notices"),
    path("templates/<int:pk>/", views.template_text, name="template_text"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/reply/", views.reply, name="reply"),
    path("<int:pk>/status/", views.change_status, name="status"),
    path("<int:pk>/priority/", views.change_priority, name="priority"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/follow-up/", views.follow_up, name="follow_up"),
    path("<int:pk>/capture/", views.capture, name="capture"),
    path("<int:pk>/template-from-faq/", views.template_from_faq, name="template_from_faq"),
]
