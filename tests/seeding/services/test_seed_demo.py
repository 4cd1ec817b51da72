"""`manage.py seed_demo`: the demo cast, company, jobs and contract, written through the services, once."""

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from companies.models import Company, Membership
from freelancers.models import FreelancerProfile
from jobs.models import Job
from proposals.models import Contract, Milestone
from seeding.vocabulary import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def seed_demo() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_is_idempotent():
    seed_demo()
    counts = (User.objects.count(), Company.objects.count(), Job.objects.count(), Membership.objects.count(),
              FreelancerProfile.objects.count(), Contract.objects.count(), Milestone.objects.count())

    seed_demo()

    assert counts == (User.objects.count(), Company.objects.count(), Job.objects.count(),
                      Membership.objects.count(), FreelancerProfile.objects.count(), Contract.objects.count(),
                      Milestone.objects.count())
    assert counts == (8, 1, 5, 2, 2, 1, 2)


def test_demo_users_sign_in_with_the_demo_password_and_are_verified():
    seed_demo()

    for user in User.objects.all():
        assert user.check_password(DEMO_PASSWORD), user.email
        assert user.email_verified_at is not None, user.email
    assert User.objects.get(email="admin@bantu.local").is_superuser is True
    operators = {user.email: list(user.groups.values_list("name", flat=True))
                 for user in User.objects.filter(is_staff=True, is_superuser=False)}
    assert operators == {"support@bantu.local": ["support"], "moderator@bantu.local": ["moderator"],
                         "finance@bantu.local": ["finance"]}


def test_demo_company_has_its_owner_and_recruiter_and_a_contract_to_fund():
    output = seed_demo()

    company = Company.objects.get()
    roles = dict(company.memberships.values_list("user__email", "role"))
    assert roles == {"owner@demo.bantu.id": Membership.Role.OWNER, "recruiter@demo.bantu.id": Membership.Role.RECRUITER}
    assert (company.name, company.slug, company.size) == ("Nusantara Digital", "nusantara-digital", "11-50")
    assert Job.objects.filter(company=company, status=Job.Status.OPEN).count() == 4  # the contracted one is taken
    contract = Contract.objects.get()
    assert contract.freelancer.email == "freelancer@demo.bantu.id"
    milestones = list(contract.milestones.order_by("position").values_list("amount", "status"))
    assert milestones == [(1_000_000, Milestone.Status.PENDING), (1_500_000, Milestone.Status.PENDING)]
    first = contract.milestones.order_by("position").first()
    assert f"POST /api/v1/milestones/{first.pk}/fund/" in output
    assert "owner@demo.bantu.id / BantuDemo!2026" in output
