"""Admin actions that ask the operator why before they act: the reason goes to the service, which keeps it in the
audit log and tells the affected users."""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.template.response import TemplateResponse

from bantu.core.exceptions import ApplicationError

PREVIEW = 100


class ReasonForm(forms.Form):
    reason = forms.CharField(
        min_length=3,
        max_length=500,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why. Kept in the audit log and shown to the people affected.",
    )


def act_with_reason(
    modeladmin, request, queryset, *, title: str, intro: str, done: str, apply: Callable[[object, str], object]
):
    """The body of an admin action: the first POST (from the changelist) answers a form asking for a reason; the
    second, with a valid `reason`, calls `apply(obj, reason)` for each selected object and reports how many
    succeeded. A service refusing one object (ApplicationError: a conflict, a forbidden move) is reported as a
    warning for that object and the others go on."""
    form = ReasonForm(request.POST if "reason" in request.POST else None)
    if not form.is_valid():
        # A page holds at most list_per_page (100) rows; "select all" across pages is carried by select_across,
        # so the form lists a preview and says how many more.
        preview = list(queryset[:PREVIEW])
        more = queryset.count() - len(preview) if len(preview) == PREVIEW else 0
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "intro": intro,
            "form": form,
            "objects": preview,
            "more": more,
            "action": request.POST.get("action", ""),
            "select_across": request.POST.get("select_across", "0"),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "opts": modeladmin.model._meta,
        }
        return TemplateResponse(request, "backoffice/action_reason.html", context)
    reason = form.cleaned_data["reason"]
    count = 0
    for obj in queryset:
        try:
            apply(obj, reason)
        except ApplicationError as error:
            modeladmin.message_user(request, f"{obj}: {error.detail}", messages.WARNING)
            continue
        modeladmin.log_change(request, obj, f"{done}: {reason}")
        count += 1
    modeladmin.message_user(request, f"{done}: {count} of {len(queryset)}.", messages.SUCCESS)
    return None
