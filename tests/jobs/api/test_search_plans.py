"""jobs.search reads the capped count's plan (EXPLAIN's JSON) and chooses how relevance's candidates are found."""

import datetime

import pytest

from jobs import search

# A histogram of published times like PostgreSQL's: 101 bounds, 100 buckets of as many jobs, a day each.
DAY_ONE = datetime.datetime(2026, 8, 1, tzinfo=datetime.UTC)
HISTOGRAM = tuple(DAY_ONE + datetime.timedelta(days=day) for day in range(101))


@pytest.fixture(autouse=True)
def statistics(monkeypatch):
    """PostgreSQL's statistics as a table of 750,000 open jobs would have them, without a database; no histogram
    (so no "recent" way) unless a test sets one."""
    monkeypatch.setattr(search, "_statistics", lambda: search._Statistics(750_000, ()))


def _scan(rows, index=search.TEXT_INDEX, loops=1, estimate=100):
    return {"Node Type": "Bitmap Index Scan", "Index Name": index, "Plan Rows": estimate, "Actual Rows": rows,
            "Actual Loops": loops}


def _limit(rows, child):
    return {"Node Type": "Limit", "Actual Rows": rows, "Actual Loops": 1, "Plans": [child]}


def _heap(rows, child, loops=1, **removed):
    return {"Node Type": "Bitmap Heap Scan", "Actual Rows": rows, "Actual Loops": loops, "Plans": [child],
            **{f"Rows Removed by {kind.replace('_', ' ').title()}": count for kind, count in removed.items()}}


@pytest.mark.parametrize(("plan", "counted"), [
    # The words alone: every row read passed.
    (_limit(1001, _heap(1001, _scan(16994))), search.Counted(1001, 16994, 16994, 100)),
    # A filter checked on the rows (location_type): 1,001 of 9,443 read passed.
    (_limit(1001, _heap(1001, _scan(16994), filter=8442)), search.Counted(1001, 16994, 1801, 100)),
    # A phrase: the positions are checked on the rows (the index recheck).
    (_limit(1001, _heap(1001, _scan(20541), index_recheck=1243)), search.Counted(1001, 20541, 9163, 100)),
    # Fewer matches than the limit, all read.
    (_limit(37, _heap(37, _scan(40), filter=3)), search.Counted(37, 40, 37, 100)),
    (_limit(0, _heap(0, _scan(0))), search.Counted(0, 0, 0, 100)),
    # Parallel workers: rows and removals per loop.
    (_limit(1001, _heap(334, _scan(30000), loops=3, filter=100)), search.Counted(1001, 30000, 23088, 100)),
    # A category's bitmap ANDed with the text's: the count sees only rows of both, the estimate is unknown.
    (_limit(1001, _heap(1001, {"Node Type": "BitmapAnd", "Actual Rows": 0, "Actual Loops": 1, "Plans": [
        _scan(16994), _scan(90000, index="jobs_open_category_idx")]})), search.Counted(1001, 16994, None, 100)),
    # Another index walked (no bitmap of the text), or a private search's plan.
    (_limit(20, {"Node Type": "Index Scan", "Index Name": "jobs_open_published_idx", "Actual Rows": 20,
                 "Actual Loops": 1}), search.Counted(20)),
    (_limit(3, _heap(3, _scan(3, index="jobs_company_status_idx"))), search.Counted(3)),
])
def test_the_count_is_read_with_the_texts_matches_and_how_many_pass(plan, counted):
    assert search.counted_from_plan(plan) == counted


def _capped(settings, *, text_matches, estimate, private=False, planned=100) -> search.JobSearch:
    settings.BANTU = {**settings.BANTU, "SEARCH_COUNT_CAP": 1000}
    found = search.JobSearch(filtered=None, text="penerjemah inggris", ordering="relevance", private=private)
    found._capped_count = 1001  # counted past the cap (the cached property's value)
    found.text_matches, found.matches_estimate, found.text_estimate = text_matches, estimate, planned
    return found


