"""What stores generated and demo data: `jobs_seed` (bulk, for `manage.py seed_jobs`) and `demo_seed` (a few rows
through the services, for `manage.py seed_demo`).

Bulk jobs go in with COPY on PostgreSQL (the search trigger fills `search_vector` row by row, as for any insert)
and with `bulk_create` elsewhere. Users, companies and memberships are built as model instances, checked with the
same model validation the services run (`full_clean`, the manager's email normalization, an unusable password set
by the model) and stored with `bulk_create`: a few thousand rows, where `company_create` per company would cost a
transaction and four queries each. Nothing here bumps cache versions per row: `seed_jobs` calls
`jobs.cache.everything_changed()` once at the end.
"""

import random
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from bantu.core.models import uuid7
from companies.models import Company, Membership
from companies.services import company_create, membership_add
from freelancers.models import FreelancerProfile
from freelancers.services import freelancer_profile_create
from jobs.models import Job
from jobs.services import job_create
from proposals.models import Contract
from proposals.services import proposal_accept, proposal_submit
from taxonomy.models import Category, Skill

from .generator import JOB_COLUMNS, CompanyRef, CompanySeed, JobGenerator, categories_load, companies_generate
from .vocabulary import (
    DEMO_ADMIN,
    DEMO_COMPANY,
    DEMO_FREELANCERS,
    DEMO_JOBS,
    DEMO_MILESTONES,
    DEMO_OPERATORS,
    DEMO_OWNER,
    DEMO_PASSWORD,
    DEMO_PROPOSAL,
    DEMO_RECRUITER,
)

# Every table jobs_seed writes: ANALYZEd at the end. A planner that still thinks there are 50 companies picks nested
# loops that cost seconds.
SEEDED_TABLES = ("accounts_user", "companies_company", "companies_membership", "jobs_job", "jobs_job_skills")


# ---------------------------------------------------------------------------------------------------------------
# Companies and their owners
# ---------------------------------------------------------------------------------------------------------------

def companies_write(seeds: list[CompanySeed]) -> list[CompanyRef]:
    """Store each company with its owner (a user without a usable password) as its OWNER member, in one
    transaction, and return them in the same order.

    Each row passes its model's validation first (what `User.objects.create_user` and `company_create` check; the
    uniqueness of emails and slugs is the database's, with the run's tag in both). Raises ValidationError on a
    generated value the models refuse (a bug in the generator, not bad input).
    """
    now = timezone.now()
    users, companies, memberships = [], [], []
    for seed in seeds:
        user = User(email=User.objects.normalize_email(seed.owner_email), full_name=seed.owner_name, date_joined=now)
        user.set_unusable_password()
        user.full_clean(exclude=["password"], validate_unique=False, validate_constraints=False)
        company = Company(
            name=seed.name, slug=seed.slug, description=seed.description, website=seed.website,
            industry=seed.industry, size=seed.size, city=seed.city, province=seed.province, verified=seed.verified,
            verified_at=now if seed.verified else None,
        )
        company.full_clean(validate_unique=False, validate_constraints=False)
        membership = Membership(company=company, user=user, role=Membership.Role.OWNER)
        # The foreign keys point at rows stored below, in the same transaction: validating them would query.
        membership.full_clean(exclude=["company", "user"], validate_unique=False, validate_constraints=False)
        users.append(user)
        companies.append(company)
        memberships.append(membership)
    with transaction.atomic():
        User.objects.bulk_create(users, batch_size=1000)
        Company.objects.bulk_create(companies, batch_size=1000)
        Membership.objects.bulk_create(memberships, batch_size=1000)
    return [CompanyRef(id=company.id, owner_id=user.id, name=company.name, province=company.province,
                       city=company.city) for company, user in zip(companies, users, strict=True)]


# ---------------------------------------------------------------------------------------------------------------
# Jobs
# ---------------------------------------------------------------------------------------------------------------

@dataclass
class SeedStats:
    """What `jobs_seed` wrote so far: jobs, job-skill links, companies; seconds since it started; jobs per status."""

    jobs: int = 0
    skills: int = 0
    companies: int = 0
    seconds: float = 0.0
    status_counts: dict = field(default_factory=dict)

    @property
    def rate(self) -> float:
        """Jobs per second (0.0 before the first batch)."""
        return self.jobs / self.seconds if self.seconds else 0.0


