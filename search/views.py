"""The search pages, their JSON endpoints and the click-logging redirect.

Every view calls `search.service` with the request's user as the viewer: what a viewer may see
is trimmed inside the engine query, so these views never filter results themselves.

Search analytics: the first page of a new query is logged; further pages and facet refinements
carry a signed search id (`sid`) so they are not counted again, and result links go through
`click` with a signature binding the log row, the result key and the viewer together.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.core import signing
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from permissions.policy import audience_terms, can_view, is_internal, visible_to
from search import service
from search.analytics import CLICK_WINDOW, log_search, normalize_query, record_click
from search.backends import get_backend
from search.backends.base import SearchRequest
from search.forms import SORT_LABELS, SearchForm
from search.models import SearchQueryLog, SearchScope
from search.records import RECORD_TYPES

logger = logging.getLogger(__name__)

PAGE_SIZE = 10
AUTOCOMPLETE_LIMIT = 8
CATEGORY_CHOICES_LIMIT = 300
# Query-string parameter of each facet (the facet "tags" filters by ?tag=).
FACET_PARAMS = {"type": "type", "department": "department", "tags": "tag", "customer": "customer"}
STAFF_FACETS = ("type", "department", "tags", "customer")
PUBLIC_FACETS = ("type", "tags")
SID = "sid"
_SID_SALT = "search.views.sid"
_CLICK_SALT = "search.views.click"


# --- signed values -----------------------------------------------------------------------------


def _viewer_id(user) -> int:
    return user.pk if user is not None and user.is_authenticated else 0


def _sign_search(log_id: int, user) -> str:
    return signing.dumps([log_id, _viewer_id(user)], salt=_SID_SALT)


def _logged_search(request, *, normalized: str, scope: str) -> int | None:
    """Return the log row id a `sid` parameter names, if it is this viewer's same query."""
    token = request.GET.get(SID, "")
    if not token:
        return None
    try:
        log_id, viewer_id = signing.loads(
            token, salt=_SID_SALT, max_age=CLICK_WINDOW.total_seconds()
        )
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if viewer_id != _viewer_id(request.user):
        return None
    same = SearchQueryLog.objects.filter(pk=log_id, normalized=normalized, scope=scope).exists()
    return log_id if same else None


def _click_signature(log_id: int, user, key: str, rank: int) -> str:
    return signing.Signer(salt=_CLICK_SALT).signature(f"{log_id}|{_viewer_id(user)}|{key}|{rank}")


def click_url(log_id: int | None, user, hit) -> str:
    """Return the link of a result: through the click logger when the search was logged."""
    if log_id is None:
        return hit.url
    params = {"key": hit.key, "rank": hit.rank}
    params["s"] = _click_signature(log_id, user, hit.key, hit.rank)
    return f"{reverse('search:click', args=[log_id])}?{urlencode(params)}"


# --- running a search ------------------------------------------------------------------------


class _ResultsPage:
    """The few Paginator page attributes templates/search/_pagination.html reads."""

    def __init__(self, results):
        self.number = results.page
        self.num_pages = results.num_pages
        self.has_next = results.has_next
        self.has_previous = results.has_previous
        self.next_page_number = results.page + 1
        self.previous_page_number = results.page - 1
        self.has_other_pages = results.num_pages > 1


def _facets_for(user, scope: str) -> tuple[str, ...]:
    return STAFF_FACETS if scope == "staff" and is_internal(user) else PUBLIC_FACETS


def _label_customers(results, user, selected: list[int]) -> None:
    """Name the customer facet's values, keeping only customers the viewer may see."""
    buckets = results.facets.get("customer")
    if not buckets:
        return
    from customers.models import Customer

    ids = [int(b.value) for b in buckets if b.value.isdigit()]
    names = dict(visible_to(user, Customer.objects.filter(pk__in=ids)).values_list("pk", "name"))
    chosen = {str(pk) for pk in selected}
    results.facets["customer"] = [
        service.FacetValue(b.value, names[int(b.value)], b.count, b.value in chosen)
        for b in buckets
        if b.value.isdigit() and int(b.value) in names
    ]


