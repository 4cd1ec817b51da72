"""Reads of the jobs app: visibility and search.

Search on PostgreSQL: the trigger-maintained `search_vector` (title A, skills B, description C; Indonesian and
English stemming) matched with `websearch_to_tsquery` in both configurations, OR the title being
word-similar to the query (pg_trgm, for typos), ranked by `ts_rank` plus title similarity. Both conditions
use partial GIN indexes over open jobs. On SQLite (embedded default) every word must appear in the title,
skills or description, and title matches rank first; the filters are the same.
"""

import re

from django.conf import settings
from django.db.models import BooleanField, Case, F, FloatField, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from bantu.core.permissions import company_roles, is_platform_admin
from taxonomy.models import Skill

from .models import Job

MAX_QUERY_WORDS = 12


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


def job_search_base(*, user, company_id=None) -> QuerySet[Job]:
    """What a search starts from: open, not removed jobs; or, for members and operators asking about one
    company, all of that company's jobs."""
    if company_id is not None and (company_id in company_roles(user) or is_platform_admin(user)):
        return _base().filter(company_id=company_id)
    queryset = _base().filter(status=Job.Status.OPEN, removed_at__isnull=True)
    if company_id is not None:
        queryset = queryset.filter(company_id=company_id)
    return queryset


def job_text_search(queryset: QuerySet[Job], text: str) -> QuerySet[Job]:
    """Filter by `text` and annotate `relevance` (higher is better)."""
    if settings.USING_POSTGRES:
        return _search_postgres(queryset, text)
    return _search_simple(queryset, text)


NEGATION = re.compile(r"(^|\s)-\S")


def _search_postgres(queryset: QuerySet[Job], text: str) -> QuerySet[Job]:
    tsquery = ("(websearch_to_tsquery('pg_catalog.indonesian', %s) "
               "|| websearch_to_tsquery('pg_catalog.english', %s))")
    # "kopi -logo" must not match a title by similarity to "logo": the typo branch knows no negation.
    negated = NEGATION.search(text) is not None
    typo_branch = "FALSE" if negated else "%s <%% jobs_job.title"
    typo_params = () if negated else (text,)
    return queryset.annotate(
        relevance=RawSQL(  # noqa: S611  (the user's text is a bound parameter, never part of the SQL)
            f"ts_rank(jobs_job.search_vector, {tsquery}) + word_similarity(%s, jobs_job.title)",
            (text, text, text),
            output_field=FloatField(),
        )
    ).filter(
        RawSQL(  # noqa: S611  (bound parameters)
            f"(jobs_job.search_vector @@ {tsquery} OR {typo_branch})", (text, text, *typo_params),
            output_field=BooleanField(),
        )
    )


def _search_simple(queryset: QuerySet[Job], text: str) -> QuerySet[Job]:
    words = text.split()[:MAX_QUERY_WORDS]
    for word in words:
        queryset = queryset.filter(
            Q(title__icontains=word) | Q(skills_text__icontains=word) | Q(description__icontains=word)
        )
    title_hits = [When(title__icontains=word, then=Value(1)) for word in words]
    return queryset.annotate(
        relevance=Case(When(title__icontains=text, then=Value(len(words) + 1)), default=Value(0),
                       output_field=IntegerField())
        + sum((Case(hit, default=Value(0), output_field=IntegerField()) for hit in title_hits), Value(0))
    )


def order_by_relevance(queryset: QuerySet[Job]) -> QuerySet[Job]:
    return queryset.order_by(F("relevance").desc(), "-published_at", "-pk")
