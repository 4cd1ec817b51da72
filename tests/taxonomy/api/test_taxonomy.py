import pytest

from bantu.core import cache_versions
from taxonomy.data import CATEGORIES, SKILLS
from taxonomy.models import Category, Skill
from taxonomy.selectors import taxonomy_changed
from tests.problems import assert_problem

CATEGORIES_URL = "/api/v1/categories/"
SKILLS_URL = "/api/v1/skills/"


def read_all(api, url, page_size=None) -> list[dict]:
    """Every row of a paginated list, following `next`; each page costs at most one query (PRODUCT.md §5)."""
    rows, next_url = [], url + (f"?page_size={page_size}" if page_size else "")
    while next_url:
        response = api.get(next_url)
        assert response.status_code == 200, response.content
        rows += response.json()["results"]
        next_url = response.json()["next"]
    return rows


def test_categories_are_a_public_two_level_tree(api, db):
    response = api.get(CATEGORIES_URL)

    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (len(CATEGORIES), None, None)
    tree = body["results"]
    assert [node["slug"] for node in tree] == [parent["slug"] for parent in CATEGORIES]
    assert tree[0] == {
        "slug": "design-creative", "name": "Desain & Kreatif", "name_en": "Design & Creative",
        "children": [{"slug": child["slug"], "name": child["name"], "name_en": child["name_en"], "children": []}
                     for child in CATEGORIES[0]["children"]],
    }
    assert tree[0]["children"][0] == {"slug": "logo-brand-identity", "name": "Logo & Identitas Merek",
                                      "name_en": "Logo & Brand Identity", "children": []}
    assert sum(len(node["children"]) for node in tree) == Category.objects.exclude(parent=None).count()
    assert all(child["children"] == [] for node in tree for child in node["children"])


def test_categories_page_by_top_level_category_with_their_children(api, db):
    first = api.get(CATEGORIES_URL, {"page_size": 4})

    assert first.json()["count"] == len(CATEGORIES)
    assert first.json()["next"] == "http://testserver/api/v1/categories/?page=2&page_size=4"
    assert [node["slug"] for node in first.json()["results"]] == [parent["slug"] for parent in CATEGORIES[:4]]
    assert [node["slug"] for node in read_all(api, CATEGORIES_URL, page_size=4)] == [
        parent["slug"] for parent in CATEGORIES]
    assert [len(node["children"]) for node in read_all(api, CATEGORIES_URL, page_size=4)] == [
        len(parent["children"]) for parent in CATEGORIES]


def test_skills_are_public_paged_by_20_and_carry_their_category_slug(api, db):
    first = api.get(SKILLS_URL)

    assert first.status_code == 200
    assert (first.json()["count"], len(first.json()["results"]), first.json()["previous"]) == (len(SKILLS), 20, None)
    assert first.json()["next"] == "http://testserver/api/v1/skills/?page=2"
    skills = read_all(api, SKILLS_URL)
    assert len(skills) == Skill.objects.count() == len(SKILLS)
    assert {"slug": "figma", "name": "Figma", "category": "ui-ux-design"} in skills
    assert {"slug": "django", "name": "Django", "category": "backend-development"} in skills
    assert [skill["slug"] for skill in skills] == list(Skill.objects.order_by("name", "slug")
                                                       .values_list("slug", flat=True))


def test_a_skills_page_size_above_100_is_served_as_100(api, db):
    body = api.get(SKILLS_URL, {"page_size": 1000}).json()

    assert (body["count"], len(body["results"])) == (len(SKILLS), 100)
    assert body["next"] == "http://testserver/api/v1/skills/?page=2&page_size=1000"


def test_skills_of_one_name_are_ordered_by_slug(api, db):
    # inserted in the opposite order, so that the database's own order of ties would show
    for slug in ("zz-figma", "figma-2", "aa-figma"):
        Skill.objects.create(slug=slug, name="Figma")

    figmas = [skill["slug"] for skill in read_all(api, SKILLS_URL, page_size=100) if skill["name"] == "Figma"]

    assert figmas == ["aa-figma", "figma", "figma-2", "zz-figma"]


def test_categories_of_one_position_and_name_are_ordered_by_slug(api, db):
    for slug in ("zz-lainnya", "aa-lainnya"):
        Category.objects.create(slug=slug, name="Lainnya", name_en="Other", position=99)

    slugs = [node["slug"] for node in read_all(api, CATEGORIES_URL, page_size=2)]

    assert slugs[-2:] == ["aa-lainnya", "zz-lainnya"]
    assert len(slugs) == len(set(slugs)) == len(CATEGORIES) + 2


@pytest.mark.parametrize("url", [CATEGORIES_URL, SKILLS_URL])
@pytest.mark.parametrize("param, value", [("page", "abc"), ("page", "0"), ("page", "-2"), ("page", "1e3"),
                                          ("page_size", "abc"), ("page_size", "0"), ("page_size", "")])
