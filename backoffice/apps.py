from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps  # a module import: its AdminConfig is not a default here


class BackofficeConfig(AppConfig):
    """The operator console: the dashboard, the operator groups and their permissions."""

    default = True
    name = "backoffice"
    verbose_name = "Back office"

    def ready(self):
        from django.db.models.signals import post_migrate

        post_migrate.connect(_after_the_last_app_migrated, dispatch_uid="backoffice.operator_groups_sync")


def _after_the_last_app_migrated(sender, **kwargs) -> None:
    """Sync the operator groups once per `migrate`, when the last installed app has been migrated: this app comes
    first in INSTALLED_APPS (its templates override the admin's), so at its own post_migrate the apps after it
    (reviews, audit) had no permissions to grant yet. Django sends post_migrate only for apps with a models module,
    so the last of those, not the last installed app (seeding has no models), is the one to wait for."""
    from django.apps import apps

    from .groups import operator_groups_sync_after_migrate

    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if sender.label == with_models[-1].label:
        operator_groups_sync_after_migrate(sender, **kwargs)


class BackofficeAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin, with Bantu's site (the dashboard as its index) as `admin.site`."""

    default = False
    default_site = "backoffice.sites.BantuAdminSite"
