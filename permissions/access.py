"""Guarded loads: one error for "missing" and "forbidden", so a probe learns nothing."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from permissions.models import ProtectedContent
from permissions.policy import can_view


class ItemNotFound(Http404):
    """Raised alike when an item does not exist and when the viewer may not see it."""


def access_item_by_id(viewer, model, pk):
    """Return the `model` row `pk` if `viewer` may see it; raise ItemNotFound otherwise."""
    try:
        obj = model._default_manager.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError, ValidationError):
        raise ItemNotFound(_("No such item.")) from None
    if not can_view(viewer, obj):
        raise ItemNotFound(_("No such item."))
    return obj


def access_page_by_id(viewer, pk, *, types=(ProtectedContent,)):
    """Return the specific page `pk` if it is one of `types` and `viewer` may see it.

    Raises ItemNotFound otherwise, alike for a missing page, a page of another type and a page
    the viewer may not see.
    """
    from wagtail.models import Page

    base = Page.objects.filter(pk=pk).only("pk", "content_type").first() if pk else None
    model = base.specific_class if base is not None else None
    if model is None or not issubclass(model, tuple(types)):
        raise ItemNotFound(_("No such item."))
    return access_item_by_id(viewer, model, pk)
