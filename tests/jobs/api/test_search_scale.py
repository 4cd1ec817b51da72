"""The job search's answers to scale (jobs/search.py, jobs/api/pagination.py), on both databases: typo correction
against the vocabulary, the capped count, relevance over a bounded candidate set, keyset cursor pages, and exact
query counts that do not depend on the page size or the data."""

import base64
import dataclasses
import datetime
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from jobs import search, services
from jobs.api.pagination import encode_position
from jobs.models import Job, SearchWord
from jobs.search import Position
from taxonomy.models import Skill
from tests.problems import assert_problem

from ..conftest import days_ago
from ..helpers import JOBS, titles

pytestmark = pytest.mark.django_db


def _bantu(settings, **values):
    settings.BANTU = {**settings.BANTU, **values}


def _cursor(response) -> str | None:
    link = response.json()["next"]
    return parse_qs(urlsplit(link).query)["cursor"][0] if link else None


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [job["id"] for job in response.json()["results"]]


# --- typo correction --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("q", ["desiner", "desainer grafis", "Desainer", "grafis desainer", "desainer grafs",
                               "DESINER GRAFS"])
def test_misspelt_words_are_corrected_when_the_text_finds_nothing(api, committed_job, owner, q):
    committed_job(owner, title="Desainer Grafis untuk Logo UMKM", description="Butuh identitas visual usaha kecil.")
    committed_job(owner, title="Penerjemah Dokumen Hukum", description="Menerjemahkan kontrak dari bahasa Inggris.")

    assert titles(api.get(JOBS, {"q": q})) == ["Desainer Grafis untuk Logo UMKM"]


def test_skill_names_are_in_the_vocabulary(api, committed_job, owner):
    committed_job(owner, title="Aplikasi Kasir", description="Aplikasi kasir untuk toko.", skills=["postgresql"])

    assert titles(api.get(JOBS, {"q": "postgrsql"})) == ["Aplikasi Kasir"]


def test_a_word_nothing_resembles_finds_nothing(api, committed_job, owner):
    committed_job(owner, title="Desainer Grafis untuk Logo UMKM")

    response = api.get(JOBS, {"q": "zyxwvq"})

    assert (titles(response), response.json()["count"]) == ([], 0)


@pytest.mark.postgres  # negation is websearch syntax: the SQLite path has none
def test_a_negated_word_is_not_corrected(api, committed_job, owner):
    committed_job(owner, title="Desain Logo Kedai Kopi", description="Identitas visual kedai.")

    # "kopii" is corrected to "kopi"; "-logoo" stays as typed, so it excludes nothing.
    assert titles(api.get(JOBS, {"q": "kopii -logoo"})) == ["Desain Logo Kedai Kopi"]
    assert titles(api.get(JOBS, {"q": "kopii -logo"})) == []


def test_an_opened_job_adds_its_words_on_commit_and_a_draft_adds_none(committed_job, owner):
    committed_job(owner, title="Ilustrasi Maskot Harimau", skills=["figma"])
    committed_job(owner, title="Zebra Kuning", status=Job.Status.DRAFT)

    words = set(SearchWord.objects.values_list("word", flat=True))

    assert {"ilustrasi", "maskot", "harimau", "figma"} <= words
    assert not {"zebra", "kuning"} & words


def test_nothing_is_added_before_the_commit(make_job, owner):
    make_job(owner, title="Ilustrasi Maskot Harimau")  # the test's transaction never commits

    assert not SearchWord.objects.filter(word="harimau").exists()


def test_refresh_keeps_open_jobs_and_skills_and_drops_closed_jobs_words(committed_job, owner):
    committed_job(owner, title="Ilustrasi Maskot Harimau")
    closed = committed_job(owner, title="Kemasan Keripik Singkong")
    services.job_update(job=closed, actor=owner, data={"status": "closed"})

    assert "singkong" in set(SearchWord.objects.values_list("word", flat=True))  # added when it opened

    total = search.search_words_refresh()

    words = set(SearchWord.objects.values_list("word", flat=True))
    skills = search.words_of(*Skill.objects.values_list("name", flat=True))
    assert words == search.words_of("Ilustrasi Maskot Harimau") | skills
    assert {"postgresql", "illustrator"} <= words
    assert "singkong" not in words
    assert total == len(words)
    assert all(word.isascii() and word.isalpha() and word == word.lower() and 3 <= len(word) <= 40 for word in words)


def test_the_refresh_task_rebuilds_the_vocabulary(make_job, owner):
    from jobs.tasks import search_words_refresh_task

    make_job(owner, title="Ilustrasi Maskot Harimau")

    assert search_words_refresh_task() >= 3
    assert SearchWord.objects.filter(word="harimau").exists()


# --- capped count ----------------------------------------------------------------------------------------------

def _jobs(make_job, owner, n, **fields):
    return [make_job(owner, title=f"Lowongan {i}", published_at=days_ago(i), **fields) for i in range(n)]


