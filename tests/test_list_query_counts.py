"""Every list endpoint costs an exact, fixed number of queries (issue 11, point 6; PRODUCT.md §5): the same
literal for 1 and 50 rows and for page sizes 1, 20 and 100, authentication and throttling included. A count that
grew with the rows or the page would be an N+1 in the endpoint's selector.

Each endpoint's rows are built once per size (tests/list_data.py), and the three page sizes are read from them.
The job list is the search's (tests/jobs/). The last tests fail when a list endpoint appears without an entry
here."""

import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator
from rest_framework.mixins import ListModelMixin
from rest_framework.test import APIClient

from tests import list_data
from tests.conftest import client_for

ROWS = (1, 50)
PAGE_SIZES = (1, 20, 100)

# Route name → (builder, {reader: queries}). Common: "the user" is the JWT authentication (the user with its
# session's liveness, one query); "roles" is the reader's company memberships (none for an operator: operators see
# every contract); "count" and "page" are the paginator's.
ENDPOINTS = {
    # the user, count, page
    "me-sessions": (list_data.sessions, {"user": 3}),
    # the user, roles, count, page (last message, sender and unread count joined into it)
    "conversation-list": (list_data.conversations, {"owner": 4}),
    # the user, roles, the conversation (visibility), the page (cursor pagination: no count)
    "conversation-messages": (list_data.messages, {"owner": 4, "freelancer": 4}),
    # count, page
    "company-list": (list_data.companies, {"anonymous": 2}),
    # the user, roles, the company, count, page with the users
    "company-members": (list_data.members, {"owner": 5}),
    # count, page with the users, their skills (prefetched)
    "freelancer-list": (list_data.freelancers, {"anonymous": 3}),
    # the user, count, page, unread count
    "notification-list": (list_data.notifications, {"user": 4}),
    # the user, count, page
    "device-list": (list_data.devices, {"user": 3}),
    # the user, roles, count, page with company, payer and payee
    "payment-list": (list_data.payments, {"owner": 4, "freelancer": 4}),
    # the user, the freelancer profile (IsFreelancer), count, page
    "wallet-transactions": (list_data.wallet_transactions, {"freelancer": 4}),
    # the user, the freelancer profile (IsFreelancer), count, page
    "payout-list": (list_data.payout_list, {"freelancer": 4}),
    # the user, roles, the job, its skills, count, page
    "job-proposals": (list_data.job_proposals, {"owner": 6}),
    # the user, roles, count, page with job, company and freelancer
    "proposal-list": (list_data.proposals, {"freelancer": 4, "owner": 4}),
    # the user, roles, the proposal (visibility), count, page with the authors
    "proposal-offers": (list_data.offers, {"owner": 5, "freelancer": 5}),
    # the user, roles, count, page, the page's milestones (prefetched)
    "contract-list": (list_data.contracts, {"owner": 5, "freelancer": 5, "operator": 4}),
    # the user, roles, the contract (visibility, EXISTS), count, page
    "contract-milestones": (list_data.milestones, {"owner": 5, "freelancer": 5, "operator": 4}),
    # the user, roles, count, page
    "review-list": (list_data.reviews_mine, {"freelancer": 4}),
    # the freelancer's user id (by profile or user id), count, page
    "freelancer-reviews": (list_data.freelancer_reviews, {"anonymous": 3}),
    # the company (EXISTS), count, page
    "company-reviews": (list_data.company_reviews, {"anonymous": 3}),
    # the whole tree in one query, paged in Python (then cached: a warm cache reads none)
    "category-list": (list_data.categories, {"anonymous": 1}),
    # every skill in one query, paged in Python (then cached)
    "skill-list": (list_data.skills, {"anonymous": 1}),
}

# List endpoints whose exact query counts are asserted in another module (the job search owns its own pages).
COVERED_ELSEWHERE = {"job-list": "tests/jobs/api/test_search.py"}


@pytest.mark.parametrize("rows", ROWS)
@pytest.mark.parametrize("route", ENDPOINTS)
def test_query_count_is_exact(route, rows, db, django_assert_num_queries):
    builder, queries = ENDPOINTS[route]
    readers, url, listed = builder(rows)
    assert set(readers) == set(queries)

    for reader, user in readers.items():
        client = client_for(user) if user is not None else APIClient()
        for page_size in PAGE_SIZES:
            # Every read starts cold, as a fresh process would: the taxonomy's cached lists would read nothing the
            # second time (tests/taxonomy asserts that).
            cache.clear()
            with django_assert_num_queries(queries[reader], info=f"{route} as {reader}, page_size={page_size}"):
                response = client.get(url, {"page_size": page_size})

            assert response.status_code == 200, (reader, page_size, response.content)
            body = response.json()
            assert len(body["results"]) == min(page_size, listed), (reader, page_size)
            if "count" in body:  # the messages' cursor pages have no count
                assert body["count"] == listed, (reader, page_size)


def _list_routes() -> dict[str, str]:
    """Route name → path (placeholders as in the schema: `{pk}`) of every GET route whose view lists (DRF's
    ListModelMixin)."""
    routes = {}

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                view = getattr(pattern.callback, "view_class", None)
                if view is not None and issubclass(view, ListModelMixin) and hasattr(view, "get"):
                    routes[pattern.name] = _schema_path(prefix + str(pattern.pattern))

    walk(get_resolver().url_patterns, "")
    return routes


def test_every_list_endpoint_has_an_exact_query_count():
    routes = _list_routes()

    assert set(routes) - set(ENDPOINTS) - set(COVERED_ELSEWHERE) == set()
    assert set(ENDPOINTS) | set(COVERED_ELSEWHERE) <= set(routes)


def test_the_lists_covered_elsewhere_assert_their_query_counts():
    root = Path(__file__).resolve().parent.parent
    for route, module in COVERED_ELSEWHERE.items():
        assert "django_assert_num_queries(" in (root / module).read_text(), route


def test_every_list_in_the_schema_is_a_list_route():
    """A GET that answers a list without ListModelMixin (a plain APIView returning many rows) escapes the
    resolver walk above; the schema still shows it as a paginated or array response."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    listed = set()
    for path, operations in schema["paths"].items():
        answer = operations.get("get", {}).get("responses", {}).get("200", {})
        content = answer.get("content", {}).get("application/json", {}).get("schema", {})
        if content.get("type") == "array" or content.get("$ref", "").rsplit("/", 1)[-1].startswith("Paginated"):
            listed.add(path)

    assert listed == set(_list_routes().values())


def _schema_path(route: str) -> str:
    """A route's path as the schema writes it: `{name}` for each parameter, `{id}` for `pk` (drf-spectacular)."""
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda match: "{%s}" % ("id" if match[1] == "pk" else match[1]), route)
