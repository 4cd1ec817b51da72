import pytest

from tests.factories import FreelancerProfileFactory

from .helpers import make_job


@pytest.fixture
def job(company, owner):
    return make_job(company, owner)


@pytest.fixture
def freelancer_b(db):
    return FreelancerProfileFactory().user
