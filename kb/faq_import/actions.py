"""Writes of the FAQ import: preview (writes nothing) and import (one transaction, one audit row)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from documents.importing.categories import CategoryTree, free_slug
from kb.actions import ensure_products, split_product_names
from kb.faq_import.parsing import parse_faq_file
from kb.faq_import.validation import (
    DUPLICATE,
    ERROR,
    IMPORTED,
    OK,
    OPENNESS,
    FaqCheck,
    FaqRow,
    ImportOptions,
    check_faq_rows,
)
from kb.models import CategoryPage, FAQPage
from permissions.access import access_item_by_id
from permissions.actions import log_audit_event
from permissions.models import Confidentiality, Department
from permissions.policy import can_manage_knowledge

AUDIT_ACTION = "faq.import"
MAX_SLUG_WORDS = 12


def _resolve(actor, options: ImportOptions) -> tuple[CategoryPage | None, list[Department]]:
    if not can_manage_knowledge(actor):
        raise PermissionDenied
    if options.confidentiality not in Confidentiality.values:
        raise ValueError(f"unknown confidentiality {options.confidentiality!r}")
    target = None
    if options.category_id is not None:
        target = access_item_by_id(actor, CategoryPage, options.category_id)
    departments = list(Department.objects.filter(pk__in=options.department_ids).order_by("pk"))
    return target, departments


def preview_faq_import(*, actor, data: bytes, filename: str, options: ImportOptions) -> FaqCheck:
    """Parse and check an FAQ file and say what importing it would do; write nothing.

    Raise FaqFileError when the file cannot be read at all.
    """
    target, departments = _resolve(actor, options)
    sheet = parse_faq_file(data, filename)
    return check_faq_rows(
        sheet, user=actor, options=options, target=target, default_departments=departments
    )


def import_faqs(
    *, actor, data: bytes, filename: str, options: ImportOptions, request=None
) -> FaqCheck:
    """Create a published FAQ page for every valid row of an FAQ file; skip the others.

    Rows are checked again against the database as it is now; FAQs already in their category are
    skipped, so importing the same file twice creates nothing the second time.
    """
    target, departments = _resolve(actor, options)
    sheet = parse_faq_file(data, filename)
    with transaction.atomic(durable=True):
        check = check_faq_rows(
            sheet, user=actor, options=options, target=target, default_departments=departments
        )
        valid = [row for row in check.rows if row.status == OK]
        before = CategoryPage.objects.count()
        _file_rows(actor, target, valid)
        for row in valid:
            if row.category is not None:
                row.page = _create_faq(actor, row)
        check.categories_created = CategoryPage.objects.count() - before
        check.written = True
        counts = check.counts
        log_audit_event(
            actor=actor,
            action=AUDIT_ACTION,
            obj=target,
            request=request,
            extra={
                "file": filename[:255],
                "rows": len(check.rows),
                "created": counts[IMPORTED],
                "duplicates": counts[DUPLICATE],
                "errors": counts[ERROR],
                "categories_created": check.categories_created,
                "tags_stored": check.tags_stored,
            },
        )
    return check


def _file_rows(actor, target, rows: list[FaqRow]) -> None:
    """Give each row without an existing category the one it names, creating what is missing."""
    trees: dict[tuple, CategoryTree] = {}
    pending = [row for row in rows if row.category is None]
    # The most open rows first: a category created on the way takes the audience of the row
    # that needs it first, and must let through every FAQ filed below it.
    for row in sorted(pending, key=lambda r: (OPENNESS[r.confidentiality], r.number)):
        key = (row.confidentiality, tuple(department.pk for department in row.departments))
        tree = trees.get(key)
        if tree is None:
            tree = trees[key] = CategoryTree(
                user=actor,
                category_id=target.pk if target is not None else None,
                confidentiality=row.confidentiality,
                departments=row.departments,
            )
        row.category = tree.category_for(row.category_path)
        if row.category is None:  # the knowledge home went away since the check
            row.errors.append(_("There is no knowledge home page to import into."))


def _slug_for(question: str) -> str:
    # Imported here: pypinyin's phrase dictionary (for 重庆 -> chongqing) costs every process
    # ~45 MB from import on, and only imports make slugs.
    from pypinyin import lazy_pinyin

    words = [word for word in lazy_pinyin(question) if slugify(word)][:MAX_SLUG_WORDS]
    return slugify("-".join(words))[:80].strip("-") or "faq"


def _create_faq(actor, row: FaqRow) -> FAQPage:
    # A fresh, locked parent: treebeard computes the new page's path from the parent's child
    # count, which the previous row (or another import) has just changed.
    parent = CategoryPage.objects.select_for_update().get(pk=row.category.pk)
    page = FAQPage(
        title=row.question,
        slug=free_slug(parent, _slug_for(row.question)),
        question=row.question,
        alternative_questions="\n".join(row.alternatives),
        answer=row.answer_html,
        products=ensure_products(split_product_names(row.products)),
        confidentiality=row.confidentiality,
        owner=actor,
    )
    page.owning_departments = list(row.departments)
    if row.tags:
        page.tags.add(*row.tags)
    parent.add_child(instance=page)
    revision = page.save_revision(user=actor)
    log(instance=page, action="wagtail.create", user=actor, revision=revision)
    revision.publish(user=actor, skip_permission_checks=True)
    return page
