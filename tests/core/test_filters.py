import django_filters
import pytest

from bantu.core.filters import StrictBooleanFilter, StrictFilterSet
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


class _Recording(StrictFilterSet):
    name = django_filters.CharFilter(method="filter_name")
    verified = StrictBooleanFilter()
    seen = []

    class Meta:
        model = Company
        fields = []

    def filter_name(self, queryset, name, value):
        type(self).seen.append(self)
        return queryset.filter(name=value)


class _WithModelChoice(StrictFilterSet):
    owner = django_filters.ModelChoiceFilter(queryset=lambda request: Company.objects.none())

    class Meta:
        model = Company
        fields = []


def test_each_filterset_gets_its_own_filters_bound_to_it():
    first, second = _Recording({"name": "a"}), _Recording({"name": "b"})

    for filterset in (first, second):
        assert all(filter_.parent is filterset for filter_ in filterset.filters.values())
    assert first.filters["name"] is not second.filters["name"]
    assert not hasattr(_Recording.base_filters["name"], "parent")


@pytest.mark.django_db
def test_a_method_filter_runs_on_its_own_filterset():
    CompanyFactory(name="PT A")
    _Recording.seen.clear()
    first, second = _Recording({"name": "PT A"}, queryset=Company.objects.all()), _Recording(
        {"name": "PT B"}, queryset=Company.objects.all())

    assert [company.name for company in first.qs] == ["PT A"]
    assert list(second.qs) == []
    assert _Recording.seen == [first, second]


def test_the_form_class_is_built_once_and_each_form_has_its_own_fields():
    first, second = _Recording({"verified": "true"}), _Recording({"verified": "maybe"})

    assert type(first.form) is type(second.form)
    assert first.form.fields["verified"] is not second.form.fields["verified"]
    assert first.is_valid() and not second.is_valid()
    assert first.form.cleaned_data["verified"] is True


def test_a_form_with_choices_from_the_request_is_built_each_time():
    assert type(_WithModelChoice({}).form) is not type(_WithModelChoice({}).form)
