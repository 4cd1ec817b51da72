"""The dashboard (the admin index): its figures equal counts and sums computed here, independently, from the rows
each test creates; one query per figure; each figure links to a changelist of exactly the rows it counts."""

import datetime
import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from backoffice.charts import HEIGHT, bar_chart_svg, shown, shown_short
from backoffice.dashboard import SERIES, dashboard_figures
from chat.models import MessageReport
from chat.services import conversation_open_for_proposal, message_report, message_send, report_close
from companies.models import Company, Membership
from freelancers.models import FreelancerProfile
from jobs.models import Job
from payments.models import Account, Dispute, Entry, Transaction
from payments.services import escrow
from proposals.models import Contract, Proposal
from tests.factories import CompanyFactory, FreelancerProfileFactory, MembershipFactory, UserFactory
from tests.payments.helpers import make_contract
from tests.proposals.helpers import make_job
from tests.world import _pay as pay

from .conftest import admin_client

AMOUNTS = (1_000_000, 500_000, 250_000)


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def backdate(model, pk, days: int, field: str = "created_at") -> None:
    model.objects.filter(pk=pk).update(**{field: days_ago(days)})


@pytest.fixture
def business(db):
    """Rows of every series, some today, some earlier in the window, some before it."""
    owner = MembershipFactory(role=Membership.Role.OWNER).user
    company = Company.objects.get(memberships__user=owner)
    freelancer = FreelancerProfileFactory().user
    backdate(User, UserFactory().pk, 10, "date_joined")
    backdate(User, UserFactory().pk, 40, "date_joined")
    backdate(FreelancerProfile, FreelancerProfileFactory().pk, 5)
    backdate(Company, CompanyFactory().pk, 28)
    backdate(Company, CompanyFactory().pk, 31)
    backdate(Job, make_job(company, owner).pk, 3, "published_at")
    backdate(Job, make_job(company, owner).pk, 45, "published_at")
    make_job(company, owner, status=Job.Status.DRAFT)
    contract = make_contract(company, owner, freelancer, amounts=AMOUNTS, title="Logo berbayar")
    old_contract = make_contract(company, owner, FreelancerProfileFactory().user, title="Logo lama")
    backdate(Contract, old_contract.pk, 20)
    backdate(Proposal, old_contract.proposal_id, 21)
    first, second, third = contract.milestones.order_by("position")
    for milestone in (first, second, third):
        pay(owner, milestone.pk)
    escrow.milestone_approve(milestone_id=first.pk, actor=owner)
    escrow.milestone_dispute(milestone_id=second.pk, actor=freelancer, reason="Klien tidak membalas.")
    old_dispute = escrow.milestone_dispute(milestone_id=third.pk, actor=owner, reason="Belum dikirim.")
    backdate(Dispute, old_dispute.pk, 40)
    conversation, _ = conversation_open_for_proposal(user=owner, proposal=contract.proposal)
    for days, body in ((0, "Bayar di luar saja."), (12, "Nomor rekening pribadi saya ...")):
        message, _ = message_send(conversation_id=conversation.pk, sender=owner, body=body, client_id=uuid.uuid4())
        report = message_report(message=message, reporter=freelancer, reason="Meminta bayar di luar platform.")
        backdate(MessageReport, report.pk, days)
    report_close(
        report=MessageReport.objects.order_by("created_at").first(),
        operator=UserFactory(is_staff=True),
        status=MessageReport.Status.RESOLVED,
        reason="Pengguna sudah diperingatkan.",
    )
    return {"contract": contract}


def by_day(values) -> tuple[int, int]:
    """(today, last 30 days) of aware datetimes, counted in Python on the operators' calendar."""
    today = timezone.localdate()
    days = [timezone.localtime(value).date() for value in values if value is not None]
    return (sum(day == today for day in days), sum(today - datetime.timedelta(days=29) <= day <= today for day in days))