def test_count_stops_at_the_cap_and_says_so(api, make_job, owner, settings):
    _bantu(settings, SEARCH_COUNT_CAP=3)
    _jobs(make_job, owner, 5)

    first = api.get(JOBS, {"page_size": 2})
    second = api.get(JOBS, {"page_size": 2, "page": 2})
    beyond = api.get(JOBS, {"page_size": 2, "page": 3})

    assert (first.json()["count"], first.json()["count_capped"]) == (3, True)
    assert titles(first) == ["Lowongan 0", "Lowongan 1"]
    assert (titles(second), second.json()["next"]) == (["Lowongan 2", "Lowongan 3"], None)
    assert "cursor" in assert_problem(beyond, 404)["detail"]


def test_count_at_the_cap_is_exact(api, make_job, owner, settings):
    _bantu(settings, SEARCH_COUNT_CAP=3)
    _jobs(make_job, owner, 3)

    response = api.get(JOBS)

    assert (response.json()["count"], response.json()["count_capped"], len(titles(response))) == (3, False, 3)


def test_capped_count_with_text(api, make_job, owner, settings):
    _bantu(settings, SEARCH_COUNT_CAP=2)
    _jobs(make_job, owner, 3, description="Kedai kopi butuh menu baru.")
    make_job(owner, title="Aplikasi Kasir", description="Aplikasi kasir.")

    kopi = api.get(JOBS, {"q": "kopi"}).json()
    kasir = api.get(JOBS, {"q": "kasir"}).json()

    assert (kopi["count"], kopi["count_capped"], kasir["count"], kasir["count_capped"]) == (2, True, 1, False)


@pytest.mark.parametrize(("cap", "looked_for_again"), [(20, False), (3, True)])
def test_a_page_reads_the_matches_the_count_found_by_their_ids(make_job, owner, settings, cap, looked_for_again):
    """Up to the cap the count reads the matches' ids, and the page reads those jobs instead of looking for the
    matches again (the text and the filters); past it, the page looks for them."""
    _bantu(settings, SEARCH_COUNT_CAP=cap)
    _jobs(make_job, owner, 5, description="Kedai kopi butuh menu baru.", province="Bali")
    make_job(owner, title="Kopi di Jawa", description="Kedai kopi.", province="Jawa Barat")
    found = search.job_search(user=None, params=search.SearchParams(q="kopi", province="Bali", ordering="newest"))

    assert (found.count, found.count_capped) == (min(5, cap), looked_for_again)
    statements = _statements(lambda: found.page(0, 2))
    page = [job.title for job in found.page(0, 2)]

    assert page == ["Lowongan 0", "Lowongan 1"]
    assert any("kopi" in statement for statement in statements) == looked_for_again


# --- budget order of a parent category -------------------------------------------------------------------------

@pytest.fixture
def design_budgets(make_job, owner):
    """Nine design jobs over three child categories of design-creative (budgets tie across children), and a
    programming job that outbids them all. Highest budget first: ties newest (largest id) first."""
    jobs = []
    for i, (category, budget) in enumerate([("logo-brand-identity", 9), ("illustration", 9), ("design-creative", 8),
                                            ("logo-brand-identity", 7), ("illustration", 6), ("illustration", 5),
                                            ("design-creative", 5), ("logo-brand-identity", 2), ("illustration", 1)]):
        jobs.append(make_job(owner, title=f"Desain {i}", category=category, budget_min=budget * 100_000,
                             budget_max=budget * 1_000_000, published_at=days_ago(i)))
    make_job(owner, title="Backend", category="backend-development", budget_min=1, budget_max=99_000_000)
    return jobs


@pytest.mark.parametrize("ordering", ["-budget", "budget"])
def test_a_parent_categorys_budget_order_pages_through_its_children(api, design_budgets, settings, ordering,
                                                                    django_assert_num_queries):
    _bantu(settings, SEARCH_COUNT_CAP=7)  # capped: the page reads each child's first jobs (jobs.search._ordered)
    key = (lambda job: (-job.budget_max, -job.pk.int)) if ordering == "-budget" else (
        lambda job: (job.budget_min, -job.pk.int))
    expected = [job.title for job in sorted(design_budgets, key=key)]

    pages = []
    for page in (1, 2, 3, 4):
        with django_assert_num_queries(4):  # the category's ids, the capped count, the page, its skills
            response = api.get(JOBS, {"category": "design-creative", "ordering": ordering, "page_size": 2,
                                      "page": page})
        pages.append(titles(response))

    assert response.json()["count_capped"] is True
    assert pages == [expected[0:2], expected[2:4], expected[4:6], expected[6:8]]


