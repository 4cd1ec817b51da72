"""Job search (PRODUCT.md §2.2): the one place that decides what a search means. `job_search(user=, params=)`
takes parsed parameters (`SearchParams`; `jobs/api/filters.py` parses and documents them) and answers a
`JobSearch`: which jobs a user may search, the filters, text matching, typo correction, ordering, the capped
count, and pages (page numbers or keyset positions).

Text on PostgreSQL: the trigger-maintained `search_vector` (title A, skills B, description C; Indonesian and
English stemming; partial GIN index over open jobs) matched with `websearch_to_tsquery` in both configurations.
The cost of a search must not grow with the table, so:

- **Typos** are corrected only when the full-text query finds nothing: each word of the query that is not in the
  vocabulary (`SearchWord`: the words of open jobs' titles and of skill names, a few thousand rows with a trigram
  index) is replaced by its most similar vocabulary word, and the search runs again; not when the words find jobs
  without the filters (the filters left nothing, not the words). No trigram check per job.
- **Counting** stops at `BANTU["SEARCH_COUNT_CAP"]` (1,000) matches: `count` is then the cap and `count_capped`
  true (`SELECT count(*) FROM (… LIMIT 1001)`).
- **A parent category with text**: the count first reads up to `BANTU["SEARCH_CATEGORY_PROBE"]` (2,000) of the
  text's matches; where they lie in the category, it is checked on the matches rather than read as a bitmap of
  a seventh of all jobs (`JobSearch._count_matches`).
- **Relevance** (`ts_rank`) is computed for a bounded candidate set, the newest `BANTU["SEARCH_RANKED_CANDIDATES"]`
  (500) matches, ranked best first; further matches follow newest first. A broad word's best match among the
  newest 500 is what a freelancer wants; ranking 40,000 matches at 1M jobs cost 0.2 to 2 s.
- **Deep browsing** newest first has keyset positions (`after`), which cost the same on page 1 and page 10,000.
- **Budget orders of a category** walk that category's budget index; a parent category's, each child's first
  jobs (`JobSearch._ordered`), since budgets follow the category.
- **Text in an order** (budget, newest, oldest), past the count cap: PostgreSQL walks the
  order's index checking the text, which is fast when matches are spread through the order and slow when they
  gather at its far end (`kemasan produk` by highest budget: 124 ms), or sorts all the matches, which costs about
  2 µs each (`desain`'s 82,000: 238 ms). No statistic tells which in advance, so the walk gets
  `BANTU["SEARCH_WALK_TIMEOUT_MS"]` (15 ms) and the sort runs when it times out (`_walk_or_sort`). In a budget
  order the words' matches often gather at a far end (budgets follow categories), and the count has just read
  how many jobs the words match (`_count_and_text_matches`): at most `BANTU["SEARCH_SORT_BOUND"]` (10,000), the
  sort costs about the walk's limit and runs without the walk.
- **Both languages, one query when they agree**: `q` is parsed with the Indonesian and the English configuration
  and a job matches either; when both read it alike (`python`), the plan sees one tsquery (`_EitherLanguage`).

On SQLite (the embedded default) every word of `q` must appear in the title, skills or description, and title
matches rank first; typos are corrected against the same vocabulary with difflib. Filters, the count cap, the
candidate bound and keyset positions are the same on both databases.
"""

import datetime
import difflib
import json
import logging
import re
import time
import uuid
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.contrib.postgres.search import CombinedSearchQuery, SearchQuery, SearchRank
from django.db import OperationalError, connection, transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce
from django.utils.functional import cached_property
from psycopg.errors import QueryCanceled

from bantu.core.permissions import company_roles, is_platform_admin
from bantu.core.rowlock import db_value
from bantu.core.sql import column, table
from taxonomy.models import Category, Skill

from .models import Job, SearchWord

logger = logging.getLogger(__name__)

MAX_QUERY_WORDS = 12
ORDERINGS = {
    "relevance": "Best match first (needs `q`; without it, newest first): the newest "
                 "500 matches ranked by relevance, then any further matches newest first.",
    "newest": "Most recently published first.",
    "oldest": "Least recently published first.",
    "budget": "Lowest budget first.",
    "-budget": "Highest budget first.",
}
_ORDER_BY = {
    "newest": ("-published_at", "-pk"),
    "oldest": ("published_at", "pk"),
    "budget": ("budget_min", "-pk"),
    "-budget": ("-budget_max", "-pk"),
}
# Vocabulary words: ASCII letters only, the same in Python and in SQL whatever the database's collation.
WORD = re.compile(r"[a-z]+")
WORD_SQL_SEPARATOR = "[^a-z]+"
MIN_WORD_LENGTH, MAX_WORD_LENGTH = 3, 40
# How alike a correction must be: pg_trgm similarity (PostgreSQL), difflib ratio (SQLite).
TRIGRAM_SIMILARITY = 0.4
DIFFLIB_RATIO = 0.75


@dataclass(frozen=True)
class SearchParams:
    """Parsed, validated search input. `category_ids` are the ids of a category and of its children (None: any
    category; `category_ids_of` resolves a slug); `skill_ids` are ids of existing skills
    (any of them matches); budgets are integer rupiah (a job matches when its range overlaps); `posted_since` is
    an aware datetime; `company_id` a UUID; `ordering` a key of ORDERINGS or None for the default (relevance with
    `q`, else newest)."""

    q: str = ""
    category_ids: tuple[int, ...] | None = None
    skill_ids: tuple[int, ...] = ()
    location_type: str | None = None
    province: str | None = None
    city: str | None = None
    job_type: str | None = None
    experience_level: str | None = None
    budget_min: int | None = None
    budget_max: int | None = None
    posted_since: datetime.datetime | None = None
    company_id: uuid.UUID | None = None
    status: str | None = None
    ordering: str | None = None


@dataclass(frozen=True)
class Position:
    """A place in newest-first order: just after (or, `backwards`, just before) the job published at
    `published_at` (UTC; None for a never-published draft, which sorts last) with id `job_id`."""

    published_at: datetime.datetime | None
    job_id: uuid.UUID
    backwards: bool = False