def test_figures_equal_what_the_rows_say(business):
    # Given the rows of the fixture and an operator, counted here without the dashboard's SQL
    superuser = UserFactory(is_superuser=True)
    fee_bps = business["contract"].platform_fee_bps
    expected = {
        "users": by_day(User.objects.values_list("date_joined", flat=True)),
        "freelancers": by_day(FreelancerProfile.objects.values_list("created_at", flat=True)),
        "companies": by_day(Company.objects.values_list("created_at", flat=True)),
        "jobs": by_day(Job.objects.values_list("published_at", flat=True)),
        "proposals": by_day(Proposal.objects.values_list("created_at", flat=True)),
        "contracts": by_day(Contract.objects.values_list("created_at", flat=True)),
        "gmv_funded": (sum(AMOUNTS), sum(AMOUNTS)),
        "gmv_released": (AMOUNTS[0], AMOUNTS[0]),
        "fees": (AMOUNTS[0] * fee_bps // 10_000,) * 2,
        "disputes": (1, 1),
        "reports": (1, 2),
    }

    # When the dashboard computes its figures
    figures = {figure.key: figure for figure in dashboard_figures(user=superuser, now=timezone.now())}

    # Then each equals the count or sum from the rows, and the open states are right
    assert {key: (figure.today, figure.last_30_days) for key, figure in figures.items()} == expected
    assert (figures["disputes"].now, figures["reports"].now) == (2, 1)
    assert expected["users"] == (User.objects.count() - 2, User.objects.count() - 1)  # the fixture's own arithmetic
    assert expected["fees"] == (100_000, 100_000)
    for figure in figures.values():
        assert len(figure.daily) == 30
        assert figure.daily[-1][1] == figure.today
        assert sum(value for _, value in figure.daily) == figure.last_30_days


def test_money_figures_move_out_of_today_and_then_out_of_the_window(business):
    # Given the ledger rows of today (they cannot be backdated: the ledger is append-only), seen 10 and 40 days on
    superuser = UserFactory(is_superuser=True)
    later = {
        days: {
            figure.key: (figure.today, figure.last_30_days)
            for figure in dashboard_figures(user=superuser, now=timezone.now() + datetime.timedelta(days=days))
        }
        for days in (10, 40)
    }

    # Then 10 days on they are in the 30 days but not today, and 40 days on in neither
    assert [later[10][key] for key in ("gmv_funded", "gmv_released", "fees")] == [
        (0, sum(AMOUNTS)),
        (0, AMOUNTS[0]),
        (0, 100_000),
    ]
    assert [later[40][key] for key in ("gmv_funded", "gmv_released", "fees")] == [(0, 0)] * 3


def test_one_query_per_figure(business, django_assert_num_queries):
    superuser = UserFactory(is_superuser=True)

    with django_assert_num_queries(len(SERIES)):
        figures = dashboard_figures(user=superuser, now=timezone.now())

    assert len(figures) == len(SERIES) == 11


def test_the_dashboard_is_the_admin_index(business, superuser, django_assert_max_num_queries):
    client = admin_client(superuser)

    with django_assert_max_num_queries(len(SERIES) + 4):  # session, user, figures, the app list's none
        response = client.get(reverse("admin:index"))

    assert response.status_code == 200
    html = response.content.decode()
    assert [f"figure-{series.key}" in html for series in SERIES] == [True] * len(SERIES)
    assert html.count('<svg class="bo-chart"') == len(SERIES)
    # Nothing is loaded from another host: every script, stylesheet and image is ours
    assert re.findall(r'(?:src|href)="(?:https?:)?//[^"]*"', html) == []


COUNTED = {  # series key → (the model its changelist lists, the date field, an extra filter on the rows)
    "users": (User, "date_joined", {}),
    "freelancers": (FreelancerProfile, "created_at", {}),
    "companies": (Company, "created_at", {}),
    "jobs": (Job, "published_at", {}),
    "proposals": (Proposal, "created_at", {}),
    "contracts": (Contract, "created_at", {}),
    "disputes": (Dispute, "created_at", {}),
    "reports": (MessageReport, "created_at", {}),
    "gmv_funded": (Transaction, "created_at", {"kind": Transaction.Kind.ESCROW_FUNDED}),
    "gmv_released": (Transaction, "created_at", {"kind": Transaction.Kind.ESCROW_RELEASED}),
    "fees": (Entry, "created_at", {"account__kind": Account.Kind.PLATFORM_FEES}),
}


def listed(client, url) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["cl"].result_count


def test_each_figure_links_to_the_rows_it_counts(business, superuser):
    client = admin_client(superuser)
    figures = dashboard_figures(user=superuser, now=timezone.now())
    assert sorted(figure.key for figure in figures) == sorted(COUNTED)

    for figure in figures:
        model, field, extra = COUNTED[figure.key]
        rows = model.objects.filter(**extra).values_list(field, flat=True)
        today, month = by_day(rows)
        assert (listed(client, figure.today_url), listed(client, figure.last_30_days_url)) == (today, month), figure.key
        if figure.now is not None:
            assert listed(client, figure.now_url) == figure.now


@pytest.mark.parametrize(
    ("group", "keys"),
    [
        ("support", sorted(COUNTED)),
        ("moderator", ["companies", "freelancers", "jobs", "proposals", "reports", "users"]),
        (
            "finance",
            [
                "companies",
                "contracts",
                "disputes",
                "fees",
                "freelancers",
                "gmv_funded",
                "gmv_released",
                "jobs",
                "proposals",
                "users",
            ],
        ),
    ],
)
def test_an_operator_sees_the_figures_of_what_they_may_view(db, request, group, keys):
    operator = request.getfixturevalue(group)

    figures = dashboard_figures(user=operator, now=timezone.now())

    assert sorted(figure.key for figure in figures) == keys


def test_chart_has_one_bar_per_day_scaled_to_the_largest():
    today = datetime.date(2026, 12, 4)
    points = [(today - datetime.timedelta(days=2 - index), value) for index, value in enumerate((0, 5, 10))]

    svg = str(bar_chart_svg(points, label="Jobs <posted>", money=True))

    heights = [float(height) for height in re.findall(r'<rect [^>]*height="([\d.]+)"', svg)]
    assert heights == [0.0, (HEIGHT - 2) / 2, HEIGHT - 2]
    assert re.findall(r"<title>([^<]*)</title>", svg) == ["02 Dec: Rp0", "03 Dec: Rp5", "04 Dec: Rp10"]
    assert 'aria-label="Jobs &lt;posted&gt;, per day over the last 3 days"' in svg


@pytest.mark.parametrize(
    ("value", "short", "exact"),
    [
        (950_000, "Rp950.000", "Rp950.000"),
        (1_000_000, "Rp1 jt", "Rp1.000.000"),
        (2_599_999, "Rp2,5 jt", "Rp2.599.999"),
        (1_234_567_890, "Rp1,2 M", "Rp1.234.567.890"),
        (7_900_000_000_000, "Rp7,9 T", "Rp7.900.000.000.000"),
    ],
)
def test_money_is_shown_short_on_the_card_and_exact_on_hover(value, short, exact):
    assert (shown_short(value, money=True), shown(value, money=True)) == (short, exact)
    assert shown_short(value) == shown(value) == exact.removeprefix("Rp")
