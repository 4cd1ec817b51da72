"""The operator groups (support, moderator, finance) with their Django permissions (backoffice/groups.py).

Permissions of apps that are not installed yet (reviews) are skipped here and added by the post_migrate sync
once they exist."""

from django.db import migrations


def forwards(apps, schema_editor):
    from backoffice.groups import operator_groups_sync, permissions_create_all

    using = schema_editor.connection.alias
    permissions_create_all(apps=apps, using=using)
    operator_groups_sync(apps=apps, using=using)


def backwards(apps, schema_editor):
    from backoffice.groups import OPERATOR_GROUPS

    apps.get_model("auth", "Group").objects.using(schema_editor.connection.alias).filter(
        name__in=list(OPERATOR_GROUPS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("accounts", "0001_initial"),
        ("audit", "0002_audit_log_append_only"),
        ("chat", "0002_conversation_ordering"),
        ("companies", "0001_initial"),
        ("freelancers", "0001_initial"),
        ("jobs", "0003_status_change_base"),
        ("notifications", "0005_moderation_notification_kinds"),
        ("payments", "0003_transaction_needs_entries"),
        ("proposals", "0002_milestone_money_states"),
        ("taxonomy", "0002_seed_taxonomy"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
