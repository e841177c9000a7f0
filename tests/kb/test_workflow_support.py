"""Helpers of the workflow, admin-guard and version tests: pages under review, admin form posts."""

from __future__ import annotations

import itertools

from bs4 import BeautifulSoup

from kb.models import FAQPage
from permissions.models import Confidentiality
from tests.permissions.conftest import make_category

_seq = itertools.count()


def make_draft_faq(
    owner, *, departments=(), confidentiality=Confidentiality.DEPARTMENT, parent=None, **fields
):
    """Create an unpublished FAQ owned by `owner`, with one revision (as the editor would)."""
    parent = parent or make_category()
    n = next(_seq)
    page = FAQPage(
        title=fields.pop("title", f"草稿问题{n}"),
        slug=f"draft-faq-{n}",
        question=fields.pop("question", f"问题{n}？"),
        answer=fields.pop("answer", "<p>答案</p>"),
        live=False,
        owner=owner,
        confidentiality=confidentiality,
        **fields,
    )
    page.owning_departments = list(departments)
    parent.add_child(instance=page)
    page.save_revision(user=owner)
    return FAQPage.objects.get(pk=page.pk)


def edit_form_data(client, page_id, *, url=None, **overrides) -> dict:
    """Return the fields the admin's edit form would post for `page_id`, with `overrides`.

    `url` is the page showing the form (default: the edit view; a revision's revert view shows
    the same form filled from that revision).
    """
    response = client.get(url or f"/admin/pages/{page_id}/edit/")
    assert response.status_code == 200, response.status_code
    form = BeautifulSoup(response.content, "html.parser").find("form", id="page-edit-form")
    data: dict = {}
    for field in form.find_all(["input", "textarea", "select"]):
        name = field.get("name")
        if not name or field.get("type") in ("submit", "button", "file"):
            continue
        if field.get("type") in ("checkbox", "radio") and not field.has_attr("checked"):
            continue
        if field.name == "textarea":
            value = field.text
        elif field.name == "select":
            chosen = field.find_all("option", selected=True)
            if field.has_attr("multiple"):
                data[name] = [option.get("value") for option in chosen]
                continue
            value = chosen[0].get("value") if chosen else ""
        else:
            value = field.get("value", "")
        if name in data and field.get("type") == "checkbox":
            previous = data[name] if isinstance(data[name], list) else [data[name]]
            data[name] = [*previous, value]
        else:
            data[name] = value
    data.update(overrides)
    return data
