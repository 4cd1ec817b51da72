"""Ratings: a denormalized average updated atomically on publication, against computing it on read.

Bantu keeps each freelancer's and company's `rating_avg`, `rating_count` and `rating_sum` on their row, changed by
one UPDATE per published review (bantu/core/ratings.py). The alternative is to keep nothing and aggregate the
published, visible reviews whenever a profile is read. This script measures both, on PostgreSQL, in one process:

- **write**: publishing a pair of reviews through `reviews.services.review_create` (the second review of a
  contract publishes both), sequentially and from `--threads` threads that all publish reviews of ONE freelancer
  (the worst case for the UPDATE's row lock), with the denormalized update, and with it switched off (what
  computing on read costs at write time: nothing);
- **read**: what `GET freelancers/` runs for one page (the count and the page of profiles with their rating),
  ordered by rating and by the default (newest), and one profile by id: from the stored columns, and with the
  rating aggregated from the reviews by correlated subqueries (the "compute on read" query);
- **correctness**: after the threaded publications, every stored rating equals the aggregate over the rows.

    .venv/bin/python bench/ratings.py                           # 2,000 freelancers, 40,000 published reviews
    .venv/bin/python bench/ratings.py --freelancers 500 --reviews-per-freelancer 10

The database (default `bantu_reviews_bench`) is dropped and re-created; its name must contain "bench". Seeding
inserts the contracts and reviews in bulk (COPY-free `bulk_create` batches), with each profile's stored rating
computed from what was inserted. Results are printed and written as JSON to bench/results/ (git-ignored).
Numbers are in docs/benchmarks.md ("Ratings").
"""

import argparse
import datetime
import json
import os
import random
import re
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

RESULTS_DIR = ROOT / "bench" / "results"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bantu_reviews_bench")
    parser.add_argument("--freelancers", type=int, default=2_000)
    parser.add_argument("--companies", type=int, default=200)
    parser.add_argument(
        "--reviews-per-freelancer",
        type=int,
        default=20,
        help="published reviews of each freelancer by companies (default 20)",
    )
    parser.add_argument("--reads", type=int, default=200, help="timed repetitions of each read (default 200)")
    parser.add_argument(
        "--publications", type=int, default=200, help="timed publications per write phase (default 200)"
    )
    parser.add_argument("--threads", type=int, default=8, help="threads of the concurrent write phase (default 8)")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


