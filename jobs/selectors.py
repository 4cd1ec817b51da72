"""Reads of the jobs app: which jobs a user may open. The search is `jobs.search.job_search`."""

from django.db.models import Prefetch, Q, QuerySet

from bantu.core.permissions import company_roles, is_platform_admin
from taxonomy.models import Skill

from .models import Job


def _base() -> QuerySet[Job]:
    return Job.objects.select_related("company", "category", "category__parent").prefetch_related(
        Prefetch("skills", queryset=Skill.objects.only("id", "slug", "name").order_by("name"))
    )


def job_visible_to(user) -> QuerySet[Job]:
    """Jobs `user` may open: public ones (not drafts, not removed), plus everything of their companies, plus
    everything for operators."""
    if is_platform_admin(user):
        return _base()
    public = Q(removed_at__isnull=True) & ~Q(status=Job.Status.DRAFT)
    companies = list(company_roles(user))
    if companies:
        return _base().filter(public | Q(company_id__in=companies))
    return _base().filter(public)


def job_get_visible(*, user, job_id) -> Job | None:
    return job_visible_to(user).filter(pk=job_id).first()