# The columns a search's rows read: what a search result shows (`jobs.api.serializers.JobListSerializer`, which
# tests/jobs/api/test_job_serializers.py checks reads nothing else) and the keys of the orders and cursors. Not the
# search vector, the removal or the companies' profiles: 20 rows read in 3.3 ms instead of 3.9 on a 2-core machine.
LISTED_FIELDS = (
    "id", "title", "description", "job_type", "budget_min", "budget_max", "currency", "location_type", "province",
    "city", "experience_level", "deadline", "status", "published_at", "created_at",
    "company__id", "company__name", "company__slug", "company__verified",
    "category__slug", "category__name", "category__parent_id", "category__parent__slug",
)


def _rows() -> QuerySet[Job]:
    # The skills are read for a page's rows by `with_skills`.
    return Job.objects.select_related("company", "category", "category__parent").only(*LISTED_FIELDS)


def with_skills(jobs: list[Job]) -> list[Job]:
    """`jobs`, each given `listed_skills`: its skills as (slug, name) pairs, by name (what
    `jobs.api.serializers.JobListSerializer` shows). One statement, none for no jobs, written as SQL
    (`bantu.core.sql`): it runs on every page, and Django's prefetch, which builds a manager and a queryset per job
    and a Skill per skill, cost 2.4 ms for 20 jobs on a 2-core machine, a values query 1.3 ms, this 0.4 ms
    (docs/benchmarks.md, "Eighth round")."""
    if not jobs:
        return jobs
    through, job_id = Job.skills.through, Job._meta.pk
    job_column, skill_id = column(through, "job"), column(Skill, "id")
    # Only model table and column names, quoted by the backend, are formatted in; values are parameters.
    statement = (
        f"SELECT js.{job_column}, s.{column(Skill, 'slug')}, s.{column(Skill, 'name')} "  # noqa: S608
        f"FROM {table(through)} js INNER JOIN {table(Skill)} s ON s.{skill_id} = js.{column(through, 'skill')} "
        f"WHERE js.{job_column} IN ({', '.join(['%s'] * len(jobs))}) ORDER BY s.{column(Skill, 'name')}, s.{skill_id}")
    skills: dict = {job.pk: [] for job in jobs}
    with connection.cursor() as cursor:
        cursor.execute(statement, [db_value(Job, "id", job.pk) for job in jobs])
        for job, slug, name in cursor.fetchall():
            skills[job_id.to_python(job)].append((slug, name))  # a UUID, also from SQLite's hex text
    for job in jobs:
        job.listed_skills = skills[job.pk]
    return jobs


def category_ids_of(slug: str) -> tuple[int, ...]:
    """The ids of the category `slug` and of its children (a parent category includes them); () when no category
    has that slug. One query."""
    return tuple(sorted(Category.objects.filter(Q(slug=slug) | Q(parent__slug=slug)).values_list("id", flat=True)))


def job_search(*, user, params: SearchParams) -> "JobSearch":
    """The search `user` asked for. Open, not removed jobs; or, for members of `params.company_id` and operators,
    every job of that company (`private`: drafts included, never shared through the cache). Reads the user's
    company roles when `params.company_id` is given; no other query until its count or a page is asked for."""
    private = params.company_id is not None and (params.company_id in company_roles(user) or is_platform_admin(user))
    if private:
        queryset = _rows().filter(company_id=params.company_id)
    else:
        queryset = _rows().filter(status=Job.Status.OPEN, removed_at__isnull=True)
        if params.company_id is not None:
            queryset = queryset.filter(company_id=params.company_id)
    filtered = _filtered(queryset, params)
    text = params.q.strip()
    ordering = params.ordering or ("relevance" if text else "newest")
    if ordering == "relevance" and not text:
        ordering = "newest"
    parent = text and params.category_ids is not None and len(params.category_ids) > 1
    return JobSearch(filtered=filtered, text=text, ordering=ordering, private=private,
                     category_ids=params.category_ids, unfiltered=None if filtered is queryset else queryset,
                     uncategorized=_filtered(queryset, replace(params, category_ids=None)) if parent else None)


def _filtered(queryset: QuerySet[Job], params: SearchParams) -> QuerySet[Job]:
    """`queryset` with the filters of `params`; `queryset` itself when there are none."""
    if params.category_ids is not None:
        # Ids, not a subquery: PostgreSQL then combines one bitmap of the categories with the text's, instead of
        # scanning the text index once per category in a nested loop (203 against 49 ms at 1,000,000 jobs for
        # `q=web developer&category=engineering-architecture&ordering=budget`, docs/benchmarks.md). With text and
        # a parent category, JobSearch may check the category on the text's matches instead (`_in_category`).
        queryset = queryset.filter(category_id__in=params.category_ids)
    if params.skill_ids:
        queryset = queryset.filter(Exists(Job.skills.through.objects.filter(job_id=OuterRef("pk"),
                                                                         skill_id__in=params.skill_ids)))
    exact = {"location_type": params.location_type, "province": params.province, "job_type": params.job_type,
             "experience_level": params.experience_level, "status": params.status}
    if any(exact.values()):
        queryset = queryset.filter(**{name: value for name, value in exact.items() if value})
    if params.city:
        queryset = queryset.filter(city__iexact=params.city)
    if params.budget_min is not None:
        queryset = queryset.filter(budget_max__gte=params.budget_min)
    if params.budget_max is not None:
        queryset = queryset.filter(budget_min__lte=params.budget_max)
    if params.posted_since is not None:
        queryset = queryset.filter(published_at__gte=params.posted_since)
    return queryset


