"""Wagtail hooks of the engagement part of the knowledge base (imported by kb.wagtail_hooks)."""

from __future__ import annotations

from wagtail import hooks

from kb.engagement.actions import record_page_view
from kb.models import KnowledgePage

# Wagtail checks its view restrictions (login, groups, password) in an on_serve_page hook of
# order 0, after every before_serve_page hook such as the confidentiality check. A later order
# makes this wrapper the inner one, so it runs only once both have let the request through.
COUNT_VIEW_ORDER = 100


@hooks.register("on_serve_page", order=COUNT_VIEW_ORDER)
def count_page_views(serve):
    """Count each successful GET of a knowledge page in its daily usage; previews are not views."""

    def serve_and_count(page, request, serve_args, serve_kwargs):
        response = serve(page, request, serve_args, serve_kwargs)
        if (
            isinstance(page, KnowledgePage)
            and request.method == "GET"
            and not getattr(request, "is_preview", False)
            and response.status_code == 200
        ):
            record_page_view(page=page, viewer=request.user)
        return response

    return serve_and_count
