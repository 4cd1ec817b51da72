from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.shortcuts import render

from bantu.core.admin import set_or_not_filter
from bantu.core.exceptions import ApplicationError

from . import services
from .models import Review

HiddenFilter = set_or_not_filter("hidden_at", title="moderation", parameter="hidden", set_label="Hidden",
                                  unset_label="Not hidden")


class HideForm(forms.Form):
    reason = forms.CharField(max_length=500, min_length=3, widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = [
        "short_comment",
        "side",
        "rating",
        "freelancer",
        "company",
        "status",
        "published_at",
        "hidden_at",
        "created_at",
    ]
    list_filter = ["status", HiddenFilter, "side", "rating"]
    search_fields = ["comment", "freelancer__email", "freelancer__full_name", "company__name", "=id", "=contract__id"]
    list_select_related = ["freelancer", "company"]
    date_hierarchy = "created_at"
    # Operators moderate (hide/unhide with a reason, through the services, which keep ratings right); nobody
    # rewrites what a party wrote or the stars that ratings are made of.
    readonly_fields = [
        "id",
        "contract",
        "side",
        "author",
        "freelancer",
        "company",
        "rating",
        "comment",
        "communication",
        "quality",
        "timeliness",
        "status",
        "published_at",
        "reply",
        "replied_at",
        "replied_by",
        "hidden_at",
        "hidden_reason",
        "hidden_by",
        "created_at",
        "updated_at",
    ]
    fields = readonly_fields
    actions = ["hide_reviews", "unhide_reviews"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="comment")
    def short_comment(self, review):
        return review.comment if len(review.comment) <= 60 else f"{review.comment[:59]}…"

    @admin.action(description="Hide selected reviews (asks for a reason)")
    def hide_reviews(self, request, queryset):
        form = HideForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            hidden = 0
            for review in queryset:
                try:
                    services.review_hide(review, by=request.user, reason=form.cleaned_data["reason"])
                except ApplicationError as exc:
                    self.message_user(request, f"{review}: {exc.detail}", messages.WARNING)
                    continue
                self.log_change(request, review, f"Hidden: {form.cleaned_data['reason']}")
                hidden += 1
            self.message_user(request, f"Hid {hidden} review(s).", messages.SUCCESS)
            return None
        return render(
            request,
            "admin/reviews/hide_reviews.html",
            {
                **self.admin_site.each_context(request),
                "title": "Hide reviews",
                "reviews": queryset,
                "form": form,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )

    @admin.action(description="Unhide selected hidden reviews")
    def unhide_reviews(self, request, queryset):
        shown = 0
        for review in queryset.filter(hidden_at__isnull=False):
            services.review_unhide(review, by=request.user)
            self.log_change(request, review, "Unhidden")
            shown += 1
        self.message_user(request, f"Unhid {shown} review(s).", messages.SUCCESS)