@dataclass
class JobSearch:
    """One search. `count` and `count_capped` (one capped count query, after a probe with text and a parent
    category; when it found nothing, a vocabulary lookup, and when that corrects a word, the corrected count,
    after, with filters, the text's own capped count says the words themselves find nothing), then
    `page(offset, limit)` or `after(position, limit)` (each a page query plus its skills, `with_skills`)."""

    filtered: QuerySet[Job]
    text: str
    ordering: str
    private: bool
    category_ids: tuple[int, ...] | None = None
    unfiltered: QuerySet[Job] | None = None  # the jobs searched before the filters, when there are filters
    # With text and a parent category: the jobs searched with every filter but the category (see `_in_category`).
    uncategorized: QuerySet[Job] | None = None
    corrected_text: str | None = field(default=None, init=False)
    category_checked: bool = field(default=False, init=False)
    # PostgreSQL, text ranked or in a budget order, from the count's plan (`_count_and_text_matches`): how many open
    # jobs the words match, before the other filters, and about how many of them pass the filters too.
    text_matches: int | None = field(default=None, init=False)
    matches_estimate: int | None = field(default=None, init=False)
    text_estimate: int | None = field(default=None, init=False)  # PostgreSQL's own estimate of text_matches
    # When the count found every match (at most the cap) and read their ids (`_count_and_ids`): the ids.
    match_ids: list | None = field(default=None, init=False)

    @property
    def ranked(self) -> bool:
        return self.ordering == "relevance"

    @property
    def matches(self) -> QuerySet[Job]:
        text = self.corrected_text or self.text
        if not text:
            return self.filtered
        if self.category_checked:
            return _in_category(_text_match(self.uncategorized, text), self.category_ids)
        return _text_match(self.filtered, text)

    # Django's cached_property: functools' (Python < 3.12) holds one lock for every instance of the class, so
    # concurrent searches waited for each other's count while holding their database connections.
    @cached_property
    def _capped_count(self) -> int:
        found = self._count_matches()
        if found == 0 and self.text:
            corrected = correct_typos(self.text)
            if corrected != self.text and not self._words_match_without_the_filters():
                self.corrected_text = corrected
                found = self._count_matches()
        return found

    def _count_matches(self) -> int:
        """The matches, counted up to the cap + 1. With a parent category and text, first a probe: at most
        BANTU["SEARCH_CATEGORY_PROBE"] of the text's matches (with the other filters), and how many of them are
        in the category. When the probe saw every match, that is the count; when the category holds more than the
        cap of them, the count is capped; in both cases the category is then checked on the text's matches
        (`category_checked`), which is cheap where they lie in it. Otherwise (a text with many matches, few of
        them in the category) the count and the pages AND the category's bitmap with the text's. A parent's
        bitmap holds a seventh of all jobs (20 ms to build at 1,000,000 jobs, in the count and in the page), and
        PostgreSQL, which cannot know whether a text belongs to a category, plans as if the category removed six
        matches in seven (`q=desain&category=design-creative`: 152 ms). Always checking the category on the
        matches made a broad word foreign to the category read every one of its matches instead
        (`q=desain&category=programming-tech`: 138 ms against 32). With the probe, at 1,000,000 jobs: 46 and
        58 ms; 25 searches with a parent category, 1,088 to 1,102 ms in all against 1,215 to 1,234, the slowest 74
        against 154 (docs/benchmarks.md, "Seventh round"). One query, two when the probe cannot tell."""
        cap = settings.BANTU["SEARCH_COUNT_CAP"]
        self.category_checked = False
        self.text_matches = self.matches_estimate = self.text_estimate = self.match_ids = None
        if self.uncategorized is not None:
            examined, in_category = _probe(_text_match(self.uncategorized, self.corrected_text or self.text),
                                           self.category_ids, settings.BANTU["SEARCH_CATEGORY_PROBE"])
            if examined < settings.BANTU["SEARCH_CATEGORY_PROBE"] or in_category > cap:
                self.category_checked = True
                return min(in_category, cap + 1)
        if self.ordering in ("relevance", "budget", "-budget") and self.text and connection.vendor == "postgresql":
            counted = _count_and_text_matches(self.matches, cap + 1)
            self.text_matches, self.matches_estimate = counted.text_matches, counted.matches_estimate
            self.text_estimate = counted.text_estimate
            return counted.found
        found, self.match_ids = _count_and_ids(self.matches, cap + 1)
        return found

    def _words_match_without_the_filters(self) -> bool:
        """Whether the text finds jobs when the filters are left out, asked before a correction is counted: then
        the filters are what left nothing, and the correction would search again for words that are fine
        (`websit toko onlin`, not vocabulary words, has the stems of `website toko online`: 47 ms counted twice
        at 1,000,000 jobs). False without filters, where the count just made was that search. One query, capped
        like the count (so planned like it: an EXISTS walked the whole table for a word found nowhere, 0.8 s)."""
        if self.unfiltered is None:
            return False
        return _count_and_ids(_text_match(self.unfiltered, self.text), settings.BANTU["SEARCH_COUNT_CAP"] + 1)[0] > 0

    @property
    def count(self) -> int:
        """Matches, at most BANTU["SEARCH_COUNT_CAP"]."""
        return min(self._capped_count, settings.BANTU["SEARCH_COUNT_CAP"])

    @property
    def count_capped(self) -> bool:
        """More jobs match than `count` says."""
        return self._capped_count > settings.BANTU["SEARCH_COUNT_CAP"]

    @property
    def _bounded(self) -> QuerySet[Job]:
        """The matches, for a page query. When the count found them all (at most the cap), as `pk IN (the
        matches, LIMIT cap + 1)`: PostgreSQL then reads those few rows through the filters' indexes and sorts them,
        instead of walking an ordering index (budget, published_at) past thousands of rows that fail a selective
        filter or the text. With the ids the count read (`match_ids`), those ids: the matches are not looked for
        again (`q=admin toko online&province=Sulawesi Tenggara&ordering=newest`, 40 of 7,284 text matches in the
        province, cost 20 ms to find, in the count and again in the page). Call after `count`."""
        if self.count_capped:
            return self.matches
        if self.match_ids is not None:
            return _rows().filter(pk__in=self.match_ids)
        return _rows().filter(pk__in=_first_ids(self.matches, settings.BANTU["SEARCH_COUNT_CAP"] + 1))

    def page(self, offset: int, limit: int) -> list[Job]:
        """Jobs `offset` to `offset + limit` in this search's order (call after `count`), with their skills
        (`with_skills`). Relevance: the ranked candidates first (one query), then the newest-first rest (a second
        query only for a page that straddles both)."""
        if not self.ranked:
            depth = offset + limit
            if not self._raced:
                return with_skills(list(self._ordered(self.ordering, depth)[offset:depth]))
            sort = self._ordered(self.ordering, depth, sort=True).values_list("pk", flat=True)[offset:depth]
            if self._few_to_sort:
                return with_skills(rows_in_order(list(sort)))
            return with_skills(_walk_or_sort(self._ordered(self.ordering, depth)[offset:depth], sort))
        bound = settings.BANTU["SEARCH_RANKED_CANDIDATES"]
        rows = []
        if offset < bound:
            rows += self._ranked_page(bound, offset, min(offset + limit, bound))
        if offset + limit > bound:
            rows += list(self._bounded.order_by(*self._order_by("newest"))[max(offset, bound):offset + limit])
        return with_skills(rows)

    @property
    def _raced(self) -> bool:
        """Whether a page walks its order's index under a time limit, then sorts (`_walk_or_sort`): text in an order
        other than relevance (whose walk reads 500 candidates: sorting instead made the mix slower), past the count
        cap (up to it `_bounded` reads the few matches directly), in a public search. Call after `count`."""
        return bool(self.text) and not self.ranked and self.count_capped and not self.private

    @property
    def _few_to_sort(self) -> bool:
        """Whether a raced page sorts without walking first: its words match at most BANTU["SEARCH_SORT_BOUND"]
        open jobs (known in budget orders only, `_count_matches`). Sorting them costs about the walk's time limit,
        which words gathered at the far end of the order exhaust before the sort runs anyway (at 1,000,000 jobs:
        `q=kemasan produk&ordering=-budget`, 8,320 matches, 48 ms with the walk and 31 without; docs/benchmarks.md,
        "Eighth round"). Call after `count`."""
        return self.text_matches is not None and self.text_matches <= settings.BANTU["SEARCH_SORT_BOUND"]

    def _ordered(self, ordering: str, depth: int, *, sort: bool = False) -> QuerySet[Job]:
        """The matches in `ordering`, of which the first `depth` will be read (call after `count`).

        Budget orders of a parent category without text, when more than the cap match (PostgreSQL): the first
        `depth` of each child category (`jobs_open_cat_budget_*_idx`, one short index range each) in one
        `UNION ALL`, then those few rows in order. Budgets follow the category, so walking the global budget
        index checked tens of thousands of other categories' jobs first: at 1,000,000 jobs 77 and 102 ms became
        19 and 53 ms; where a parent's budgets lead the global order, 12 ms became 18 (docs/benchmarks.md).
        Not with text: each child's range would be walked checking the text. SQLite cannot order the parts of a
        compound query; it keeps the one plain query."""
        order = self._order_by(ordering)
        queryset = self._bounded
        children = self.category_ids or ()
        if (ordering in ("budget", "-budget") and not self.text and len(children) > 1 and self.count_capped
                and connection.features.supports_slicing_ordering_in_compound):
            parts = [queryset.filter(category_id=child).order_by(*order).values("pk")[:depth] for child in children]
            queryset = _rows().filter(pk__in=parts[0].union(*parts[1:], all=True))
        return queryset.order_by(*(_unindexed(order) if sort else order))

    def after(self, position: Position | None, limit: int) -> list[Job]:
        """Up to `limit` jobs in newest-first order after `position` (from the start when None), or, for a
        `backwards` position, the `limit` jobs just before it (still newest first). Only for newest-first
        searches (`ordering` newest, or no `q`): the caller checks; call after `count`. Keyset: the cost does not
        grow with the depth (an index range on published_at, id). With their skills (`with_skills`)."""
        queryset = self._bounded
        forwards = position is None or not position.backwards
        if position is not None:
            queryset = queryset.filter(self._beyond(position))
        order = self._order_by("newest") if forwards else self._order_by("oldest")
        rows = with_skills(list(queryset.order_by(*order)[:limit]))
        return rows if forwards else rows[::-1]

    def _order_by(self, ordering: str):
        # Drafts of a company's private search have no published_at: last in newest order, on both databases. The
        # public search has none, and a plain DESC uses the published_at index (NULLS LAST would not).
        if self.private and ordering in ("newest", "oldest"):
            published = F("published_at")
            if ordering == "newest":
                return published.desc(nulls_last=True), "-pk"
            return published.asc(nulls_first=True), "pk"
        return _ORDER_BY[ordering]

    def _beyond(self, position: Position) -> Q:
        published, job_id = position.published_at, position.job_id
        if not position.backwards:
            if published is None:
                return Q(published_at__isnull=True, pk__lt=job_id)
            later = Q(published_at__lt=published) | Q(published_at=published, pk__lt=job_id)
            return later | Q(published_at__isnull=True) if self.private else Q(published_at__lte=published) & later
        if published is None:
            return Q(published_at__isnull=False) | Q(published_at__isnull=True, pk__gt=job_id)
        earlier = Q(published_at__gt=published) | Q(published_at=published, pk__gt=job_id)
        return earlier if self.private else Q(published_at__gte=published) & earlier

    def _ranked_page(self, bound: int, start: int, stop: int) -> list[Job]:
        """Ranked jobs `start` to `stop` (< `bound`), their candidates found the way `_candidates_way` says."""
        way = self._candidates_way
        if way == "recent":
            page = self._ranked_candidates(bound, sort=True, since=self._candidates_since).annotate(
                candidates=Window(Count("pk")))
            rows = _under(_HEAP_ROWS_COUNT, lambda: list(page[start:stop]))
            if rows and rows[0].candidates == bound:
                return rows
            # Fewer matches were published since then than the candidates (or the page lay past them): these words'
            # matches lie further back in time than most jobs, and all of them are sorted.
            way = "sort"
        if way == "sort":
            return list(self._ranked_candidates(bound, sort=True)[start:stop])
        page = self._ranked_candidates(bound)[start:stop]
        if way == "walk":
            return _walk_or_sort(page, self._ranked_candidates(bound, sort=True).values_list("pk", flat=True)[
                start:stop], timeout=settings.BANTU["SEARCH_CANDIDATES_WALK_TIMEOUT_MS"])
        return list(page)

    @cached_property
    def _candidates_since(self) -> datetime.datetime | None:
        """PostgreSQL, when the count's plan estimated the matches (`matches_estimate`, M): the time (UTC) since
        which about BANTU["SEARCH_CANDIDATES_MARGIN"] (2) times relevance's candidates (500) were published, if
        the matches were published through time as jobs were (`_published_since`); None when that is more than
        CANDIDATES_SHARE_MAX of the matches, or without the statistics or the index of published times. Call
        after `count`."""
        margin = settings.BANTU["SEARCH_CANDIDATES_MARGIN"]
        if not margin or self.matches_estimate is None:
            return None
        share = margin * settings.BANTU["SEARCH_RANKED_CANDIDATES"] / max(self.matches_estimate, 1)
        return _published_since(share) if share <= CANDIDATES_SHARE_MAX else None

    @property
    def _candidates_way(self) -> str | None:
        """How relevance's candidates, the newest `bound` = BANTU["SEARCH_RANKED_CANDIDATES"] (500) matches, are
        found past the count cap when the count's plan measured the text's matches (`text_matches`, T) and
        estimated those that pass the filters (`matches_estimate`, M), on PostgreSQL. A walk of the published_at
        index, checking the text and filters on each job, reads about bound * open jobs / M jobs; a sort reads the
        T matches; both find the newest `bound`.

        - "recent" when `_candidates_since` gives a time and the walk would read more jobs than T: the newest
          `bound` matches are looked for among the jobs published since then, the index of published times
          (jobs.0009) ANDed with the text's bitmap, which reads the matches of the recent table pages only (all
          the jobs of those pages are checked: about 5 * 2 * bound * T / M rows at 1,000,000 jobs). At 1,000,000
          jobs: `q=social media manager`, T 10,276, 9.5 ms instead of a 15 ms sort; `q="video editor"` 12 instead
          of 31 (docs/benchmarks.md, "Ninth round"). When fewer than `bound` were published since, "sort".
        - "walk" when it reads at most BANTU["SEARCH_WALKED_PER_SORTED"] (1.65) * T jobs, the jobs the walk reads in
          the time a sort of the T matches takes, and "sort" otherwise. The 1.65 is where the two cost the same
          between `edit video youtube` (13,869 matches, the sort 3 ms faster) and `business plan` (15,963, the walk
          9 ms faster) at 1,000,000 jobs (docs/benchmarks.md, "Eighth round").
        - None (as PostgreSQL plans it) for a walk PostgreSQL makes on its own, when its estimate of the words'
          matches is at least half of them (`website`, `logo`): making it costs a statement and a savepoint; and
          without the count's figures. PostgreSQL's own choice rests on its estimate of the matches, which
          multiplies the words' frequencies as if they were independent (`penerjemah inggris`: 3,544 estimated,
          16,994 found).

        Call after `count`."""
        ratio = settings.BANTU["SEARCH_WALKED_PER_SORTED"]
        if not ratio or self.matches_estimate is None or not self.count_capped or self.private:
            return None
        open_jobs = _open_jobs_estimate()
        if open_jobs is None:
            return None
        walked = settings.BANTU["SEARCH_RANKED_CANDIDATES"] * open_jobs / max(self.matches_estimate, 1)
        if walked > self.text_matches and self._candidates_since is not None:
            return "recent"
        if walked > ratio * self.text_matches:
            return "sort"
        if self.text_estimate is not None and self.text_estimate * 2 >= self.text_matches:
            return None  # PostgreSQL knows the words are broad and walks: no need to make it (a statement less)
        return "walk"

    def _ranked_candidates(self, bound: int, *, sort: bool = False,
                           since: datetime.datetime | None = None) -> QuerySet[Job]:
        # A subquery with LIMIT is planned on its own (like a materialized CTE): the newest `bound` matches come
        # from the indexes, and only they are ranked; `sort`: every match sorted (`_unindexed`), never a walk;
        # `since`: only the matches published since then.
        newest = self._order_by("newest")
        candidates = self._bounded if since is None else self._bounded.filter(published_at__gte=since)
        candidates = candidates.order_by(*(_unindexed(newest) if sort else newest)).values("pk")[:bound]
        text = self.corrected_text or self.text
        return _rows().filter(pk__in=candidates).annotate(relevance=_relevance(text)).order_by(
            F("relevance").desc(), F("published_at").desc(nulls_last=True), "-pk")


