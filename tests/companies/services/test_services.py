import re

import pytest

from bantu.core.exceptions import Conflict, Forbidden
from companies import services
from companies.models import Company, Membership
from tests.factories import MembershipFactory, UserFactory


def test_company_create_makes_the_creator_owner(user):
    company = services.company_create(owner=user, name="Kopi Nusantara", city="Bandung")

    assert company.slug == "kopi-nusantara"
    assert company.city == "Bandung"
    assert list(Membership.objects.filter(company=company).values_list("user", "role")) == [(user.pk, "owner")]


def test_company_create_makes_a_unique_slug_when_names_collide(db):
    first = services.company_create(owner=UserFactory(), name="Kopi Nusantara")

    second = services.company_create(owner=UserFactory(), name="Kopi  nusantara!")

    assert first.slug == "kopi-nusantara"
    assert re.fullmatch(r"kopi-nusantara-[0-9a-f]{8}", second.slug)
    assert Company.objects.filter(slug__startswith="kopi-nusantara").count() == 2


def test_company_create_falls_back_to_a_generic_slug_for_unsluggable_names(db):
    first = services.company_create(owner=UserFactory(), name="!!!")

    second = services.company_create(owner=UserFactory(), name="???")

    assert first.slug == "company"
    assert re.fullmatch(r"company-[0-9a-f]{8}", second.slug)


def test_membership_remove_refuses_the_last_owner(owner):
    membership = Membership.objects.get(user=owner)

    with pytest.raises(Conflict) as raised:
        services.membership_remove(membership=membership, actor=owner)

    assert raised.value.code == "last_owner"
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_membership_remove_lets_an_owner_leave_while_another_owner_remains(company, owner):
    MembershipFactory(company=company, role=Membership.Role.OWNER)
    membership = Membership.objects.get(user=owner)

    services.membership_remove(membership=membership, actor=owner)

    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert Membership.objects.filter(company=company, role="owner").count() == 1


def test_membership_change_role_refuses_to_demote_the_last_owner(owner):
    membership = Membership.objects.get(user=owner)

    with pytest.raises(Conflict) as raised:
        services.membership_change_role(membership=membership, actor=owner, role=Membership.Role.ADMIN)

    assert raised.value.code == "last_owner"
    membership.refresh_from_db()
    assert membership.role == "owner"


def test_membership_add_refuses_a_non_manager_actor(company, recruiter):
    newcomer = UserFactory()

    with pytest.raises(Forbidden) as raised:
        services.membership_add(company=company, actor=recruiter, email=newcomer.email, role="recruiter")

    assert raised.value.code == "not_a_company_manager"
    assert not Membership.objects.filter(user=newcomer).exists()
