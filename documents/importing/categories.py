"""The import's folder tree as knowledge-tree categories (CategoryPage), found or created."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify
from wagtail.log_actions import log

from kb.models import CategoryPage, KnowledgeHomePage
from permissions.policy import visible_to

MAX_SLUG = 200


def category_slug(title: str) -> str:
    """Return a URL slug for a category title: pinyin for Chinese, never empty."""
    # Chinese titles slugify to nothing in ASCII and to percent-encoded soup in Unicode URLs;
    # pinyin keeps the address readable (研发资料 -> yan-fa-zi-liao). Imported here: its phrase
    # dictionary costs every process ~45 MB from import on, and only imports make slugs.
    from pypinyin import lazy_pinyin

    slug = slugify("-".join(lazy_pinyin(title)))[:MAX_SLUG].strip("-")
    if not slug:
        slug = slugify(title, allow_unicode=True)[:MAX_SLUG].strip("-")
    return slug or "folder"


def free_slug(parent, base: str) -> str:
    """Return `base`, or `base-2`, `base-3`, ... : the first slug no child of `parent` has."""
    taken = set(parent.get_children().filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


class CategoryTree:
    """Map an import's folders to categories under its target category (or the knowledge home).

    Categories it creates are owned by `user` and get the given audience.
    """

    def __init__(self, *, user, category_id, confidentiality, departments):
        self.user = user
        self.category_id = category_id
        self.confidentiality = confidentiality
        self.departments = list(departments)
        self._cache: dict[tuple[str, ...], CategoryPage | None] = {}

    def _root(self):
        if self.category_id is not None:
            category = CategoryPage.objects.filter(pk=self.category_id).first()
            if category is not None:
                return category
        return KnowledgeHomePage.objects.first()

    def category_for(self, folder: tuple[str, ...]) -> CategoryPage | None:
        """Return the category of a folder of the import, creating the missing ones."""
        if folder in self._cache:
            return self._cache[folder]
        if not folder:
            root = self._root()
            category = root.specific if isinstance(root, CategoryPage) else None
            self._cache[folder] = category
            return category
        parent = self.category_for(folder[:-1]) or self._root()
        # Without any knowledge tree (no home page) the documents stay uncategorised.
        category = None if parent is None else self._child(parent, folder[-1][:255])
        self._cache[folder] = category
        return category

    def _child(self, parent, title: str) -> CategoryPage:
        existing = self._existing(parent, title)
        if existing is not None:
            return existing
        with transaction.atomic():
            # A fresh, locked parent: treebeard computes the new path from its child count, and
            # another import may be adding the same folder right now.
            parent = type(parent).objects.select_for_update().get(pk=parent.pk)
            existing = self._existing(parent, title)
            if existing is not None:
                return existing
            page = CategoryPage(
                title=title,
                slug=free_slug(parent, category_slug(title)),
                confidentiality=self.confidentiality,
                owner=self.user,
            )
            page.owning_departments = list(self.departments)
            parent.add_child(instance=page)
            revision = page.save_revision(user=self.user)
            log(instance=page, action="wagtail.create", user=self.user, revision=revision)
            revision.publish(user=self.user, skip_permission_checks=True)
        return page

    def _existing(self, parent, title: str) -> CategoryPage | None:
        # Reuse a category of the same name only if the importer can see it; documents filed in
        # a category they cannot open would be lost to them.
        siblings = CategoryPage.objects.child_of(parent).filter(title=title).order_by("path")
        return visible_to(self.user, siblings).first()