def _unindexed(order) -> tuple:
    """`order` (field names, `-` for descending) with its first key wrapped so that no index provides it:
    `COALESCE(col, col)` sorts as the column does (the same NULLs), but PostgreSQL cannot walk an index for it, and
    sorts the matches it finds through the text index instead."""
    first, *rest = order
    column = first.lstrip("-")
    key = Coalesce(F(column), F(column))
    return (key.desc() if first.startswith("-") else key.asc(), *rest)


def _under(plan_settings: dict[str, str], run):
    """What `run()` returns, run in a transaction of its own (a savepoint inside a caller's) under `plan_settings`
    (PostgreSQL settings, as SET LOCAL: they end with it), set in one statement with the values in force before;
    inside a caller's transaction they are put back afterwards (a savepoint's SET LOCAL lasts until the caller's
    transaction ends; a rolled-back savepoint undoes them itself). Raises what `run` raises."""
    names = list(plan_settings)
    before = ", ".join(f"current_setting(%s) AS s{index}" for index in range(len(names)))
    set_all = ", ".join(["set_config(%s, %s, true)"] * len(names))
    nested = connection.in_atomic_block
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT before.*, {set_all} FROM (SELECT {before}) before",  # noqa: S608
                           [*(item for name in names for item in (name, plan_settings[name])), *names])
            previous = cursor.fetchone()[:len(names)]
        result = run()
        if nested:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT {set_all}",
                               [item for name, value in zip(names, previous, strict=True) for item in (name, value)])
    return result


