"""jobs.search reads the capped count's plan (EXPLAIN's JSON) and chooses how relevance's candidates are found."""

import pytest

from jobs import search


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


def test_no_choice_without_statistics_for_a_private_search_or_when_switched_off(settings, monkeypatch):
    monkeypatch.setattr(search, "_open_jobs_estimate", lambda: None)
    assert _capped(settings, text_matches=16994, estimate=16994)._candidates_way is None

    monkeypatch.setattr(search, "_open_jobs_estimate", lambda: 750_000)
    assert _capped(settings, text_matches=16994, estimate=16994, private=True)._candidates_way is None
    settings.BANTU = {**settings.BANTU, "SEARCH_WALKED_PER_SORTED": 0}
    assert _capped(settings, text_matches=16994, estimate=16994)._candidates_way is None
