"""Who may move and see which money (docs/payments.md "Who may do what"; PRODUCT.md §3: 401 anonymous, 403 wrong
role, 404 another tenant's object).

Every refused call is also checked to change nothing: no payment, payout, dispute or ledger transaction, the same
milestone states and balances, no idempotency record, and no notification (on-commit callbacks are run, so a
notification scheduled by a refused call would show)."""

import pytest

from payments.models import Account, Payment, Payout, Transaction
from payments.services import escrow, payouts
from proposals.models import Milestone
from tests.factories import FreelancerProfileFactory
from tests.problems import assert_problem

from ..helpers import API, assert_refused, fund, make_contract, milestone_url, pay, post, release

pytestmark = pytest.mark.django_db

PAYOUT_BODY = {"amount": 100_000, "bank_code": "BCA", "account_number": "1234567890",
               "account_holder_name": "Budi Santoso"}
DISPUTE_BODY = {"reason": "Logo yang dikirim tidak sesuai brief."}


# --- fixtures ---------------------------------------------------------------------------------------------------


@pytest.fixture
def freelancer_b(db):
    return FreelancerProfileFactory().user


@pytest.fixture
def funded(owner, milestone):
    pay(owner, milestone.pk)
    return milestone


@pytest.fixture
def pending_payment(owner, contract):
    """The id of an open sandbox checkout of the contract's second milestone (1,500,000)."""
    return str(escrow.milestone_fund(milestone_id=contract.milestones.get(position=2).pk, actor=owner).pk)


@pytest.fixture
def wallet(owner, freelancer, funded):
    """`freelancer` has 900,000 available (1,000,000 released minus the 10% fee)."""
    escrow.milestone_approve(milestone_id=funded.pk, actor=owner)
    return freelancer


@pytest.fixture
def payout_b(company, owner, freelancer_b):
    """A completed payout of another freelancer (another contract with the same company)."""
    contract = make_contract(company, owner, freelancer_b, amounts=(500_000,), title="Desain Kemasan")
    release(owner, contract.milestones.get().pk)
    return str(payouts.payout_request(user=freelancer_b, **PAYOUT_BODY).pk)


# --- anonymous: 401 everywhere but the sandbox page --------------------------------------------------------------


ANONYMOUS_CALLS = [
    ("post", "fund"), ("post", "submit"), ("post", "approve"), ("post", "dispute"), ("get", "statement"),
    ("get", "payments"), ("get", "payment"), ("get", "wallet"), ("get", "wallet_transactions"),
    ("get", "payouts"), ("post", "payouts"), ("get", "payout"),
]


@pytest.mark.parametrize(("method", "target"), ANONYMOUS_CALLS, ids=[f"{m} {t}" for m, t in ANONYMOUS_CALLS])
def test_anonymous_gets_401_and_changes_nothing(api, contract, funded, pending_payment, method, target,
                                                 django_capture_on_commit_callbacks):
    # Authentication comes before any lookup: the ids only need to be well-formed.
    urls = {"fund": milestone_url(funded.pk, "fund"), "submit": milestone_url(funded.pk, "submit"),
            "approve": milestone_url(funded.pk, "approve"), "dispute": milestone_url(funded.pk, "dispute"),
            "statement": f"{API}/contracts/{contract.pk}/statement/", "payments": f"{API}/payments/",
            "payment": f"{API}/payments/{pending_payment}/", "wallet": f"{API}/wallet/",
            "wallet_transactions": f"{API}/wallet/transactions/", "payouts": f"{API}/payouts/",
            "payout": f"{API}/payouts/{pending_payment}/"}
    body = {"fund": {}, "dispute": DISPUTE_BODY, "payouts": PAYOUT_BODY}.get(target)

    assert_refused(django_capture_on_commit_callbacks,
                   lambda: getattr(api, method)(urls[target], body, format="json"), 401, "not_authenticated")


# --- fund -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["recruiter", "freelancer", "operator"])
def test_wrong_roles_cannot_fund(request, as_user, milestone, role, django_capture_on_commit_callbacks):
    client = as_user(request.getfixturevalue(role))

    assert_refused(django_capture_on_commit_callbacks, lambda: fund(client, milestone.pk), 403,
                   "permission_denied")
    assert not Payment.objects.exists()


@pytest.mark.parametrize("outsider", ["other_company_owner", "freelancer_b"])
def test_outsiders_cannot_fund_and_do_not_learn_the_milestone_exists(request, as_user, milestone, outsider,
                                                                     django_capture_on_commit_callbacks):
    client = as_user(request.getfixturevalue(outsider))

    assert_refused(django_capture_on_commit_callbacks, lambda: fund(client, milestone.pk), 404, "not_found")


def test_unknown_milestone_is_404(as_user, owner, contract):
    assert_problem(fund(as_user(owner), "01900000-0000-7000-8000-000000000000"), 404, "not_found")


