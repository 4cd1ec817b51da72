import factory
from factory.django import DjangoModelFactory

from accounts.models import User
from companies.models import Company, Membership
from freelancers.models import FreelancerProfile

PASSWORD = "Correct-Horse-42"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.id")
    full_name = factory.Faker("name", locale="id_ID")
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


def operator_in(group: str | None, **fields) -> User:
    """A staff user in the operator group `group` ("support", "moderator", "finance"; None: no group)."""
    from django.contrib.auth.models import Group

    user = UserFactory(is_staff=True, **fields)
    if group is not None:
        user.groups.add(Group.objects.get(name=group))
    return user
