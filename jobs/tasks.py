"""Celery entry points of the jobs app: they call one function and own the retry policy."""

from celery import shared_task

from . import search


@shared_task(name="jobs.search_words_refresh", acks_late=True)
def search_words_refresh_task() -> int:
    """Hourly: rebuild the search's typo vocabulary from the open jobs' titles and the skills (words of jobs that
    opened meanwhile were added on commit; this drops the words of jobs that closed). Idempotent."""
    return search.search_words_refresh()
