from django.db import migrations


def seed(apps, schema_editor):
    from taxonomy.loader import load_taxonomy

    load_taxonomy(apps.get_model("taxonomy", "Category"), apps.get_model("taxonomy", "Skill"))


class Migration(migrations.Migration):
    dependencies = [("taxonomy", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