def test_malformed_page_or_page_size_is_400(api, db, url, param, value):
    assert_problem(api.get(url, {param: value}), 400, "validation_error", {param: ["A positive integer is required."]})


@pytest.mark.parametrize("url", [CATEGORIES_URL, SKILLS_URL])
def test_a_page_past_the_end_is_404(api, db, url):
    assert_problem(api.get(url, {"page": 999}), 404, "not_found")


@pytest.mark.parametrize("page", [1, 2, 16])
def test_a_skills_page_costs_one_query_cold_and_none_cached(api, db, django_assert_num_queries, page):
    with django_assert_num_queries(1):
        cold = api.get(SKILLS_URL, {"page": page})
    with django_assert_num_queries(0):
        cached = api.get(SKILLS_URL, {"page": page})

    assert (cold.status_code, cached.status_code) == (200, 200)
    assert len(cold.json()["results"]) == 20
    assert cached.json() == cold.json()


@pytest.mark.parametrize("page_size", [1, 100])
def test_a_categories_page_costs_one_query_cold_and_none_cached(api, db, django_assert_num_queries, page_size):
    with django_assert_num_queries(1):
        cold = api.get(CATEGORIES_URL, {"page_size": page_size})
    with django_assert_num_queries(0):
        cached = api.get(CATEGORIES_URL, {"page_size": page_size, "page": 1})

    assert len(cold.json()["results"]) == min(page_size, len(CATEGORIES))
    assert cached.json()["results"] == cold.json()["results"]


def test_skill_without_category_lists_a_null_category(api, db):
    Skill.objects.create(slug="zzz-misc", name="Zzz Misc")

    skills = read_all(api, SKILLS_URL, page_size=100)

    assert {"slug": "zzz-misc", "name": "Zzz Misc", "category": None} in skills


@pytest.mark.parametrize("url", [CATEGORIES_URL, SKILLS_URL])
def test_second_read_is_served_from_the_cache(api, db, django_assert_num_queries, url):
    first = api.get(url)

    with django_assert_num_queries(0):
        second = api.get(url)

    assert second.status_code == 200
    assert second.json() == first.json()


def test_cached_skills_do_not_see_a_change_until_the_version_is_bumped(api, db):
    read_all(api, SKILLS_URL, page_size=100)
    Skill.objects.filter(slug="figma").update(name="Figma Design")

    stale = read_all(api, SKILLS_URL, page_size=100)

    assert {"slug": "figma", "name": "Figma", "category": "ui-ux-design"} in stale
    assert all(skill["name"] != "Figma Design" for skill in stale)


def test_cached_categories_do_not_see_a_change_until_the_version_is_bumped(api, db):
    api.get(CATEGORIES_URL)
    Category.objects.filter(slug="design-creative").update(name="Desain")

    stale = api.get(CATEGORIES_URL)

    assert stale.json()["results"][0]["name"] == "Desain & Kreatif"


def test_bumping_the_taxonomy_version_makes_the_next_read_hit_the_database(api, db, django_assert_num_queries,
                                                                         django_capture_on_commit_callbacks):
    api.get(SKILLS_URL, {"page": 3})
    with django_capture_on_commit_callbacks(execute=True):
        Skill.objects.create(slug="zzz-misc", name="Zzz Misc", category=Category.objects.get(slug="ui-ux-design"))
        taxonomy_changed()

    with django_assert_num_queries(1):
        fresh = api.get(SKILLS_URL, {"page": 3})

    assert fresh.json()["count"] == len(SKILLS) + 1
    assert {"slug": "zzz-misc", "name": "Zzz Misc", "category": "ui-ux-design"} in read_all(api, SKILLS_URL)


def test_bumping_the_version_twice_keeps_invalidating(api, db, django_assert_num_queries):
    cache_versions.bump("taxonomy")
    api.get(CATEGORIES_URL)
    Category.objects.filter(slug="design-creative").update(name="Desain")

    cache_versions.bump("taxonomy")
    with django_assert_num_queries(1):
        fresh = api.get(CATEGORIES_URL)

    assert fresh.json()["results"][0]["name"] == "Desain"


def test_the_taxonomy_admin_bumps_the_version_on_commit(client, db, django_capture_on_commit_callbacks):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    category = Category.objects.get(slug="design-creative")
    before = cache_versions.versions("taxonomy")["taxonomy"]
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(f"/admin/taxonomy/category/{category.pk}/change/", {
            "slug": category.slug, "name": "Desain", "name_en": category.name_en, "position": category.position,
            "parent": ""})
        assert response.status_code == 302, response.content[:500]
        assert cache_versions.versions("taxonomy")["taxonomy"] == before

    for callback in callbacks:
        callback()
    assert cache_versions.versions("taxonomy")["taxonomy"] > before
