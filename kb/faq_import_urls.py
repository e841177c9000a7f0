from django.urls import path

from kb import faq_import_views

app_name = "faq_import"

urlpatterns = [
    path("", faq_import_views.faq_import_start, name="start"),
    path("<str:token>/", faq_import_views.faq_import_preview, name="preview"),
]
