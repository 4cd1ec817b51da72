"""`manage.py seed_jobs --count N`: realistic jobs in bulk for benchmarks and load tests (seeding.writers.jobs_seed)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from jobs import cache
from seeding.writers import SeedStats, jobs_seed

JOBS_PER_COMPANY = 200


class Command(BaseCommand):
    help = ("Generate N realistic jobs (Indonesian and English, IDR budgets, provinces and cities, taxonomy "
            "categories and skills) for K new companies. COPY on PostgreSQL, bulk_create elsewhere.")

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="How many jobs to create.")
        parser.add_argument("--companies", type=int, default=None,
                            help=f"Companies (each with an owner) to create; default count/{JOBS_PER_COMPANY}.")
        parser.add_argument("--seed", type=int, default=0, help="Random seed: the same seed makes the same data.")
        parser.add_argument("--batch", type=int, default=5000, help="Jobs per transaction.")
        parser.add_argument("--writers", type=int, default=2,
                            help="PostgreSQL: connections that COPY batches in parallel (1 = this one only).")

    def handle(self, *args, count, companies, seed, batch, writers, **options):
        if count < 1:
            raise CommandError("--count must be at least 1.")
        if batch < 1 or writers < 1:
            raise CommandError("--batch and --writers must be at least 1.")
        companies = max(1, count // JOBS_PER_COMPANY) if companies is None else companies
        if companies < 1:
            raise CommandError("--companies must be at least 1.")
        verbosity = options.get("verbosity", 1)
        step = max(batch, count // 20)
        next_report = [step]

        def progress(stats: SeedStats, total: int) -> None:
            if verbosity >= 1 and (stats.jobs >= next_report[0] or stats.jobs == total):
                next_report[0] = stats.jobs + step
                self.stdout.write(f"  {stats.jobs:>10,}/{total:,} jobs  {stats.seconds:7.1f} s  "
                                  f"{stats.rate:8,.0f} jobs/s")
                self.stdout.flush()

        self.stdout.write(f"Seeding {count:,} jobs for {companies:,} companies on {connection.vendor} "
                          f"(seed {seed}, batch {batch:,})")
        try:
            stats = jobs_seed(count=count, companies=companies, seed=seed, batch=batch, writers=writers,
                              progress=progress)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        cache.everything_changed()  # once, not per row: every cached search and detail entry is now stale
        statuses = ", ".join(f"{name} {number:,}" for name, number in sorted(stats.status_counts.items()))
        self.stdout.write(f"Statuses: {statuses}")
        self.stdout.write(self.style.SUCCESS(
            f"Seeded {stats.jobs:,} jobs ({stats.skills:,} job skills, {stats.companies:,} companies) in "
            f"{stats.seconds:.1f} s: {stats.rate:,.0f} jobs/s"))
