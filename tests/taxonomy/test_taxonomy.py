import pytest

from taxonomy.data import CATEGORIES, SKILLS
from taxonomy.loader import load_taxonomy
from taxonomy.models import Category, Skill
from taxonomy.selectors import taxonomy_bump_version

CATEGORIES_URL = "/api/v1/categories/"
SKILLS_URL = "/api/v1/skills/"


def counts() -> tuple[int, int, int]:
    return Category.objects.filter(parent=None).count(), Category.objects.count(), Skill.objects.count()


def test_seeded_taxonomy_is_large_enough(db):
    assert Category.objects.count() >= 40
    assert Skill.objects.count() >= 150
    assert Category.objects.filter(parent=None).count() == len(CATEGORIES)
    assert Skill.objects.count() == len(SKILLS)


def test_every_seeded_skill_belongs_to_a_sub_category(db):
    assert not Skill.objects.filter(category=None).exists()
    assert not Skill.objects.filter(category__parent=None).exists()


def test_categories_are_a_public_two_level_tree(api, db):
    response = api.get(CATEGORIES_URL)

    assert response.status_code == 200
    tree = response.json()
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


def test_skills_are_public_and_carry_their_category_slug(api, db):
    response = api.get(SKILLS_URL)

    assert response.status_code == 200
    skills = response.json()
    assert len(skills) == Skill.objects.count()
    assert {"slug": "figma", "name": "Figma", "category": "ui-ux-design"} in skills
    assert {"slug": "django", "name": "Django", "category": "backend-development"} in skills
    assert [skill["slug"] for skill in skills] == list(Skill.objects.order_by("name").values_list("slug", flat=True))


def test_skill_without_category_lists_a_null_category(api, db):
    Skill.objects.create(slug="zzz-misc", name="Zzz Misc")

    response = api.get(SKILLS_URL)

    assert {"slug": "zzz-misc", "name": "Zzz Misc", "category": None} in response.json()


@pytest.mark.parametrize("url", [CATEGORIES_URL, SKILLS_URL])
def test_second_read_is_served_from_the_cache(api, db, django_assert_num_queries, url):
    first = api.get(url)

    with django_assert_num_queries(0):
        second = api.get(url)

    assert second.status_code == 200
    assert second.json() == first.json()


@pytest.mark.parametrize("url", [CATEGORIES_URL, SKILLS_URL])
def test_cached_read_does_not_see_a_change_until_the_version_is_bumped(api, db, url):
    api.get(url)
    Skill.objects.filter(slug="figma").update(name="Figma Design")
    Category.objects.filter(slug="design-creative").update(name="Desain")

    stale = api.get(url)

    assert "Figma Design" not in stale.content.decode()
    assert '"Desain"' not in stale.content.decode()


def test_bumping_the_taxonomy_version_makes_the_next_read_hit_the_database(api, db, django_assert_num_queries):
    api.get(SKILLS_URL)
    Skill.objects.create(slug="zzz-misc", name="Zzz Misc", category=Category.objects.get(slug="ui-ux-design"))

    taxonomy_bump_version()
    with django_assert_num_queries(1):
        fresh = api.get(SKILLS_URL)

    assert {"slug": "zzz-misc", "name": "Zzz Misc", "category": "ui-ux-design"} in fresh.json()


def test_bumping_the_version_twice_keeps_invalidating(api, db, django_assert_num_queries):
    taxonomy_bump_version()
    api.get(CATEGORIES_URL)
    Category.objects.filter(slug="design-creative").update(name="Desain")

    taxonomy_bump_version()
    with django_assert_num_queries(1):
        fresh = api.get(CATEGORIES_URL)

    assert fresh.json()[0]["name"] == "Desain"


def test_load_taxonomy_is_idempotent(db):
    before = counts()

    load_taxonomy(Category, Skill)
    load_taxonomy(Category, Skill)

    assert counts() == before


def test_load_taxonomy_restores_seeded_names_and_parents(db):
    Skill.objects.filter(slug="figma").update(name="Renamed", category=Category.objects.get(slug="graphic-design"))
    Category.objects.filter(slug="ui-ux-design").update(parent=Category.objects.get(slug="programming-tech"))

    load_taxonomy(Category, Skill)

    figma = Skill.objects.select_related("category__parent").get(slug="figma")
    assert (figma.name, figma.category.slug, figma.category.parent.slug) == ("Figma", "ui-ux-design",
                                                                             "design-creative")