@pytest.mark.postgres  # SQLite cannot order the parts of a compound query: it keeps the one plain query
def test_a_parent_categorys_budget_order_reads_each_child_on_postgresql(api, design_budgets, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _bantu(settings, SEARCH_COUNT_CAP=3)
    with CaptureQueriesContext(connection) as queries:
        api.get(JOBS, {"category": "design-creative", "ordering": "-budget"})
    with CaptureQueriesContext(connection) as child:
        api.get(JOBS, {"category": "illustration", "ordering": "-budget"})
    with CaptureQueriesContext(connection) as text:
        api.get(JOBS, {"category": "design-creative", "ordering": "-budget", "q": "desain"})

    children = len(search.category_ids_of("design-creative"))  # the parent and its children, one part each
    assert [query["sql"].count("UNION ALL") for query in queries.captured_queries] == [0, 0, children - 1, 0]
    assert not any("UNION" in query["sql"] for query in child.captured_queries + text.captured_queries)


@pytest.mark.parametrize(("probe", "cap", "count", "capped", "checked", "counts"), [
    (20, 100, 9, False, True, 1),  # the probe read every match of the text: its count is the count
    (8, 3, 3, True, True, 1),  # more than the cap of the probe's matches are in the category: capped
    (8, 100, 9, False, False, 2),  # the probe cannot tell: the count ANDs the category's bitmap
])
def test_a_parent_category_with_text_is_probed_before_it_is_counted(api, design_budgets, make_job, owner, settings,
                                                                   probe, cap, count, capped, checked, counts):
    """jobs.search.JobSearch._count_matches: the text's first matches say whether they lie in the parent category;
    if they do, the category is checked on the matches (`category_id + 0`, no index), else its bitmap is read."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # At most two matches outside the category (this one, and the fixture's backend job: "desainer" in its text):
    # any 8 of the 11 matches hold more than 3 design jobs, whatever order the probe reads them in.
    make_job(owner, title="Desain API", category="backend-development")
    _bantu(settings, SEARCH_CATEGORY_PROBE=probe, SEARCH_COUNT_CAP=cap)

    with CaptureQueriesContext(connection) as queries:
        response = api.get(JOBS, {"category": "design-creative", "q": "desain", "page_size": 100})

    body = response.json()
    assert (body["count"], body["count_capped"]) == (count, capped)
    assert {job["title"] for job in body["results"]} == {job.title for job in design_budgets}
    sql = [query["sql"] for query in queries.captured_queries]
    # Counts: a COUNT, or on PostgreSQL a ranked search's count under EXPLAIN ANALYZE (jobs.search.Counted).
    assert len([statement for statement in sql if "COUNT(" in statement or "EXPLAIN (ANALYZE" in statement]) == counts
    assert any('"category_id" + 0) IN' in statement for statement in sql) is checked


def test_a_child_category_with_text_is_not_probed(api, design_budgets, django_assert_num_queries):
    with django_assert_num_queries(4):  # the category's ids, the capped count, the page, its skills
        response = api.get(JOBS, {"category": "illustration", "q": "desain"})
    assert response.json()["count"] == 4


# --- text in an order: the walk, or the sort when it is too slow -----------------------------------------------

@pytest.mark.parametrize("ordering", ["budget", "-budget", "newest", "oldest"])
def test_the_sorted_pages_of_a_text_search_are_its_walked_pages(design_budgets, settings, ordering):
    """The two plans of `_walk_or_sort` answer the same jobs in the same order (ties included), page after page."""
    _bantu(settings, SEARCH_COUNT_CAP=3)
    found = search.job_search(user=None, params=search.SearchParams(q="desain", ordering=ordering))
    assert found.count_capped and found._raced

    for offset in range(0, 10, 2):
        walked = [job.pk for job in found._ordered(ordering, offset + 2)[offset:offset + 2]]
        sorted_ = list(found._ordered(ordering, offset + 2, sort=True).values_list("pk", flat=True)[offset:offset + 2])
        assert sorted_ == walked


def _walk_settings() -> tuple[str, str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('statement_timeout'), current_setting('enable_bitmapscan')")
        return cursor.fetchone()


@pytest.mark.postgres  # statement_timeout: elsewhere the walk always answers
def test_a_walk_past_its_time_limit_is_answered_by_the_sort_and_the_limit_ends_with_it(design_budgets, settings):
    from django.db.models.expressions import RawSQL

    _bantu(settings, SEARCH_WALK_TIMEOUT_MS=20)
    before = _walk_settings()
    expected = list(Job.objects.order_by("-budget_max", "-pk")[:3])
    # The slow walk would answer another order: what comes back is the sort's.
    walk = search._rows().annotate(nap=RawSQL("pg_sleep(0.2)", [])).order_by("budget_max", "pk")[:3]
    sort = search._rows().order_by(*search._unindexed(("-budget_max", "-pk"))).values_list("pk", flat=True)[:3]

    jobs = search._walk_or_sort(walk, sort)

    assert [job.pk for job in jobs] == [job.pk for job in expected]
    assert [skill.slug for skill in jobs[0].skills.all()] == [skill.slug for skill in expected[0].skills.all()]
    assert _walk_settings() == before  # the caller's transaction goes on without the walk's limit and plan


@pytest.mark.postgres
def test_a_walk_within_its_time_limit_answers_and_leaves_no_limit_behind(design_budgets, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _bantu(settings, SEARCH_WALK_TIMEOUT_MS=5_000)
    walk = search._rows().order_by("-budget_max", "-pk")[:3]
    sort = search._rows().none().values_list("pk", flat=True)  # never asked

    with CaptureQueriesContext(connection) as queries:
        jobs = search._walk_or_sort(walk, sort)

    assert [job.title for job in jobs] == ["Backend", "Desain 1", "Desain 0"]
    assert _walk_settings() == ("0", "on")
    assert "statement_timeout" in queries.captured_queries[1]["sql"]  # after the savepoint, before the walk


@pytest.mark.postgres
def test_the_walk_is_planned_without_bitmap_scans(design_budgets, settings):
    """PostgreSQL underestimates words that come together (`input data`: 1,437 estimated, 15,543 found at
    1,000,000 jobs) and would plan the "walk" as a sort of every match (65 ms instead of 1.4): the walk must be a
    walk, the sort is the other plan."""
    from django.db.models.expressions import RawSQL

    _bantu(settings, SEARCH_WALK_TIMEOUT_MS=5_000)
    walk = search._rows().annotate(bitmaps=RawSQL("current_setting('enable_bitmapscan')", [])).order_by(
        "-budget_max", "-pk")[:3]

    jobs = search._walk_or_sort(walk, search._rows().none().values_list("pk", flat=True))

    assert [job.bitmaps for job in jobs] == ["off", "off", "off"]
    assert _walk_settings()[1] == "on"


def _bitmaps_only():
    """Plans like those of a large table, for this test's transaction: the text index read as a bitmap (a few rows
    are otherwise scanned, or read through another index with the text checked on each)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("SET LOCAL cpu_operator_cost = 100")


