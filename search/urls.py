"""Search routes. The staff page itself stays at /search/ as "kb:search" (kb/urls.py); these are
its JSON endpoints and click logger ("search:"), and the help centre's search ("help_search:")."""

from django.urls import path

from search import views

app_name = "search"

urlpatterns = [
    path("api/", views.search_api, name="api"),
    path("api/autocomplete/", views.autocomplete_api, name="autocomplete"),
    path("click/<int:log_id>/", views.click, name="click"),
]

# Mounted at /help/search/ by config/urls.py.
help_patterns = (
    [
        path("", views.help_search_page, name="search"),
        path("api/", views.help_search_api, name="api"),
        path("api/autocomplete/", views.help_autocomplete_api, name="autocomplete"),
    ],
    "help_search",
)
