"""Deterministic generation: rows for `seed_jobs` drawn from one `random.Random(seed)`.

The same seed and the same taxonomy always yield the same companies, owners, titles, descriptions, budgets and
skills; only the UUIDv7 ids (time + OS randomness) and the timestamps (relative to "now") differ between runs. Jobs
come out oldest first, so the time-ordered ids follow `published_at`. Nothing here writes: `categories_load` reads
the taxonomy, the rest is pure computation on the vocabulary (seeding.vocabulary); seeding.writers stores the rows.
"""

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.text import slugify

from bantu.core.indonesia import PROVINCES
from bantu.core.models import uuid7
from companies.models import Company
from jobs.models import Job
from taxonomy.models import Category, Skill

from .vocabulary import (
    BUDGET_TIERS,
    BUSINESSES,
    CATEGORY_TEXT,
    COMPANY_PREFIXES,
    COMPANY_WORDS,
    ENGLISH_SHARE,
    FIRST_NAMES,
    FIXED_MAX,
    FIXED_MIN,
    FIXED_STEP,
    HISTORY_DAYS,
    HOURLY_MAX,
    HOURLY_MIN,
    HOURLY_STEP,
    INDUSTRIES,
    INTRO_EN,
    INTRO_ID,
    LAST_NAMES,
    LEVEL_WEIGHTS,
    LOCATION_WEIGHTS,
    LOGISTICS_EN,
    LOGISTICS_ID,
    NEED_EN,
    NEED_ID,
    PARENT_TIER,
    PROVINCE_CITIES,
    PROVINCE_WEIGHTS,
    REMOVED_REASONS,
    REMOVED_SHARE,
    REQ_EN,
    REQ_ID,
    STATUS_WEIGHTS,
    TERMS_EN,
    TERMS_ID,
    TITLE_EN,
    TITLE_ID,
)

# The columns of jobs_job that a seeded row fills, in COPY order (search_vector is the trigger's).
JOB_COLUMNS = (
    "id", "created_at", "updated_at", "company_id", "posted_by_id", "title", "description", "category_id",
    "skills_text", "job_type", "budget_min", "budget_max", "currency", "location_type", "province", "city",
    "experience_level", "deadline", "status", "published_at", "removed_at", "removed_reason", "removed_by_id",
)
TITLE_MAX = 200
DESCRIPTION_MIN, DESCRIPTION_MAX = 200, 900


@dataclass(frozen=True)
class CategoryText:
    """A child category of the taxonomy with the words its jobs are written with (vocabulary.CATEGORY_TEXT) and
    its skills."""

    id: int
    slug: str
    name: str
    name_en: str
    weight: int
    tier: int
    verb: str
    roles: tuple[str, ...]
    things: tuple[str, ...]
    roles_en: tuple[str, ...]
    things_en: tuple[str, ...]
    skills: tuple[tuple[int, str], ...]  # (id, name)


@dataclass(frozen=True)
class CompanyRef:
    """A stored company as the job generator needs it: its id, its owner's user id (who posts its jobs), its name
    and place (the ids are UUIDs)."""

    id: object
    owner_id: object
    name: str
    province: str
    city: str


def _split(value: str) -> tuple[str, ...]:
    return tuple(part for part in value.split("|") if part)


def _an(phrase: str) -> str:
    return f"{'an' if phrase[:1].lower() in 'aeiou' else 'a'} {phrase}"


def categories_load() -> list[CategoryText]:
    """Child categories with their texts and skills, in a stable order (so a seed means the same data). A category
    without skills of its own gets every skill. Reads the taxonomy, writes nothing; empty before `migrate`."""
    skills_by_category: dict[int, list[tuple[int, str]]] = {}
    all_skills = list(Skill.objects.order_by("id").values_list("id", "name", "category_id"))
    for skill_id, name, category_id in all_skills:
        skills_by_category.setdefault(category_id, []).append((skill_id, name))
    fallback = tuple((skill_id, name) for skill_id, name, _ in all_skills)
    categories = []
    for category in Category.objects.filter(parent__isnull=False).select_related("parent").order_by("slug"):
        text = CATEGORY_TEXT.get(category.slug)
        if text is None:
            text = (1, "Pengerjaan", category.name, category.name, category.name_en, category.name_en)
        weight, verb, roles, things, roles_en, things_en = text
        skills = tuple(skills_by_category.get(category.id, ())) or fallback
        if not skills:
            continue
        categories.append(CategoryText(
            id=category.id, slug=category.slug, name=category.name, name_en=category.name_en, weight=weight,
            tier=PARENT_TIER.get(category.parent.slug, 2), verb=verb, roles=_split(roles), things=_split(things),
            roles_en=_split(roles_en), things_en=_split(things_en), skills=skills,
        ))
    return categories


def _weighted(pairs) -> tuple[list, list[float]]:
    values = [value for value, _ in pairs]
    cumulative, total = [], 0.0
    for _, weight in pairs:
        total += weight
        cumulative.append(total)
    return values, cumulative


