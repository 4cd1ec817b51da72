import time

from django.core.management.base import BaseCommand

from jobs.search import search_words_refresh


class Command(BaseCommand):
    help = ("Rebuild the job search's typo vocabulary (the words of open jobs' titles and of skills) now, as the "
            "hourly task does: after loading jobs in bulk (seed_jobs, an import), which adds no words on its own.")

    def handle(self, *args, **options):
        started = time.perf_counter()
        words = search_words_refresh()
        self.stdout.write(f"Search vocabulary: {words:,} words in {time.perf_counter() - started:.1f} s")
