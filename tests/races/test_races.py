"""Races, for real: threads with their own PostgreSQL connections hit the API at the same moment.

`select_for_update` is a no-op on SQLite, so these run where `.ci/run` runs them: on PostgreSQL."""

from collections import Counter

import pytest
from rest_framework.test import APIClient

from accounts.services import tokens_issue
from companies.models import Membership
from jobs.models import Job
from proposals.models import Contract, Milestone, Offer, Proposal
from tests.concurrency import run_at_once
from tests.conftest import client_for
from tests.factories import CompanyFactory, FreelancerProfileFactory, JobFactory, MembershipFactory

# One xdist worker runs every thread race (`make test` uses --dist loadgroup): two at once on two workers would
# need more connections than PostgreSQL allows (100).
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True),
              pytest.mark.xdist_group("thread_races")]

APPLY = {"cover_letter": "Saya siap mengerjakan logo ini minggu ini.", "amount": 2_000_000, "duration_days": 7}


@pytest.fixture
def open_job():
    job = JobFactory(title="Logo kedai kopi", description="Logo dan panduan merek.", budget_max=3_000_000)
    return job, job.posted_by


def apply(freelancer, job) -> str:
    response = client_for(freelancer).post(f"/api/v1/jobs/{job.pk}/apply/", APPLY, format="json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_fifty_concurrent_accepts_of_one_proposal_make_one_contract(open_job):
    job, owner = open_job
    proposal_id = apply(FreelancerProfileFactory().user, job)
    clients = [client_for(owner) for _ in range(50)]

    statuses = run_at_once(50, lambda i: clients[i].post(f"/api/v1/proposals/{proposal_id}/accept/", {},
                                                          format="json").status_code)

    assert Counter(statuses) == {201: 1, 409: 49}
    assert Contract.objects.filter(job=job).count() == 1
    assert Milestone.objects.filter(contract__job=job).count() == 1
    assert Proposal.objects.get(pk=proposal_id).status == Proposal.Status.ACCEPTED
    assert Job.objects.get(pk=job.pk).status == Job.Status.IN_PROGRESS


def test_fifty_concurrent_accepts_of_two_proposals_on_one_job_make_one_contract(open_job):
    job, owner = open_job
    first, second = apply(FreelancerProfileFactory().user, job), apply(FreelancerProfileFactory().user, job)
    recruiter = MembershipFactory(company=job.company, role=Membership.Role.RECRUITER).user
    clients = [client_for(owner if index % 2 else recruiter) for index in range(50)]

    statuses = run_at_once(50, lambda i: clients[i].post(
        f"/api/v1/proposals/{first if i % 2 else second}/accept/", {}, format="json").status_code)

    assert Counter(statuses) == {201: 1, 409: 49}
    accepted = str(Contract.objects.get(job=job).proposal_id)
    statuses_after = {str(pk): status for pk, status in Proposal.objects.filter(job=job).values_list("pk", "status")}
    assert statuses_after == {accepted: Proposal.Status.ACCEPTED,
                              ({first, second} - {accepted}).pop(): Proposal.Status.DECLINED}


def test_concurrent_applies_by_one_freelancer_store_one_proposal(open_job):
    job, _ = open_job
    freelancer = FreelancerProfileFactory().user
    clients = [client_for(freelancer) for _ in range(20)]

    statuses = run_at_once(20, lambda i: clients[i].post(f"/api/v1/jobs/{job.pk}/apply/", APPLY,
                                                          format="json").status_code)

    assert Counter(statuses) == {201: 1, 409: 19}
    assert Proposal.objects.filter(job=job, freelancer=freelancer).count() == 1
    assert Offer.objects.filter(proposal__job=job).count() == 1


def test_concurrent_retries_with_one_idempotency_key_replay_the_first_response(open_job):
    job, _ = open_job
    freelancer = FreelancerProfileFactory().user
    clients = [client_for(freelancer) for _ in range(10)]

    responses = run_at_once(10, lambda i: clients[i].post(f"/api/v1/jobs/{job.pk}/apply/", APPLY, format="json",
                                                           HTTP_IDEMPOTENCY_KEY="apply-once-7f3a"))

    assert [response.status_code for response in responses] == [201] * 10
    assert len({response.json()["id"] for response in responses}) == 1
    assert sum(response.get("Idempotent-Replayed") == "true" for response in responses) == 9
    assert Proposal.objects.filter(job=job).count() == 1


def test_apply_racing_an_accept_never_lands_on_a_filled_job(open_job):
    job, owner = open_job
    proposal_id = apply(FreelancerProfileFactory().user, job)
    late = [FreelancerProfileFactory().user for _ in range(10)]
    owner_client = client_for(owner)
    late_clients = [client_for(user) for user in late]

    def act(index):
        if index == 0:
            return owner_client.post(f"/api/v1/proposals/{proposal_id}/accept/", {}, format="json").status_code
        return late_clients[index - 1].post(f"/api/v1/jobs/{job.pk}/apply/", APPLY, format="json").status_code

    run_at_once(11, act)

    # Whatever interleaving happened, no proposal is left active on a job that has its contract.
    assert Contract.objects.filter(job=job).count() == 1
    assert not Proposal.objects.filter(job=job, status__in=Proposal.ACTIVE_STATUSES).exists()


def test_concurrent_refreshes_of_one_token_issue_one_new_pair(db):
    freelancer = FreelancerProfileFactory().user
    refresh = tokens_issue(user=freelancer)["refresh"]

    statuses = run_at_once(10, lambda i: APIClient().post("/api/v1/auth/token/refresh/", {"refresh": refresh},
                                                          format="json").status_code)

    assert Counter(statuses) == {200: 1, 401: 9}


def test_two_owners_demoting_each_other_at_once_leave_one_owner():
    company = CompanyFactory()
    first = MembershipFactory(company=company, role=Membership.Role.OWNER)
    second = MembershipFactory(company=company, role=Membership.Role.OWNER)
    pairs = [(client_for(first.user), second), (client_for(second.user), first)]

    statuses = run_at_once(2, lambda i: pairs[i][0].patch(
        f"/api/v1/companies/{company.pk}/members/{pairs[i][1].pk}/", {"role": "admin"}, format="json").status_code)

    # the second to take the owners' lock is no longer an owner (companies/services.py)
    assert Membership.objects.filter(company=company, role=Membership.Role.OWNER).count() == 1
    assert sorted(statuses) == [200, 403]
