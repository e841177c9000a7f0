from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.i18n import JavaScriptCatalog
from django.views.static import serve
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from customers.tickets.portal_urls import contact_patterns as ticket_contact_patterns
from kb.ops import views as ops_views
from search.urls import help_patterns as search_help_patterns

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("docs/import/", include("documents.import_urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("ops/status/", ops_views.system_status, name="ops_status"),
    path("ops/health/", ops_views.health, name="ops_health"),
    path("docs/", include("documents.urls")),
    path("kb/faq-import/", include("kb.faq_import_urls")),
    path("kb/feedback/", include("kb.feedback_urls")),
    path("search/", include("search.urls")),
    path("help/search/", include(search_help_patterns)),
    path("help/contact/", include(ticket_contact_patterns)),
    path("portal/tickets/", include("customers.tickets.portal_urls")),
    path("tickets/reports/", include("customers.tickets.report_urls")),
    path("tickets/", include("customers.tickets.urls")),
    path("customers/", include("customers.urls")),
]

if settings.KB_SERVE_MEDIA_IMAGES:
    # Images only: documents are never served from MEDIA_ROOT, they pass the permission policy.
    urlpatterns += [
        re_path(
            r"^media/(?P<path>(?:original_images|images)/.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]

urlpatterns += [path("", include("kb.urls")), path("", include(wagtail_urls))]
