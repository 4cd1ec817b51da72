from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps  # a module import: its AdminConfig is not a default here


class BackofficeConfig(AppConfig):
    """The operator console: the dashboard, the operator groups and their permissions."""

    default = True
    name = "backoffice"
    verbose_name = "Back office"

    def ready(self):
        from django.db.models.signals import post_migrate

        from .groups import operator_groups_sync_after_migrate

        post_migrate.connect(operator_groups_sync_after_migrate, sender=self)


class BackofficeAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin, with Bantu's site (the dashboard as its index) as `admin.site`."""

    default = False
    default_site = "backoffice.sites.BantuAdminSite"
