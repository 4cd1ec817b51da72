import pytest

from tests.factories import CompletedContractFactory


@pytest.fixture
def contract(company, owner, freelancer):
    """A contract between `company` (its `owner`) and `freelancer`, completed through the money flow."""
    return CompletedContractFactory(company=company, owner=owner, freelancer=freelancer)


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """`with commit(): ...` runs what the block scheduled on commit (notifications) when it ends, as a real
    commit would; tests run inside a transaction that never commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
