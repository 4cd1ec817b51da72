"""The operators' dashboard (the admin index): today's and the last 30 days' figures of the business, a small
server-rendered chart per series, and a link from each figure to the changelist it counts.

"Today" is the current day in the current time zone (the admin runs in OPERATOR_TIME_ZONE, Asia/Jakarta: the
operators' day); the 30 days end with today. Each
figure is one query: its rows are grouped by day over the window, which gives the chart, today's value (the last
day) and the 30-day total at once; a figure with a "now" state (open disputes, open reports) counts it in the
same query with a filtered aggregate. A figure is shown only to operators who may view the model it links to.
Money is integer rupiah, read from the payments ledger.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from chat.models import MessageReport
from companies.models import Company
from freelancers.models import FreelancerProfile
from jobs.models import Job
from payments.models import Account, Dispute, Entry, Transaction
from proposals.models import Contract, Proposal

from .charts import bar_chart_svg, shown, shown_short

DAYS = 30


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    rows: Callable[[], QuerySet]  # the rows counted (or summed), before the window
    date_field: str  # the field whose day a row belongs to
    changelist: str  # admin URL name of the changelist the figure links to
    link_date_field: str  # that changelist's field for "since"
    view_permission: str  # who may see the figure
    link_filters: dict = field(default_factory=dict)  # extra changelist filters of the link
    total: str = ""  # "" counts rows; a field name sums it (money)
    sign: int = 1  # money read off an account that the movement leaves is negative: -1 shows it positive
    now: Q | None = None  # rows in a current state (open disputes): counted whatever their day
    now_label: str = ""
    now_link_filters: dict = field(default_factory=dict)


@dataclass
class Figure:
    key: str
    label: str
    money: bool
    today: int
    last_30_days: int
    daily: list[tuple[datetime.date, int]]
    today_url: str
    last_30_days_url: str
    chart: str
    now: int | None = None
    now_label: str = ""
    now_url: str = ""

    @property
    def today_shown(self) -> str:
        return shown_short(self.today, self.money)

    @property
    def today_exact(self) -> str:
        return shown(self.today, self.money)

    @property
    def last_30_days_shown(self) -> str:
        return shown_short(self.last_30_days, self.money)

    @property
    def last_30_days_exact(self) -> str:
        return shown(self.last_30_days, self.money)


def _ledger(account_kind: str, transaction_kind: str | None = None) -> Callable[[], QuerySet]:
    def rows():
        entries = Entry.objects.filter(account__kind=account_kind)
        return entries.filter(transaction__kind=transaction_kind) if transaction_kind else entries

    return rows


SERIES = [
    Series(
        "users",
        "New users",
        User.objects.all,
        "date_joined",
        "admin:accounts_user_changelist",
        "date_joined",
        "accounts.view_user",
    ),
    Series(
        "freelancers",
        "New freelancers",
        FreelancerProfile.objects.all,
        "created_at",
        "admin:freelancers_freelancerprofile_changelist",
        "created_at",
        "freelancers.view_freelancerprofile",
    ),
    Series(
        "companies",
        "New companies",
        Company.objects.all,
        "created_at",
        "admin:companies_company_changelist",
        "created_at",
        "companies.view_company",
    ),
    Series(
        "jobs",
        "Jobs posted",
        Job.objects.all,
        "published_at",
        "admin:jobs_job_changelist",
        "published_at",
        "jobs.view_job",
    ),
    Series(
        "proposals",
        "Proposals",
        Proposal.objects.all,
        "created_at",
        "admin:proposals_proposal_changelist",
        "created_at",
        "proposals.view_proposal",
    ),
    Series(
        "contracts",
        "Contracts started",
        Contract.objects.all,
        "created_at",
        "admin:proposals_contract_changelist",
        "created_at",
        "proposals.view_contract",
    ),
    Series(
        "gmv_funded",
        "GMV funded (IDR)",
        _ledger(Account.Kind.ESCROW, Transaction.Kind.ESCROW_FUNDED),
        "transaction__created_at",
        "admin:payments_transaction_changelist",
        "created_at",
        "payments.view_transaction",
        link_filters={"kind__exact": Transaction.Kind.ESCROW_FUNDED},
        total="amount",
    ),
    Series(
        "gmv_released",
        "GMV released (IDR)",
        _ledger(Account.Kind.ESCROW, Transaction.Kind.ESCROW_RELEASED),
        "transaction__created_at",
        "admin:payments_transaction_changelist",
        "created_at",
        "payments.view_transaction",
        link_filters={"kind__exact": Transaction.Kind.ESCROW_RELEASED},
        total="amount",
        sign=-1,
    ),
    Series(
        "fees",
        "Platform fees earned (IDR)",
        _ledger(Account.Kind.PLATFORM_FEES),
        "transaction__created_at",
        "admin:payments_entry_changelist",
        "created_at",
        "payments.view_entry",
        link_filters={"account__kind": Account.Kind.PLATFORM_FEES},
        total="amount",
    ),
    Series(
        "disputes",
        "Disputes opened",
        Dispute.objects.all,
        "created_at",
        "admin:payments_dispute_changelist",
        "created_at",
        "payments.view_dispute",
        now=Q(status=Dispute.Status.OPEN),
        now_label="open now",
        now_link_filters={"status__exact": Dispute.Status.OPEN},
    ),
    Series(
        "reports",
        "Messages reported",
        MessageReport.objects.all,
        "created_at",
        "admin:chat_messagereport_changelist",
        "created_at",
        "chat.view_messagereport",
        now=Q(status=MessageReport.Status.OPEN),
        now_label="open now",
        now_link_filters={"status__exact": MessageReport.Status.OPEN},
    ),
]


def dashboard_window(now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime, list[datetime.date]]:
    """(start of today, start of the 30-day window, the window's days) for the aware datetime `now`, in the
    current time zone (OPERATOR_TIME_ZONE in the admin)."""
    today = timezone.localdate(now)
    days = [today - datetime.timedelta(days=offset) for offset in range(DAYS - 1, -1, -1)]
    tz = timezone.get_current_timezone()

    def start_of(day: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)

    return start_of(today), start_of(days[0]), days


def _link(series: Series, since: datetime.datetime | None, extra: dict) -> str:
    params = {**extra}
    if since is not None:
        params[f"{series.link_date_field}__gte"] = since.isoformat()
    return f"{reverse(series.changelist)}?{urlencode(params)}"


def figure_compute(series: Series, now: datetime.datetime) -> Figure:
    """One series' figure: exactly one query."""
    today_start, window_start, days = dashboard_window(now)
    in_window = Q(**{f"{series.date_field}__gte": window_start})
    value = Sum(series.total, filter=in_window) if series.total else Count("pk", filter=in_window)
    aggregates = {"value": value}
    rows = series.rows().filter(in_window | series.now if series.now is not None else in_window)
    if series.now is not None:
        aggregates["now"] = Count("pk", filter=series.now)
    grouped = (
        rows.annotate(day=TruncDate(series.date_field, tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(**aggregates)
        .order_by()
    )
    per_day, now_count = {}, 0
    for row in grouped:
        per_day[row["day"]] = int(row["value"] or 0) * series.sign
        now_count += row.get("now") or 0
    daily = [(day, per_day.get(day, 0)) for day in days]
    money = bool(series.total)
    return Figure(
        key=series.key,
        label=series.label,
        money=money,
        today=daily[-1][1],
        last_30_days=sum(v for _, v in daily),
        daily=daily,
        today_url=_link(series, today_start, series.link_filters),
        last_30_days_url=_link(series, window_start, series.link_filters),
        chart=bar_chart_svg(daily, label=series.label, money=money),
        now=now_count if series.now is not None else None,
        now_label=series.now_label,
        now_url=_link(series, None, series.now_link_filters) if series.now is not None else "",
    )


def dashboard_figures(*, user, now: datetime.datetime) -> list[Figure]:
    """The figures `user` may see (by the view permission of the model each links to), at `now` (aware).
    One query per figure; a superuser sees all."""
    return [figure_compute(series, now) for series in SERIES if user.has_perm(series.view_permission)]
