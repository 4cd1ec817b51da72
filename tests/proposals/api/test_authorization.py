"""Who sees and moves which proposal and contract (PRODUCT.md §1: role *and* object based; §3: 401/403/404)."""

import pytest

from proposals import services
from proposals.models import Contract, Proposal
from tests.factories import FreelancerProfileFactory
from tests.problems import assert_problem

from ..helpers import (
    CONTRACTS,
    PROPOSALS,
    accept,
    apply,
    apply_url,
    contract_url,
    counter,
    job_proposals_url,
    make_job,
    proposal_url,
    state,
    submit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(company, owner, recruiter, freelancer, freelancer_b, other_company_owner, operator):
    """Company A's job with proposals of two freelancers, and a second job of A filled by the first freelancer."""
    job = make_job(company, owner)
    proposal = submit(job, freelancer, amount=2_500_000)
    other_proposal = submit(job, freelancer_b, amount=2_000_000)
    filled = make_job(company, owner, title="Desain Kemasan Keripik")
    contract = services.proposal_accept(proposal=submit(filled, freelancer, amount=4_000_000), actor=owner)
    return {"job": job, "proposal": proposal, "other_proposal": other_proposal, "contract": contract}


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_freelancer_never_sees_another_freelancers_proposal(as_user, world, freelancer_b):
    proposal = world["proposal"]
    client = as_user(freelancer_b)
    before = state(proposal.pk)

    assert_problem(client.get(proposal_url(proposal.pk)), 404, "not_found")
    assert_problem(client.get(proposal_url(proposal.pk, "offers")), 404, "not_found")
    assert_problem(counter(client, proposal.pk, 1_000_000, 10), 404, "not_found")
    assert_problem(accept(client, proposal.pk), 404, "not_found")
    assert_problem(client.post(proposal_url(proposal.pk, "withdraw")), 404, "not_found")
    assert ids(client.get(PROPOSALS)) == [str(world["other_proposal"].pk)]
    assert state(proposal.pk) == before


def test_freelancer_sees_own_proposals_only(as_user, world, freelancer):
    client = as_user(freelancer)

    assert client.get(proposal_url(world["proposal"].pk)).status_code == 200
    assert sorted(ids(client.get(PROPOSALS))) == sorted([str(world["proposal"].pk),
                                                          str(world["contract"].proposal_id)])


def test_member_of_another_company_never_sees_the_proposals(as_user, world, other_company_owner):
    proposal = world["proposal"]
    client = as_user(other_company_owner)
    before = state(proposal.pk)

    # The job itself is public, so its proposals answer 403 (not 404) to a member of another company.
    assert_problem(client.get(job_proposals_url(world["job"])), 403, "permission_denied")
    assert_problem(client.get(proposal_url(proposal.pk)), 404, "not_found")
    assert_problem(client.get(proposal_url(proposal.pk, "offers")), 404, "not_found")
    assert_problem(counter(client, proposal.pk, 1_000_000, 10), 404, "not_found")
    assert_problem(accept(client, proposal.pk), 404, "not_found")
    for action in ("decline", "shortlist", "withdraw"):
        assert_problem(client.post(proposal_url(proposal.pk, action)), 404, "not_found")
    assert ids(client.get(PROPOSALS)) == []
    assert state(proposal.pk) == before


@pytest.mark.parametrize("outsider", ["other_company_owner", "freelancer_b"])
def test_outsiders_never_see_the_contract(request, as_user, world, outsider):
    contract = world["contract"]
    client = as_user(request.getfixturevalue(outsider))

    assert_problem(client.get(contract_url(contract.pk)), 404, "not_found")
    assert_problem(client.get(contract_url(contract.pk, "milestones")), 404, "not_found")
    assert ids(client.get(CONTRACTS)) == []


@pytest.mark.parametrize("party", ["freelancer", "owner", "recruiter"])
def test_parties_see_the_contract(request, as_user, world, party):
    contract = world["contract"]
    client = as_user(request.getfixturevalue(party))

    assert client.get(contract_url(contract.pk)).json()["id"] == str(contract.pk)
    assert [m["amount"] for m in client.get(contract_url(contract.pk, "milestones")).json()["results"]] == [
        4_000_000]
    assert ids(client.get(CONTRACTS)) == [str(contract.pk)]


def test_draft_jobs_proposals_are_404_to_another_company(as_user, company, owner, other_company_owner):
    draft = make_job(company, owner, status="draft")

    assert_problem(as_user(other_company_owner).get(job_proposals_url(draft)), 404, "not_found")
    assert as_user(owner).get(job_proposals_url(draft)).json()["results"] == []


def test_recruiter_of_the_company_can_see_counter_shortlist_and_decline(as_user, world, recruiter):
    proposal, other = world["proposal"], world["other_proposal"]
    client = as_user(recruiter)

    assert client.get(proposal_url(proposal.pk)).status_code == 200
    assert client.get(proposal_url(proposal.pk, "offers")).status_code == 200
    assert sorted(ids(client.get(job_proposals_url(world["job"])))) == sorted([str(proposal.pk), str(other.pk)])
    assert counter(client, proposal.pk, 2_100_000, 14).status_code == 201
    assert client.post(proposal_url(other.pk, "shortlist")).json()["status"] == "shortlisted"
    assert client.post(proposal_url(other.pk, "decline")).json()["status"] == "declined"
    assert Proposal.objects.get(pk=proposal.pk).last_offer_side == "company"


@pytest.mark.parametrize("action", ["decline", "shortlist"])
def test_freelancer_cannot_decline_or_shortlist(as_user, world, freelancer, action):
    proposal = world["proposal"]
    before = state(proposal.pk)

    response = as_user(freelancer).post(proposal_url(proposal.pk, action))

    assert_problem(response, 403, "permission_denied")
    assert state(proposal.pk) == before


@pytest.mark.parametrize("member", ["owner", "recruiter"])
def test_company_cannot_withdraw(request, as_user, world, member):
    proposal = world["proposal"]
    before = state(proposal.pk)

    response = as_user(request.getfixturevalue(member)).post(proposal_url(proposal.pk, "withdraw"))

    assert_problem(response, 403, "permission_denied")
    assert state(proposal.pk) == before


ANONYMOUS_CALLS = [
    ("post", "apply"), ("get", "job_proposals"), ("get", "proposals"), ("get", "proposal"), ("get", "offers"),
    ("post", "offers"), ("post", "accept"), ("post", "decline"), ("post", "withdraw"), ("post", "shortlist"),
    ("get", "contracts"), ("get", "contract"), ("get", "milestones"),
]


def _url(world, name):
    proposal, contract = world["proposal"], world["contract"]
    return {
        "apply": apply_url(world["job"]), "job_proposals": job_proposals_url(world["job"]), "proposals": PROPOSALS,
        "proposal": proposal_url(proposal.pk), "offers": proposal_url(proposal.pk, "offers"),
        "accept": proposal_url(proposal.pk, "accept"), "decline": proposal_url(proposal.pk, "decline"),
        "withdraw": proposal_url(proposal.pk, "withdraw"), "shortlist": proposal_url(proposal.pk, "shortlist"),
        "contracts": CONTRACTS, "contract": contract_url(contract.pk), "milestones": contract_url(contract.pk,
                                                                                               "milestones"),
    }[name]


@pytest.mark.parametrize(("method", "name"), ANONYMOUS_CALLS, ids=[f"{m} {n}" for m, n in ANONYMOUS_CALLS])
def test_anonymous_gets_401_everywhere(api, world, method, name):
    before = state(world["proposal"].pk)

    response = getattr(api, method)(_url(world, name), {"amount": 1_000_000, "duration_days": 10}
                                    if method == "post" else None, format="json")

    assert_problem(response, 401, "not_authenticated")
    assert state(world["proposal"].pk) == before


def test_operator_reads_proposals_and_contracts(as_user, world, operator):
    client = as_user(operator)
    proposal, contract = world["proposal"], world["contract"]

    assert client.get(proposal_url(proposal.pk)).json()["id"] == str(proposal.pk)
    assert [o["amount"] for o in client.get(proposal_url(proposal.pk, "offers")).json()["results"]] == [
        2_500_000]
    assert client.get(contract_url(contract.pk)).json()["amount"] == 4_000_000
    assert client.get(contract_url(contract.pk, "milestones")).status_code == 200
    assert ids(client.get(CONTRACTS)) == [str(contract.pk)]


def test_operator_cannot_move_a_proposal(as_user, world, operator):
    proposal = world["proposal"]
    client = as_user(operator)
    before = state(proposal.pk)

    assert_problem(accept(client, proposal.pk), 403, "permission_denied")
    assert_problem(counter(client, proposal.pk, 1_000_000, 10), 403, "permission_denied")
    for action in ("decline", "shortlist", "withdraw"):
        assert_problem(client.post(proposal_url(proposal.pk, action)), 403, "permission_denied")
    assert state(proposal.pk) == before
    assert Contract.objects.count() == 1


def test_operator_does_not_list_a_jobs_proposals(as_user, world, operator):
    # `jobs/{id}/proposals/` is for the job's company only (PRODUCT.md §3).
    assert_problem(as_user(operator).get(job_proposals_url(world["job"])), 403, "permission_denied")


def test_freelancer_cannot_list_a_jobs_proposals(as_user, world, freelancer):
    assert_problem(as_user(freelancer).get(job_proposals_url(world["job"])), 403, "permission_denied")


@pytest.mark.parametrize("caller", ["owner", "other_company_owner", "operator", "user"])
def test_apply_by_a_non_freelancer_is_403(request, as_user, world, caller):
    response = apply(as_user(request.getfixturevalue(caller)), world["job"])

    assert_problem(response, 403, "permission_denied")
    assert Proposal.objects.filter(job=world["job"]).count() == 2


@pytest.fixture
def two_sided(world, company, owner, freelancer, other_company_owner):
    """other_company_owner is also a freelancer: one proposal sent, one received on their company's job."""
    FreelancerProfileFactory(user=other_company_owner)
    sent = submit(world["job"], other_company_owner)
    other_job = make_job(other_company_owner.company_memberships.get().company, other_company_owner)
    received = submit(other_job, freelancer)
    return {"sent": sent, "received": received}


def test_proposals_side_filter(as_user, two_sided, other_company_owner):
    client = as_user(other_company_owner)
    sent, received = str(two_sided["sent"].pk), str(two_sided["received"].pk)

    assert ids(client.get(PROPOSALS, {"side": "freelancer"})) == [sent]
    assert ids(client.get(PROPOSALS, {"side": "company"})) == [received]
    assert ids(client.get(PROPOSALS)) == [received, sent]


@pytest.mark.parametrize("query", [{"side": "admin"}, {"status": "pending"}, {"ordering": "freelancer"}])
def test_proposals_list_rejects_bad_filters(as_user, two_sided, other_company_owner, query):
    response = as_user(other_company_owner).get(PROPOSALS, query)

    problem = assert_problem(response, 400, "validation_error")
    assert list(problem["errors"]) == list(query)


@pytest.fixture
def three(company, owner, freelancer, freelancer_b):
    job = make_job(company, owner)
    first = submit(job, freelancer, amount=3_000_000)
    second = submit(job, freelancer_b, amount=1_000_000)
    third = submit(job, FreelancerProfileFactory().user, amount=2_000_000)
    return job, [str(first.pk), str(second.pk), str(third.pk)]


@pytest.mark.parametrize(
    ("ordering", "order"),
    [(None, [2, 1, 0]), ("created", [0, 1, 2]), ("-created", [2, 1, 0]), ("amount", [1, 2, 0]),
     ("-amount", [0, 2, 1])],
)
def test_job_proposals_ordering(as_user, owner, three, ordering, order):
    job, proposal_ids = three
    query = {"ordering": ordering} if ordering else {}

    assert ids(as_user(owner).get(job_proposals_url(job), query)) == [proposal_ids[i] for i in order]


def test_job_proposals_status_filter(as_user, owner, three):
    job, proposal_ids = three
    client = as_user(owner)
    assert client.post(proposal_url(proposal_ids[1], "shortlist")).status_code == 200
    assert client.post(proposal_url(proposal_ids[2], "decline")).status_code == 200

    assert ids(client.get(job_proposals_url(job), {"status": "submitted"})) == [proposal_ids[0]]
    assert ids(client.get(job_proposals_url(job), {"status": "shortlisted"})) == [proposal_ids[1]]
    assert ids(client.get(job_proposals_url(job), {"status": "declined", "ordering": "amount"})) == [proposal_ids[2]]
    assert ids(client.get(job_proposals_url(job), {"status": "accepted"})) == []


@pytest.mark.parametrize("query", [{"status": "open"}, {"ordering": "budget"}, {"ordering": "created_at"}])
def test_job_proposals_rejects_bad_filters(as_user, owner, three, query):
    job, _ = three

    problem = assert_problem(as_user(owner).get(job_proposals_url(job), query), 400, "validation_error")
    assert list(problem["errors"]) == list(query)
