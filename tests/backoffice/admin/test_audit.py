"""The audit log in the admin: browsed and filtered, never added, changed or deleted there (not even by a superuser).
Written by `audit_record` and refused by the database: services/test_audit.py."""

import pytest

from audit.models import AuditEntry
from companies.models import Company


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["refund.retry", "user.suspend", "company.verify"]),
        ({"action__exact": "user.suspend"}, ["user.suspend"]),
        ({"money": "yes"}, ["refund.retry"]),
        ({"money": "no"}, ["user.suspend", "company.verify"]),
        ({"q": "kopi"}, ["refund.retry", "company.verify"]),
        ({"q": "spam"}, ["user.suspend"]),
    ],
)
def test_operators_browse_and_filter_the_log(admin_as, support, entries, query, expected):
    response = admin_as(support).get("/admin/audit/auditentry/", query)

    assert response.status_code == 200
    assert [entry.action for entry in response.context["cl"].result_list] == expected


def test_an_entry_links_to_its_object(admin_as, superuser, entries):
    response = admin_as(superuser).get(f"/admin/audit/auditentry/{entries[1].pk}/change/")

    assert response.status_code == 200
    assert f'href="/admin/accounts/user/{entries[1].target_id}/change/"' in response.content.decode()


def test_nobody_adds_changes_or_deletes_an_entry_in_the_admin(admin_as, superuser, entries):
    client, entry = admin_as(superuser), entries[0]
    url = f"/admin/audit/auditentry/{entry.pk}"

    add = client.get("/admin/audit/auditentry/add/")
    change = client.post(f"{url}/change/", {"reason": "Diubah.", "action": "user.suspend"})
    delete_page = client.get(f"{url}/delete/")
    delete = client.post(f"{url}/delete/", {"post": "yes"})
    bulk = client.post(
        "/admin/audit/auditentry/",
        {"action": "delete_selected", "post": "yes", "_selected_action": [str(row.pk) for row in entries]},
    )

    assert [add.status_code, change.status_code, delete_page.status_code, delete.status_code] == [403] * 4
    assert bulk.context["action_form"] is None  # no action at all on the log, deletion included
    assert AuditEntry.objects.count() == 3
    assert AuditEntry.objects.get(pk=entry.pk).reason == "NIB sudah dicek."


def test_an_object_shows_its_audit_trail(admin_as, superuser, entries):
    company = Company.objects.get(name="PT Kopi Nusantara")

    html = admin_as(superuser).get(f"/admin/companies/company/{company.pk}/change/").content.decode()

    assert "NIB sudah dicek." in html
    assert "Gagal di bank." in html
    assert "250,000" in html