# The walk's plan: no bitmap scans. PostgreSQL multiplies the estimates of words that come together (`input data`:
# 1,437 jobs estimated, 15,543 found at 1,000,000 jobs) and would plan the walk as a sort of every match (65 ms
# instead of 1.4); the sort is the other plan, run when the walk is too slow.
_WALK = {"enable_bitmapscan": "off"}
# The plan of relevance's candidates among recent jobs: a row read from the table costs a hundred times
# PostgreSQL's default (0.01), so that it ANDs the published times' ranges (jobs.0009) with the text's bitmap even
# for words whose matches it underestimates (`social media manager`: 18 estimated, 10,276 found), where it would
# read every match and check the time on each.
_HEAP_ROWS_COUNT = {"cpu_tuple_cost": "1"}


def _walk_or_sort(walk: QuerySet[Job], sort: QuerySet, *, timeout: int | None = None) -> list[Job]:
    """The rows of `walk` (a page in an index's order), or, when it takes PostgreSQL longer than `timeout` ms
    (`BANTU["SEARCH_WALK_TIMEOUT_MS"]` by default), the jobs whose ids `sort` gives (the same page in the same
    order, every match sorted: ids only, so that the joins are made for the page's rows alone), read in one more
    query. The walk runs under `statement_timeout` and without bitmap scans (`_under`, `_WALK`); a walk cancelled
    by the limit rolls back and leaves nothing behind. Elsewhere than PostgreSQL, or with the limit 0, the walk.
    Raises what the queries raise, but the walk's timeout."""
    if timeout is None:
        timeout = settings.BANTU["SEARCH_WALK_TIMEOUT_MS"]
    if connection.vendor != "postgresql" or not timeout:
        return list(walk)
    try:
        return _under({**_WALK, "statement_timeout": f"{timeout}ms"}, lambda: list(walk))
    except OperationalError as error:
        if not isinstance(error.__cause__, QueryCanceled):
            raise
    return rows_in_order(list(sort))


