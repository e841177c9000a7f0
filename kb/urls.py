from django.urls import path

from customers.tickets import views as ticket_views
from kb import tags_views, views
from kb.engagement import views as engagement_views
from kb.structured import views as structured_views
from search import views as search_views

app_name = "kb"

urlpatterns = [
    path("search/", search_views.search_page, name="search"),
    path("tickets/", ticket_views.queue, name="tickets"),
    path("portal/", views.portal, name="portal"),
    path("kb/structured/", structured_views.template_list, name="structured_templates"),
    path(
        "kb/structured/<int:template_id>/",
        structured_views.item_list,
        name="structured_items",
    ),
    path("kb/favourite/<int:page_id>/", engagement_views.favourite_toggle, name="favourite_toggle"),
    path("kb/favourites/", engagement_views.favourite_list, name="favourites"),
    path("kb/tags/<str:slug>/", tags_views.tag_page, name="tag"),
    path("kb/products/<int:pk>/", tags_views.product_page, name="product"),
]
