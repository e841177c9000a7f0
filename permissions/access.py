"""Guarded loads: one error for "missing" and "forbidden", so a probe learns nothing."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _

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