@pytest.mark.postgres  # EXPLAIN ANALYZE: the text index's matches
def test_the_count_says_how_many_jobs_the_words_match_before_the_filters(design_budgets):
    """The text index's matches, every one: the nine open `desain` jobs, and entries of rows that other tests'
    transactions rolled back, which the index keeps until a vacuum (an upper bound, never fewer)."""
    _bitmaps_only()

    def counted(q="desain", **params):
        counted = search._count_and_text_matches(search.job_search(user=None, params=search.SearchParams(
            q=q, **params)).matches, 4)
        return counted.found, counted.text_matches, counted.matches_estimate

    found, matches, estimate = counted()
    assert found == 4 and matches >= 9  # counted up to the limit
    assert estimate == matches  # no filter: every match read passed
    assert counted(province="Bali") == (0, matches, 0)  # the filter is checked on the text's matches: none passed
    found, in_category, estimate = counted(category_ids=search.category_ids_of("illustration"))
    assert (found, in_category) == (4, matches) and 0 < estimate < matches  # 4 of the 9 are illustrations
    backend = counted(q="backend")
    assert backend[0] == 1 and 1 <= backend[1] < matches


@pytest.mark.postgres
def test_a_private_search_does_not_read_the_open_jobs_text_index(design_budgets, owner):
    _bitmaps_only()
    company_id = owner.company_memberships.get().company_id
    found = search.job_search(user=owner, params=search.SearchParams(q="desain", company_id=company_id))

    assert found.private
    assert search._count_and_text_matches(found.matches, 4) == search.Counted(4)


def _statements(run) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        run()
    return [query["sql"] for query in queries.captured_queries]


def _budget_search(settings, ordering) -> search.JobSearch:
    _bitmaps_only()
    _bantu(settings, SEARCH_COUNT_CAP=3, SEARCH_WALK_TIMEOUT_MS=5_000)
    found = search.job_search(user=None, params=search.SearchParams(q="desain", ordering=ordering))
    statements = _statements(lambda: found.count)
    assert found.count_capped and found._raced
    assert len(statements) == 1 and statements[0].startswith("EXPLAIN (ANALYZE") == (ordering != "newest")
    return found


@pytest.mark.postgres
@pytest.mark.parametrize("ordering", ["budget", "-budget"])
def test_words_matching_few_jobs_are_sorted_in_a_budget_order_without_a_walk(design_budgets, settings, ordering):
    found = _budget_search(settings, ordering)
    walked = [job.pk for job in found._ordered(ordering, 6)[2:6]]
    _bantu(settings, SEARCH_SORT_BOUND=found.text_matches)

    statements = _statements(lambda: found.page(2, 4))

    assert found._few_to_sort
    assert not any("statement_timeout" in statement for statement in statements)
    assert [job.pk for job in found.page(2, 4)] == walked


@pytest.mark.postgres
@pytest.mark.parametrize(("ordering", "fewer"), [("-budget", 1), ("budget", 1), ("newest", 0)])
def test_words_matching_more_jobs_or_another_order_walk_first(design_budgets, settings, ordering, fewer):
    found = _budget_search(settings, ordering)
    _bantu(settings, SEARCH_SORT_BOUND=(found.text_matches or 10_000) - fewer)

    assert not found._few_to_sort and (found.text_matches is None) == (ordering == "newest")
    assert any("statement_timeout" in statement for statement in _statements(lambda: found.page(0, 2)))


