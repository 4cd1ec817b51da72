"""No money list grows its query count with the data (PRODUCT.md §5; payments/selectors.py: "each list is one
query for its page"): the exact count measured at the small size holds at the large one, whatever the states."""

import pytest

from payments.services import escrow, payouts
from tests.factories import CompanyFactory, MembershipFactory

from ..helpers import API, make_contract, pay, release

pytestmark = pytest.mark.django_db

SIZES = [2, 12]
# What each endpoint costs, exactly, at both sizes (authentication, roles or the freelancer profile, count, page,
# and the endpoint's own reads).
QUERIES = {"payments": 4, "wallet_transactions": 4, "payouts": 4, "statement": 6,
         # An operator's contract list skips the membership lookup.
         "contracts": {"owner": 5, "freelancer": 5, "operator": 4}}


def get_page(client, url, rows):
    response = client.get(url, {"page_size": 100})
    assert response.status_code == 200, response.content
    assert response.json()["count"] == rows
    return response


def payments_of(company, owner, freelancer, rows: int) -> None:
    """`rows` payments of one contract: every other one paid (the milestone funded), the rest open checkouts."""
    contract = make_contract(company, owner, freelancer, amounts=[100_000 + n for n in range(rows)])
    for n, milestone in enumerate(contract.milestones.order_by("position")):
        if n % 2:
            escrow.milestone_fund(milestone_id=milestone.pk, actor=owner)
        else:
            pay(owner, milestone.pk)


def withdrawals(company, owner, freelancer, rows: int) -> None:
    """A release into the wallet, then `rows` payouts, every other one failing (the money comes back)."""
    release(owner, make_contract(company, owner, freelancer, amounts=(10_000_000,)).milestones.get().pk)
    for n in range(rows):
        payouts.payout_request(user=freelancer, amount=50_000 + n, bank_code="BCA",
                               account_number="1234567000" if n % 2 else "1234567890",
                               account_holder_name="Budi Santoso")


@pytest.mark.parametrize("rows", SIZES)
@pytest.mark.parametrize("reader", ["owner", "freelancer"])
def test_payments(request, as_user, company, owner, freelancer, reader, rows, django_assert_num_queries):
    payments_of(company, owner, freelancer, rows)
    # Another company's payments to the same freelancer: the owner must not pay (in queries) for them either.
    other_owner = MembershipFactory(company=CompanyFactory(), role="owner").user
    payments_of(other_owner.company_memberships.get().company, other_owner, freelancer, 2)
    client = as_user(request.getfixturevalue(reader))

    with django_assert_num_queries(QUERIES["payments"]):
        get_page(client, f"{API}/payments/", rows if reader == "owner" else rows + 2)


@pytest.mark.parametrize("rows", SIZES)
def test_wallet_transactions(as_user, company, owner, freelancer, rows, django_assert_num_queries):
    withdrawals(company, owner, freelancer, rows)
    client = as_user(freelancer)
    failed = rows // 2

    with django_assert_num_queries(QUERIES["wallet_transactions"]):
        # The release, one line per payout, and one more per failed payout (the money back).
        get_page(client, f"{API}/wallet/transactions/", 1 + rows + failed)


@pytest.mark.parametrize("rows", SIZES)
def test_payouts(as_user, company, owner, freelancer, rows, django_assert_num_queries):
    withdrawals(company, owner, freelancer, rows)
    client = as_user(freelancer)

    with django_assert_num_queries(QUERIES["payouts"]):
        get_page(client, f"{API}/payouts/", rows)


@pytest.mark.parametrize("milestones", [1, 8])
@pytest.mark.parametrize("reader", ["owner", "freelancer", "operator"])
def test_statement(request, as_user, company, owner, freelancer, reader, milestones,
                   django_assert_num_queries):
    contract = make_contract(company, owner, freelancer, amounts=[1_000_000] * milestones)
    for n, milestone in enumerate(contract.milestones.order_by("position")):
        (release if n % 2 == 0 else pay)(owner, milestone.pk)
    client = as_user(request.getfixturevalue(reader))

    with django_assert_num_queries(QUERIES["statement"]):
        response = client.get(f"{API}/contracts/{contract.pk}/statement/")

    assert response.status_code == 200, response.content
    statement = response.json()
    assert len(statement["milestones"]) == milestones
    released = (milestones + 1) // 2
    assert statement["totals"] == {"funded": 1_000_000 * milestones, "released": 1_000_000 * released,
                                   "fee": 100_000 * released, "paid_to_freelancer": 900_000 * released,
                                   "refunded": 0, "held": 1_000_000 * (milestones - released)}


@pytest.mark.parametrize("rows", SIZES)
@pytest.mark.parametrize("reader", ["owner", "freelancer", "operator"])
def test_contracts_with_milestones(request, as_user, company, owner, freelancer, reader, rows,
                                   django_assert_num_queries):
    for n in range(rows):
        contract = make_contract(company, owner, freelancer, amounts=(500_000, 600_000, 700_000),
                                 title=f"Logo {n}")
        first, second, _ = contract.milestones.order_by("position")
        release(owner, first.pk)
        escrow.milestone_fund(milestone_id=second.pk, actor=owner)
    client = as_user(request.getfixturevalue(reader))

    with django_assert_num_queries(QUERIES["contracts"][reader]):
        response = get_page(client, f"{API}/contracts/", rows)

    assert [[m["status"] for m in row["milestones"]] for row in response.json()["results"]] == [
        ["released", "pending", "pending"]] * rows
