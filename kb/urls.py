from django.urls import path

from kb import views

app_name = "kb"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("tickets/", views.ticket_list, name="tickets"),
    path("portal/", views.portal, name="portal"),
]
