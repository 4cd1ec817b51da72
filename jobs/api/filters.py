import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from bantu.core.filters import BoundedIsoDateTimeFilter, StrictFilterSet
from bantu.core.indonesia import PROVINCES
from jobs.models import MAX_BUDGET, MAX_SKILLS_PER_JOB, Job
from jobs.search import ORDERINGS, SearchParams, category_ids_of
from taxonomy.models import Skill

MAX_Q_LENGTH = 200


class SlugListField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        slugs = list(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
        if len(slugs) > MAX_SKILLS_PER_JOB:
            raise forms.ValidationError(f"At most {MAX_SKILLS_PER_JOB} skills.")
        return slugs


@extend_schema_field(OpenApiTypes.STR)
class SlugListFilter(django_filters.Filter):
    """Comma-separated slugs (documented as a string: the model field behind it is an integer id)."""

    field_class = SlugListField


class JobSearchFilter(StrictFilterSet):
    """Parses, validates and documents the search parameters (a bad one is a 400; unknown ones are ignored).
    `params()` hands them to `jobs.search.job_search`, which owns what they mean: this class filters nothing."""

    q = django_filters.CharFilter(method="filter_noop", max_length=MAX_Q_LENGTH,
                                  help_text="Full-text query: Indonesian or English, typo tolerant (when the words "
                                            "find nothing, misspelt ones are corrected against the words of open "
                                            "jobs' titles and of skills).")
    category = django_filters.CharFilter(method="filter_noop", max_length=60,
                                         help_text="Category slug; a parent category includes its children.")
    skills = SlugListFilter(method="filter_noop", help_text="Comma-separated skill slugs; jobs with any of them.")
    location_type = django_filters.ChoiceFilter(choices=Job.LocationType.choices)
    province = django_filters.ChoiceFilter(choices=[(name, name) for name in PROVINCES])
    city = django_filters.CharFilter(lookup_expr="iexact", max_length=100, help_text="City, exactly (any letter case).")
    job_type = django_filters.ChoiceFilter(choices=Job.JobType.choices)
    experience_level = django_filters.ChoiceFilter(choices=Job.ExperienceLevel.choices)
    budget_min = django_filters.NumberFilter(method="filter_noop", min_value=0, max_value=MAX_BUDGET,
                                             help_text="Jobs whose budget range overlaps [budget_min, budget_max] "
                                                       "(integer rupiah).")
    budget_max = django_filters.NumberFilter(method="filter_noop", min_value=0, max_value=MAX_BUDGET,
                                             help_text="See `budget_min` (integer rupiah).")
    posted_since = BoundedIsoDateTimeFilter(field_name="published_at", lookup_expr="gte",
                                            help_text="ISO date or date-time, in the years 1900 to 9998 "
                                                      "(UTC); without an offset, in western Indonesian time "
                                                      "(UTC+7).")
    company = django_filters.UUIDFilter(method="filter_noop",
                                        help_text="One company's jobs; its members also see non-open ones.")
    status = django_filters.ChoiceFilter(choices=Job.Status.choices,
                                         help_text="Only for members of `company` (others see open jobs).")
    ordering = django_filters.ChoiceFilter(method="filter_noop", choices=[(key, key) for key in ORDERINGS],
                                           help_text="; ".join(f"`{key}`: {text}" for key, text in ORDERINGS.items()))

    class Meta:
        model = Job
        fields = []

    def filter_noop(self, queryset, name, value):
        return queryset  # never called: jobs.search applies the parameters; the declarations document them

    def is_valid(self):
        valid = super().is_valid()
        if not valid:
            return False
        data = self.form.cleaned_data
        self._category_ids = category_ids_of(data["category"]) if data.get("category") else None
        if self._category_ids == ():
            self.form.add_error("category", "Unknown category.")
        self._skill_ids = ()
        if data.get("skills"):
            found = dict(Skill.objects.filter(slug__in=data["skills"]).values_list("slug", "id"))
            unknown = [slug for slug in data["skills"] if slug not in found]
            if unknown:
                self.form.add_error("skills", f"Unknown skills: {', '.join(unknown)}.")
            self._skill_ids = tuple(sorted(found.values()))
        if data.get("q") is not None and "\x00" in data["q"]:
            self.form.add_error("q", "Null characters are not allowed.")
        return not self.form.errors

    def params(self) -> SearchParams:
        """The validated parameters; call after `is_valid()` returned True."""
        data = self.form.cleaned_data

        def whole(name):
            return int(data[name]) if data.get(name) is not None else None

        return SearchParams(
            q=data.get("q") or "", category_ids=self._category_ids, skill_ids=self._skill_ids,
            location_type=data.get("location_type") or None, province=data.get("province") or None,
            city=data.get("city") or None, job_type=data.get("job_type") or None,
            experience_level=data.get("experience_level") or None, budget_min=whole("budget_min"),
            budget_max=whole("budget_max"), posted_since=data.get("posted_since"),
            company_id=data.get("company"), status=data.get("status") or None,
            ordering=data.get("ordering") or None,
        )