@pytest.mark.parametrize("manager", ["owner", "company_admin"])
def test_owner_and_admin_fund(request, as_user, milestone, manager):
    user = request.getfixturevalue(manager)

    response = fund(as_user(user), milestone.pk)

    assert response.status_code == 201, response.content
    payment = Payment.objects.get()
    assert response.json()["id"] == str(payment.pk)
    assert (payment.payer, payment.milestone_id, payment.status) == (user, milestone.pk, Payment.Status.PENDING)
    assert Milestone.objects.get(pk=milestone.pk).status == Milestone.Status.PENDING


# --- submit -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "company_admin", "recruiter", "operator"])
def test_company_and_operators_cannot_submit(request, as_user, funded, role, django_capture_on_commit_callbacks):
    client = as_user(request.getfixturevalue(role))

    assert_refused(django_capture_on_commit_callbacks, lambda: post(client, funded.pk, "submit", {"note": "x"}),
                   403, "permission_denied")
    assert Milestone.objects.get(pk=funded.pk).status == Milestone.Status.FUNDED


@pytest.mark.parametrize("outsider", ["freelancer_b", "other_company_owner"])
def test_outsiders_cannot_submit(request, as_user, funded, outsider, django_capture_on_commit_callbacks):
    client = as_user(request.getfixturevalue(outsider))

    assert_refused(django_capture_on_commit_callbacks, lambda: post(client, funded.pk, "submit", {}), 404,
                   "not_found")


def test_contract_freelancer_submits(as_user, freelancer, funded):
    response = post(as_user(freelancer), funded.pk, "submit", {"note": "Logo final: https://drive.example/logo"})

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted"
    assert response.json()["auto_approve_at"] is not None


# --- approve ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["recruiter", "freelancer", "operator"])
def test_wrong_roles_cannot_approve(request, as_user, funded, role, django_capture_on_commit_callbacks):
    client = as_user(request.getfixturevalue(role))

    assert_refused(django_capture_on_commit_callbacks, lambda: post(client, funded.pk, "approve"), 403,
                   "permission_denied")
    assert Milestone.objects.get(pk=funded.pk).status == Milestone.Status.FUNDED
    assert not Transaction.objects.filter(kind=Transaction.Kind.ESCROW_RELEASED).exists()


@pytest.mark.parametrize("outsider", ["other_company_owner", "freelancer_b"])
def test_outsiders_cannot_approve(request, as_user, funded, outsider, django_capture_on_commit_callbacks):
    client = as_user(request.getfixturevalue(outsider))

    assert_refused(django_capture_on_commit_callbacks, lambda: post(client, funded.pk, "approve"), 404,
                   "not_found")


@pytest.mark.parametrize("manager", ["owner", "company_admin"])
def test_owner_and_admin_approve(request, as_user, freelancer, funded, manager):
    response = post(as_user(request.getfixturevalue(manager)), funded.pk, "approve")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "released"
    assert Account.objects.get(key=f"wallet:{freelancer.pk}").balance == 900_000


# --- dispute ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["recruiter", "operator"])
def test_recruiters_and_operators_cannot_dispute(request, as_user, funded, role, django_capture_on_commit_callbacks):
    client = as_user(request.getfixturevalue(role))

    assert_refused(django_capture_on_commit_callbacks, lambda: post(client, funded.pk, "dispute", DISPUTE_BODY),
                   403, "permission_denied")


@pytest.mark.parametrize("outsider", ["other_company_owner", "freelancer_b"])
def test_outsiders_cannot_dispute(request, as_user, funded, outsider, django_capture_on_commit_callbacks):
    client = as_user(request.getfixturevalue(outsider))

    assert_refused(django_capture_on_commit_callbacks, lambda: post(client, funded.pk, "dispute", DISPUTE_BODY),
                   404, "not_found")


@pytest.mark.parametrize(("party", "side"), [("freelancer", "freelancer"), ("owner", "company"),
                                             ("company_admin", "company")])
def test_either_party_disputes(request, as_user, funded, party, side):
    user = request.getfixturevalue(party)

    response = post(as_user(user), funded.pk, "dispute", DISPUTE_BODY)

    assert response.status_code == 201, response.content
    assert (response.json()["side"], response.json()["raised_by"]["id"]) == (side, str(user.pk))
    assert Milestone.objects.get(pk=funded.pk).status == Milestone.Status.DISPUTED


# --- statement --------------------------------------------------------------------------------------------------


def statement_url(contract) -> str:
    return f"{API}/contracts/{contract.pk}/statement/"


def test_recruiter_cannot_see_the_statement(as_user, recruiter, contract, funded):
    assert_problem(as_user(recruiter).get(statement_url(contract)), 403, "permission_denied")


@pytest.mark.parametrize("outsider", ["other_company_owner", "freelancer_b"])
def test_outsiders_cannot_see_the_statement(request, as_user, contract, funded, outsider):
    client = as_user(request.getfixturevalue(outsider))

    assert_problem(client.get(statement_url(contract)), 404, "not_found")