def create_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    if not re.fullmatch(r"[A-Za-z0-9_]+", name) or "bench" not in name:
        raise SystemExit(f"refusing to use {name!r}: the bench database's name must contain 'bench' (it is dropped)")
    parts = urlsplit(url)
    admin_url = urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, parts.fragment))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ.update(
        {
            "DATABASE_URL": url,
            "REDIS_URL": "",
            "CELERY_BROKER_URL": "",
            "DB_POOL_MAX_SIZE": "0",
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "bantu.settings",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)


# --- Seeding ----------------------------------------------------------------------------------------------------


def seed(args: argparse.Namespace) -> dict:
    """Users, companies (one owner each), freelancers, and per freelancer `reviews_per_freelancer` completed
    contracts each reviewed by both sides (published). Returns the ids the phases need."""
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import User
    from bantu.core.models import uuid7
    from companies.models import Company, Membership
    from freelancers.models import FreelancerProfile
    from jobs.models import Job
    from proposals.models import Contract, Offer, Proposal
    from reviews.models import Review
    from taxonomy.models import Category

    rng = random.Random(args.seed)
    now = timezone.now()
    category = Category.objects.get(slug="logo-brand-identity")
    started = time.perf_counter()
    with transaction.atomic():
        owners = User.objects.bulk_create(
            [User(email=f"owner{n}@bench.id", full_name=f"Owner {n}", password="!") for n in range(args.companies)]
        )
        companies = Company.objects.bulk_create(
            [Company(name=f"PT Bench {n}", slug=f"pt-bench-{n}") for n in range(args.companies)]
        )
        Membership.objects.bulk_create(
            [
                Membership(company=company, user=owner, role="owner")
                for company, owner in zip(companies, owners, strict=True)
            ]
        )
        users = User.objects.bulk_create(
            [User(email=f"free{n}@bench.id", full_name=f"Freelancer {n}", password="!")  # "!": unusable, no login
             for n in range(args.freelancers)]
        )
        profiles = FreelancerProfile.objects.bulk_create(
            [FreelancerProfile(user=user, headline=f"Desainer {n}") for n, user in enumerate(users)]
        )
        stars_of_freelancer = {user.pk: [] for user in users}
        stars_of_company = {company.pk: [] for company in companies}
        batch: dict[str, list] = {"jobs": [], "proposals": [], "offers": [], "contracts": [], "reviews": []}

        def flush():
            Job.objects.bulk_create(batch["jobs"])
            Proposal.objects.bulk_create(batch["proposals"])
            Offer.objects.bulk_create(batch["offers"])
            Contract.objects.bulk_create(batch["contracts"])
            Review.objects.bulk_create(batch["reviews"])
            for items in batch.values():
                items.clear()

        for user in users:
            for _ in range(args.reviews_per_freelancer):
                index = rng.randrange(args.companies)
                company, owner = companies[index], owners[index]
                job = Job(
                    id=uuid7(),
                    company=company,
                    posted_by=owner,
                    title="Logo",
                    description="Logo.",
                    category=category,
                    budget_min=1,
                    budget_max=1_000_000,
                    status="completed",
                )
                proposal = Proposal(
                    id=uuid7(),
                    job=job,
                    freelancer=user,
                    cover_letter="Siap.",
                    amount=1_000_000,
                    duration_days=7,
                    status="accepted",
                )
                offer = Offer(
                    id=uuid7(), proposal=proposal, side="freelancer", author=user, amount=1_000_000, duration_days=7
                )
                contract = Contract(
                    id=uuid7(),
                    proposal=proposal,
                    job=job,
                    company=company,
                    freelancer=user,
                    accepted_offer=offer,
                    amount=1_000_000,
                    duration_days=7,
                    status="completed",
                    completed_at=now,
                )
                by_company, by_freelancer = rng.randint(1, 5), rng.randint(1, 5)
                stars_of_freelancer[user.pk].append(by_company)
                stars_of_company[company.pk].append(by_freelancer)
                common = {
                    "contract": contract,
                    "freelancer": user,
                    "company": company,
                    "status": "published",
                    "published_at": now - datetime.timedelta(seconds=rng.randrange(10**7)),
                }
                batch["jobs"].append(job)
                batch["proposals"].append(proposal)
                batch["offers"].append(offer)
                batch["contracts"].append(contract)
                batch["reviews"] += [
                    Review(
                        side="company",
                        author=owner,
                        rating=by_company,
                        comment="Bagus.",
                        communication=5,
                        quality=4,
                        timeliness=5,
                        **common,
                    ),
                    Review(side="freelancer", author=user, rating=by_freelancer, comment="Jelas.", **common),
                ]
            if len(batch["contracts"]) >= 2_000:
                flush()
        flush()
        _store_ratings(FreelancerProfile, "user_id", stars_of_freelancer)
        _store_ratings(Company, "pk", stars_of_company)
    return {
        "profiles": [profile.pk for profile in profiles],
        "users": [user.pk for user in users],
        "companies": [(company.pk, owner.pk) for company, owner in zip(companies, owners, strict=True)],
        "seconds": round(time.perf_counter() - started, 1),
    }


def _store_ratings(model, key: str, stars_by_id: dict) -> None:
    from decimal import ROUND_HALF_UP, Decimal

    rows = []
    for pk, stars in stars_by_id.items():
        average = (Decimal(sum(stars)) / len(stars)).quantize(Decimal("0.01"), ROUND_HALF_UP) if stars else 0
        rows.append((pk, sum(stars), len(stars), average))
    objects = model.objects.in_bulk([row[0] for row in rows], field_name=key)
    for pk, total, count, average in rows:
        row = objects[pk]
        row.rating_sum, row.rating_count, row.rating_avg = total, count, average
    model.objects.bulk_update(objects.values(), ["rating_sum", "rating_count", "rating_avg"], batch_size=1_000)


# --- Reads --------------------------------------------------------------------------------------------------------


def computed_on_read(queryset, *, subject: str):
    """`queryset` (profiles or companies) with the rating aggregated from the published, visible reviews: the
    query a compute-on-read design runs on every list and detail."""
    from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum, Value
    from django.db.models.functions import Coalesce

    from bantu.core.ratings import RatingAverage
    from reviews.models import Review
    from reviews.selectors import PUBLIC

    if subject == "freelancer":
        reviews = Review.objects.filter(PUBLIC, side="company", freelancer_id=OuterRef("user_id"))
        group = "freelancer_id"
    else:
        reviews = Review.objects.filter(PUBLIC, side="freelancer", company_id=OuterRef("pk"))
        group = "company_id"
    grouped = reviews.order_by().values(group)
    total = Coalesce(
        Subquery(grouped.annotate(total=Sum("rating")).values("total"), output_field=IntegerField()), Value(0)
    )
    count = Coalesce(
        Subquery(grouped.annotate(count=Count("id")).values("count"), output_field=IntegerField()), Value(0)
    )
    return queryset.annotate(live_count=count, live_average=RatingAverage(total, count))


def read_phases(args: argparse.Namespace, ids: dict) -> dict:
    from django.db import connection

    from freelancers.selectors import freelancer_list

    rng = random.Random(args.seed + 1)
    stored = freelancer_list()
    live = computed_on_read(freelancer_list(), subject="freelancer")

    def page(queryset, ordering):
        rows = list(queryset.order_by(*ordering)[:20])
        queryset.count()
        return rows

    def one(queryset):
        return queryset.get(pk=rng.choice(ids["profiles"]))

    cases = {
        "list_by_rating": (lambda: page(stored, ("-rating_avg", "pk")), lambda: page(live, ("-live_average", "pk"))),
        "list_newest": (lambda: page(stored, ("-created_at", "pk")), lambda: page(live, ("-created_at", "pk"))),
        "detail": (lambda: one(stored), lambda: one(live)),
    }
    results = {}
    for name, (denormalized, on_read) in cases.items():
        results[name] = {
            "denormalized": time_calls(denormalized, args.reads),
            "computed_on_read": time_calls(on_read, args.reads),
        }
        print(
            f"  read {name:15} denormalized {fmt(results[name]['denormalized'])}   computed on read "
            f"{fmt(results[name]['computed_on_read'])}",
            flush=True,
        )
    with connection.cursor() as cursor:
        sql, params = live.order_by("-live_average", "pk")[:20].query.sql_with_params()
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        results["explain_computed_list_by_rating"] = [row[0] for row in cursor.fetchall()]
        sql, params = stored.order_by("-rating_avg", "pk")[:20].query.sql_with_params()
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        results["explain_denormalized_list_by_rating"] = [row[0] for row in cursor.fetchall()]
    return results


def time_calls(call, repetitions: int) -> dict:
    for _ in range(min(10, repetitions)):
        call()
    samples = []
    for _ in range(repetitions):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 3),
        "p95_ms": round(samples[int(len(samples) * 0.95)], 3),
        "n": repetitions,
    }


