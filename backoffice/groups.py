"""The operator groups and the Django permissions each one holds (docs/backoffice.md).

- support: users (suspend, reactivate), companies (verify), message reports; reads everything else, money
  included (read-only).
- moderator: jobs (remove, restore), reviews, message reports; reads users, companies and proposals; no money at
  all (payouts included).
- finance: disputes (resolve), refunds (retry); reads payments, payouts, the ledger and contracts.
Superusers hold every permission. "change" on a model is what its admin actions require; the money rows
themselves are read-only for everyone (their admin grants no change).

Groups are created by the data migration 0001 and topped up after every `migrate` (post_migrate), so that
permissions of an app installed later (reviews) reach their group without another migration. The sync only
adds: a permission an administrator removed by hand comes back on the next migrate, one added by hand stays.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

SUPPORT, MODERATOR, FINANCE = "support", "moderator", "finance"

VIEW = ("view",)
VIEW_CHANGE = ("view", "change")

_READ_PEOPLE = {
    "accounts.user": VIEW,
    "companies.company": VIEW,
    "companies.membership": VIEW,
    "freelancers.freelancerprofile": VIEW,
    "taxonomy.category": VIEW,
    "taxonomy.skill": VIEW,
    "audit.auditentry": VIEW,
}
_READ_WORK = {
    "jobs.job": VIEW,
    "jobs.jobstatuschange": VIEW,
    "proposals.proposal": VIEW,
    "proposals.offer": VIEW,
    "proposals.proposalstatuschange": VIEW,
}
_READ_CONTRACTS = {"proposals.contract": VIEW, "proposals.milestone": VIEW, "proposals.milestonestatuschange": VIEW}
_READ_MONEY = {
    f"payments.{model}": VIEW
    for model in ("payment", "payout", "refund", "dispute", "transaction", "entry", "account", "webhookevent")
}
_REPORTS = {
    "chat.messagereport": VIEW_CHANGE,
    "chat.message": VIEW,
    "chat.conversation": VIEW,
    "chat.participant": VIEW,
}

OPERATOR_GROUPS: dict[str, dict[str, tuple[str, ...]]] = {
    SUPPORT: {
        **_READ_PEOPLE,
        **_READ_WORK,
        **_READ_CONTRACTS,
        **_READ_MONEY,
        **_REPORTS,
        "accounts.user": VIEW_CHANGE,
        "companies.company": VIEW_CHANGE,
        "notifications.notification": VIEW,
        "notifications.device": VIEW,
    },
    MODERATOR: {
        **_READ_PEOPLE,
        **_READ_WORK,
        **_REPORTS,
        "jobs.job": VIEW_CHANGE,
        # Present once the reviews app is installed; skipped until then.
        "reviews.review": VIEW_CHANGE,
    },
    FINANCE: {
        **_READ_PEOPLE,
        **_READ_WORK,
        **_READ_CONTRACTS,
        **_READ_MONEY,
        "payments.dispute": VIEW_CHANGE,
        "payments.refund": VIEW_CHANGE,
    },
}


def operator_group_codenames(name: str) -> set[tuple[str, str]]:
    """{(app_label, codename)} that the group `name` should hold."""
    pairs = set()
    for label, actions in OPERATOR_GROUPS[name].items():
        app_label, model = label.split(".")
        pairs.update((app_label, f"{action}_{model}") for action in actions)
    return pairs


def operator_groups_sync(*, apps=global_apps, using: str = "default") -> None:
    """Create the operator groups if missing and give each the permissions of OPERATOR_GROUPS that exist (a
    model of an app that is not installed is skipped). Adds only; idempotent. Works with the historical app
    registry of a migration as well as the real one."""
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for name in OPERATOR_GROUPS:
        wanted = operator_group_codenames(name)
        group, _ = group_model.objects.using(using).get_or_create(name=name)
        candidates = (
            permission_model.objects.using(using)
            .filter(
                codename__in={codename for _, codename in wanted},
                content_type__app_label__in={app_label for app_label, _ in wanted},
            )
            .select_related("content_type")
        )
        group.permissions.add(*[perm for perm in candidates if (perm.content_type.app_label, perm.codename) in wanted])


def permissions_create_all(*, apps=global_apps, using: str = "default") -> None:
    """Django creates permissions after `migrate` finishes; a data migration that grants them needs them now."""
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)  # a migration's AppConfigStub has none
        app_config.models_module = models_module or True
        try:
            create_permissions(app_config, apps=apps, using=using, verbosity=0)
        finally:
            app_config.models_module = models_module


def operator_groups_sync_after_migrate(sender, apps=global_apps, using="default", **kwargs) -> None:
    """post_migrate receiver (infrastructure, like Django's own permission creation)."""
    permissions_create_all(apps=apps, using=using)
    operator_groups_sync(apps=apps, using=using)
