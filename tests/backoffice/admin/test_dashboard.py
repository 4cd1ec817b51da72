"""The dashboard is the admin index: it loads with its figures and charts, nothing from another host, and each figure
links to a changelist of exactly the rows it counts (the figures themselves: services/test_dashboard.py)."""

import re

from django.urls import reverse
from django.utils import timezone

from backoffice.dashboard import SERIES, dashboard_figures
from tests.backoffice.helpers import COUNTED, by_day

from ..conftest import admin_client


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
