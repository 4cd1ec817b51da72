"""Job search: filters, ordering, visibility, pagination, query counts (both databases), and full-text search
(PostgreSQL: ranking, typos, Indonesian and English stemming, negation; SQLite: every word, title first)."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.utils import timezone

from jobs import services
from jobs.models import Job
from taxonomy.models import Category, Skill

from ..conftest import days_ago
from ..helpers import JOBS, detail_url, titles

pytestmark = pytest.mark.django_db

sqlite_only = pytest.mark.skipif(settings.USING_POSTGRES, reason="the SQLite search path")
JAKARTA = datetime.timezone(datetime.timedelta(hours=7))


def count(response) -> int:
    assert response.status_code == 200, response.content
    return response.json()["count"]


# --- filters ------------------------------------------------------------------------------------------------

def test_without_parameters_lists_open_jobs_newest_first(api, make_job, owner):
    make_job(owner, title="Lowongan Lama", published_at=days_ago(3))
    make_job(owner, title="Lowongan Baru", published_at=days_ago(1))
    make_job(owner, title="Lowongan Tengah", published_at=days_ago(2))

    assert titles(api.get(JOBS)) == ["Lowongan Baru", "Lowongan Tengah", "Lowongan Lama"]


def test_category_parent_includes_its_children(api, make_job, owner):
    make_job(owner, title="Logo Kedai Kopi", category="logo-brand-identity", published_at=days_ago(4))
    make_job(owner, title="Desain Umum", category="design-creative", published_at=days_ago(3))
    make_job(owner, title="Maskot Ilustrasi", category="illustration", published_at=days_ago(2))
    make_job(owner, title="API Toko Online", category="backend-development", published_at=days_ago(1))

    assert titles(api.get(JOBS, {"category": "design-creative"})) == ["Maskot Ilustrasi", "Desain Umum",
                                                                      "Logo Kedai Kopi"]
    assert titles(api.get(JOBS, {"category": "logo-brand-identity"})) == ["Logo Kedai Kopi"]
    assert titles(api.get(JOBS, {"category": "programming-tech"})) == ["API Toko Online"]
    assert titles(api.get(JOBS, {"category": "web-development"})) == []


def test_skills_match_any_of_and_list_each_job_once(api, make_job, owner):
    make_job(owner, title="Desain Aplikasi", skills=["figma", "adobe-illustrator", "react"], published_at=days_ago(3))
    make_job(owner, title="Backend Django", skills=["django", "postgresql"], published_at=days_ago(2))
    make_job(owner, title="Frontend React", skills=["react"], published_at=days_ago(1))
    make_job(owner, title="Tanpa Skill", published_at=days_ago(0))

    both = api.get(JOBS, {"skills": "figma,adobe-illustrator"})
    assert titles(both) == ["Desain Aplikasi"]
    assert count(both) == 1
    assert titles(api.get(JOBS, {"skills": "figma,django"})) == ["Backend Django", "Desain Aplikasi"]
    assert titles(api.get(JOBS, {"skills": "react"})) == ["Frontend React", "Desain Aplikasi"]
    assert titles(api.get(JOBS, {"skills": " react , react ,"})) == ["Frontend React", "Desain Aplikasi"]
    assert count(api.get(JOBS, {"skills": "react,figma,adobe-illustrator"})) == 2


def test_location_type_province_and_city(api, make_job, owner):
    make_job(owner, title="Remote Saja", published_at=days_ago(4))
    make_job(owner, title="Onsite Bandung", location_type="onsite", province="Jawa Barat", city="Bandung",
             published_at=days_ago(3))
    make_job(owner, title="Hybrid Bogor", location_type="hybrid", province="Jawa Barat", city="Bogor",
             published_at=days_ago(2))
    make_job(owner, title="Onsite Denpasar", location_type="onsite", province="Bali", city="Denpasar",
             published_at=days_ago(1))

    assert titles(api.get(JOBS, {"location_type": "remote"})) == ["Remote Saja"]
    assert titles(api.get(JOBS, {"location_type": "onsite"})) == ["Onsite Denpasar", "Onsite Bandung"]
    assert titles(api.get(JOBS, {"location_type": "hybrid"})) == ["Hybrid Bogor"]
    assert titles(api.get(JOBS, {"province": "Jawa Barat"})) == ["Hybrid Bogor", "Onsite Bandung"]
    assert titles(api.get(JOBS, {"province": "Papua"})) == []
    assert titles(api.get(JOBS, {"city": "bandung"})) == ["Onsite Bandung"]
    assert titles(api.get(JOBS, {"city": "BANDUNG"})) == ["Onsite Bandung"]
    assert titles(api.get(JOBS, {"city": "Band"})) == []


@pytest.mark.parametrize(("params", "matches"), [
    ({"budget_min": 4_000_000, "budget_max": 10_000_000}, True),
    ({"budget_min": 6_000_000, "budget_max": 10_000_000}, False),
    ({"budget_min": 5_000_000}, True),
    ({"budget_min": 5_000_001}, False),
    ({"budget_max": 1_000_000}, True),
    ({"budget_max": 999_999}, False),
    ({"budget_min": 2_000_000, "budget_max": 3_000_000}, True),
    ({"budget_min": 0, "budget_max": 500_000}, False),
    ({"budget_min": 0, "budget_max": 10_000_000_000}, True),
])
def test_budget_range_overlap(api, make_job, owner, params, matches):
    make_job(owner, title="Satu sampai Lima Juta", budget_min=1_000_000, budget_max=5_000_000)

    assert titles(api.get(JOBS, params)) == (["Satu sampai Lima Juta"] if matches else [])


def test_job_type_and_experience_level(api, make_job, owner):
    make_job(owner, title="Per Jam Ahli", job_type="hourly", experience_level="expert", published_at=days_ago(3))
    make_job(owner, title="Borongan Pemula", job_type="fixed", experience_level="entry", published_at=days_ago(2))
    make_job(owner, title="Borongan Ahli", job_type="fixed", experience_level="expert", published_at=days_ago(1))

    assert titles(api.get(JOBS, {"job_type": "hourly"})) == ["Per Jam Ahli"]
    assert titles(api.get(JOBS, {"job_type": "fixed"})) == ["Borongan Ahli", "Borongan Pemula"]
    assert titles(api.get(JOBS, {"experience_level": "expert"})) == ["Borongan Ahli", "Per Jam Ahli"]
    assert titles(api.get(JOBS, {"experience_level": "intermediate"})) == []
    assert titles(api.get(JOBS, {"job_type": "fixed", "experience_level": "expert"})) == ["Borongan Ahli"]


def test_posted_since_takes_dates_in_jakarta_time_and_date_times(api, make_job, owner):
    # 2025-02-01 00:30 and 2025-01-31 23:30 in Jakarta (UTC+7).
    make_job(owner, title="Setelah Tengah Malam", published_at=datetime.datetime(2025, 2, 1, 0, 30, tzinfo=JAKARTA))
    make_job(owner, title="Sebelum Tengah Malam",
             published_at=datetime.datetime(2025, 1, 31, 23, 30, tzinfo=JAKARTA))
    make_job(owner, title="Bulan Lalu", published_at=datetime.datetime(2025, 1, 1, 12, 0, tzinfo=JAKARTA))

    assert titles(api.get(JOBS, {"posted_since": "2025-02-01"})) == ["Setelah Tengah Malam"]
    assert titles(api.get(JOBS, {"posted_since": "2025-01-31T16:00:00Z"})) == ["Setelah Tengah Malam",
                                                                                "Sebelum Tengah Malam"]
    assert titles(api.get(JOBS, {"posted_since": "2025-01-01T12:00:00+07:00"})) == [
        "Setelah Tengah Malam", "Sebelum Tengah Malam", "Bulan Lalu"]
    assert titles(api.get(JOBS, {"posted_since": "2030-01-01"})) == []


def test_filters_combine(api, make_job, owner):
    make_job(owner, title="Cocok Semua", category="logo-brand-identity", skills=["figma"], location_type="onsite",
             province="Jawa Barat", city="Bandung", job_type="hourly", experience_level="expert",
             budget_min=2_000_000, budget_max=4_000_000)
    make_job(owner, title="Beda Kota", category="logo-brand-identity", skills=["figma"], location_type="onsite",
             province="Jawa Barat", city="Bogor", job_type="hourly", experience_level="expert",
             budget_min=2_000_000, budget_max=4_000_000)
    make_job(owner, title="Beda Kategori", category="backend-development", skills=["figma"], location_type="onsite",
             province="Jawa Barat", city="Bandung", job_type="hourly", experience_level="expert",
             budget_min=2_000_000, budget_max=4_000_000)
    make_job(owner, title="Anggaran Kecil", category="logo-brand-identity", skills=["figma"], location_type="onsite",
             province="Jawa Barat", city="Bandung", job_type="hourly", experience_level="expert",
             budget_min=100_000, budget_max=500_000)

    response = api.get(JOBS, {"category": "design-creative", "skills": "figma,react", "location_type": "onsite",
                              "province": "Jawa Barat", "city": "bandung", "job_type": "hourly",
                              "experience_level": "expert", "budget_min": 3_000_000, "budget_max": 9_000_000,
                              "posted_since": "2020-01-01", "q": "cocok"})

    assert titles(response) == ["Cocok Semua"]


# --- ordering -------------------------------------------------------------------------------------------------

@pytest.fixture
def priced_jobs(make_job, owner):
    make_job(owner, title="A", budget_min=3_000_000, budget_max=4_000_000, published_at=days_ago(2))
    make_job(owner, title="B", budget_min=1_000_000, budget_max=9_000_000, published_at=days_ago(4))
    make_job(owner, title="C", budget_min=2_000_000, budget_max=2_500_000, published_at=days_ago(1))
    make_job(owner, title="D", budget_min=5_000_000, budget_max=6_000_000, published_at=days_ago(3))


@pytest.mark.parametrize(("ordering", "expected"), [
    ("newest", ["C", "A", "D", "B"]),
    ("oldest", ["B", "D", "A", "C"]),
    ("budget", ["B", "C", "A", "D"]),
    ("-budget", ["B", "D", "A", "C"]),
    ("relevance", ["C", "A", "D", "B"]),  # without q: newest first
])
def test_ordering(api, priced_jobs, ordering, expected):
    assert titles(api.get(JOBS, {"ordering": ordering})) == expected


def test_equal_sort_keys_page_stably(api, make_job, owner):
    at = days_ago(1)
    for n in range(5):
        make_job(owner, title=f"Sama {n}", published_at=at)

    first = titles(api.get(JOBS, {"page_size": 2, "page": 1}))
    second = titles(api.get(JOBS, {"page_size": 2, "page": 2}))
    third = titles(api.get(JOBS, {"page_size": 2, "page": 3}))

    assert sorted(first + second + third) == [f"Sama {n}" for n in range(5)]


# --- visibility -----------------------------------------------------------------------------------------------

@pytest.fixture
def jobs_in_every_state(make_job, owner, operator):
    make_job(owner, title="Terbuka", published_at=days_ago(1))
    make_job(owner, title="Draf", status="draft")
    closed = make_job(owner, title="Ditutup", published_at=days_ago(2))
    services.job_update(job=closed, actor=owner, data={"status": "closed"})
    cancelled = make_job(owner, title="Dibatalkan", published_at=days_ago(3))
    services.job_delete(job=cancelled, actor=owner)
    running = make_job(owner, title="Berjalan", published_at=days_ago(4))
    services.job_change_status(job=running, to_status="in_progress")
    removed = make_job(owner, title="Dihapus Operator", published_at=days_ago(5))
    services.job_remove(job=removed, operator=operator, reason="Iklan palsu")


@pytest.mark.parametrize("role", ["anonymous", "freelancer", "owner", "operator"])
def test_search_lists_only_open_jobs_that_are_not_removed(request, as_user, jobs_in_every_state, role):
    client = as_user(None if role == "anonymous" else request.getfixturevalue(role))

    assert titles(client.get(JOBS)) == ["Terbuka"]
    assert titles(client.get(JOBS, {"status": "draft"})) == []


def test_company_filter_by_a_member_lists_all_its_jobs(as_user, jobs_in_every_state, recruiter, company,
                                                       make_job, other_company_owner):
    make_job(other_company_owner, title="Perusahaan Lain")
    client = as_user(recruiter)

    everything = client.get(JOBS, {"company": str(company.pk)})
    drafts = client.get(JOBS, {"company": str(company.pk), "status": "draft"})

    assert sorted(titles(everything)) == sorted(["Terbuka", "Draf", "Ditutup", "Dibatalkan", "Berjalan",
                                                 "Dihapus Operator"])
    assert titles(drafts) == ["Draf"]


def test_company_filter_by_an_operator_lists_all_its_jobs(as_user, jobs_in_every_state, operator, company):
    assert count(as_user(operator).get(JOBS, {"company": str(company.pk)})) == 6


@pytest.mark.parametrize("role", ["anonymous", "freelancer", "other_company_owner"])
def test_company_filter_by_an_outsider_lists_only_open_jobs(request, as_user, jobs_in_every_state, company,
                                                            make_job, other_company_owner, role):
    make_job(other_company_owner, title="Perusahaan Lain")
    client = as_user(None if role == "anonymous" else request.getfixturevalue(role))

    assert titles(client.get(JOBS, {"company": str(company.pk)})) == ["Terbuka"]
    assert titles(client.get(JOBS, {"company": str(company.pk), "status": "draft"})) == []


def test_member_searching_another_company_sees_only_its_open_jobs(as_user, owner, make_job, other_company_owner):
    make_job(other_company_owner, title="Terbuka Lain")
    make_job(other_company_owner, title="Draf Lain", status="draft")
    other = other_company_owner.company_memberships.get().company_id

    assert titles(as_user(owner).get(JOBS, {"company": str(other)})) == ["Terbuka Lain"]


# --- pagination -----------------------------------------------------------------------------------------------

def test_pagination_shape(api, make_job, owner):
    for n in range(3):
        make_job(owner, title=f"Lowongan {n}", published_at=days_ago(n))

    first = api.get(JOBS, {"page_size": 2})
    second = api.get(JOBS, {"page_size": 2, "page": 2})

    assert set(first.json()) == {"count", "count_capped", "next", "previous", "results"}
    assert (first.json()["count"], first.json()["count_capped"], first.json()["previous"], titles(first)) == (
        3, False, None, ["Lowongan 0", "Lowongan 1"])
    assert parse_qs(urlsplit(first.json()["next"]).query) == {"page": ["2"], "page_size": ["2"]}
    assert (second.json()["count"], second.json()["next"], titles(second)) == (3, None, ["Lowongan 2"])
    assert parse_qs(urlsplit(second.json()["previous"]).query) == {"page_size": ["2"]}
    job = first.json()["results"][0]
    assert set(job) == {"id", "title", "excerpt", "company", "category", "skills", "job_type", "budget_min",
                        "budget_max", "currency", "location_type", "province", "city", "experience_level",
                        "deadline", "status", "published_at", "created_at"}


def test_default_page_size_is_20_and_the_cap_is_100(api, owner, company):
    category = Category.objects.get(slug="logo-brand-identity")
    now = timezone.now()
    Job.objects.bulk_create([
        Job(company=company, posted_by=owner, title=f"Lowongan {n:03}", description="Deskripsi lowongan massal.",
            category=category, budget_min=1, budget_max=2, status="open",
            published_at=now - datetime.timedelta(minutes=n))
        for n in range(101)
    ])

    default = api.get(JOBS)
    capped = api.get(JOBS, {"page_size": 1000})

    assert (count(default), len(default.json()["results"])) == (101, 20)
    assert (count(capped), len(capped.json()["results"])) == (101, 100)
    assert titles(capped)[-1] == "Lowongan 099"
    assert titles(api.get(JOBS, {"page_size": 1000, "page": 2})) == ["Lowongan 100"]


def test_page_past_the_end_is_404(api, open_job):
    assert api.get(JOBS, {"page": 5}).status_code == 404


def test_excerpt_is_cut_at_300_characters(api, make_job, owner):
    make_job(owner, description="kata " * 100)

    excerpt = api.get(JOBS).json()["results"][0]["excerpt"]

    assert len(excerpt) == 300
    assert excerpt == ("kata " * 100)[:299].rstrip() + "…"


# --- query count ----------------------------------------------------------------------------------------------

SEARCH_QUERIES = 3  # count (capped), page, skills prefetch (company and category are joined)


def _make_many(make_job, owner, n):
    for i in range(n):
        make_job(owner, title=f"Desain Logo Kopi {i}", skills=["figma", "react", "django"],
                 category="logo-brand-identity" if i % 2 else "backend-development")


@pytest.mark.parametrize("n", [3, 30])
@pytest.mark.parametrize("params", [{}, {"q": "kopi"}, {"q": "kopi", "skills": "figma", "category": "design-creative"}])
def test_search_query_count_does_not_grow_with_the_data(api, make_job, owner, django_assert_num_queries, n, params):
    _make_many(make_job, owner, n)
    expected = n if "category" not in params else n // 2

    # 1 extra query each for validating category and skills
    bound = SEARCH_QUERIES + ("category" in params) + ("skills" in params)
    with django_assert_num_queries(bound):
        response = api.get(JOBS, {**params, "page_size": 100})

    assert count(response) == expected
    assert len(response.json()["results"]) == expected
    assert all(len(job["skills"]) == 3 for job in response.json()["results"])


@pytest.mark.parametrize("n", [3, 30])
def test_search_query_count_for_a_signed_in_freelancer(as_user, freelancer, make_job, owner,
                                                       django_assert_num_queries, n):
    _make_many(make_job, owner, n)
    client = as_user(freelancer)

    with django_assert_num_queries(SEARCH_QUERIES + 1):  # + the user (memberships only matter with `company`)
        response = client.get(JOBS, {"q": "kopi", "page_size": 100})

    assert count(response) == n


def test_detail_query_count(api, make_job, owner, django_assert_max_num_queries):
    job = make_job(owner, skills=["figma", "react", "django"])

    with django_assert_max_num_queries(2):
        response = api.get(detail_url(job))

    assert response.status_code == 200


# --- full-text search on both databases ------------------------------------------------------------------------

def test_q_finds_words_in_title_skills_and_description(api, make_job, owner):
    make_job(owner, title="Desain Kemasan Keripik", description="Kemasan untuk keripik singkong pedas khas Garut.",
             skills=["adobe-illustrator"], published_at=days_ago(3))
    make_job(owner, title="Aplikasi Kasir", description="Aplikasi kasir berbasis web untuk toko kelontong.",
             skills=["django"], published_at=days_ago(2))

    assert titles(api.get(JOBS, {"q": "keripik"})) == ["Desain Kemasan Keripik"]
    assert titles(api.get(JOBS, {"q": "singkong"})) == ["Desain Kemasan Keripik"]
    assert titles(api.get(JOBS, {"q": "illustrator"})) == ["Desain Kemasan Keripik"]
    assert titles(api.get(JOBS, {"q": "django"})) == ["Aplikasi Kasir"]
    assert titles(api.get(JOBS, {"q": "KASIR"})) == ["Aplikasi Kasir"]
    assert titles(api.get(JOBS, {"q": "   "})) == ["Aplikasi Kasir", "Desain Kemasan Keripik"]


def test_q_never_finds_closed_draft_or_removed_jobs(api, jobs_in_every_state):
    for title in ["Draf", "Ditutup", "Dibatalkan", "Berjalan", "Dihapus Operator"]:
        assert titles(api.get(JOBS, {"q": title})) == [], title


def test_skills_text_follows_skill_edits(api, make_job, owner, as_user):
    job = make_job(owner, title="Aplikasi Kasir", description="Aplikasi kasir berbasis web untuk toko kelontong.",
                   skills=["django"])

    as_user(owner).patch(detail_url(job), {"skills": ["react", "postgresql"]}, format="json")

    assert titles(api.get(JOBS, {"q": "django"})) == []
    assert titles(api.get(JOBS, {"q": "postgresql"})) == ["Aplikasi Kasir"]


def test_renamed_skill_is_searchable_under_its_new_name(api, make_job, owner, django_capture_on_commit_callbacks):
    make_job(owner, title="Aplikasi Kasir", description="Aplikasi kasir berbasis web untuk toko kelontong.",
             skills=["figma"])
    skill = Skill.objects.get(slug="figma")
    with django_capture_on_commit_callbacks(execute=True):
        skill.name = "Penpot"
        skill.save()

    assert titles(api.get(JOBS, {"q": "penpot"})) == ["Aplikasi Kasir"]
    assert titles(api.get(JOBS, {"q": "figma"})) == []


# --- PostgreSQL full-text search ------------------------------------------------------------------------------

@pytest.mark.postgres
def test_pg_title_match_ranks_before_description_only_match(api, make_job, owner):
    make_job(owner, title="Pembuatan Maskot Harimau", description="Maskot untuk tim sepak bola kampung kami.",
             published_at=days_ago(3))
    make_job(owner, title="Ilustrasi Buku Anak", description="Buku cerita bergambar dengan maskot harimau lucu.",
             published_at=days_ago(1))

    assert titles(api.get(JOBS, {"q": "maskot"})) == ["Pembuatan Maskot Harimau", "Ilustrasi Buku Anak"]
    assert titles(api.get(JOBS, {"q": "maskot", "ordering": "newest"})) == ["Ilustrasi Buku Anak",
                                                                            "Pembuatan Maskot Harimau"]


@pytest.mark.postgres
@pytest.mark.parametrize("q", ["desiner", "desainer grafis", "Desainer", "grafis desainer", "desainer grafs"])
def test_pg_typo_tolerance(api, committed_job, owner, q):
    committed_job(owner, title="Desainer Grafis untuk Logo UMKM",
                  description="Butuh identitas visual untuk usaha kecil.")
    committed_job(owner, title="Penerjemah Dokumen Hukum", description="Menerjemahkan kontrak dari bahasa Inggris.")

    assert titles(api.get(JOBS, {"q": q})) == ["Desainer Grafis untuk Logo UMKM"]


@pytest.mark.postgres
@pytest.mark.parametrize("q", ["pembuatan", "membuat", "buat", "dibuat"])
def test_pg_indonesian_stemming(api, make_job, owner, q):
    # to_tsvector('indonesian', ...) stems membuat, pembuatan and dibuat alike to 'buat'.
    make_job(owner, title="Video Promosi Produk", description="Kami ingin membuat video promosi singkat.")
    make_job(owner, title="Penerjemah Dokumen Hukum", description="Menerjemahkan kontrak dari bahasa Inggris.")

    assert titles(api.get(JOBS, {"q": q})) == ["Video Promosi Produk"]


@pytest.mark.postgres
@pytest.mark.parametrize("q", ["designers", "designer", "designing"])
def test_pg_english_stemming(api, make_job, owner, q):
    make_job(owner, title="Brand Refresh for a Coffee Shop",
             description="We need an experienced designer for our new menu boards.")
    make_job(owner, title="Penerjemah Dokumen Hukum", description="Menerjemahkan kontrak dari bahasa Inggris.")

    assert titles(api.get(JOBS, {"q": q})) == ["Brand Refresh for a Coffee Shop"]


@pytest.mark.postgres
def test_pg_negated_word_excludes_jobs_mentioning_it(api, make_job, owner):
    make_job(owner, title="Desain Logo Kedai Kopi", description="Identitas visual kedai.", published_at=days_ago(3))
    make_job(owner, title="Menu Kedai Kopi", description="Desain menu dan papan harga.", published_at=days_ago(2))
    make_job(owner, title="Kemasan Kopi Bubuk", description="Kemasan dengan logo lama kami.", published_at=days_ago(1))

    assert titles(api.get(JOBS, {"q": "kopi -logo"})) == ["Menu Kedai Kopi"]
    assert count(api.get(JOBS, {"q": "kopi"})) == 3


@pytest.mark.postgres
def test_pg_search_vector_follows_a_title_change(api, as_user, owner, make_job):
    job = make_job(owner, title="Desain Logo Kedai", description="Identitas visual untuk usaha baru.")

    response = as_user(owner).patch(detail_url(job), {"title": "Ilustrasi Maskot Harimau"}, format="json")

    assert response.status_code == 200
    assert titles(api.get(JOBS, {"q": "harimau"})) == ["Ilustrasi Maskot Harimau"]
    assert titles(api.get(JOBS, {"q": "kedai"})) == []


@pytest.mark.postgres
def test_pg_phrase_and_or_queries(api, make_job, owner):
    make_job(owner, title="Desain Logo Kedai Kopi", description="Identitas visual kedai.", published_at=days_ago(2))
    make_job(owner, title="Aplikasi Kasir Toko", description="Aplikasi kasir berbasis web.", published_at=days_ago(1))

    assert titles(api.get(JOBS, {"q": '"kedai kopi"'})) == ["Desain Logo Kedai Kopi"]
    assert sorted(titles(api.get(JOBS, {"q": "kopi or kasir"}))) == ["Aplikasi Kasir Toko", "Desain Logo Kedai Kopi"]


# --- SQLite search --------------------------------------------------------------------------------------------

@sqlite_only
def test_sqlite_every_word_must_appear(api, make_job, owner):
    make_job(owner, title="Desain Logo Kedai Kopi", description="Identitas visual kedai baru di Bandung.")
    make_job(owner, title="Menu Kedai Teh", description="Papan menu untuk kedai teh di Bogor.")

    assert titles(api.get(JOBS, {"q": "kedai bandung"})) == ["Desain Logo Kedai Kopi"]
    assert titles(api.get(JOBS, {"q": "kedai surabaya"})) == []
    assert sorted(titles(api.get(JOBS, {"q": "kedai"}))) == ["Desain Logo Kedai Kopi", "Menu Kedai Teh"]


@sqlite_only
def test_sqlite_title_matches_rank_first(api, make_job, owner):
    make_job(owner, title="Pembuatan Maskot Harimau", description="Maskot untuk tim sepak bola kampung kami.",
             published_at=days_ago(3))
    make_job(owner, title="Ilustrasi Buku Anak", description="Buku cerita bergambar dengan maskot harimau lucu.",
             published_at=days_ago(1))
    make_job(owner, title="Harimau dan Maskot", description="Dua kata yang terbalik urutannya.",
             published_at=days_ago(2))

    assert titles(api.get(JOBS, {"q": "maskot harimau"})) == ["Pembuatan Maskot Harimau", "Harimau dan Maskot",
                                                              "Ilustrasi Buku Anak"]