def _batches(generator: JobGenerator, size: int, stats: SeedStats) -> Iterator[tuple[list[tuple], list[tuple]]]:
    status_index = JOB_COLUMNS.index("status")
    rows: list[tuple] = []
    links: list[tuple] = []
    for row, skill_ids in generator:
        rows.append(row)
        links.extend((row[0], skill_id) for skill_id in skill_ids)
        stats.status_counts[row[status_index]] = stats.status_counts.get(row[status_index], 0) + 1
        if len(rows) >= size:
            yield rows, links
            rows, links = [], []
    if rows:
        yield rows, links


def _copy_batch(rows: list[tuple], links: list[tuple]) -> None:
    """One transaction on this thread's connection: COPY the jobs (the trigger fills search_vector), then their
    skills (the foreign keys are deferred to the commit)."""
    with transaction.atomic():
        # A bulk load: losing the last batches on a server crash is fine, waiting for each flush is not.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
        raw = connection.connection  # the psycopg 3 connection, inside Django's transaction
        with raw.cursor() as cursor:
            with cursor.copy(f"COPY jobs_job ({', '.join(JOB_COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            with cursor.copy("COPY jobs_job_skills (job_id, skill_id) FROM STDIN") as copy:
                for link in links:
                    copy.write_row(link)


def _copy_batch_in_thread(rows: list[tuple], links: list[tuple]) -> tuple[int, int]:
    try:
        _copy_batch(rows, links)
    finally:
        connection.close()  # this worker thread's own connection
    return len(rows), len(links)


def _create_batch(rows: list[tuple], links: list[tuple]) -> None:
    with transaction.atomic():
        Job.objects.bulk_create([Job(**dict(zip(JOB_COLUMNS, row, strict=True))) for row in rows])
        Job.skills.through.objects.bulk_create(
            [Job.skills.through(job_id=job_id, skill_id=skill_id) for job_id, skill_id in links])


def _clean_gin_pending_lists() -> None:
    """Merge what the load left in the GIN indexes' pending lists (autovacuum would, later): until then every
    full-text search scans them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexrelid::regclass::text FROM pg_index JOIN pg_class ON pg_class.oid = indexrelid "
                       "JOIN pg_am ON pg_am.oid = pg_class.relam WHERE indrelid = 'jobs_job'::regclass "
                       "AND amname = 'gin'")
        for (name,) in cursor.fetchall():
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [name])


def jobs_seed(*, count: int, companies: int, seed: int, batch: int, writers: int = 2,
              progress: Callable[[SeedStats, int], None] | None = None) -> SeedStats:
    """Create `companies` companies (each with an owner) and `count` jobs posted by their owners, `batch` jobs per
    transaction. Returns what was written and how fast; calls `progress(stats, count)` after each batch.

    On PostgreSQL, `writers` threads COPY batches in parallel on their own connections while this thread
    generates the next ones (generation stays sequential, so the data does not depend on `writers`); then the GIN
    pending lists are merged and SEEDED_TABLES analyzed. Inside an open transaction (tests) everything runs on the
    caller's connection. Takes no row locks. Raises ValueError when the taxonomy has no categories (not migrated)
    or `companies` is below 1.
    """
    rng = random.Random(seed)  # noqa: S311  (test data: reproducible, not secret)
    started = time.perf_counter()
    categories = categories_load()
    tag = uuid7().hex[-8:]  # keeps slugs and emails unique when the command runs again with the same seed
    refs = companies_write(companies_generate(rng, companies, tag))
    stats = SeedStats(companies=len(refs))
    postgres = connection.vendor == "postgresql"
    generator = JobGenerator(rng=rng, categories=categories, companies=refs, count=count, now=timezone.now())

    def done(jobs: int, skills: int) -> None:
        stats.jobs += jobs
        stats.skills += skills
        stats.seconds = time.perf_counter() - started
        if progress is not None:
            progress(stats, count)

    if postgres and writers > 1 and not connection.in_atomic_block:
        pending: deque[Future] = deque()
        with ThreadPoolExecutor(max_workers=writers, thread_name_prefix="seed-copy") as pool:
            for rows, links in _batches(generator, batch, stats):
                pending.append(pool.submit(_copy_batch_in_thread, rows, links))
                while len(pending) > writers:  # bounded memory: at most one batch waiting per writer
                    done(*pending.popleft().result())
            while pending:
                done(*pending.popleft().result())
    else:
        write = _copy_batch if postgres else _create_batch
        for rows, links in _batches(generator, batch, stats):
            write(rows, links)
            done(len(rows), len(links))
    if postgres:
        _clean_gin_pending_lists()
        with connection.cursor() as cursor:
            for table in SEEDED_TABLES:
                cursor.execute(f"ANALYZE {table}")
    stats.seconds = time.perf_counter() - started
    return stats


# ---------------------------------------------------------------------------------------------------------------
# The demo
# ---------------------------------------------------------------------------------------------------------------

def _demo_user(email: str, name: str, **extra) -> User:
    """The demo user, with a verified email (demo accounts can post, apply, fund and withdraw at once)."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=name,
                                        email_verified_at=timezone.now(), **extra)
    elif user.email_verified_at is None:
        User.objects.filter(pk=user.pk).update(email_verified_at=timezone.now())
    return user