def rows_in_order(ids: list) -> list[Job]:
    """The jobs whose ids are `ids`, in that order, with their joins but not their skills. One query, without an
    ORDER BY: the order is put in Python."""
    position = {job_id: index for index, job_id in enumerate(ids)}
    return sorted(_rows().filter(pk__in=ids).order_by(), key=lambda job: position[job.pk])


def _first_ids(queryset: QuerySet[Job], limit: int) -> QuerySet:
    """The ids of at most `limit` rows of `queryset`, in no order: without an ORDER BY the planner reads the
    bitmap of matches instead of walking an index in order."""
    return queryset.order_by().values("pk")[:limit]


def _count_and_ids(queryset: QuerySet[Job], limit: int) -> tuple[int, list | None]:
    """How many rows `queryset` has, counted up to `limit`, and their ids when there are fewer (else None), in one
    statement: the ids are aggregated only then (a capped count sends none back)."""
    sql, params = _first_ids(queryset, limit).query.sql_with_params()
    aggregate = "array_agg(found.pk)" if connection.vendor == "postgresql" else "json_group_array(found.pk)"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), CASE WHEN COUNT(*) < %s THEN {aggregate} END "  # noqa: S608
                       f"FROM ({sql}) found", [limit, *params])
        found, ids = cursor.fetchone()
    if found >= limit:
        return found, None
    if isinstance(ids, str):  # SQLite's JSON array of hex strings
        ids = [Job._meta.pk.to_python(value) for value in json.loads(ids)]
    return found, ids or []


TEXT_INDEX = "jobs_open_search_idx"  # jobs.0002: the GIN index of the open jobs' search vectors
OPEN_JOBS_INDEX = "jobs_open_published_idx"  # jobs.0001: the open jobs by published_at
PUBLISHED_RANGES_INDEX = "jobs_published_brin_idx"  # jobs.0009: the table's page ranges by published_at
STATISTICS_SECONDS = 60
# A bound on relevance's candidates' published time spares no reads when it keeps more than this share of the
# matches: the table pages it keeps are read whole, about 5 jobs each at 1,000,000 jobs, where a sort of every match
# reads the matches alone (`JobSearch._candidates_since`; `q=video editor&location_type=onsite`, a share of 0.42:
# 33 ms against 25).
CANDIDATES_SHARE_MAX = 0.2


@dataclass(frozen=True)
class _Statistics:
    open_jobs: int | None  # the rows of OPEN_JOBS_INDEX
    # The bounds of the histogram of jobs_job.published_at (ascending; about as many jobs published between each
    # two): () without one or without PUBLISHED_RANGES_INDEX.
    published: tuple[datetime.datetime, ...]


_statistics_read: dict[str, tuple[float, _Statistics]] = {}  # database alias: (when read, monotonic seconds; them)
_STATISTICS = ("SELECT (SELECT reltuples FROM pg_class WHERE oid = to_regclass(%s)), "
               "CASE WHEN to_regclass(%s) IS NOT NULL THEN (SELECT histogram_bounds::text::timestamptz[] "
               "FROM pg_stats WHERE schemaname = current_schema() AND tablename = %s AND attname = 'published_at' "
               "AND NOT inherited) END")


def forget_statistics() -> None:
    """Read PostgreSQL's statistics again on their next use (tests: each builds its own jobs)."""
    _statistics_read.clear()


def _statistics() -> _Statistics:
    """PostgreSQL's statistics of the jobs, as VACUUM, ANALYZE and autovacuum last saw them. Read at most once a
    minute per process and database (STATISTICS_SECONDS): one statement then, none otherwise."""
    now = time.monotonic()
    read_at, statistics = _statistics_read.get(connection.alias, (None, None))
    if read_at is None or now - read_at > STATISTICS_SECONDS:
        with connection.cursor() as cursor:
            cursor.execute(_STATISTICS, [OPEN_JOBS_INDEX, PUBLISHED_RANGES_INDEX, Job._meta.db_table])
            open_jobs, published = cursor.fetchone()
        statistics = _Statistics(int(open_jobs) if open_jobs is not None and open_jobs > 0 else None,
                                 tuple(published or ()))
        _statistics_read[connection.alias] = (now, statistics)
    return statistics