@pytest.mark.postgres
@pytest.mark.parametrize(("open_jobs", "way", "sign"), [(1, "walk", "enable_bitmapscan"), (10**9, "sort", "COALESCE")])
def test_relevance_candidates_walked_or_sorted_are_those_postgresql_plans(design_budgets, settings, monkeypatch,
                                                                          open_jobs, way, sign):
    """The walk reads bound * open jobs / matches jobs: one open job makes it short, a billion long. (PostgreSQL's
    own estimate of the words' matches, which can leave the walk to it, is set to none: tests/jobs/api/
    test_search_plans.py.)"""
    _bitmaps_only()
    _bantu(settings, SEARCH_COUNT_CAP=3, SEARCH_RANKED_CANDIDATES=6)
    monkeypatch.setattr(search, "_open_jobs_estimate", lambda: open_jobs)
    read = search.counted_from_plan
    monkeypatch.setattr(search, "counted_from_plan", lambda root: dataclasses.replace(read(root), text_estimate=0))

    def pages(ratio):
        _bantu(settings, SEARCH_WALKED_PER_SORTED=ratio)
        found = search.job_search(user=None, params=search.SearchParams(q="desain"))
        assert found.count_capped
        statements = _statements(lambda: found.page(0, 2))
        return found._candidates_way, statements, [[job.pk for job in found.page(offset, 2)] for offset in (0, 2, 4, 6)]

    planned_way, _, planned = pages(0)
    chosen_way, statements, chosen = pages(1.65)

    assert (planned_way, chosen_way) == (None, way)
    assert chosen == planned and len({pk for page in chosen for pk in page}) == 8
    assert any(sign in statement for statement in statements)


@pytest.mark.postgres
def test_the_statistics_are_postgresqls_read_once_a_minute(design_budgets):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE jobs_job")
    search.forget_statistics()

    first = _statements(search._open_jobs_estimate)
    estimate = search._open_jobs_estimate()

    assert len(first) == 1 and _statements(search._open_jobs_estimate) == []  # the minute's value
    assert estimate == Job.objects.filter(status="open", removed_at__isnull=True).count() == 10
    # The histogram of published times, oldest first, read in the same statement (the BRIN index exists).
    published = search._statistics().published
    times = sorted(Job.objects.values_list("published_at", flat=True))
    assert published == tuple(sorted(published)) and (published[0], published[-1]) == (times[0], times[-1])
    assert search._published_since(0.1) == published[-2] and search._published_since(1) == published[0]


# --- the text's storage -------------------------------------------------------------------------------------------

@pytest.mark.postgres
def test_a_long_jobs_search_vector_stays_in_its_row(make_job, owner):
    """Walks and ranks read `search_vector` on every row they pass: in the TOAST table it cost a lookup each time
    (jobs.0007). A row over 2 kB moves its other text there instead."""
    import random
    import string

    from django.db import connection

    words = random.Random(7)
    description = " ".join("".join(words.choices(string.ascii_lowercase, k=7)) for _ in range(150))
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltoastrelid::regclass::text FROM pg_class WHERE relname = 'jobs_job'")
        toast = cursor.fetchone()[0]
        stored = f"SELECT coalesce(sum(length(chunk_data)), 0) FROM {toast}"
        cursor.execute(stored)
        before = cursor.fetchone()[0]

        job = make_job(owner, title="Penerjemah dokumen legal", description=description)

        cursor.execute("SELECT pg_column_size(search_vector) FROM jobs_job WHERE id = %s", [job.pk])
        vector = cursor.fetchone()[0]
        cursor.execute(stored)
        moved_out = cursor.fetchone()[0] - before
    assert vector > 2100  # over the 2 kB a row may take before PostgreSQL moves values out
    assert 0 < moved_out < vector  # the description went, the vector stayed


def test_the_skills_filter_finds_job_ids_in_one_index():
    """`skills` asks which jobs have any of the skills: (skill_id, job_id) answers from the index alone, where
    skill_id's own index read a table page per row (jobs.0008)."""
    from django.db import connection

    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, Job.skills.through._meta.db_table)

    assert indexes["jobs_job_skills_skill_job_idx"]["columns"] == ["skill_id", "job_id"]


def test_a_category_in_a_province_is_one_index_range_on_both_databases():
    """Browsing a category in a province reads one range of (category, province, published_at) over open jobs
    (jobs.0010), where two large bitmaps were built and ANDed."""
    from django.db import connection

    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, Job._meta.db_table)

    assert indexes["jobs_open_cat_location_idx"]["columns"] == ["category_id", "province", "published_at", "id"]


# --- the text's query ---------------------------------------------------------------------------------------------

@pytest.mark.postgres
@pytest.mark.parametrize(("q", "planned"), [("python", "'python'"), ("input data", "'input' & 'data'"),
                                             ("toko online", "'toko' & 'online' | 'toko' & 'onlin'")])