def fmt(result: dict) -> str:
    return f"median {result['median_ms']:8.2f} ms  p95 {result['p95_ms']:8.2f} ms"


# --- Writes -------------------------------------------------------------------------------------------------------


def make_pending(hot_user_id, companies: list, count: int) -> list:
    """`count` completed contracts of the freelancer `hot_user_id`, each with the company's review pending: the
    freelancer's review will publish both."""
    from django.db import transaction
    from django.utils import timezone

    from bantu.core.models import uuid7
    from jobs.models import Job
    from proposals.models import Contract, Offer, Proposal
    from reviews.models import Review
    from taxonomy.models import Category

    category = Category.objects.get(slug="logo-brand-identity")
    contracts = []
    with transaction.atomic():
        for n in range(count):
            company_id, owner_id = companies[n % len(companies)]
            job = Job.objects.create(
                id=uuid7(),
                company_id=company_id,
                posted_by_id=owner_id,
                title="Logo",
                description="Logo.",
                category=category,
                budget_min=1,
                budget_max=1_000_000,
                status="completed",
            )
            proposal = Proposal.objects.create(
                job=job,
                freelancer_id=hot_user_id,
                cover_letter="Siap.",
                amount=1_000_000,
                duration_days=7,
                status="accepted",
            )
            offer = Offer.objects.create(
                proposal=proposal, side="freelancer", author_id=hot_user_id, amount=1_000_000, duration_days=7
            )
            contract = Contract.objects.create(
                proposal=proposal,
                job=job,
                company_id=company_id,
                freelancer_id=hot_user_id,
                accepted_offer=offer,
                amount=1_000_000,
                duration_days=7,
                status="completed",
                completed_at=timezone.now(),
            )
            Review.objects.create(
                contract=contract,
                side="company",
                author_id=owner_id,
                freelancer_id=hot_user_id,
                company_id=company_id,
                rating=1 + n % 5,
                comment="Bagus.",
                communication=5,
                quality=4,
                timeliness=5,
            )
            contracts.append(contract.pk)
    return contracts


def publish(contract_id, author) -> float:
    from reviews import services

    started = time.perf_counter()
    services.review_create(contract_id=contract_id, author=author, rating=4, comment="Jelas.")
    return (time.perf_counter() - started) * 1000