def _open_jobs_estimate() -> int | None:
    """PostgreSQL: about how many jobs are open (`_statistics`); None before any statistics."""
    return _statistics().open_jobs


def _published_since(share: float) -> datetime.datetime | None:
    """PostgreSQL: the latest time (UTC) since which at least `share` (0 to 1) of the jobs with a published time
    were published, by the histogram of `_statistics` (each of its buckets holds about as many jobs; jobs published
    after the last ANALYZE only add to the share); None without a histogram. Used with PUBLISHED_RANGES_INDEX."""
    bounds = _statistics().published
    if len(bounds) < 2:
        return None
    buckets = len(bounds) - 1
    return bounds[max(0, min(buckets - 1, int((1 - share) * buckets)))]


@dataclass(frozen=True)
class Counted:
    """A capped count, and what its plan read: `found`, the matches counted (at most the limit); `text_matches`,
    how many open jobs TEXT_INDEX matched, every one, before the other conditions and the limit (None when the plan
    did not read that index as a bitmap: a private search, which the partial index does not cover, or a plan that
    walks another index); `matches_estimate`, about how many of them pass the other conditions too, at the rate
    the count saw them pass (None when some of them were ANDed into the bitmap from another index, whose rows the
    count does not see); `text_estimate`, PostgreSQL's own estimate of `text_matches` (which its plans rest on)."""

    found: int
    text_matches: int | None = None
    matches_estimate: int | None = None
    text_estimate: int | None = None


