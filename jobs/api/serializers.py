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


class JobDetailSerializer(JobListSerializer):
    is_removed = serializers.BooleanField(read_only=True)

    class Meta(JobListSerializer.Meta):
        fields = [*JobListSerializer.Meta.fields, "description", "updated_at", "is_removed", "removed_reason"]
        read_only_fields = fields


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