def write_phase(name: str, *, contracts: list, author, threads: int, denormalized: bool) -> dict:
    from django.db import connections

    from reviews import services

    original = services._rating_add
    if not denormalized:
        services._rating_add = lambda review, sign: None
    try:
        queue = list(contracts)
        lock = threading.Lock()
        samples: list[float] = []
        errors: list[str] = []

        def worker():
            try:
                while True:
                    with lock:
                        if not queue:
                            return
                        contract_id = queue.pop()
                    try:
                        elapsed = publish(contract_id, author)
                    except Exception as exc:
                        errors.append(repr(exc))
                        continue
                    with lock:
                        samples.append(elapsed)
            finally:
                connections.close_all()

        started = time.perf_counter()
        workers = [threading.Thread(target=worker) for _ in range(threads)]
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join()
        seconds = time.perf_counter() - started
    finally:
        services._rating_add = original
    samples.sort()
    result = {
        "publications": len(samples),
        "errors": len(errors),
        "threads": threads,
        "per_second": round(len(samples) / seconds, 1),
        "median_ms": round(statistics.median(samples), 3),
        "p95_ms": round(samples[int(len(samples) * 0.95)], 3),
    }
    print(
        f"  write {name:38} {result['per_second']:7.1f}/s  median {result['median_ms']:7.2f} ms  "
        f"p95 {result['p95_ms']:7.2f} ms  errors {result['errors']}",
        flush=True,
    )
    return result


def write_phases(args: argparse.Namespace, ids: dict) -> dict:
    from accounts.models import User

    hot = User.objects.get(pk=ids["users"][0])
    results = {}
    for threads in (1, args.threads):
        for denormalized in (True, False):
            name = f"{'denormalized' if denormalized else 'nothing stored (computed on read)'}, {threads} thread(s)"
            contracts = make_pending(hot.pk, ids["companies"], args.publications)
            results[name] = write_phase(
                name, contracts=contracts, author=hot, threads=threads, denormalized=denormalized
            )
            if not denormalized:  # put the ratings right again for the correctness check: from the rows
                recompute(hot.pk, [company_id for company_id, _ in ids["companies"]])
    return results


def recompute(user_id, company_ids) -> None:
    """The stored ratings of the freelancer and the companies from the rows (after a phase that did not keep
    them)."""
    from django.db.models import Count, Sum

    from companies.models import Company
    from companies.services import company_rating_change
    from freelancers.models import FreelancerProfile
    from freelancers.services import freelancer_rating_change
    from reviews.models import Review
    from reviews.selectors import PUBLIC

    totals = Review.objects.filter(PUBLIC, side="company", freelancer_id=user_id).aggregate(
        stars=Sum("rating"), count=Count("id")
    )
    FreelancerProfile.objects.filter(user_id=user_id).update(rating_sum=0, rating_count=0, rating_avg=0)
    freelancer_rating_change(user_id=user_id, stars=totals["stars"] or 0, count=totals["count"] or 0)
    for company_id in company_ids:
        totals = Review.objects.filter(PUBLIC, side="freelancer", company_id=company_id).aggregate(
            stars=Sum("rating"), count=Count("id")
        )
        Company.objects.filter(pk=company_id).update(rating_sum=0, rating_count=0, rating_avg=0)
        company_rating_change(company_id=company_id, stars=totals["stars"] or 0, count=totals["count"] or 0)


def check_correct() -> dict:
    """Every stored rating equals the aggregate of the published, visible reviews."""
    from companies.models import Company
    from freelancers.models import FreelancerProfile

    wrong = []
    for model, subject in ((FreelancerProfile, "freelancer"), (Company, "company")):
        rows = computed_on_read(model.objects.all(), subject=subject).values_list(
            "pk", "rating_avg", "rating_count", "live_average", "live_count"
        )
        wrong += [row for row in rows if (row[1], row[2]) != (row[3], row[4])]
    print(f"  correctness: {len(wrong)} stored ratings differ from the aggregate over the reviews", flush=True)
    return {"mismatches": len(wrong), "examples": [list(map(str, row)) for row in wrong[:5]]}


def main() -> None:
    args = parse_args()
    create_database(args.database_url)
    setup_django(args.database_url)
    print(
        f"Seeding {args.freelancers} freelancers, {args.companies} companies, "
        f"{args.freelancers * args.reviews_per_freelancer} contracts with two published reviews each",
        flush=True,
    )
    ids = seed(args)
    with psycopg.connect(args.database_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    print(f"  seeded in {ids['seconds']} s", flush=True)
    results = {"args": vars(args), "cpus": os.cpu_count(), "load": os.getloadavg(), "seed_seconds": ids["seconds"]}
    results["read"] = read_phases(args, ids)
    results["write"] = write_phases(args, ids)
    results["correctness"] = check_correct()
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"ratings-{datetime.datetime.now(datetime.UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}.json"
    path.write_text(json.dumps(results, indent=2, default=str))
    print(f"Results: {path.relative_to(ROOT)}", flush=True)


if __name__ == "__main__":
    main()