def _demo_jobs(company: Company, owner: User) -> None:
    categories = {category.slug: category for category in Category.objects.filter(parent__isnull=False)}
    for title, category, skills, low, high, description in DEMO_JOBS:
        job_create(company=company, posted_by=owner, title=title, description=description,
                   category=categories[category], skills=list(Skill.objects.filter(slug__in=skills)),
                   budget_min=low, budget_max=high)


def _demo_contract(company: Company, owner: User) -> Contract:
    """The first freelancer's accepted proposal for the first demo job: a contract with DEMO_MILESTONES, ready to
    be funded."""
    job = Job.objects.filter(company=company, title=DEMO_JOBS[0][0]).first()
    freelancer = User.objects.get(email__iexact=DEMO_FREELANCERS[0][0])
    proposal = proposal_submit(job=job, freelancer=freelancer, **DEMO_PROPOSAL)
    return proposal_accept(proposal=proposal, actor=owner, milestones=[dict(row) for row in DEMO_MILESTONES])


@transaction.atomic
def demo_seed() -> Contract:
    """The demo data of seeding.vocabulary, through the services: a superuser and an operator in each operator
    group, a company with its owner and a recruiter, two freelancers with profiles, five jobs and a contract of
    two milestones (IDR) for the first job. Every demo user has DEMO_PASSWORD and a verified email.

    Idempotent: what exists (matched by email, by the owner's membership, by the company's jobs) is kept, so a second
    run writes nothing. One transaction. Returns the demo contract. Expects a migrated database (the operator groups
    and the taxonomy come from migrations): raises Group.DoesNotExist or KeyError otherwise.
    """
    _demo_user(*DEMO_ADMIN, is_staff=True, is_superuser=True)
    for email, name, group in DEMO_OPERATORS:
        _demo_user(email, name, is_staff=True).groups.add(Group.objects.get(name=group))
    owner = _demo_user(*DEMO_OWNER)
    company = Company.objects.filter(memberships__user=owner).first()
    if company is None:
        company = company_create(owner=owner, **DEMO_COMPANY)
    recruiter = _demo_user(*DEMO_RECRUITER)
    if not Membership.objects.filter(company=company, user=recruiter).exists():
        membership_add(company=company, actor=owner, email=recruiter.email, role=Membership.Role.RECRUITER)
    for email, name, headline, rate, city, province, skills in DEMO_FREELANCERS:
        user = _demo_user(email, name)
        if not FreelancerProfile.objects.filter(user=user).exists():
            freelancer_profile_create(user=user, data={
                "headline": headline, "hourly_rate": rate, "city": city, "province": province,
                "skills": list(Skill.objects.filter(slug__in=skills)),
                "portfolio_links": [f"https://portfolio.example/{email.split('@')[0]}"],
            })
    if not Job.objects.filter(company=company).exists():
        _demo_jobs(company, owner)
    return Contract.objects.filter(company=company).first() or _demo_contract(company, owner)
