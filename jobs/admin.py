from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.shortcuts import render

from bantu.core.exceptions import ApplicationError

from . import services
from .models import Job, JobStatusChange


class RemovedFilter(admin.SimpleListFilter):
    title = "moderation"
    parameter_name = "removed"

    def lookups(self, request, model_admin):
        return [("yes", "Removed"), ("no", "Not removed")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(removed_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(removed_at__isnull=True)
        return queryset


class StatusChangeInline(admin.TabularInline):
    model = JobStatusChange
    extra = 0
    can_delete = False
    fields = ["created_at", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class RemoveForm(forms.Form):
    reason = forms.CharField(max_length=500, min_length=3, widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["title", "company", "category", "status", "budget_min", "budget_max", "province",
                    "published_at", "removed_at"]
    list_filter = ["status", RemovedFilter, "job_type", "location_type", "experience_level",
                   ("category", admin.RelatedOnlyFieldListFilter), "province"]
    search_fields = ["title", "company__name", "city", "=id"]
    list_select_related = ["company", "category"]
    # Operators moderate (remove/restore with a reason); they do not rewrite a company's job. Content edits go
    # through the API's services, which keep skills_text, the audit trail and the cache versions right.
    readonly_fields = ["id", "company", "posted_by", "title", "description", "category", "skills", "job_type",
                       "budget_min", "budget_max", "currency", "location_type", "province", "city",
                       "experience_level", "deadline", "status", "published_at", "removed_at", "removed_reason",
                       "removed_by", "created_at", "updated_at"]
    fields = readonly_fields
    date_hierarchy = "published_at"
    inlines = [StatusChangeInline]
    actions = ["remove_jobs", "restore_jobs"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
    show_full_result_count = False  # COUNT(*) over a million jobs on every page is not worth it

    @admin.action(description="Remove selected jobs (asks for a reason)")
    def remove_jobs(self, request, queryset):
        form = RemoveForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            removed = 0
            for job in queryset:
                try:
                    services.job_remove(job=job, operator=request.user, reason=form.cleaned_data["reason"])
                except ApplicationError as exc:
                    self.message_user(request, f"{job}: {exc.detail}", messages.WARNING)
                    continue
                self.log_change(request, job, f"Removed: {form.cleaned_data['reason']}")
                removed += 1
            self.message_user(request, f"Removed {removed} job(s).", messages.SUCCESS)
            return None
        return render(request, "admin/jobs/remove_jobs.html", {
            **self.admin_site.each_context(request), "title": "Remove jobs", "jobs": queryset, "form": form,
            "action_checkbox_name": ACTION_CHECKBOX_NAME, "opts": self.model._meta,
        })

    @admin.action(description="Restore selected removed jobs")
    def restore_jobs(self, request, queryset):
        restored = 0
        for job in queryset.filter(removed_at__isnull=False):
            services.job_restore(job=job, operator=request.user)
            self.log_change(request, job, "Restored")
            restored += 1
        self.message_user(request, f"Restored {restored} job(s).", messages.SUCCESS)
