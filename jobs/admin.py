from django.contrib import admin
from django.utils.text import Truncator

from audit.admin import AuditTrailMixin
from bantu.core.admin import ReadOnlyAdmin, act_with_reason, set_or_not_filter
from taxonomy.admin import CategoryListFilter

from . import services
from .models import Job, JobStatusChange, SearchWord

RemovedFilter = set_or_not_filter("removed_at", title="moderation", parameter="removed", set_label="Removed",
                                   unset_label="Not removed")


class StatusChangeInline(admin.TabularInline):
    model = JobStatusChange
    extra = 0
    can_delete = False
    fields = ["created_at", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(JobStatusChange)
class JobStatusChangeAdmin(ReadOnlyAdmin):
    """The history of every job, read-only: status moves and moderation, with who and why."""

    list_display = ["created_at", "job", "from_status", "to_status", "actor", "note"]
    list_filter = ["to_status", "created_at"]
    search_fields = ["=job__id", "job__title", "note", "actor__email"]
    list_select_related = ["job", "actor"]
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(Job)
class JobAdmin(AuditTrailMixin, admin.ModelAdmin):
    list_display = ["short_title", "company", "category_name", "status", "budget", "province", "published_at",
                    "removed"]
    list_filter = ["status", RemovedFilter, "job_type", "location_type", "experience_level",
                   CategoryListFilter, "province", "published_at"]
    search_fields = ["title", "company__name", "city", "=id"]
    list_select_related = ["company", "category"]
    # Operators moderate (remove/restore with a reason); they do not rewrite a company's job. Content edits go
    # through the API's services, which keep skills_text, the audit trail and the cache versions right.
    readonly_fields = ["id", "company", "posted_by", "title", "description", "category", "skills", "job_type",
                       "budget_min", "budget_max", "currency", "location_type", "province", "city",
                       "experience_level", "deadline", "status", "published_at", "removed_at", "removed_reason",
                       "removed_by", "created_at", "updated_at", "audit_trail"]
    fields = readonly_fields
    date_hierarchy = "published_at"
    inlines = [StatusChangeInline]
    actions = ["remove_jobs", "restore_jobs"]
    show_full_result_count = False  # COUNT(*) over a million jobs on every page is not worth it

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="title", ordering="title")
    def short_title(self, job):
        return Truncator(job.title).chars(60)

    @admin.display(description="budget (IDR)", ordering="budget_max")
    def budget(self, job):
        return f"{job.budget_min:,} - {job.budget_max:,}".replace(",", ".")

    @admin.display(description="removed", boolean=True, ordering="removed_at")
    def removed(self, job):
        return job.removed_at is not None

    @admin.display(description="category", ordering="category__name")
    def category_name(self, job):
        return job.category.name  # the leaf: "Parent > Child" would take a third of the row

    @admin.action(description="Remove selected jobs (asks why)", permissions=["change"])
    def remove_jobs(self, request, queryset):
        return act_with_reason(
            self, request, queryset.filter(removed_at__isnull=True), title="Remove jobs",
            intro="Remove these jobs from search and detail for everyone but their companies and operators; their "
                  "companies are told why.", done="Removed",
            apply=lambda job, reason: services.job_remove(job=job, operator=request.user, reason=reason))

    @admin.action(description="Restore selected removed jobs (asks why)", permissions=["change"])
    def restore_jobs(self, request, queryset):
        return act_with_reason(
            self, request, queryset.filter(removed_at__isnull=False), title="Restore jobs",
            intro="Put these jobs back where they were before their removal.", done="Restored",
            apply=lambda job, reason: services.job_restore(job=job, operator=request.user, reason=reason))


@admin.register(SearchWord)
class SearchWordAdmin(ReadOnlyAdmin):
    """The job search's typo vocabulary (jobs.search): rebuilt hourly from open jobs and skills, so read-only."""

    list_display = ["word"]
    search_fields = ["word"]
    show_full_result_count = False
