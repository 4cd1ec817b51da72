import datetime

from rest_framework import serializers

from bantu.core import indonesia
from bantu.core.indonesia import PROVINCES
from bantu.core.serializers import FieldsBuiltOnceMixin, StrictSerializer
from jobs.models import MAX_BUDGET, MAX_SKILLS_PER_JOB, Job
from jobs.services import API_SETTABLE_STATUSES
from taxonomy.models import Category, Skill

EXCERPT_LENGTH = 300
# A deadline is a date in Asia/Jakarta (bantu.core.indonesia.today), from today to this many days ahead.
DEADLINE_HORIZON_DAYS = 3 * 365


class JobCompanySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    slug = serializers.CharField()
    verified = serializers.BooleanField()


class JobCategorySerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    parent = serializers.SerializerMethodField(help_text="Slug of the parent category, if any.")

    def get_parent(self, category) -> str | None:
        return category.parent.slug if category.parent_id else None


class JobSkillSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class JobListSerializer(FieldsBuiltOnceMixin, serializers.ModelSerializer):
    company = JobCompanySerializer(read_only=True)
    category = JobCategorySerializer(read_only=True)
    skills = JobSkillSerializer(many=True, read_only=True)
    excerpt = serializers.SerializerMethodField(help_text=f"The first {EXCERPT_LENGTH} characters of the description.")

    class Meta:
        model = Job
        fields = ["id", "title", "excerpt", "company", "category", "skills", "job_type", "budget_min", "budget_max",
                  "currency", "location_type", "province", "city", "experience_level", "deadline", "status",
                  "published_at", "created_at"]
        read_only_fields = fields

    def get_excerpt(self, job) -> str:
        text = job.description
        return text if len(text) <= EXCERPT_LENGTH else text[: EXCERPT_LENGTH - 1].rstrip() + "…"

    def to_representation(self, job) -> dict:
        """The declared fields' output (the OpenAPI schema is built from them), assembled directly: DRF's generic
        path, a field object per value, cost 75 µs a job, 1.5 of the 17 ms of Python in an uncached search page on
        a 2-core machine (docs/benchmarks.md, "Eighth round"). Dates and times go through their DRF fields (time
        zone, format); a search page's skills are read for its jobs at once (`jobs.search.with_skills`).
        tests/jobs/api/test_job_serializers.py checks that the output is the generic path's for jobs of every
        kind."""
        company, category, fields = job.company, job.category, self.fields
        return {
            "id": str(job.id),
            "title": job.title,
            "excerpt": self.get_excerpt(job),
            "company": {"id": str(company.id), "name": company.name, "slug": company.slug,
                        "verified": company.verified},
            "category": {"slug": category.slug, "name": category.name,
                         "parent": category.parent.slug if category.parent_id else None},
            "skills": [{"slug": slug, "name": name} for slug, name in _skills_of(job)],
            "job_type": job.job_type,
            "budget_min": job.budget_min,
            "budget_max": job.budget_max,
            "currency": job.currency,
            "location_type": job.location_type,
            "province": job.province,
            "city": job.city,
            "experience_level": job.experience_level,
            "deadline": None if job.deadline is None else fields["deadline"].to_representation(job.deadline),
            "status": job.status,
            "published_at": (None if job.published_at is None
                             else fields["published_at"].to_representation(job.published_at)),
            "created_at": fields["created_at"].to_representation(job.created_at),
        }


def _skills_of(job: Job):
    """(slug, name) pairs by name: as read for a search page (`jobs.search.with_skills`), or from `job.skills`."""
    listed = getattr(job, "listed_skills", None)
    if listed is not None:
        return listed
    return [(skill.slug, skill.name) for skill in job.skills.all()]


class JobDetailSerializer(JobListSerializer):
    is_removed = serializers.BooleanField(read_only=True)

    class Meta(JobListSerializer.Meta):
        fields = [*JobListSerializer.Meta.fields, "description", "updated_at", "is_removed", "removed_reason"]
        read_only_fields = fields

    def to_representation(self, job) -> dict:
        # One job at a time: DRF's generic path over every declared field.
        return serializers.ModelSerializer.to_representation(self, job)


class JobWriteSerializer(StrictSerializer):
    create_only = ("company",)

    company = serializers.UUIDField(required=False, help_text="Required if you belong to several companies.")
    title = serializers.CharField(min_length=5, max_length=200)
    description = serializers.CharField(min_length=20, max_length=20_000)
    category = serializers.SlugRelatedField(slug_field="slug", queryset=Category.objects.all())
    skills = serializers.SlugRelatedField(slug_field="slug", queryset=Skill.objects.all(), many=True, required=False,
                                          help_text=f"Skill slugs, at most {MAX_SKILLS_PER_JOB}.")
    job_type = serializers.ChoiceField(choices=Job.JobType.choices, required=False)
    budget_min = serializers.IntegerField(min_value=0, max_value=MAX_BUDGET, help_text="Integer rupiah.")
    budget_max = serializers.IntegerField(min_value=0, max_value=MAX_BUDGET, help_text="Integer rupiah.")
    location_type = serializers.ChoiceField(choices=Job.LocationType.choices, required=False)
    province = serializers.ChoiceField(choices=PROVINCES, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    experience_level = serializers.ChoiceField(choices=Job.ExperienceLevel.choices, required=False)
    deadline = serializers.DateField(required=False, allow_null=True,
                                     help_text="A date in Asia/Jakarta, from today to three years ahead "
                                               f"({DEADLINE_HORIZON_DAYS} days).")
    status = serializers.ChoiceField(choices=Job.Status.choices, required=False,
                                     help_text="On create: `draft` or `open` (default). On update: a transition "
                                               f"to one of {', '.join(sorted(API_SETTABLE_STATUSES))}; the others "
                                               "are set by contracts (409).")

    def validate_skills(self, value):
        if len(value) > MAX_SKILLS_PER_JOB:
            raise serializers.ValidationError(f"At most {MAX_SKILLS_PER_JOB} skills.")
        return value

    def validate_deadline(self, value):
        if value is not None and value < indonesia.today():
            raise serializers.ValidationError("The deadline is in the past.")
        if value is not None and value > indonesia.today() + datetime.timedelta(days=DEADLINE_HORIZON_DAYS):
            raise serializers.ValidationError("The deadline is more than three years away.")
        return value

    def validate(self, attrs):
        low, high = attrs.get("budget_min"), attrs.get("budget_max")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError({"budget_max": ["Must be greater than or equal to budget_min."]})
        if self.partial and "company" in attrs:
            raise serializers.ValidationError({"company": ["A job cannot move to another company."]})
        return attrs


class JobRemoveSerializer(StrictSerializer):
    """An operator's removal of a job: why."""

    reason = serializers.CharField(min_length=3, max_length=500,
                                   help_text="Why. Shown to the company's members and kept in the audit log.")


class JobRestoreSerializer(StrictSerializer):
    """An operator's restoration of a removed job: why, if they say."""

    reason = serializers.CharField(min_length=3, max_length=500, required=False,
                                   help_text="Why (optional). Shown to the company's members and kept in the audit "
                                             "log.")