def test_the_text_is_planned_as_one_query_when_both_languages_read_it_alike(q, planned):
    """`'python' | 'python'` was estimated twice as common as `'python'` and checked twice on every row walked."""
    from django.db import connection

    matches = search._text_match(Job.objects.all(), q).values("pk")
    sql, params = matches.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert f"@@ '{planned}'::tsquery" in plan.replace("''", "'")


# --- relevance over the newest candidates ---------------------------------------------------------------------

@pytest.fixture
def mascots(make_job, owner):
    description = "Pekerjaan ilustrasi untuk tim kami."
    make_job(owner, title="Buku Cerita Anak", description="Buku dengan maskot harimau.", published_at=days_ago(1))
    make_job(owner, title="Maskot Harimau Biru", description=description, published_at=days_ago(2))
    make_job(owner, title="Maskot Harimau Merah", description=description, published_at=days_ago(3))
    make_job(owner, title="Poster Konser", description="Poster dengan maskot band.", published_at=days_ago(4))


def test_relevance_ranks_title_matches_first(api, mascots):
    assert titles(api.get(JOBS, {"q": "maskot"})) == ["Maskot Harimau Biru", "Maskot Harimau Merah",
                                                      "Buku Cerita Anak", "Poster Konser"]


def test_relevance_ranks_only_the_newest_candidates_then_newest_first(api, mascots, settings):
    _bantu(settings, SEARCH_RANKED_CANDIDATES=2)
    ranked_then_newest = ["Maskot Harimau Biru", "Buku Cerita Anak", "Maskot Harimau Merah", "Poster Konser"]

    one_by_one = [titles(api.get(JOBS, {"q": "maskot", "page_size": 1, "page": page}))[0] for page in range(1, 5)]
    straddling = titles(api.get(JOBS, {"q": "maskot", "page_size": 3})) + titles(
        api.get(JOBS, {"q": "maskot", "page_size": 3, "page": 2}))

    assert titles(api.get(JOBS, {"q": "maskot"})) == ranked_then_newest
    assert one_by_one == ranked_then_newest
    assert straddling == ranked_then_newest


# --- cursor pages ----------------------------------------------------------------------------------------------

def _walk(client, params, page_size) -> tuple[list[list[str]], list]:
    pages, responses = [], []
    cursor = "first"
    while cursor is not None:
        response = client.get(JOBS, {**params, "page_size": page_size, "cursor": cursor})
        pages.append(_ids(response))
        responses.append(response)
        cursor = _cursor(response)
        assert len(pages) < 20
    return pages, responses


@pytest.fixture
def same_moment_jobs(make_job, owner):
    """Seven open jobs, four of them published at the same instant, in newest-first order (ties: larger id
    first)."""
    moment = days_ago(2)
    jobs = [make_job(owner, title=f"Lowongan {n}", published_at=at)
            for n, at in enumerate([days_ago(1), moment, moment, moment, moment, days_ago(3), days_ago(4)])]
    return [str(job.pk) for job in sorted(jobs, key=lambda job: (job.published_at, job.pk), reverse=True)]


@pytest.mark.parametrize("page_size", [1, 2, 3, 7, 100])
def test_cursor_pages_neither_skip_nor_repeat_jobs_of_the_same_moment(api, same_moment_jobs, page_size):
    pages, responses = _walk(api, {}, page_size)

    assert [job for page in pages for job in page] == same_moment_jobs
    assert all(len(page) == page_size for page in pages[:-1])
    assert responses[0].json()["previous"] is None
    assert all(response.json()["count"] == 7 for response in responses)


def test_previous_links_walk_back_the_same_pages(api, same_moment_jobs):
    pages, responses = _walk(api, {}, 2)
    back = []
    link = responses[-1].json()["previous"]
    while link is not None:
        response = api.get(link)
        back.append(_ids(response))
        link = response.json()["previous"]

    assert back == pages[-2::-1]


def test_cursor_pages_apply_the_filters_and_q(api, make_job, owner):
    make_job(owner, title="Desain Logo Kopi", description="Logo baru.", published_at=days_ago(3))
    make_job(owner, title="Menu Kedai Kopi", description="Menu baru.", published_at=days_ago(2), job_type="hourly")
    make_job(owner, title="Aplikasi Kasir", description="Aplikasi baru.", published_at=days_ago(1))
    make_job(owner, title="Kemasan Kopi", description="Kemasan baru.", published_at=days_ago(0))

    first = api.get(JOBS, {"q": "kopi", "ordering": "newest", "job_type": "fixed", "cursor": "first",
                           "page_size": 1})
    second = api.get(first.json()["next"])

    assert (titles(first), titles(second), second.json()["next"]) == (["Kemasan Kopi"], ["Desain Logo Kopi"], None)


