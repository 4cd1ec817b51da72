"""The search mix: what freelancers type and click, deterministic for a seed.

About two thirds of the searches carry a full-text `q` (Indonesian and English words and phrases, typos, a quoted
phrase, a negation), the rest browse with filters only; filters (category or parent category, province, budget
range, job type, experience level, location type, skills, posted since), orderings and pages 1-3 are mixed in.
"""

import random
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

QUERIES_ID = (
    "desain logo", "logo", "website", "toko online", "pembuatan website", "aplikasi android", "admin media sosial",
    "penerjemah", "dokumen legal", "penerjemah inggris", "edit video youtube", "fotografer produk", "foto produk",
    "laporan keuangan", "pajak", "spt tahunan", "input data", "artikel seo", "desain interior kafe", "arsitek rumah",
    "les bahasa inggris", "guru mengaji", "backend developer django", "flutter", "laravel", "react", "wordpress",
    "shopee", "konten tiktok", "customer service", "voice over", "jingle iklan", "animasi", "power bi", "python",
    "chatbot whatsapp", "pendirian pt", "perjanjian kerja sama", "business plan", "rekrutmen karyawan",
    "desainer grafis kedai kopi", "pembukuan umkm", "olah data skripsi", "admin toko online", "kemasan produk",
)
QUERIES_EN = (
    "logo design", "graphic designer", "web developer", "mobile app", "translator", "legal documents",
    "video editor", "product photos", "bookkeeper", "tax consultant", "data analyst", "content writer",
    "seo articles", "virtual assistant", "interior designer", "english tutor", "social media manager",
    "wordpress website", "django backend developer", "coffee shop logo",
)
QUERIES_TYPO = (
    "desainer grafsi", "websit toko onlin", "penerjemh", "fotografr produk", "aplikasi andorid", "edit vidio",
    "sosial media", "copywritter", "wordpres", "akuntan pajek", "desian logo", "developr backend",
)
QUERIES_SYNTAX = ('"toko online"', '"video editor"', "kopi -logo", "website or aplikasi", '"laporan keuangan" pajak')

Q_ORDERINGS = (("", 60), ("newest", 20), ("budget", 10), ("-budget", 10))
BROWSE_ORDERINGS = (("", 60), ("budget", 15), ("-budget", 15), ("oldest", 10))
BUDGETS = ((None, 2_000_000), (1_000_000, 5_000_000), (5_000_000, 20_000_000), (10_000_000, None),
           (100_000, 300_000))


def _weighted(rng: random.Random, pairs):
    return rng.choices([value for value, _ in pairs], weights=[weight for _, weight in pairs])[0]


def _filters(rng: random.Random, params: dict, *, text: bool, since: str, parent_categories: list[str],
             child_categories: list[str], skills: list[str], provinces: list[tuple[str, int]]) -> None:
    if rng.random() < (0.25 if text else 0.6):
        params["category"] = rng.choice(parent_categories if rng.random() < 0.4 else child_categories)
    if rng.random() < (0.15 if text else 0.35):
        params["province"] = _weighted(rng, provinces)
    if rng.random() < 0.15:
        low, high = rng.choice(BUDGETS)
        if low is not None:
            params["budget_min"] = low
        if high is not None:
            params["budget_max"] = high
    if rng.random() < 0.12:
        params["job_type"] = rng.choice(("fixed", "hourly"))
    if rng.random() < 0.08:
        params["experience_level"] = rng.choice(("entry", "intermediate", "expert"))
    if rng.random() < 0.06:
        params["location_type"] = rng.choice(("onsite", "hybrid"))
    if rng.random() < 0.05:
        params["skills"] = ",".join(rng.sample(skills, rng.choice((1, 2))))
    if rng.random() < 0.05:
        params["posted_since"] = since


def build_mix(*, rng: random.Random, size: int, parent_categories: list[str], child_categories: list[str],
              skills: list[str], provinces: list[tuple[str, int]]) -> list[str]:
    """`size` search paths (`/api/v1/jobs/?...`), the same for the same rng state."""
    since = (datetime.now(UTC) - timedelta(days=30)).date().isoformat()
    paths = []
    seen = set()
    attempts = 0
    while len(paths) < size and attempts < size * 20:
        attempts += 1
        params: dict[str, object] = {}
        text = rng.random() < 0.65
        if text:
            kind = rng.random()
            pool = (QUERIES_ID if kind < 0.6 else QUERIES_EN if kind < 0.8 else QUERIES_TYPO if kind < 0.93
                    else QUERIES_SYNTAX)
            params["q"] = rng.choice(pool)
        _filters(rng, params, text=text, since=since, parent_categories=parent_categories,
                 child_categories=child_categories, skills=skills, provinces=provinces)
        ordering = _weighted(rng, Q_ORDERINGS if text else BROWSE_ORDERINGS)
        if ordering:
            params["ordering"] = ordering
        page = _weighted(rng, ((1, 75), (2, 15), (3, 10)))
        if page > 1:
            params["page"] = page
        path = "/api/v1/jobs/" + ("?" + urlencode(params) if params else "?page=1")
        if path not in seen:
            seen.add(path)
            paths.append(path)
    return paths
