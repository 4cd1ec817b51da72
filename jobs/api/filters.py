import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from bantu.core.filters import BoundedIsoDateTimeFilter, StrictFilterSet
from bantu.core.indonesia import PROVINCES
from jobs import selectors
from jobs.models import MAX_BUDGET, MAX_SKILLS_PER_JOB, Job
from taxonomy.models import Category, Skill

MAX_Q_LENGTH = 200
ORDERINGS = {
    "relevance": "Best match first (needs `q`; without it, newest first).",
    "newest": "Most recently published first.",
    "oldest": "Least recently published first.",
    "budget": "Lowest budget first.",
    "-budget": "Highest budget first.",
}


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
    """Validates every parameter (a bad one is a 400) and builds the search. Unknown parameters are ignored."""

    q = django_filters.CharFilter(method="filter_noop", max_length=MAX_Q_LENGTH,
                                  help_text="Full-text query: Indonesian or English, typo tolerant.")
    category = django_filters.CharFilter(method="filter_category", max_length=60,
                                         help_text="Category slug; a parent category includes its children.")
    skills = SlugListFilter(method="filter_skills", help_text="Comma-separated skill slugs; jobs with any of them.")
    location_type = django_filters.ChoiceFilter(choices=Job.LocationType.choices)
    province = django_filters.ChoiceFilter(choices=[(name, name) for name in PROVINCES])
    city = django_filters.CharFilter(lookup_expr="iexact", max_length=100)
    job_type = django_filters.ChoiceFilter(choices=Job.JobType.choices)
    experience_level = django_filters.ChoiceFilter(choices=Job.ExperienceLevel.choices)
    budget_min = django_filters.NumberFilter(method="filter_noop", min_value=0, max_value=MAX_BUDGET,
                                             help_text="Jobs whose budget range overlaps [budget_min, budget_max].")
    budget_max = django_filters.NumberFilter(method="filter_noop", min_value=0, max_value=MAX_BUDGET)
    posted_since = BoundedIsoDateTimeFilter(field_name="published_at", lookup_expr="gte",
                                                    help_text="ISO date or date-time; without an offset, in "
                                                              "western Indonesian time (UTC+7).")
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
        return queryset  # applied together in filter_queryset

    def filter_category(self, queryset, name, value):
        return queryset.filter(category_id__in=Category.objects.filter(Q(slug=value) | Q(parent__slug=value))
                               .values("id"))

    def filter_skills(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Exists(Job.skills.through.objects.filter(job_id=OuterRef("pk"),
                                                                         skill_id__in=self._skill_ids)))

    def is_valid(self):
        valid = super().is_valid()
        if not valid:
            return False
        data = self.form.cleaned_data
        if data.get("category") and not Category.objects.filter(slug=data["category"]).exists():
            self.form.add_error("category", "Unknown category.")
        if data.get("skills"):
            found = dict(Skill.objects.filter(slug__in=data["skills"]).values_list("slug", "id"))
            unknown = [slug for slug in data["skills"] if slug not in found]
            if unknown:
                self.form.add_error("skills", f"Unknown skills: {', '.join(unknown)}.")
            self._skill_ids = list(found.values())
        if data.get("q") is not None and "\x00" in data["q"]:
            self.form.add_error("q", "Null characters are not allowed.")
        return not self.form.errors

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        if data.get("budget_min") is not None:
            queryset = queryset.filter(budget_max__gte=data["budget_min"])
        if data.get("budget_max") is not None:
            queryset = queryset.filter(budget_min__lte=data["budget_max"])
        text = (data.get("q") or "").strip()
        ordering = data.get("ordering") or ("relevance" if text else "newest")
        if text:
            queryset = selectors.job_text_search(queryset, text)
        if ordering == "relevance" and text:
            return selectors.order_by_relevance(queryset)
        return queryset.order_by(*{
            "relevance": ["-published_at", "-pk"],
            "newest": ["-published_at", "-pk"],
            "oldest": ["published_at", "pk"],
            "budget": ["budget_min", "-pk"],
            "-budget": ["-budget_max", "-pk"],
        }[ordering])