def _pick_province(rng: random.Random, provinces, cum) -> tuple[str, str]:
    province = rng.choices(provinces, cum_weights=cum)[0]
    return province, rng.choice(PROVINCE_CITIES.get(province, ("",)))


@dataclass(frozen=True)
class CompanySeed:
    """One generated company and its owner, before anything is stored. `owner_email` is unique per run (the
    run's tag), the owner gets no usable password (nobody signs in as them)."""

    name: str
    slug: str
    description: str
    website: str
    industry: str
    size: str
    city: str
    province: str
    verified: bool
    owner_email: str
    owner_name: str


def companies_generate(rng: random.Random, count: int, tag: str) -> list[CompanySeed]:
    """`count` companies with their owners, drawn from `rng`. `tag` (a few hex digits, new for every run) goes into
    slugs and emails, so that running again with the same seed does not clash with the rows of the first run."""
    provinces, cum = _weighted([(name, PROVINCE_WEIGHTS.get(name, 1)) for name in PROVINCES])
    sizes = [size for size, _ in Company.Size.choices]
    companies = []
    for index in range(count):
        # Keep the order of these draws: changing it changes what every seed makes (and the benchmarks' data).
        prefix = rng.choice(COMPANY_PREFIXES)
        words = rng.sample(COMPANY_WORDS, rng.choice((1, 2, 2, 3)))
        name = " ".join(part for part in (prefix, *words) if part)
        province, city = _pick_province(rng, provinces, cum)
        owner_name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        verified = rng.random() < 0.3
        description = f"{name} adalah perusahaan {rng.choice(INDUSTRIES).lower()} di {city}, {province}."
        website = f"https://{slugify(name)[:60] or 'usaha'}-{index}.example.id" if rng.random() < 0.6 else ""
        companies.append(CompanySeed(
            name=name, slug=f"{slugify(name)[:180]}-{tag}-{index}", description=description, website=website,
            industry=rng.choice(INDUSTRIES), size=rng.choice(sizes), city=city, province=province, verified=verified,
            owner_email=f"seed-{tag}-{index}@example.id", owner_name=owner_name,
        ))
    return companies


