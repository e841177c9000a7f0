"""Admin URLs of versions, under /admin/versions/<app_label>/<model_name>/<pk>/."""

from django.urls import path

from kb.versions import views

app_name = "kb_versions"

urlpatterns = [
    path("<str:app_label>/<str:model_name>/<str:pk>/", views.history, name="history"),
    path("<str:app_label>/<str:model_name>/<str:pk>/compare/", views.compare, name="compare"),
    path(
        "<str:app_label>/<str:model_name>/<str:pk>/revert/<int:version_id>/",
        views.revert,
        name="revert",
    ),
]
