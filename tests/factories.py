import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import User
from companies.models import Company, Membership
from freelancers.models import FreelancerProfile
from proposals.models import Contract

PASSWORD = "Correct-Horse-42"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.id")
    full_name = factory.Faker("name", locale="id_ID")
    # Verified, like every account that has used the marketplace: the verification gate has its own tests,
    # which make unverified users with `email_verified_at=None`.
    email_verified_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(self, create, extracted, **kwargs):
        if create:
            self.save()


class CompanyFactory(DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"PT Contoh {n}")
    slug = factory.Sequence(lambda n: f"pt-contoh-{n}")
    city = "Jakarta Selatan"
    province = "DKI Jakarta"


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    company = factory.SubFactory(CompanyFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.OWNER


class FreelancerProfileFactory(DjangoModelFactory):
    class Meta:
        model = FreelancerProfile

    user = factory.SubFactory(UserFactory)
    headline = "Desainer Grafis"
    hourly_rate = 150_000
    city = "Bandung"
    province = "Jawa Barat"


class CompletedContractFactory(factory.Factory):
    """A contract completed through the money flow (PRODUCT.md §2.6): the company's owner funds its one milestone
    through the sandbox gateway and approves it, which completes the contract and its job. `company`, `owner` (a
    manager of it) and `freelancer` (a user with a profile) may be given."""

    class Meta:
        model = Contract

    company = factory.SubFactory(CompanyFactory)
    owner = factory.LazyAttribute(lambda o: MembershipFactory(company=o.company, role=Membership.Role.OWNER).user)
    freelancer = factory.LazyAttribute(lambda o: FreelancerProfileFactory().user)
    amount = 1_000_000

    @classmethod
    def _create(cls, model_class, *, company, owner, freelancer, amount):
        from tests.payments.helpers import make_contract, release

        contract = make_contract(company, owner, freelancer, amounts=(amount,))
        release(owner, contract.milestones.get().pk)
        contract.refresh_from_db()
        assert contract.status == Contract.Status.COMPLETED
        return contract

def operator_in(group: str | None, **fields) -> User:
    """A staff user in the operator group `group` ("support", "moderator", "finance"; None: no group)."""
    from django.contrib.auth.models import Group

    user = UserFactory(is_staff=True, **fields)
    if group is not None:
        user.groups.add(Group.objects.get(name=group))
    return user
