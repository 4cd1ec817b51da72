"""Reads of the taxonomy, cached: it changes only by migration or in the admin, which bumps its version once the
change has committed (bantu.core.cache_versions)."""

from bantu.core import cache_versions

from .models import Category, Skill

VERSION = "taxonomy"
TTL_SECONDS = 3600


def taxonomy_changed() -> None:
    """Invalidate every cached taxonomy read when the current transaction commits."""
    cache_versions.bump_on_commit(VERSION)


def _cached(name: str, build):
    return cache_versions.get_or_compute(f"taxonomy:{name}", (VERSION,), build, ttl=TTL_SECONDS)[0]


def category_tree() -> list[dict]:
    """Top-level categories with their children, by position then name; the unique slug breaks ties, so that
    pages of the tree never overlap or skip."""

    def build():
        nodes = list(Category.objects.order_by("position", "name", "slug").values("id", "slug", "name", "name_en",
                                                                                  "parent_id"))
        children: dict = {}
        for node in nodes:
            children.setdefault(node["parent_id"], []).append(node)
        return [
            {"slug": parent["slug"], "name": parent["name"], "name_en": parent["name_en"],
             "children": [{"slug": child["slug"], "name": child["name"], "name_en": child["name_en"], "children": []}
                          for child in children.get(parent["id"], [])]}
            for parent in children.get(None, [])
        ]

    return _cached("tree", build)


def skill_list() -> list[dict]:
    """By name; the unique slug breaks ties between skills of one name (pages never overlap or skip)."""
    return _cached("skills", lambda: list(
        Skill.objects.order_by("name", "slug").values("slug", "name", "category__slug")
    ))
