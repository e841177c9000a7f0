"""Customer pages under /customers/: list, customer 360, edits, contacts, interaction records."""

from django.urls import path

from customers import views

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_new, name="new"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/edit/", views.customer_edit, name="edit"),
    path("<int:pk>/manager/", views.customer_manager, name="manager"),
    path("<int:pk>/contacts/new/", views.contact_edit, name="contact_new"),
    path("<int:pk>/contacts/<int:contact_pk>/", views.contact_edit, name="contact_edit"),
    path("<int:pk>/interactions/new/", views.interaction_edit, name="interaction_new"),
    path(
        "<int:pk>/interactions/<int:interaction_pk>/",
        views.interaction_edit,
        name="interaction_edit",
    ),
    path(
        "<int:pk>/interactions/<int:interaction_pk>/close/",
        views.interaction_close,
        name="interaction_close",
    ),
]
