from django.db import migrations


def seed(apps, schema_editor):
    from taxonomy.loader import load_taxonomy
    from taxonomy.selectors import taxonomy_changed

    load_taxonomy(apps.get_model("taxonomy", "Category"), apps.get_model("taxonomy", "Skill"))
    taxonomy_changed()  # once committed: a shared (Redis) cache must not keep serving the tree from before


class Migration(migrations.Migration):
    dependencies = [("taxonomy", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
