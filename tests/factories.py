import factory
from django.utils import timezone
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
