"""Reader feedback and related pages: the writes (actions) and the reads (selectors).

Every read of pages here goes through permissions.policy.visible_to; a vote or a comment on a page
the viewer may not see is neither listed nor counted.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from kb.feedback_models import COMMENT_MAX_LENGTH, PageFeedback
from permissions.actions import _client_ip, log_audit_event
from permissions.policy import is_internal, visible_to

# Anonymous votes allowed per client IP address and hour; override with KB_FEEDBACK_RATE_PER_HOUR.
DEFAULT_RATE_PER_HOUR = 30
RATE_WINDOW_SECONDS = 3600
# How many recent pages of the top-level category are compared by title: enough to find a
# neighbour, small enough to score in Python on every page view.
RELATED_CANDIDATES_PER_TYPE = 100


def feedback_page_models() -> tuple:
    """Return the page types readers may rate and that are offered as related pages."""
    from kb.models import ArticlePage, CaseHistoryPage, FAQPage

    return (ArticlePage, FAQPage, CaseHistoryPage)


# ---------------------------------------------------------------------------------------------
# Who is voting


def session_hash(request) -> str:
    """Return the SHA-256 of the request's session key, creating the session if needed."""
    session = request.session
    if not session.session_key:
        session.save()
    # Marked modified so the session middleware sends the cookie that makes a second vote
    # recognisable; a saved but unmodified new session would not be sent.
    session.modified = True
    return _hashed(session.session_key)


def _existing_session_hash(request) -> str:
    session = getattr(request, "session", None)
    key = session.session_key if session is not None else None
    return _hashed(key) if key else ""


def _hashed(session_key: str) -> str:
    return hashlib.sha256(session_key.encode()).hexdigest()


def allow_anonymous_vote(request) -> bool:
    """Count one anonymous vote from the request's IP; return False once the hourly limit is hit."""
    limit = getattr(settings, "KB_FEEDBACK_RATE_PER_HOUR", DEFAULT_RATE_PER_HOUR)
    key = f"kb:feedback:ip:{_client_ip(request) or 'unknown'}"
    # add() starts the window only when the key is new; incr() is atomic in every cache backend.
    cache.add(key, 0, RATE_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, RATE_WINDOW_SECONDS)
        count = 1
    return count <= limit


# ---------------------------------------------------------------------------------------------
# Actions


def record_page_feedback(*, actor, page, helpful: bool, comment, request) -> PageFeedback:
    """Record or update the vote of `actor` (or of the anonymous session) on `page`.

    The caller has checked that the actor may see the page. A new vote without a comment keeps
    the earlier comment; a new comment replaces it and puts it back in the managers' queue.
    """
    comment = (comment or "").strip()[:COMMENT_MAX_LENGTH]
    user = actor if actor is not None and actor.is_authenticated else None
    lookup = {"page_id": page.pk}
    if user is not None:
        lookup["user"] = user
    else:
        lookup.update(user=None, session_hash=session_hash(request))
    with transaction.atomic(durable=True):
        feedback = PageFeedback.objects.select_for_update().filter(**lookup).first()
        if feedback is None:
            feedback = PageFeedback(**lookup)
        feedback.helpful = helpful
        if comment and comment != feedback.comment:
            feedback.comment = comment
            feedback.handled = False
            feedback.handled_by = None
            feedback.handled_at = None
        feedback.ip_address = _client_ip(request)
        feedback.save()
        if user is not None and is_internal(user):
            log_audit_event(
                actor=user,
                action="page.feedback",
                obj=page,
                request=request,
                extra={"helpful": helpful, "comment": bool(comment)},
            )
    return feedback


def mark_feedback_handled(*, actor, feedback, handled: bool = True, request=None) -> PageFeedback:
    """Mark a comment as dealt with (or back to open) and record who did it."""
    with transaction.atomic(durable=True):
        feedback = PageFeedback.objects.select_for_update().get(pk=feedback.pk)
        feedback.handled = handled
        feedback.handled_by = actor if handled else None
        feedback.handled_at = timezone.now() if handled else None
        feedback.save(update_fields=["handled", "handled_by", "handled_at"])
        log_audit_event(
            actor=actor,
            action="page.feedback.handle" if handled else "page.feedback.reopen",
            obj=feedback.page,
            request=request,
            extra={"feedback": feedback.pk},
        )
    return feedback


# ---------------------------------------------------------------------------------------------
# Selectors


def _visible_page_q(viewer) -> Q:
    return reduce(
        or_,
        (
            Q(page_id__in=visible_to(viewer, model.objects.all()).values("pk"))
            for model in feedback_page_models()
        ),
    )


