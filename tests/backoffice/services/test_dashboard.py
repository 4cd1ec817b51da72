"""The dashboard's figures (backoffice/dashboard.py): they equal counts and sums computed here, independently, from
the rows each test creates; one query per figure; the charts and money as shown (the admin index that shows them and
the links of each figure: admin/test_dashboard.py)."""

import datetime
import re

import pytest
from django.utils import timezone

from accounts.models import User
from backoffice.charts import HEIGHT, bar_chart_svg, shown, shown_short
from backoffice.dashboard import SERIES, dashboard_figures
from companies.models import Company
from freelancers.models import FreelancerProfile
from jobs.models import Job
from proposals.models import Contract, Proposal
from tests.backoffice.helpers import AMOUNTS, COUNTED, by_day
from tests.factories import UserFactory


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
