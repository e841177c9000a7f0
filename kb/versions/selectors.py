"""Reads of versions: which models are versioned, who may see their history, what changed."""

from __future__ import annotations

from dataclasses import dataclass, field

import reversion
from django.apps import apps
from django.contrib.auth import get_permission_codename
from django.db import models
from django.http import Http404
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from reversion.models import Version

from permissions.policy import can_view, governs, visible_to

EMPTY = "—"


def get_versioned_model(app_label: str, model_name: str):
    """Return the model named `app_label.model_name`; 404 unless reversion versions it."""
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        raise Http404 from None
    if not reversion.is_registered(model):
        raise Http404
    return model


def _has_model_perm(user, model, actions) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    opts = model._meta
    return any(
        user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")
        for action in actions
    )


def may_see_versions(user, model) -> bool:
    """Return True when `user` may read the version history of `model` (view or change it)."""
    return _has_model_perm(user, model, ("view", "change"))


def may_revert(user, model) -> bool:
    """Return True when `user` may revert objects of `model` (its change permission)."""
    return _has_model_perm(user, model, ("change",))


def get_current_object(viewer, model, pk):
    """Return the row `pk` as it is now, None if it was deleted; 404 if the policy hides it.

    A row the policy governs must exist and be visible: a deleted one cannot be judged, so its
    history is shown to no one but superusers.
    """
    obj = model._default_manager.filter(pk=pk).first() if _valid_pk(model, pk) else None
    hidden = obj is None or not can_view(viewer, obj)
    if governs(model) and not viewer.is_superuser and hidden:
        raise Http404
    return obj


def _valid_pk(model, pk) -> bool:
    try:
        model._meta.pk.to_python(pk)
    except Exception:  # noqa: BLE001 - any unparsable key is simply "no such row"
        return False
    return True


def list_versions(model, pk):
    """Return the versions of row `pk` of `model`, newest first, with who made them."""
    return (
        Version.objects.get_for_object_reference(model, pk)
        .select_related("revision", "revision__user")
        .order_by("-revision__date_created", "-pk")
    )


def get_version(model, pk, version_id) -> Version:
    """Return one version of row `pk`; 404 when it belongs to another row."""
    version = list_versions(model, pk).filter(pk=version_id).first()
    if version is None:
        raise Http404
    return version


# ---------------------------------------------------------------------------------------------
# Comparison


@dataclass
class FieldChange:
    label: str
    old: str
    new: str

    @property
    def changed(self) -> bool:
        return self.old != self.new


@dataclass
class RowChange:
    """One followed row (a template's field), in either version or both."""

    label: str
    status: str  # added, removed, changed, unchanged
    fields: list[FieldChange] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return {
            "added": _("Added"),
            "removed": _("Removed"),
            "changed": _("Changed"),
            "unchanged": _("Unchanged"),
        }[self.status]


@dataclass
class RelatedChanges:
    label: str
    rows: list[RowChange]

    @property
    def changed(self) -> bool:
        return any(row.status != "unchanged" for row in self.rows)


@dataclass
class Comparison:
    older: Version
    newer: Version
    fields: list[FieldChange]
    related: list[RelatedChanges]

    @property
    def changed(self) -> bool:
        return any(change.changed for change in self.fields) or any(
            group.changed for group in self.related
        )


def compare_versions(viewer, older: Version, newer: Version) -> Comparison:
    """Compare two versions field by field, with the rows each one follows (template fields)."""
    if older.revision.date_created > newer.revision.date_created:
        older, newer = newer, older
    model = older._model
    fields = _field_changes(viewer, model, older.field_dict, newer.field_dict, skip=())
    old_rows, new_rows = _followed_rows(older), _followed_rows(newer)
    related = []
    for child_model in sorted(
        {key[0] for key in (*old_rows, *new_rows)}, key=lambda m: m._meta.label
    ):
        rows = []
        keys = [key for key in (*old_rows, *new_rows) if key[0] is child_model]
        for key in dict.fromkeys(sorted(keys, key=lambda k: _row_order(k, new_rows, old_rows))):
            old, new = old_rows.get(key), new_rows.get(key)
            link = (new or old)[1]
            changes = _field_changes(
                viewer,
                child_model,
                old[0].field_dict if old else {},
                new[0].field_dict if new else {},
                skip=(link.attname,),
            )
            if old is None:
                status = "added"
            elif new is None:
                status = "removed"
            elif any(change.changed for change in changes):
                status = "changed"
            else:
                status = "unchanged"
            label = (new or old)[0].object_repr
            rows.append(RowChange(label=label, status=status, fields=changes))
        related.append(
            RelatedChanges(label=capfirst(child_model._meta.verbose_name_plural), rows=rows)
        )
    return Comparison(older=older, newer=newer, fields=fields, related=related)


def _row_order(key, *row_maps):
    for rows in row_maps:
        if key in rows:
            data = rows[key][0].field_dict
            order = data.get("sort_order")
            return (order if order is not None else 0, str(key[1]))
    return (0, str(key[1]))


def _followed_rows(version: Version) -> dict:
    """Return {(model, object id): (version, link field)} of the rows that point at the object."""
    model = version._model
    rows = {}
    others = version.revision.version_set.exclude(pk=version.pk).select_related("content_type")
    for other in others:
        child_model = other._model
        if child_model is None:
            continue
        links = [
            f
            for f in child_model._meta.concrete_fields
            if f.many_to_one and f.related_model is model
        ]
        for link in links:
            if str(other.field_dict.get(link.attname)) == str(version.object_id):
                rows[(child_model, other.object_id)] = (other, link)
                break
    return rows


def _field_changes(viewer, model, old: dict, new: dict, *, skip) -> list[FieldChange]:
    changes = []
    for name in dict.fromkeys([*old, *new]):
        if name in skip:
            continue
        try:
            model_field = model._meta.get_field(name)
        except Exception:  # noqa: BLE001 - a field removed since the version was saved
            continue
        if model_field.primary_key:
            continue
        changes.append(
            FieldChange(
                label=capfirst(str(model_field.verbose_name)),
                old=_display(viewer, model_field, old[name]) if name in old else EMPTY,
                new=_display(viewer, model_field, new[name]) if name in new else EMPTY,
            )
        )
    return changes


def _display(viewer, model_field, value) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if model_field.is_relation:
        return _display_related(viewer, model_field.related_model, value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return _("Yes") if value else _("No")
    return str(value)


def _display_related(viewer, related_model, value) -> str:
    pks = value if isinstance(value, (list, tuple)) else [value]
    objects = related_model._default_manager.filter(pk__in=pks)
    if governs(related_model):
        # Another item's title is shown only to who may see that item.
        objects = visible_to(viewer, objects)
    found = {str(obj.pk): str(obj) for obj in objects}
    return ", ".join(found.get(str(pk), f"#{pk}") for pk in pks)