def list_feedback_for_viewer(viewer, *, status: str = "") -> QuerySet:
    """Return the comments on pages `viewer` may see, newest first, filtered by `status`."""
    feedback = PageFeedback.objects.filter(_visible_page_q(viewer)).exclude(comment="")
    if status == "helpful":
        feedback = feedback.filter(helpful=True)
    elif status == "not_helpful":
        feedback = feedback.filter(helpful=False)
    elif status == "unhandled":
        feedback = feedback.filter(handled=False)
    return feedback.select_related("page", "user", "handled_by").order_by("-updated_at", "-pk")


def get_feedback_totals_for_viewer(viewer) -> dict:
    """Return the helpful and not-helpful votes on the pages `viewer` may see."""
    totals = PageFeedback.objects.filter(_visible_page_q(viewer)).aggregate(
        helpful_votes=Count("pk", filter=Q(helpful=True)),
        not_helpful_votes=Count("pk", filter=Q(helpful=False)),
        open_comments=Count("pk", filter=Q(handled=False) & ~Q(comment="")),
    )
    return {
        "helpful": totals["helpful_votes"],
        "not_helpful": totals["not_helpful_votes"],
        "unhandled": totals["open_comments"],
    }


def get_feedback_for_viewer(viewer, pk) -> PageFeedback | None:
    """Return feedback `pk` when it is on a page `viewer` may see, else None."""
    return PageFeedback.objects.filter(_visible_page_q(viewer), pk=pk).first()


@dataclass(frozen=True)
class PageFeedbackState:
    vote: PageFeedback | None
    helpful_count: int | None
    not_helpful_count: int | None
    comment_max_length = COMMENT_MAX_LENGTH  # for the form's textarea


def get_page_feedback_state(request, page) -> PageFeedbackState:
    """Return the viewer's own vote on `page`, and the vote counts when the viewer is staff."""
    user = request.user
    vote = None
    if user.is_authenticated:
        vote = PageFeedback.objects.filter(page_id=page.pk, user=user).first()
    else:
        key = _existing_session_hash(request)
        if key:
            vote = PageFeedback.objects.filter(page_id=page.pk, user=None, session_hash=key).first()
    helpful_count = not_helpful_count = None
    if is_internal(user):
        counts = PageFeedback.objects.filter(page_id=page.pk).aggregate(
            helpful_votes=Count("pk", filter=Q(helpful=True)),
            not_helpful_votes=Count("pk", filter=Q(helpful=False)),
        )
        helpful_count = counts["helpful_votes"]
        not_helpful_count = counts["not_helpful_votes"]
    return PageFeedbackState(vote, helpful_count, not_helpful_count)


# ---------------------------------------------------------------------------------------------
# Related pages

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_WORD = re.compile(r"[0-9a-z]{2,}")


def title_terms(title: str) -> frozenset[str]:
    """Return the comparable terms of a title: Chinese character bigrams and Latin words."""
    text = unicodedata.normalize("NFKC", title or "").lower()
    terms: set[str] = set(_WORD.findall(text))
    for run in _CJK_RUN.findall(text):
        if len(run) == 1:
            terms.add(run)
        terms.update(run[i : i + 2] for i in range(len(run) - 1))
    return frozenset(terms)


def _top_category(page):
    from kb.models import CategoryPage

    return CategoryPage.objects.ancestor_of(page).order_by("depth").first()


def related_pages_for_viewer(viewer, page, limit: int = 5) -> list:
    """Return up to `limit` pages related to `page` that `viewer` may see.

    Siblings in the same category come first, then other pages of the same top-level category
    whose titles share terms with this one; each group is ordered by that overlap.
    """
    if limit <= 0:
        return []
    terms = title_terms(page.title)
    parent = page.get_parent()

    def overlap(candidate) -> int:
        return len(terms & title_terms(candidate.title))

    def newest_first(candidate):
        stamp = candidate.last_published_at
        return -stamp.timestamp() if stamp else 0

    siblings = []
    for model in feedback_page_models():
        siblings += visible_to(viewer, model.objects.child_of(parent).exclude(pk=page.pk)).order_by(
            "-last_published_at"
        )[:RELATED_CANDIDATES_PER_TYPE]
    siblings.sort(key=lambda item: (-overlap(item), newest_first(item), item.title))
    related = siblings[:limit]
    if len(related) >= limit:
        return related

    top = _top_category(page)
    if top is None:
        return related
    seen = {item.pk for item in related} | {page.pk}
    others = []
    for model in feedback_page_models():
        candidates = (
            visible_to(viewer, model.objects.descendant_of(top))
            .exclude(pk__in=seen)
            .order_by("-last_published_at")[:RELATED_CANDIDATES_PER_TYPE]
        )
        others += [item for item in candidates if overlap(item)]
    others.sort(key=lambda item: (-overlap(item), newest_first(item), item.title))
    return related + others[: limit - len(related)]
