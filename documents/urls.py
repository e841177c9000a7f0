from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("", views.document_list, name="list"),
    path("upload/", views.document_upload, name="upload"),
    path("upload/store-duplicate/", views.store_duplicate, name="store_duplicate"),
    path("trash/", views.trash_list, name="trash"),
    path("trash/<int:pk>/restore/", views.restore_from_trash, name="restore"),
    path("trash/<int:pk>/purge/", views.purge, name="purge"),
    path("<int:pk>/", views.document_detail, name="detail"),
    path("<int:pk>/download/", views.download, name="download"),
    path("<int:pk>/versions/new/", views.add_version, name="add_version"),
    path(
        "<int:pk>/versions/<int:number>/download/",
        views.download_version,
        name="download_version",
    ),
    path("<int:pk>/versions/<int:number>/restore/", views.restore_version, name="restore_version"),
    path("<int:pk>/extract/", views.retry_extraction, name="retry_extraction"),
    path("<int:pk>/password/", views.extract_with_password, name="extract_with_password"),
    path("<int:pk>/trash/", views.trash, name="trash_document"),
]
