"""The comment forms of every page that shows a thread (``{% comments_for %}``):
post or reply, edit, resolve, reopen, hide. POST only, with CSRF.

Views stay thin: a form checks the input's shape, one service
(``votes.comments``) makes the change as ``request.user`` through the web
channel, and the browser goes back to the page it came from, at the comment.
A refusal is a page saying why, with its status (403 for who, 409 for a rule,
400 for bad input) and the text typed, so that nothing is lost; anonymous
visitors get 403 and a link to sign in.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from committee.errors import Refused
from committee.models import Channel
from committee.permissions import Action, NotAllowed, require
from guidelines.errors import status_of
from guidelines.models import Capability, Guideline, Test
from votes.comments import (
    comment_edit,
    comment_hide,
    comment_post,
    comment_reopen,
    comment_resolve,
    comments,
)
from votes.models import Ballot, Comment
from votes.models.comments import MAX_COMMENT_LENGTH, MAX_HIDE_REASON_LENGTH, TARGETS

WEB = Channel.WEB
MAX_ID = 2**63 - 1


class PostForm(forms.Form):
    body = forms.CharField(max_length=MAX_COMMENT_LENGTH, strip=False)
    target_type = forms.ChoiceField(choices=[(t, t) for t in TARGETS], required=False)
    target_id = forms.CharField(max_length=200, required=False)
    parent = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False)


class EditForm(forms.Form):
    body = forms.CharField(max_length=MAX_COMMENT_LENGTH, strip=False)


class HideForm(forms.Form):
    reason = forms.CharField(max_length=MAX_HIDE_REASON_LENGTH)


def page_of(target) -> str:
    """The page that shows a target's thread."""
    if isinstance(target, Guideline):
        return reverse("guidelines:detail", args=[target.key])
    if isinstance(target, Capability):
        return reverse("capabilities:capability", args=[target.guideline.key, target.key])
    if isinstance(target, Test):
        capability = target.capability
        url = reverse("capabilities:capability", args=[capability.guideline.key, capability.key])
        return f"{url}#test-{target.pk}"
    return reverse("votes:ballot", args=[target.pk])


def back_to(request, target, comment: Comment | None = None) -> str:
    """The page the form was on (``next``, if it is this site's), else the target's."""
    url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        url = page_of(target)
    url = url.split("#", 1)[0]
    return f"{url}#comment-{comment.pk}" if comment is not None else url


def refused(request, message: str, *, status: int, comment=None, form_text: str = ""):
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = page_of(comment.target) if comment is not None else reverse("guidelines:list")
    return render(
        request,
        "votes/comment_refused.html",
        {"message": message, "back": back, "form_text": form_text},
        status=status,
    )


def form_problems(form: forms.Form) -> str:
    return "; ".join(
        f"{name}: {message}" if name != "__all__" else message
        for name, found in form.errors.items()
        for message in found
    )


def target_named(kind: str, value: str):
    """The target a thread's form names, or None."""
    if kind == "guideline":
        return Guideline.objects.filter(key=value).first() if "\x00" not in value else None
    if not value.isdigit() or int(value) > MAX_ID:
        return None
    model = {"capability": Capability, "test": Test, "ballot": Ballot}[kind]
    return model.objects.filter(pk=int(value)).first()


def _standing_refused(request, action: Action = Action.COMMENT):
    """Anonymous visitors and anyone without the standing: 403, saying why (sign in)."""
    try:
        require(request.user, action)
    except NotAllowed as exc:
        return refused(request, str(exc), status=403)
    return None


@require_POST
def comment_post_view(request):
    """A new thread on a target, or a reply to a comment of one."""
    if (refusal := _standing_refused(request)) is not None:
        return refusal
    form = PostForm(request.POST)
    text = request.POST.get("body", "")
    if not form.is_valid():
        return refused(request, form_problems(form), status=400, form_text=text)
    data = form.cleaned_data
    parent = target = None
    if data["parent"] is not None:
        parent = Comment.objects.filter(pk=data["parent"]).first()
        if parent is None:
            return refused(
                request, f"There is no comment {data['parent']} to reply to.", status=404
            )
    else:
        kind, value = data["target_type"], data["target_id"]
        target = target_named(kind, value) if kind and value else None
        if target is None:
            return refused(request, "Nothing to comment on was named.", status=404, form_text=text)
    try:
        comment = comment_post(
            target=target, parent=parent, body=data["body"], actor=request.user, channel=WEB
        )
    except Refused as exc:
        return refused(request, str(exc), status=status_of(exc), form_text=text)
    messages.success(request, "Your reply is posted." if parent else "Your comment is posted.")
    return redirect(back_to(request, comment.target, comment))


def _comment_write(request, pk, write, success: str, form_class=None, action=Action.COMMENT):
    """Run one write on comment ``pk``: who may, the shape of the form, then the service."""
    if (refusal := _standing_refused(request, action)) is not None:
        return refusal
    comment = get_object_or_404(comments(), pk=pk)
    values = {}
    text = request.POST.get("body", "")
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            return refused(
                request, form_problems(form), status=400, comment=comment, form_text=text
            )
        values = form.cleaned_data
    try:
        comment = write(comment=comment, actor=request.user, channel=WEB, **values)
    except Refused as exc:
        return refused(request, str(exc), status=status_of(exc), comment=comment, form_text=text)
    messages.success(request, success)
    return redirect(back_to(request, comment.target, comment))


@require_POST
def comment_edit_view(request, pk):
    """The author's new text; the earlier one is kept."""
    return _comment_write(request, pk, comment_edit, "Your comment is saved.", EditForm)


@require_POST
def comment_resolve_view(request, pk):
    return _comment_write(request, pk, comment_resolve, "The comment is resolved.")


@require_POST
def comment_reopen_view(request, pk):
    return _comment_write(request, pk, comment_reopen, "The comment is open again.")


@require_POST
def comment_hide_view(request, pk):
    """A chair hides a comment, saying why."""
    return _comment_write(
        request, pk, comment_hide, "The comment is hidden.", HideForm, Action.COMMENT_HIDE
    )
