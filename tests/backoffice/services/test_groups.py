"""The operator groups: created by the data migration with exactly these Django permissions, kept by the
post_migrate sync, and superusers beside them hold everything."""

import pytest
from django.contrib.auth.models import Group, Permission

from backoffice.groups import operator_groups_sync

READ_PEOPLE = {
    "accounts.view_user",
    "companies.view_company",
    "companies.view_membership",
    "freelancers.view_freelancerprofile",
    "taxonomy.view_category",
    "taxonomy.view_skill",
    "audit.view_auditentry",
}
READ_WORK = {
    "jobs.view_job",
    "jobs.view_jobstatuschange",
    "proposals.view_proposal",
    "proposals.view_offer",
    "proposals.view_proposalstatuschange",
}
READ_CONTRACTS = {"proposals.view_contract", "proposals.view_milestone", "proposals.view_milestonestatuschange"}
READ_MONEY = {
    "payments.view_payment",
    "payments.view_payout",
    "payments.view_refund",
    "payments.view_dispute",
    "payments.view_transaction",
    "payments.view_entry",
    "payments.view_account",
    "payments.view_webhookevent",
}
REPORTS = {
    "chat.view_messagereport",
    "chat.change_messagereport",
    "chat.view_message",
    "chat.view_conversation",
    "chat.view_participant",
}

EXPECTED = {
    "support": READ_PEOPLE
    | READ_WORK
    | READ_CONTRACTS
    | READ_MONEY
    | REPORTS
    | {
        "accounts.change_user",
        "companies.change_company",
        "notifications.view_notification",
        "notifications.view_device",
    },
    "moderator": READ_PEOPLE | READ_WORK | REPORTS | {"jobs.change_job", "reviews.view_review",
                                                      "reviews.change_review"},
    "finance": READ_PEOPLE
    | READ_WORK
    | READ_CONTRACTS
    | READ_MONEY
    | {"payments.change_dispute", "payments.change_refund"},
}


def held(group: Group) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_group_holds_exactly_its_permissions(db, name):
    assert held(Group.objects.get(name=name)) == EXPECTED[name]


def test_the_duties_that_matter_most(support, moderator, finance, superuser):
    assert (support.has_perm("payments.change_dispute"), finance.has_perm("payments.change_dispute")) == (False, True)
    assert (moderator.has_perm("payments.view_payout"), support.has_perm("payments.view_payout")) == (False, True)
    assert not any(user.has_perm("payments.change_transaction") for user in (support, moderator, finance))
    assert superuser.has_perm("payments.change_dispute") and superuser.has_perm("audit.view_auditentry")


def test_the_sync_adds_what_is_missing_and_keeps_what_was_added_by_hand(db):
    moderator = Group.objects.get(name="moderator")
    moderator.permissions.remove(Permission.objects.get(codename="change_job"))
    extra = Permission.objects.get(codename="view_notification")
    moderator.permissions.add(extra)

    operator_groups_sync()

    assert held(moderator) == EXPECTED["moderator"] | {"notifications.view_notification"}
    assert Group.objects.filter(name__in=EXPECTED).count() == 3