class JobGenerator:
    """Iterating yields `count` pairs (row, skill_ids): `row` a tuple in JOB_COLUMNS order (budgets integer rupiah,
    times aware UTC datetimes within HISTORY_DAYS before `now`), `skill_ids` the taxonomy ids of its skills; oldest
    job first. Every draw comes from `rng`, so the rows depend only on its seed, the categories and the companies.

    Raises ValueError without categories (the taxonomy is not migrated) or without companies.
    """

    def __init__(self, *, rng: random.Random, categories: list[CategoryText], companies: list[CompanyRef],
                 count: int, now: datetime):
        if not categories:
            raise ValueError("No categories with skills: migrate first (the taxonomy is seeded by a migration).")
        if not companies:
            raise ValueError("At least one company is needed.")
        self.rng = rng
        self.categories = categories
        self.category_cum = _weighted([(category, category.weight) for category in categories])[1]
        self.companies = companies
        self.count = count
        self.now = now
        self.provinces, self.province_cum = _weighted([(name, PROVINCE_WEIGHTS.get(name, 1)) for name in PROVINCES])
        self.statuses, self.status_cum = _weighted(STATUS_WEIGHTS)
        self.locations, self.location_cum = _weighted(LOCATION_WEIGHTS)
        self.levels, self.level_cum = _weighted(LEVEL_WEIGHTS)

    def __iter__(self) -> Iterator[tuple[tuple, list[int]]]:
        rng = self.rng
        # Sorted uniform draws, largest first, in O(1) memory: u_n = u_{n+1} * U^(1/n). The largest offset is
        # the oldest job, so jobs come out oldest first and uuid7() ids follow published_at.
        span = timedelta(days=HISTORY_DAYS).total_seconds()
        offset = 1.0
        for remaining in range(self.count, 0, -1):
            offset *= (1.0 - rng.random()) ** (1.0 / remaining)
            # Skew towards recent days (a growing marketplace); monotonic, so the order holds.
            yield self._job(offset**1.3 * span)

    def _job(self, age_seconds: float) -> tuple[tuple, list[int]]:
        rng = self.rng
        category = rng.choices(self.categories, cum_weights=self.category_cum)[0]
        # A few companies post most jobs.
        company = self.companies[int(len(self.companies) * rng.random() ** 2)]
        picked = rng.sample(category.skills, min(len(category.skills), rng.choice((1, 2, 2, 3, 3, 4))))
        skill_names = [name for _, name in picked]
        status = rng.choices(self.statuses, cum_weights=self.status_cum)[0]
        location_type = rng.choices(self.locations, cum_weights=self.location_cum)[0]
        if location_type != Job.LocationType.REMOTE or rng.random() < 0.6:
            if rng.random() < 0.7:
                province, city = company.province, company.city
            else:
                province, city = _pick_province(rng, self.provinces, self.province_cum)
        else:
            province, city = "", ""
        job_type = Job.JobType.HOURLY if rng.random() < 0.3 else Job.JobType.FIXED
        budget_min, budget_max = self._budget(category.tier, job_type)
        english = rng.random() < ENGLISH_SHARE
        title, description = self._text(category, company, skills=skill_names, province=province, city=city,
                                        english=english)

        moment = self.now - timedelta(seconds=age_seconds)
        created_at = moment - timedelta(seconds=rng.random() * 2 * 86_400)
        published_at = None if status == Job.Status.DRAFT else moment
        updated_at = moment if status in (Job.Status.OPEN, Job.Status.DRAFT) else min(
            self.now, moment + timedelta(days=rng.random() * 30))
        deadline = (moment + timedelta(days=rng.randint(7, 90))).date() if rng.random() < 0.5 else None
        removed = rng.random() < REMOVED_SHARE and status != Job.Status.DRAFT
        row = (
            uuid7(), created_at, updated_at, company.id, company.owner_id, title, description, category.id,
            " ".join(skill_names), job_type.value, budget_min, budget_max, "IDR", location_type.value, province, city,
            rng.choices(self.levels, cum_weights=self.level_cum)[0].value, deadline, status.value, published_at,
            updated_at if removed else None, rng.choice(REMOVED_REASONS) if removed else "", None,
        )
        return row, [skill_id for skill_id, _ in picked]

    def _budget(self, tier: int, job_type: str) -> tuple[int, int]:
        rng = self.rng
        fixed_low, fixed_high, hourly_low, hourly_high = BUDGET_TIERS[tier]
        if job_type == Job.JobType.HOURLY:
            high = _round(rng.uniform(hourly_low, hourly_high), HOURLY_STEP, HOURLY_MIN, HOURLY_MAX)
            low = _round(high * rng.uniform(0.6, 1.0), HOURLY_STEP, HOURLY_MIN, high)
            return low, high
        high = _round(math.exp(rng.uniform(math.log(fixed_low), math.log(fixed_high))), FIXED_STEP, FIXED_MIN,
                      FIXED_MAX)
        if rng.random() < 0.35:
            return high, high
        return _round(high * rng.uniform(0.4, 0.9), FIXED_STEP, FIXED_MIN, high), high

    def _text(self, category: CategoryText, company: CompanyRef, *, skills: list[str], province: str, city: str,
              english: bool) -> tuple[str, str]:
        rng = self.rng
        biz_id, biz_en = rng.choice(BUSINESSES)
        where_city = city or rng.choice(("Jakarta", "Bandung", "Surabaya", "Yogyakarta", "Denpasar", "Medan"))
        values = {
            "skill": skills[0], "skills": ", ".join(skills), "company": company.name, "city": where_city,
            "province": province or "Indonesia", "years": rng.randint(1, 5), "weeks": rng.randint(1, 12),
            "revisions": rng.randint(2, 5),
        }
        if english:
            role, thing = rng.choice(category.roles_en), rng.choice(category.things_en)
            values.update(role=role, role_l=role.lower(), a_role=_an(role), thing=thing, thing_l=thing.lower(),
                          biz=biz_en, a_biz=_an(biz_en.lower()), category_l=category.name_en.lower(),
                          term=rng.choice(TERMS_EN))
            title = rng.choice(TITLE_EN).format(**values)
            pools = (INTRO_EN, NEED_EN, REQ_EN, LOGISTICS_EN)
        else:
            values.update(role=rng.choice(category.roles), thing=rng.choice(category.things), biz=biz_id,
                          verb=category.verb, verb_l=category.verb.lower(), category=category.name.lower(),
                          where=f"di {city}" if city else "(Remote)", term=rng.choice(TERMS_ID))
            title = rng.choice(TITLE_ID).format(**values)
            pools = (INTRO_ID, NEED_ID, REQ_ID, LOGISTICS_ID)
        return title[:TITLE_MAX], self._description(pools, values)

    def _description(self, pools, values: dict) -> str:
        rng = self.rng
        intro, need, requirements, logistics = pools
        wanted = rng.randint(2, 5)
        sentences = [rng.choice(need).format(**values)]
        if rng.random() < 0.6:
            sentences.insert(0, rng.choice(intro).format(**values))
        extra = rng.sample(requirements, 2) + rng.sample(logistics, 3)
        rng.shuffle(extra)
        while extra and (len(sentences) < wanted or len(" ".join(sentences)) < DESCRIPTION_MIN):
            sentences.append(extra.pop().format(**values))
        while len(" ".join(sentences)) > DESCRIPTION_MAX and len(sentences) > 2:
            sentences.pop()
        return " ".join(sentences)[:DESCRIPTION_MAX]


def _round(value: float, step: int, low: int, high: int) -> int:
    return max(low, min(high, round(value / step) * step))

