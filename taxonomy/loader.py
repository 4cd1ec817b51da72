"""Loads `taxonomy.data` into the database: upsert by slug, so it can run again after the data grows."""


def load_taxonomy(category_model, skill_model) -> None:
    from taxonomy.data import CATEGORIES, SKILLS

    by_slug = {}
    for position, parent in enumerate(CATEGORIES):
        node, _ = category_model.objects.update_or_create(
            slug=parent["slug"],
            defaults={"name": parent["name"], "name_en": parent["name_en"], "parent": None, "position": position},
        )
        by_slug[node.slug] = node
        for child_position, child in enumerate(parent.get("children", [])):
            leaf, _ = category_model.objects.update_or_create(
                slug=child["slug"],
                defaults={"name": child["name"], "name_en": child["name_en"], "parent": node,
                          "position": child_position},
            )
            by_slug[leaf.slug] = leaf
    for slug, name, category_slug in SKILLS:
        skill_model.objects.update_or_create(slug=slug, defaults={"name": name, "category": by_slug[category_slug]})
