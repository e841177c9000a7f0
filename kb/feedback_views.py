"""Views of reader feedback: the vote on a knowledge page and the knowledge managers' queue.

Reads go through kb.feedback selectors and permissions; writes through kb.feedback actions.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from kb import feedback as kb_feedback
from kb.feedback_models import COMMENT_MAX_LENGTH
from kb.http import wants_json
from permissions.access import ItemNotFound, access_page_by_id
from permissions.policy import can_manage_knowledge

FEEDBACK_PER_PAGE = 50
STATUS_CHOICES = (
    ("", _("All comments")),
    ("unhandled", _("Not handled")),
    ("helpful", _("Helpful")),
    ("not_helpful", _("Not helpful")),
)


class PageFeedbackForm(forms.Form):
    helpful = forms.TypedChoiceField(
        label=_("Was this helpful?"),
        choices=(("yes", _("Yes")), ("no", _("No"))),
        coerce=lambda value: value == "yes",
    )
    comment = forms.CharField(
        label=_("Tell us more (optional)"),
        max_length=COMMENT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea,
    )


@require_POST
def submit_page_feedback(request, page_id):
    """Record a reader's vote on a page: a redirect back for forms, JSON for fetch."""
    as_json = wants_json(request)
    try:
        page = access_page_by_id(request.user, page_id, types=kb_feedback.feedback_page_models())
    except Http404:
        if as_json:
            return JsonResponse({"ok": False, "error": gettext("No such page.")}, status=404)
        raise
    if not request.user.is_authenticated and not kb_feedback.allow_anonymous_vote(request):
        message = gettext("Too many answers from your network. Please try again in an hour.")
        if as_json:
            return JsonResponse({"ok": False, "error": message}, status=429)
        context = {"message": message, "back_url": page.get_url(request)}
        return render(request, "kb/feedback_error.html", context, status=429)
    form = PageFeedbackForm(request.POST)
    if not form.is_valid():
        errors = [str(error) for field_errors in form.errors.values() for error in field_errors]
        if as_json:
            return JsonResponse({"ok": False, "error": " ".join(errors)}, status=400)
        for error in errors:
            messages.error(request, error)
        return redirect(page.get_url(request) + "#page-feedback")
    vote = kb_feedback.record_page_feedback(
        actor=request.user,
        page=page,
        helpful=form.cleaned_data["helpful"],
        comment=form.cleaned_data["comment"],
        request=request,
    )
    if as_json:
        return JsonResponse(
            {
                "ok": True,
                "helpful": vote.helpful,
                "message": gettext("Thank you for your feedback."),
            }
        )
    return redirect(page.get_url(request) + "#page-feedback")


def _require_reviewer(request):
    if not can_manage_knowledge(request.user):
        raise PermissionDenied


@login_required
def feedback_list(request):
    """List readers' comments on the pages the knowledge manager may see, newest first."""
    _require_reviewer(request)
    status = request.GET.get("status", "")
    if status not in dict(STATUS_CHOICES):
        status = ""
    comments = kb_feedback.list_feedback_for_viewer(request.user, status=status)
    page_obj = Paginator(comments, FEEDBACK_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "kb/feedback_list.html",
        {
            "page_obj": page_obj,
            "comments": page_obj.object_list,
            "status": status,
            "statuses": STATUS_CHOICES,
            "totals": kb_feedback.get_feedback_totals_for_viewer(request.user),
        },
    )


@login_required
@require_POST
def mark_handled(request, pk):
    """Mark one comment handled (or open again) and go back to the list."""
    _require_reviewer(request)
    feedback = kb_feedback.get_feedback_for_viewer(request.user, pk)
    if feedback is None:
        raise ItemNotFound(gettext("No such item."))
    handled = request.POST.get("handled", "1") != "0"
    kb_feedback.mark_feedback_handled(
        actor=request.user, feedback=feedback, handled=handled, request=request
    )
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("kb_feedback:list")
    return redirect(next_url)