@pytest.mark.parametrize(("text_matches", "estimate", "way"), [
    (16994, 16994, "walk"),  # 500 * 750,000 / 16,994 = 22,066 jobs walked, at most 1.65 * 16,994 = 28,040
    (13869, 13869, "sort"),  # 27,039 walked against 22,884
    (9516, 9516, "sort"),
    (20541, 2366, "sort"),  # a filter passes one match in nine: the walk would read 158,495 jobs
    (81729, 81729, "walk"),
    (16994, None, None),  # no estimate: as PostgreSQL plans it
])
def test_relevance_candidates_are_walked_when_the_walk_reads_less(settings, monkeypatch, text_matches, estimate,
                                                                  way):
    monkeypatch.setattr(search, "_open_jobs_estimate", lambda: 750_000)

    assert _capped(settings, text_matches=text_matches, estimate=estimate)._candidates_way == way


@pytest.mark.parametrize(("planned", "way"), [(3544, "walk"), (8497, "walk"), (8498, None), (74665, None)])
def test_a_walk_is_left_to_postgresql_when_it_knows_the_words_are_broad(settings, monkeypatch, planned, way):
    monkeypatch.setattr(search, "_open_jobs_estimate", lambda: 750_000)

    assert _capped(settings, text_matches=16995, estimate=16995, planned=planned)._candidates_way == way


def _with_histogram(monkeypatch):
    monkeypatch.setattr(search, "_statistics", lambda: search._Statistics(750_000, HISTOGRAM))


@pytest.mark.parametrize(("share", "since"), [
    (0.1, HISTOGRAM[90]),  # the jobs of the last 10 buckets
    (0.105, HISTOGRAM[89]),  # at least the share: 11 buckets
    (0.001, HISTOGRAM[99]),  # never less than one bucket
    (1, HISTOGRAM[0]),
])
def test_the_time_since_which_a_share_of_jobs_were_published_comes_from_the_histogram(monkeypatch, share, since):
    _with_histogram(monkeypatch)

    assert search._published_since(share) == since


def test_no_time_without_a_histogram():
    assert search._published_since(0.1) is None


@pytest.mark.parametrize(("text_matches", "estimate", "way", "since"), [
    # 2 * 500 / 9,516 = a share of 0.105: the last 11 buckets; a walk would read 39,411 jobs, more than 9,516.
    (9516, 9516, "recent", HISTOGRAM[89]),
    (13869, 13869, "recent", HISTOGRAM[92]),
    (20541, 9163, "recent", HISTOGRAM[89]),  # a phrase: the positions pass 9,163 of the 20,541 the index finds
    # 2 * 500 / 5,000 = 0.2 is the largest share kept; 4,999 matches would need more.
    (5000, 5000, "recent", HISTOGRAM[80]),
    (4999, 4999, "sort", None),
    (20541, 2366, "sort", None),  # a filter passes one match in nine: a share of 0.42
    # A walk that reads fewer jobs than the words match (500 * 750,000 / 38,830 = 9,658) is not replaced.
    (38830, 38830, None, HISTOGRAM[97]),
    (16994, 16994, "recent", HISTOGRAM[94]),  # 22,066 walked, more than 16,994
])
def test_relevance_candidates_are_looked_for_among_recent_jobs_when_a_walk_reads_more_than_the_matches(
        settings, monkeypatch, text_matches, estimate, way, since):
    _with_histogram(monkeypatch)
    found = _capped(settings, text_matches=text_matches, estimate=estimate, planned=text_matches)

    assert (found._candidates_way, found._candidates_since) == (way, since)


def test_a_walk_that_reads_fewer_jobs_than_the_matches_is_made_when_postgresql_would_not(settings, monkeypatch):
    _with_histogram(monkeypatch)

    assert _capped(settings, text_matches=38830, estimate=38830, planned=100)._candidates_way == "walk"


def test_no_recent_way_when_switched_off(settings, monkeypatch):
    _with_histogram(monkeypatch)
    settings.BANTU = {**settings.BANTU, "SEARCH_CANDIDATES_MARGIN": 0}

    assert _capped(settings, text_matches=9516, estimate=9516)._candidates_way == "sort"


def test_no_choice_without_statistics_for_a_private_search_or_when_switched_off(settings, monkeypatch):
    monkeypatch.setattr(search, "_open_jobs_estimate", lambda: None)
    assert _capped(settings, text_matches=16994, estimate=16994)._candidates_way is None

    monkeypatch.setattr(search, "_open_jobs_estimate", lambda: 750_000)
    assert _capped(settings, text_matches=16994, estimate=16994, private=True)._candidates_way is None
    settings.BANTU = {**settings.BANTU, "SEARCH_WALKED_PER_SORTED": 0}
    assert _capped(settings, text_matches=16994, estimate=16994)._candidates_way is None