def run_search(request, *, scope: str, log_scope: str):
    """Run the request's search for its user; log it when it is a new query.

    Return (form, results, log id or None, error flag)."""
    form = SearchForm(request.GET, scope=scope)
    query = form.query
    filters = form.filters()
    try:
        results = service.search(
            query,
            viewer=request.user,
            filters=filters,
            facets=_facets_for(request.user, scope),
            page=form.page_number,
            page_size=PAGE_SIZE,
            sort=form.sort_order,
            scope=scope,
        )
    except Exception:  # the engine is down or its index is missing: say so, don't crash
        logger.exception("search failed")
        return form, None, None, True
    _label_customers(results, request.user, filters.customers)
    normalized = normalize_query(query)
    log_id = None
    if normalized:
        log_id = _logged_search(request, normalized=normalized, scope=log_scope)
        # A further page of a query is not a new query; its first page was logged.
        if log_id is None and results.page == 1:
            log = log_search(
                viewer=request.user,
                query=query,
                normalized=normalized,
                scope=log_scope,
                hits=results.total,
            )
            log_id = log.pk if log else None
    return form, results, log_id, False


def _toggle_url(params, name: str, value: str, sid: str | None) -> str:
    params = params.copy()
    values = params.getlist(name)
    if value in values:
        values.remove(value)
    else:
        values.append(value)
    params.setlist(name, values)
    params.pop("page", None)
    if sid:
        params[SID] = sid
    return "?" + params.urlencode()


def _remove_url(params, name: str, sid: str | None) -> str:
    params = params.copy()
    params.pop(name, None)
    params.pop("page", None)
    if sid:
        params[SID] = sid
    return "?" + params.urlencode()


def _category_label(user, page_id: int) -> str:
    from wagtail.models import Page

    page = Page.objects.filter(pk=page_id).first()
    page = page.specific if page else None
    # The title only when the viewer may see the category; its id alone reveals nothing.
    if page is not None and can_view(user, page):
        return page.title
    return _("Selected category")


def _category_choices(user) -> list[tuple[int, str]]:
    from kb.models import CategoryPage

    pages = visible_to(user, CategoryPage.objects.live()).order_by("path")
    choices = []
    for page in pages[:CATEGORY_CHOICES_LIMIT]:
        indent = "\u3000" * max(0, page.depth - 3)
        choices.append((page.pk, f"{indent}{page.title}"))
    return choices


def _active_filters(request, form: SearchForm, results, sid) -> list[dict]:
    """Return the chosen filters as removable chips (label and the URL without it)."""
    params = request.GET
    chips = []
    facet_labels = {
        name: {value.value: value.label for value in values}
        for name, values in (results.facets if results else {}).items()
    }
    for facet, param in FACET_PARAMS.items():
        for value in params.getlist(param):
            if facet == "type" and value in RECORD_TYPES:
                label = str(RECORD_TYPES[value])
            elif facet in ("department", "customer"):
                # Only a name the (trimmed) facets gave; never look up an unseen one.
                label = facet_labels.get(facet, {}).get(value)
                if label is None:
                    continue
            else:
                label = value
            chips.append({"label": label, "url": _toggle_url(params, param, value, sid)})
    category = form.value("category")
    if category:
        chips.append(
            {
                "label": _category_label(request.user, category),
                "url": _remove_url(params, "category", sid),
            }
        )
    return chips


def _facet_groups(request, results, sid) -> list[dict]:
    titles = {
        "type": _("Type"),
        "department": _("Department"),
        "tags": _("Tag"),
        "customer": _("Customer"),
    }
    groups = []
    for name, values in (results.facets if results else {}).items():
        if not values:
            continue
        param = FACET_PARAMS.get(name)
        if param is None:
            continue
        groups.append(
            {
                "name": name,
                "title": titles.get(name, name),
                "values": [
                    {
                        "label": value.label,
                        "count": value.count,
                        "selected": value.selected,
                        "url": _toggle_url(request.GET, param, value.value, sid),
                    }
                    for value in values
                ],
            }
        )
    return groups


def _render_page(request, *, scope: str, template: str, log_scope: str):
    form, results, log_id, failed = run_search(request, scope=scope, log_scope=log_scope)
    sid = _sign_search(log_id, request.user) if log_id else None
    hits = []
    if results is not None:
        hits = [(hit, click_url(log_id, request.user, hit)) for hit in results.hits]
    is_staff_scope = scope == "staff"
    context = {
        "scope": scope,
        "form": form,
        "query": form.query,
        "results": results,
        "hits": hits,
        "failed": failed,
        "sid": sid,
        "page_obj": _ResultsPage(results) if results else None,
        "facet_groups": _facet_groups(request, results, sid),
        "active_filters": _active_filters(request, form, results, sid),
        "sort_labels": SORT_LABELS,
        "hidden_filters": [
            (param, value)
            for param in FACET_PARAMS.values()
            for value in request.GET.getlist(param)[:20]
        ],
        "category_choices": _category_choices(request.user),
        "search_action": reverse("kb:search" if is_staff_scope else "help_search:search"),
        "autocomplete_url": reverse(
            "search:autocomplete" if is_staff_scope else "help_search:autocomplete"
        ),
    }
    return render(request, template, context)