@pytest.mark.parametrize("reader", ["freelancer", "owner", "company_admin", "operator"])
def test_parties_and_operators_see_the_statement(request, as_user, contract, funded, reader):
    response = as_user(request.getfixturevalue(reader)).get(statement_url(contract))

    assert response.status_code == 200, response.content
    assert response.json()["totals"]["held"] == 1_000_000
    assert [line["held"] for line in response.json()["milestones"]] == [1_000_000, 0]


# --- payments ---------------------------------------------------------------------------------------------------


def payment_ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.parametrize("reader", ["owner", "company_admin", "freelancer"])
def test_managers_and_the_payee_see_the_payment(request, as_user, pending_payment, reader):
    client = as_user(request.getfixturevalue(reader))

    assert payment_ids(client.get(f"{API}/payments/")) == [pending_payment]
    assert client.get(f"{API}/payments/{pending_payment}/").json()["id"] == pending_payment


@pytest.mark.parametrize("outsider", ["recruiter", "operator", "other_company_owner", "freelancer_b"])
def test_others_never_see_the_payment(request, as_user, pending_payment, outsider):
    client = as_user(request.getfixturevalue(outsider))

    assert_problem(client.get(f"{API}/payments/{pending_payment}/"), 404, "not_found")
    assert payment_ids(client.get(f"{API}/payments/")) == []


def test_another_companys_payments_stay_hidden_from_the_owner(as_user, owner, freelancer, other_company_owner,
                                                              pending_payment):
    other_company = other_company_owner.company_memberships.get().company
    other_contract = make_contract(other_company, other_company_owner, freelancer, amounts=(700_000,))
    theirs = fund(as_user(other_company_owner), other_contract.milestones.get().pk).json()["id"]
    client = as_user(owner)

    assert_problem(client.get(f"{API}/payments/{theirs}/"), 404, "not_found")
    assert payment_ids(client.get(f"{API}/payments/")) == [pending_payment]
    # The freelancer is paid by both companies and sees both payments, newest first.
    assert payment_ids(as_user(freelancer).get(f"{API}/payments/")) == [theirs, pending_payment]


# --- wallet and payouts -----------------------------------------------------------------------------------------


FREELANCER_ONLY = [("get", "wallet/"), ("get", "wallet/transactions/"), ("get", "payouts/"), ("post", "payouts/")]


@pytest.mark.parametrize("role", ["owner", "recruiter", "operator", "other_company_owner"])
@pytest.mark.parametrize(("method", "path"), FREELANCER_ONLY, ids=[f"{m} {p}" for m, p in FREELANCER_ONLY])
def test_non_freelancers_have_no_wallet(request, as_user, role, method, path, django_capture_on_commit_callbacks):
    client = as_user(request.getfixturevalue(role))
    body = PAYOUT_BODY if method == "post" else None

    assert_refused(django_capture_on_commit_callbacks,
                   lambda: getattr(client, method)(f"{API}/{path}", body, format="json"), 403, "permission_denied")


@pytest.mark.parametrize("role", ["owner", "recruiter", "operator"])
def test_non_freelancers_cannot_read_a_payout(request, as_user, payout_b, role):
    assert_problem(as_user(request.getfixturevalue(role)).get(f"{API}/payouts/{payout_b}/"), 403,
                   "permission_denied")


def test_another_freelancers_payout_is_404(as_user, freelancer, payout_b):
    client = as_user(freelancer)

    assert_problem(client.get(f"{API}/payouts/{payout_b}/"), 404, "not_found")
    assert client.get(f"{API}/payouts/").json()["results"] == []


def test_freelancer_sees_only_own_wallet(as_user, wallet, freelancer_b, payout_b):
    mine, theirs = as_user(wallet), as_user(freelancer_b)

    assert mine.get(f"{API}/wallet/").json() == {"currency": "IDR", "available": 900_000, "pending": 0,
                                                 "in_payout": 0}
    assert theirs.get(f"{API}/wallet/").json() == {"currency": "IDR", "available": 350_000, "pending": 0,
                                                   "in_payout": 0}
    assert [row["amount"] for row in mine.get(f"{API}/wallet/transactions/").json()["results"]] == [900_000]
    assert [row["amount"] for row in theirs.get(f"{API}/wallet/transactions/").json()["results"]] == [-100_000,
                                                                                                      450_000]
    assert [row["id"] for row in theirs.get(f"{API}/payouts/").json()["results"]] == [payout_b]
    assert theirs.get(f"{API}/payouts/{payout_b}/").json()["account_number"] == "••••7890"


def test_freelancer_withdraws_from_own_wallet(as_user, wallet):
    response = as_user(wallet).post(f"{API}/payouts/", PAYOUT_BODY, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["status"] == "completed"
    assert Payout.objects.get().user == wallet
    assert Account.objects.get(key=f"wallet:{wallet.pk}").balance == 800_000
