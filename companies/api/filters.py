import django_filters
from django.db.models import Q

from bantu.core.filters import StableOrderingFilter, StrictBooleanFilter, StrictFilterSet
from bantu.core.indonesia import PROVINCES
from companies.models import Company


class CompanyFilter(StrictFilterSet):
    q = django_filters.CharFilter(method="filter_q", max_length=100, help_text="Name or industry contains.")
    industry = django_filters.CharFilter(lookup_expr="iexact", max_length=100,
                                         help_text="Industry, exactly (any letter case).")
    city = django_filters.CharFilter(lookup_expr="iexact", max_length=100, help_text="City, exactly (any letter case).")
    province = django_filters.ChoiceFilter(choices=[(name, name) for name in PROVINCES])
    size = django_filters.ChoiceFilter(choices=Company.Size.choices)
    verified = StrictBooleanFilter()
    ordering = StableOrderingFilter(fields=(("name", "name"), ("rating_avg", "rating"),
                                                     ("created_at", "created")))

    class Meta:
        model = Company
        fields = ["q", "industry", "city", "province", "size", "verified"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(industry__icontains=value))
