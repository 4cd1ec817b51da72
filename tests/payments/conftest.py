import pytest

from .helpers import make_contract


@pytest.fixture
def contract(company, owner, freelancer):
    return make_contract(company, owner, freelancer, amounts=(1_000_000, 1_500_000))


@pytest.fixture
def milestone(contract):
    return contract.milestones.order_by("position").first()