# --- pages -------------------------------------------------------------------------------------


@require_GET
@never_cache
def search_page(request):
    """Search everything the user may see; the public sees public content only."""
    return _render_page(
        request, scope="staff", template="search/search.html", log_scope=SearchScope.STAFF
    )


@require_GET
@never_cache
def help_search_page(request):
    """Search the help centre: public FAQs and articles (and a customer's own)."""
    return _render_page(
        request, scope="help", template="search/help_search.html", log_scope=SearchScope.HELP_CENTRE
    )


# --- JSON --------------------------------------------------------------------------------------


def _results_json(request, results, log_id) -> dict:
    return {
        "query": results.query,
        "total": results.total,
        "page": results.page,
        "page_size": results.page_size,
        "num_pages": results.num_pages,
        "has_next": results.has_next,
        "has_previous": results.has_previous,
        "sort": results.sort,
        "did_you_mean": results.did_you_mean,
        "sid": _sign_search(log_id, request.user) if log_id else None,
        "hits": [
            {
                "key": hit.key,
                "type": hit.type,
                "type_label": hit.type_label,
                "title": hit.title,
                "title_html": str(hit.title_html),
                "url": hit.url,
                "click_url": click_url(log_id, request.user, hit),
                "snippet": str(hit.snippet),
                "updated": hit.updated.isoformat() if hit.updated else None,
                "category_path": list(hit.category_path),
                "rank": hit.rank,
            }
            for hit in results.hits
        ],
        "facets": {
            name: [
                {"value": v.value, "label": str(v.label), "count": v.count, "selected": v.selected}
                for v in values
            ]
            for name, values in results.facets.items()
        },
    }


def _api(request, *, scope: str, log_scope: str):
    form, results, log_id, failed = run_search(request, scope=scope, log_scope=log_scope)
    if failed:
        return JsonResponse({"error": _("Search is unavailable at the moment.")}, status=503)
    data = _results_json(request, results, log_id)
    if form.errors:
        data["errors"] = {name: [str(e) for e in errors] for name, errors in form.errors.items()}
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@require_GET
@never_cache
def search_api(request):
    """Return the staff search as JSON: hits, total, pages, facets, did-you-mean."""
    return _api(request, scope="staff", log_scope=SearchScope.API)


@require_GET
@never_cache
def help_search_api(request):
    """Return the help-centre search as JSON."""
    return _api(request, scope="help", log_scope=SearchScope.HELP_CENTRE)


def _autocomplete(request, *, scope: str):
    prefix = request.GET.get("q", "").strip()[:50]
    suggestions = []
    if prefix:
        try:
            suggestions = service.autocomplete(
                prefix, viewer=request.user, limit=AUTOCOMPLETE_LIMIT, scope=scope
            )
        except Exception:
            logger.exception("autocomplete failed")
    for item in suggestions:
        item["type_label"] = str(RECORD_TYPES.get(item["type"], item["type"]))
    # Keystrokes are not searches: autocomplete is never logged.
    return JsonResponse(
        {"query": prefix, "suggestions": suggestions}, json_dumps_params={"ensure_ascii": False}
    )


@require_GET
@never_cache
def autocomplete_api(request):
    """Return title suggestions for a prefix, from items the user may see."""
    return _autocomplete(request, scope="staff")


@require_GET
@never_cache
def help_autocomplete_api(request):
    """Return help-centre title suggestions for a prefix."""
    return _autocomplete(request, scope="help")


# --- clicks ------------------------------------------------------------------------------------


def _url_for_key(request, key: str) -> str | None:
    """Return the URL the index holds for `key`, if the user may see that item."""
    if not key:
        return None
    response = get_backend().search(
        SearchRequest(audience=audience_terms(request.user), filters={"key": [key]}, limit=1)
    )
    if not response.hits:
        return None
    url = response.hits[0].stored.get("url") or ""
    allowed = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if allowed else None


@require_GET
@never_cache
def click(request, log_id: int):
    """Record a result click on its search's log row, then go to the result.

    The target comes from the index entry of the key, for this user: a forged link can neither
    send anyone off-site nor reveal an item. The click is recorded only with a valid signature
    made for this user, so nobody can write clicks onto another user's searches."""
    key = request.GET.get("key", "")[:100]
    try:
        rank = int(request.GET.get("rank", ""))
    except ValueError:
        rank = 0
    url = _url_for_key(request, key)
    if url is None:
        raise Http404
    expected = _click_signature(log_id, request.user, key, rank)
    if constant_time_compare(request.GET.get("s", ""), expected):
        record_click(log_id, key=key, rank=rank)
    return HttpResponseRedirect(url)