def _count_and_text_matches(queryset: QuerySet[Job], limit: int) -> Counted:
    """PostgreSQL: the count of `_count_and_ids(queryset, limit)`, with what its plan read (`Counted`). PostgreSQL
    builds the whole bitmap of the text's matches before the count reads its first row, and says how large it was,
    and how many of the rows it then read passed the filters, when the query runs under EXPLAIN ANALYZE, here with
    row counts only (TIMING OFF), which costs nothing measurable (`q=penerjemah inggris` at 1,000,000 jobs:
    11.3-11.9 ms against 11.5-11.7; docs/benchmarks.md, "Eighth round"). The index keeps entries of dead rows until
    a vacuum: `text_matches` is never fewer than the matches. One statement; raises what it raises."""
    sql, params = _first_ids(queryset, limit).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, TIMING OFF, SUMMARY OFF, FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    return counted_from_plan((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"])


def counted_from_plan(root: dict) -> Counted:
    """`Counted` from the plan of a capped count's query (EXPLAIN's JSON, the "Plan" object), run with ANALYZE.
    The root is the LIMIT: its rows are the count."""
    found = root["Actual Rows"] * root["Actual Loops"]
    text_scans, nodes = [], [(root, None)]
    while nodes:
        node, parent = nodes.pop()
        nodes += [(child, node) for child in node.get("Plans", ())]
        if node["Node Type"] == "Bitmap Index Scan" and node.get("Index Name") == TEXT_INDEX:
            text_scans.append((node, parent))
    if len(text_scans) != 1:
        return Counted(found)
    scan, heap = text_scans[0]
    text_matches, text_estimate = scan["Actual Rows"] * scan["Actual Loops"], scan.get("Plan Rows")
    if heap is None or heap["Node Type"] != "Bitmap Heap Scan":  # ANDed with another index's bitmap
        return Counted(found, text_matches, text_estimate=text_estimate)
    passed = heap["Actual Rows"] * heap["Actual Loops"]
    read = passed + (heap.get("Rows Removed by Filter", 0) + heap.get("Rows Removed by Index Recheck", 0)) * heap[
        "Actual Loops"]
    return Counted(found, text_matches, round(text_matches * passed / read) if read else 0, text_estimate)


def _in_category(queryset: QuerySet[Job], category_ids: tuple[int, ...]) -> QuerySet[Job]:
    """`queryset` in the categories `category_ids`, checked on each row: `category_id + 0` has no index, so
    PostgreSQL does not build the categories' bitmap."""
    return queryset.alias(category_checked=F("category_id") + 0).filter(category_checked__in=category_ids)


def _probe(matches: QuerySet[Job], category_ids: tuple[int, ...], limit: int) -> tuple[int, int]:
    """(rows read, rows in `category_ids`) of at most `limit` rows of `matches`, in no order. One query."""
    counts = matches.order_by().values("category_id")[:limit].aggregate(
        examined=Count("category_id"), in_category=Count("category_id", filter=Q(category_id__in=category_ids)))
    return counts["examined"], counts["in_category"]


# --- text -------------------------------------------------------------------------------------------------------

class _EitherLanguage(CombinedSearchQuery):
    """`indonesian || english`, or the one query when both configurations parse the text alike (`python`: both
    `'python'`). PostgreSQL folds the CASE while planning, so the plan sees one constant tsquery: estimated like
    one (`'python' | 'python'` was estimated twice as common, 17,869 jobs against 9,516) and checked once per
    row a walk reads (the newest 500 matches of `python`: 56 against 45 ms at 1,000,000 jobs)."""

    def __init__(self, indonesian: SearchQuery, english: SearchQuery):
        super().__init__(indonesian, SearchQuery.BITOR, english, None)

    def as_sql(self, compiler, connection):
        indonesian, indonesian_params = compiler.compile(self.lhs)
        english, english_params = compiler.compile(self.rhs)
        return (f"(CASE WHEN {indonesian} = {english} THEN {english} ELSE ({indonesian} || {english}) END)",
                [*indonesian_params, *english_params, *english_params, *indonesian_params, *english_params])


def _tsquery(text: str) -> CombinedSearchQuery:
    return _EitherLanguage(SearchQuery(text, search_type="websearch", config="pg_catalog.indonesian"),
                           SearchQuery(text, search_type="websearch", config="pg_catalog.english"))


def _text_match(queryset: QuerySet[Job], text: str) -> QuerySet[Job]:
    if settings.USING_POSTGRES:
        return queryset.filter(search_vector=_tsquery(text))
    for word in text.split()[:MAX_QUERY_WORDS]:
        queryset = queryset.filter(
            Q(title__icontains=word) | Q(skills_text__icontains=word) | Q(description__icontains=word))
    return queryset


def _relevance(text: str):
    """Higher is better. PostgreSQL: ts_rank (title weighs most, then skills, then description). SQLite: the
    whole text in the title, then the number of its words in the title."""
    if settings.USING_POSTGRES:
        return SearchRank(F("search_vector"), _tsquery(text))
    words = text.split()[:MAX_QUERY_WORDS]
    whole = Case(When(title__icontains=text, then=Value(len(words) + 1)), default=Value(0),
                 output_field=IntegerField())
    return sum((Case(When(title__icontains=word, then=Value(1)), default=Value(0), output_field=IntegerField())
                for word in words), whole)


# --- typo correction against the vocabulary ----------------------------------------------------------------------

def words_of(*texts: str) -> set[str]:
    """The vocabulary words in `texts`: lower-case runs of ASCII letters of 3 to 40 characters."""
    return {word for text in texts for word in WORD.findall(text.lower())
            if MIN_WORD_LENGTH <= len(word) <= MAX_WORD_LENGTH}


def correct_typos(text: str) -> str:
    """`text` with each word that is not in the vocabulary replaced by its most similar vocabulary word, if one
    is similar enough; negated words (`-logo`) and websearch operators are left alone. One query."""
    tokens = re.split(r"(\s+)", text)
    wanted = sorted({word for token in tokens if not token.startswith("-")
                     for word in WORD.findall(token.lower()) if MIN_WORD_LENGTH <= len(word) <= MAX_WORD_LENGTH})
    if not wanted:
        return text
    corrections = _closest_words(wanted)

    def fix(match: re.Match) -> str:
        return corrections.get(match.group(0).lower(), match.group(0))

    return "".join(token if token.startswith("-") else re.sub(r"[A-Za-z]+", fix, token) for token in tokens)


def _closest_words(words: list[str]) -> dict[str, str]:
    if settings.USING_POSTGRES:
        with connection.cursor() as cursor:
            # `%` uses the trigram index with pg_trgm's threshold (0.3); the stricter bound and the ordering pick
            # one word. A word that is in the vocabulary is its own closest word (similarity 1).
            cursor.execute(
                "SELECT asked.word, best.word FROM unnest(%s::text[]) AS asked(word) "
                "CROSS JOIN LATERAL (SELECT v.word FROM jobs_searchword v WHERE v.word %% asked.word "
                "AND similarity(v.word, asked.word) >= %s "
                "ORDER BY similarity(v.word, asked.word) DESC, v.word LIMIT 1) AS best",
                [words, TRIGRAM_SIMILARITY])
            return dict(cursor.fetchall())
    vocabulary = list(SearchWord.objects.values_list("word", flat=True))
    known = set(vocabulary)
    found = {}
    for word in words:
        if word in known:
            continue
        close = difflib.get_close_matches(word, vocabulary, n=1, cutoff=DIFFLIB_RATIO)
        if close:
            found[word] = close[0]
    return found


def search_words_add(words) -> None:
    """Add `words` (from `words_of`) to the vocabulary; existing ones are kept. One INSERT … ON CONFLICT DO
    NOTHING (no lock waited for unless another transaction is adding the same word). Call it after the job's
    transaction committed (`search_words_add_on_commit`)."""
    if words:
        SearchWord.objects.bulk_create([SearchWord(word=word) for word in sorted(words)], ignore_conflicts=True)


def search_words_add_on_commit(job: Job) -> None:
    """Once the current transaction commits, add the words of `job`'s title and skills to the vocabulary if it
    is open and not removed. A failure is logged, never raised: the periodic refresh adds the words later."""
    if job.status != Job.Status.OPEN or job.removed_at is not None:
        return
    words = words_of(job.title, job.skills_text)

    def add():
        try:
            search_words_add(words)
        except Exception:
            logger.exception("Could not add the words of job %s to the search vocabulary", job.pk)

    transaction.on_commit(add)


def search_words_refresh() -> int:
    """Rebuild the vocabulary from the titles of open, not removed jobs and from every skill's name, in one
    transaction (readers see the old vocabulary until it commits); words of jobs that closed since go. Returns
    the number of words. Seconds at 1,000,000 jobs on PostgreSQL (one pass over the open titles)."""
    with transaction.atomic():
        if settings.USING_POSTGRES:
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM jobs_searchword")
                # Each statement takes a fresh snapshot: words added on commit by jobs that committed after the
                # DELETE are kept by ON CONFLICT, and every job committed before the INSERT is read.
                cursor.execute(
                    "INSERT INTO jobs_searchword (word) SELECT DISTINCT word FROM ("
                    " SELECT regexp_split_to_table(lower(title), %s) AS word FROM jobs_job"
                    "  WHERE status = 'open' AND removed_at IS NULL"
                    " UNION ALL"
                    " SELECT regexp_split_to_table(lower(name), %s) FROM taxonomy_skill"
                    ") AS words WHERE length(word) BETWEEN %s AND %s ON CONFLICT DO NOTHING",
                    [WORD_SQL_SEPARATOR, WORD_SQL_SEPARATOR, MIN_WORD_LENGTH, MAX_WORD_LENGTH])
        else:
            SearchWord.objects.all().delete()
            words = set()
            open_titles = Job.objects.filter(status=Job.Status.OPEN, removed_at__isnull=True).values_list(
                "title", flat=True)
            for title in open_titles.iterator(chunk_size=2000):
                words |= words_of(title)
            words |= words_of(*Skill.objects.values_list("name", flat=True))
            search_words_add(words)
        return SearchWord.objects.count()
