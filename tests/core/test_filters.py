import pytest

from companies.api.filters import CompanyFilter
from companies.models import Company
from tests.factories import CompanyFactory


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["maybe", "yes", "2"])
def test_invalid_boolean_filter_is_400(api, value):
    response = api.get("/api/v1/companies/", {"verified": value})

    assert response.status_code == 400
    assert "verified" in response.json()["errors"]


@pytest.mark.django_db
@pytest.mark.parametrize(("value", "names"), [("true", ["PT Verified"]), ("1", ["PT Verified"]),
                                              ("false", ["PT Unverified"])])
def test_boolean_filter_accepts_true_false_1_0(api, value, names):
    CompanyFactory(name="PT Verified", verified=True)
    CompanyFactory(name="PT Unverified", verified=False)

    response = api.get("/api/v1/companies/", {"verified": value})

    assert [row["name"] for row in response.json()["results"]] == names


@pytest.mark.django_db
def test_ordering_always_ends_with_the_primary_key():
    queryset = CompanyFilter({"ordering": "-rating"}, queryset=Company.objects.all()).qs

    assert list(queryset.query.order_by) == ["-rating_avg", "pk"]
