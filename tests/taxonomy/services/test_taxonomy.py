"""The taxonomy itself: the seeded tree, its loader, and the cache version bumped only once a change is committed
(the public category and skill lists: api/test_taxonomy.py)."""

from bantu.core import cache_versions
from taxonomy.data import CATEGORIES, SKILLS
from taxonomy.loader import load_taxonomy
from taxonomy.models import Category, Skill
from taxonomy.selectors import taxonomy_changed


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


def test_a_taxonomy_change_bumps_the_version_only_once_committed(db, django_capture_on_commit_callbacks):
    """Bumped inside the transaction, a concurrent read could still see the old tree, rebuild it and cache it
    under the new version for an hour (the admin did that): the bump waits for the commit."""
    before = cache_versions.versions("taxonomy")["taxonomy"]
    with django_capture_on_commit_callbacks() as callbacks:
        Category.objects.filter(slug="design-creative").update(name="Desain")
        taxonomy_changed()
        assert cache_versions.versions("taxonomy")["taxonomy"] == before  # not yet: the write is not visible

    for callback in callbacks:
        callback()
    assert cache_versions.versions("taxonomy")["taxonomy"] == before + 1