def test_cursor_pages_of_a_company_list_its_drafts_last(as_user, make_job, owner, company):
    make_job(owner, title="Draf Satu", status=Job.Status.DRAFT)
    make_job(owner, title="Terbuka Lama", published_at=days_ago(2))
    make_job(owner, title="Draf Dua", status=Job.Status.DRAFT)
    make_job(owner, title="Terbuka Baru", published_at=days_ago(1))
    client = as_user(owner)

    pages, _ = _walk(client, {"company": str(company.pk)}, 1)
    listed = [Job.objects.get(pk=page[0]).title for page in pages]

    assert listed[:2] == ["Terbuka Baru", "Terbuka Lama"]
    assert sorted(listed[2:]) == ["Draf Dua", "Draf Satu"]


def _garbage(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize("params", [
    {"cursor": "%%%"},
    {"cursor": "abc"},
    {"cursor": _garbage("a|not-a-date|" + str(uuid.uuid4()))},
    {"cursor": _garbage("a|2026-01-01T00:00:00|" + str(uuid.uuid4()))},  # no offset
    {"cursor": _garbage("x|2026-01-01T00:00:00+00:00|" + str(uuid.uuid4()))},
    {"cursor": _garbage("a|2026-01-01T00:00:00+00:00|not-a-uuid-but-thirty-six-chars-long")},
    {"cursor": _garbage("p=2026-01-01")},
    {"cursor": "x" * 201},
    {"cursor": ["first", "first"]},
    {"cursor": "first", "page": 2},
    {"cursor": "first", "ordering": "budget"},
    {"cursor": "first", "ordering": "oldest"},
    {"cursor": "first", "q": "kopi"},  # relevance, the default with q
])
def test_bad_cursor_is_a_400_problem(api, open_job, params):
    response = api.get(JOBS, params)

    body = assert_problem(response, 400, "validation_error")
    assert list(body["errors"]) == ["cursor"]


def test_an_empty_cursor_is_a_400_problem(api, open_job):
    assert list(assert_problem(api.get(JOBS + "?cursor="), 400, "validation_error")["errors"]) == ["cursor"]


def test_a_cursor_this_api_wrote_round_trips():
    position = Position(datetime.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=datetime.UTC), uuid.uuid4(), True)

    from jobs.api.pagination import decode_position

    assert decode_position(encode_position(position)) == position


# --- exact query counts ----------------------------------------------------------------------------------------

def _many(owner, company, n):
    """n open jobs with three skills each, half of them in a design category."""
    from taxonomy.models import Category

    categories = [Category.objects.get(slug="logo-brand-identity"), Category.objects.get(slug="backend-development")]
    skills = list(Skill.objects.filter(slug__in=["figma", "react", "django"]))
    now = timezone.now()
    for i in range(n):
        job = services.job_create(company=company, posted_by=owner, category=categories[i % 2], skills=skills,
                                  title=f"Desain Logo Kopi {i}", description="Kedai kopi butuh logo baru.",
                                  budget_min=1_000_000, budget_max=5_000_000)
        Job.objects.filter(pk=job.pk).update(published_at=now - datetime.timedelta(minutes=i))


FUTURE = encode_position(Position(datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC),
                                  uuid.UUID("ffffffff-ffff-7fff-bfff-ffffffffffff")))

# (parameters, queries): the count (capped), the page, the skills prefetch; + 1 per category or skills
# validated; company and category are joined.
QUERY_COUNTS = [
    ({}, 3),
    ({"ordering": "budget"}, 3),
    ({"q": "kopi"}, 3),
    ({"q": "kopi", "ordering": "oldest"}, 3),
    ({"q": "kopi", "skills": "figma", "category": "design-creative"}, 5),
    ({"cursor": "first"}, 3),
    ({"cursor": FUTURE}, 3),
    ({"cursor": FUTURE, "q": "kopi", "ordering": "newest", "category": "design-creative"}, 4),
]


@pytest.mark.parametrize("rows", [1, 50])
@pytest.mark.parametrize(("params", "queries"), QUERY_COUNTS)
def test_search_query_count_is_exact_whatever_the_page_size_and_the_data(api, owner, company,
                                                                         django_assert_num_queries, rows, params,
                                                                         queries):
    _many(owner, company, rows)
    expected = rows if "category" not in params else (rows + 1) // 2

    for page_size in (1, 20, 100):
        with django_assert_num_queries(queries):
            response = api.get(JOBS, {**params, "page_size": page_size, "_n": page_size})

        assert response.json()["count"] == expected
        assert len(response.json()["results"]) == min(expected, page_size)
        assert all(len(job["skills"]) == 3 for job in response.json()["results"])


@pytest.mark.parametrize("rows", [1, 50])
def test_query_count_for_a_signed_in_freelancer_is_exact(as_user, freelancer, owner, company,
                                                         django_assert_num_queries, rows):
    _many(owner, company, rows)
    client = as_user(freelancer)

    for page_size in (1, 20, 100):
        with django_assert_num_queries(3 + 1):  # + the user (memberships only matter with `company`)
            response = client.get(JOBS, {"q": "kopi", "page_size": page_size})

        assert response.json()["count"] == rows


