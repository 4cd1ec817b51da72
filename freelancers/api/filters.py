import django_filters
from django.db.models import Q

from bantu.core.filters import StableOrderingFilter, StrictFilterSet
from bantu.core.indonesia import PROVINCES
from freelancers.models import MAX_HOURLY_RATE, FreelancerProfile


class SlugListFilter(django_filters.BaseInFilter, django_filters.CharFilter):
    """Comma-separated slugs; matches any of them."""


class FreelancerFilter(StrictFilterSet):
    q = django_filters.CharFilter(method="filter_q", max_length=100, help_text="Name or headline contains.")
    skills = SlugListFilter(field_name="skills__slug", method="filter_skills",
                            help_text="Comma-separated skill slugs; profiles with any of them.")
    city = django_filters.CharFilter(lookup_expr="iexact", max_length=100, help_text="City, exactly (any letter case).")
    province = django_filters.ChoiceFilter(choices=[(name, name) for name in PROVINCES])
    availability = django_filters.ChoiceFilter(choices=FreelancerProfile.Availability.choices)
    min_rate = django_filters.NumberFilter(field_name="hourly_rate", lookup_expr="gte", min_value=0,
                                           max_value=MAX_HOURLY_RATE,
                                           help_text="Hourly rate at least this (integer rupiah).")
    max_rate = django_filters.NumberFilter(field_name="hourly_rate", lookup_expr="lte", min_value=0,
                                           max_value=MAX_HOURLY_RATE,
                                           help_text="Hourly rate at most this (integer rupiah).")
    ordering = StableOrderingFilter(fields=(("rating_avg", "rating"), ("hourly_rate", "rate"),
                                                     ("created_at", "created")),
                                    help_text="`-rating` (best `rating_average` first), `rating`, `rate`, `-rate` "
                                              "(hourly rate), `created`, `-created`. Default: newest first.")

    class Meta:
        model = FreelancerProfile
        fields = ["q", "skills", "city", "province", "availability", "min_rate", "max_rate"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(headline__icontains=value) | Q(user__full_name__icontains=value))

    def filter_skills(self, queryset, name, value):
        slugs = [slug.strip() for slug in value if slug.strip()][:30]
        if not slugs:
            return queryset
        # EXISTS instead of a join, so a profile with two matching skills is listed once.
        return queryset.filter(pk__in=FreelancerProfile.skills.through.objects.filter(
            skill__slug__in=slugs).values("freelancerprofile_id"))
