"""The offer history and a contract's milestones answer the shared list envelope (PRODUCT.md §3): pages of at
most 100, `count`, `next`/`previous` links, in a stable order, and a malformed `page` or `page_size` is a 400."""

import pytest

from proposals import services
from tests.factories import OfferFactory
from tests.problems import assert_problem

from ..helpers import COVER_LETTER, contract_url, make_job, proposal_url, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def negotiated(company, owner, freelancer):
    """A proposal with five offers: the freelancer's bid, then counter offers from alternating sides."""
    proposal = submit(make_job(company, owner), freelancer, amount=2_500_000)
    for n, actor in enumerate([owner, freelancer, owner, freelancer], start=1):
        OfferFactory(proposal=proposal, actor=actor, amount=2_500_000 - n * 100_000, duration_days=14,
                     message=f"Tawaran {n}")
    return proposal


@pytest.fixture
def contract(company, owner, freelancer):
    proposal = submit(make_job(company, owner), freelancer, amount=3_000_000)
    plan = [{"title": title, "amount": 1_000_000} for title in ("Konsep", "Logo final", "Panduan merek")]
    return services.proposal_accept(proposal=proposal, actor=owner, milestones=plan)


def test_offer_history_pages_oldest_first(as_user, negotiated, recruiter):
    url = proposal_url(negotiated.pk, "offers")
    client = as_user(recruiter)

    first = client.get(url, {"page_size": 2})
    second = client.get(url, {"page_size": 2, "page": 2})
    last = client.get(url, {"page_size": 2, "page": 3})

    assert [response.status_code for response in (first, second, last)] == [200, 200, 200]
    assert set(first.json()) == {"count", "next", "previous", "results"}
    assert [page.json()["count"] for page in (first, second, last)] == [5, 5, 5]
    assert first.json()["previous"] is None
    assert first.json()["next"] == f"http://testserver{url}?page=2&page_size=2"
    assert second.json()["previous"] == f"http://testserver{url}?page_size=2"
    assert second.json()["next"] == f"http://testserver{url}?page=3&page_size=2"
    assert last.json()["next"] is None
    assert [(offer["amount"], offer["message"]) for page in (first, second, last) for offer in page.json()["results"]] \
        == [(2_500_000, COVER_LETTER), (2_400_000, "Tawaran 1"), (2_300_000, "Tawaran 2"), (2_200_000, "Tawaran 3"),
            (2_100_000, "Tawaran 4")]


def test_offer_history_defaults_to_one_page_with_no_links(as_user, negotiated, freelancer):
    body = as_user(freelancer).get(proposal_url(negotiated.pk, "offers")).json()

    assert (body["count"], body["next"], body["previous"], len(body["results"])) == (5, None, None, 5)


def test_contract_milestones_page_in_plan_order(as_user, contract, freelancer):
    url = contract_url(contract.pk, "milestones")
    client = as_user(freelancer)

    first = client.get(url, {"page_size": 2})
    second = client.get(first.json()["next"])

    assert (first.status_code, second.status_code) == (200, 200)
    assert (first.json()["count"], first.json()["previous"]) == (3, None)
    assert (second.json()["count"], second.json()["next"]) == (3, None)
    assert [(m["position"], m["title"]) for page in (first, second) for m in page.json()["results"]] == [
        (1, "Konsep"), (2, "Logo final"), (3, "Panduan merek")]


def test_a_page_size_above_100_is_served_as_100(as_user, company, owner, freelancer):
    proposal = submit(make_job(company, owner), freelancer)
    for n in range(101):
        OfferFactory(proposal=proposal, actor=owner if n % 2 == 0 else freelancer, amount=1_000_000 + n,
                     duration_days=14)

    body = as_user(freelancer).get(proposal_url(proposal.pk, "offers"), {"page_size": 1000}).json()

    assert (body["count"], len(body["results"])) == (102, 100)
    assert body["next"].endswith("?page=2&page_size=1000")


LIST_URLS = {
    "offers": lambda negotiated, contract: proposal_url(negotiated.pk, "offers"),
    "milestones": lambda negotiated, contract: contract_url(contract.pk, "milestones"),
}


@pytest.mark.parametrize("name", list(LIST_URLS))
@pytest.mark.parametrize("param, value", [("page", "abc"), ("page", "0"), ("page", "-1"), ("page", "1.5"),
                                          ("page_size", "abc"), ("page_size", "0"), ("page_size", "")])
def test_malformed_page_or_page_size_is_400(as_user, negotiated, contract, freelancer, name, param, value):
    response = as_user(freelancer).get(LIST_URLS[name](negotiated, contract), {param: value})

    assert_problem(response, 400, "validation_error", {param: ["A positive integer is required."]})


@pytest.mark.parametrize("name", list(LIST_URLS))
def test_a_page_past_the_end_is_404(as_user, negotiated, contract, freelancer, name):
    assert_problem(as_user(freelancer).get(LIST_URLS[name](negotiated, contract), {"page": 9}), 404, "not_found")


@pytest.mark.parametrize("name", list(LIST_URLS))
def test_someone_who_cannot_see_the_list_gets_404_before_the_page_is_read(as_user, negotiated, contract,
                                                                          other_company_owner, name):
    response = as_user(other_company_owner).get(LIST_URLS[name](negotiated, contract), {"page": "abc"})

    assert_problem(response, 404, "not_found")
