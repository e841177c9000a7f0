from django.urls import path

from documents import import_views

app_name = "document_import"

urlpatterns = [
    path("", import_views.import_start, name="start"),
    path("<int:pk>/", import_views.import_job, name="job"),
    path("<int:pk>/progress/", import_views.import_job_progress, name="progress"),
]