@pytest.mark.parametrize("rows", [1, 50])
def test_query_count_for_a_member_listing_their_company_is_exact(as_user, owner, company,
                                                                 django_assert_num_queries, rows):
    _many(owner, company, rows)
    client = as_user(owner)

    for page_size in (1, 20, 100):
        # + the user, + their company memberships (read once per request and reused)
        with django_assert_num_queries(3 + 2):
            response = client.get(JOBS, {"company": str(company.pk), "page_size": page_size})

        assert response.json()["count"] == rows


def test_a_correction_costs_two_queries_more(api, committed_job, owner, django_assert_num_queries):
    committed_job(owner, title="Desainer Grafis untuk Logo UMKM")

    with django_assert_num_queries(3):
        api.get(JOBS, {"q": "desainer"})
    with django_assert_num_queries(5):  # the count that found nothing, the vocabulary, then as usual
        response = api.get(JOBS, {"q": "desiner"})

    assert titles(response) == ["Desainer Grafis untuk Logo UMKM"]


def test_a_correction_under_filters_costs_three_queries_more(api, committed_job, owner, django_assert_num_queries):
    committed_job(owner, title="Desainer Grafis untuk Logo UMKM", category="logo-brand-identity")

    # The category's ids; the count that found nothing; the vocabulary; the words' own count, without the
    # filters (nothing: a typo); the corrected count; the page and its skills.
    with django_assert_num_queries(7):
        response = api.get(JOBS, {"q": "desiner", "category": "logo-brand-identity"})

    assert titles(response) == ["Desainer Grafis untuk Logo UMKM"]


def test_words_that_match_are_not_corrected_when_the_filters_leave_nothing(api, committed_job, owner):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    committed_job(owner, title="Website Toko Online", category="backend-development")
    assert titles(api.get(JOBS, {"q": "websit toko onlin"})) == ["Website Toko Online"]  # not vocabulary words

    with CaptureQueriesContext(connection) as queries:
        response = api.get(JOBS, {"q": "websit toko onlin", "category": "logo-brand-identity"})

    sql = [query["sql"].lower() for query in queries.captured_queries]
    assert (titles(response), response.json()["count"]) == ([], 0)
    assert sum("jobs_searchword" in query for query in sql) == 1  # a correction was found: `website toko online`
    assert not any("website" in query for query in sql)  # and not counted: the words themselves find jobs


def test_searches_do_not_share_a_lock_for_their_count():
    """functools.cached_property (Python < 3.12) locks one RLock for every instance of a class: under load each
    request held its pooled connection while waiting for another search's count, until the pool timed out (503)."""
    import functools

    from jobs.search import JobSearch

    assert not isinstance(JobSearch.__dict__["_capped_count"], functools.cached_property)


@pytest.mark.postgres
@pytest.mark.parametrize(("since_days", "found_recent"), [(6, True), (5, True), (4, False), (0, False)])
def test_relevance_candidates_among_recent_jobs_are_the_newest_or_all_are_sorted(
        design_budgets, settings, monkeypatch, since_days, found_recent):
    """The "recent" way reads the matches published since a time, and answers when they hold all the candidates
    (the newest 6 of the 10 matches: the backend job, whose description says "desain", and "Desain 0" to
    "Desain 4", each a day older); else the sort answers. Pages equal the sorted ones either way, and the plan's
    cost setting ends with the statement."""
    _bitmaps_only()
    _bantu(settings, SEARCH_COUNT_CAP=3, SEARCH_RANKED_CANDIDATES=6)
    monkeypatch.setattr(search, "_open_jobs_estimate", lambda: 10**9)  # a walk would read more than the matches
    monkeypatch.setattr(search, "_published_since", lambda share: days_ago(since_days))
    monkeypatch.setattr(search, "CANDIDATES_SHARE_MAX", 2)  # here the candidates are most of the matches

    def pages(margin):
        _bantu(settings, SEARCH_CANDIDATES_MARGIN=margin)
        found = search.job_search(user=None, params=search.SearchParams(q="desain"))
        assert found.count_capped
        statements = [_statements(lambda offset=offset: found.page(offset, 2)) for offset in (0, 2, 4, 6)]
        return found._candidates_way, statements, [[job.pk for job in found.page(offset, 2)] for offset in (0, 2, 4, 6)]

    sorted_way, _, sorted_pages = pages(0)
    way, statements, chosen = pages(2)

    assert (sorted_way, way) == ("sort", "recent")
    assert chosen == sorted_pages and len({pk for page in chosen for pk in page}) == 8
    recent = [any('"published_at" >=' in sql and "COUNT(" in sql for sql in page) for page in statements]
    assert recent == [True, True, True, False]  # the last page lies past the candidates: newest first, no ranking
    # Answered by the recent jobs, or looked for again among all of them.
    assert [sum("COALESCE" in sql for sql in page) for page in statements[:3]] == [1 if found_recent else 2] * 3
    assert _setting("cpu_tuple_cost") == "0.01"


def _setting(name: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s)", [name])
        return cursor.fetchone()[0]
