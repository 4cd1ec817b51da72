from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q

from bantu.core.indonesia import PROVINCE_CHOICES
from bantu.core.models import BaseModel, StatusChange

MAX_BUDGET = 10_000_000_000  # IDR 10 billion: above any freelance job, far below BIGINT overflow
MAX_SKILLS_PER_JOB = 20


class Job(BaseModel):
    class Status(models.TextChoices):
        DRAFT = "draft"
        OPEN = "open"
        IN_PROGRESS = "in_progress"
        COMPLETED = "completed"
        CLOSED = "closed"
        CANCELLED = "cancelled"

    class JobType(models.TextChoices):
        FIXED = "fixed"
        HOURLY = "hourly"

    class LocationType(models.TextChoices):
        REMOTE = "remote"
        ONSITE = "onsite"
        HYBRID = "hybrid"

    class ExperienceLevel(models.TextChoices):
        ENTRY = "entry"
        INTERMEDIATE = "intermediate"
        EXPERT = "expert"

    # The one map of allowed status changes (PRODUCT.md §2.1). `in_progress` and `completed` are reached
    # through contracts, never by editing the job (see services.API_SETTABLE_STATUSES).
    ALLOWED_TRANSITIONS = {
        Status.DRAFT: {Status.OPEN, Status.CANCELLED},
        Status.OPEN: {Status.CLOSED, Status.CANCELLED, Status.IN_PROGRESS},
        Status.CLOSED: {Status.OPEN},
        Status.IN_PROGRESS: {Status.COMPLETED, Status.CANCELLED},
        Status.COMPLETED: set(),
        Status.CANCELLED: set(),
    }
    EDITABLE_STATUSES = {Status.DRAFT, Status.OPEN, Status.CLOSED}

    company = models.ForeignKey("companies.Company", on_delete=models.CASCADE, related_name="jobs")
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                  related_name="posted_jobs")
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=20_000)
    category = models.ForeignKey("taxonomy.Category", on_delete=models.PROTECT, related_name="jobs")
    skills = models.ManyToManyField("taxonomy.Skill", blank=True, related_name="jobs")
    # Skill names, denormalised by the services so the database can index them with the title and description.
    skills_text = models.TextField(blank=True, editable=False)
    job_type = models.CharField(max_length=10, choices=JobType.choices, default=JobType.FIXED)
    budget_min = models.PositiveBigIntegerField(help_text="Integer rupiah.")
    budget_max = models.PositiveBigIntegerField(help_text="Integer rupiah.")
    currency = models.CharField(max_length=3, default="IDR", editable=False)
    location_type = models.CharField(max_length=10, choices=LocationType.choices, default=LocationType.REMOTE)
    province = models.CharField(max_length=50, choices=PROVINCE_CHOICES, blank=True)
    city = models.CharField(max_length=100, blank=True)
    experience_level = models.CharField(max_length=12, choices=ExperienceLevel.choices,
                                        default=ExperienceLevel.INTERMEDIATE)
    deadline = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True, help_text="When it first opened.")
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_reason = models.CharField(max_length=500, blank=True)
    removed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    # PostgreSQL only: filled by a trigger (title weight A, skills B, description C; Indonesian + English).
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(budget_min__lte=F("budget_max")), name="jobs_budget_min_lte_max"),
            models.CheckConstraint(condition=Q(budget_max__lte=MAX_BUDGET), name="jobs_budget_max_range"),
        ]
        indexes = [
            # The public search reads open, not removed jobs; every filter index is partial on that.
            models.Index(fields=["-published_at", "-id"], name="jobs_open_published_idx",
                         condition=Q(status="open", removed_at__isnull=True)),
            models.Index(fields=["category", "-published_at", "-id"], name="jobs_open_category_idx",
                         condition=Q(status="open", removed_at__isnull=True)),
            models.Index(fields=["province", "city", "-published_at"], name="jobs_open_location_idx",
                         condition=Q(status="open", removed_at__isnull=True)),
            models.Index(fields=["budget_min", "-id"], name="jobs_open_budget_low_idx",
                         condition=Q(status="open", removed_at__isnull=True)),
            models.Index(fields=["-budget_max", "-id"], name="jobs_open_budget_high_idx",
                         condition=Q(status="open", removed_at__isnull=True)),
            # Budgets follow the job type (hourly rates are small, fixed prices large): walking the budget order
            # for one type alone skipped half a million rows of the other at 1,000,000 jobs (docs/benchmarks.md).
            models.Index(fields=["job_type", "budget_min", "-id"], name="jobs_open_type_budget_low_idx",
                         condition=Q(status="open", removed_at__isnull=True)),
            models.Index(fields=["job_type", "-budget_max", "-id"], name="jobs_open_type_budget_high_idx",
                         condition=Q(status="open", removed_at__isnull=True)),
            # Budgets also follow the category (engineering pays more than data entry): a category's budget order
            # walked the global budget index past 53,000 rows of other categories (docs/benchmarks.md). A parent
            # category reads each child's range of these (jobs.search, JobSearch._ordered).
            models.Index(fields=["category", "budget_min", "-id"], name="jobs_open_cat_budget_low_idx",
                         condition=Q(status="open", removed_at__isnull=True)),
            models.Index(fields=["category", "-budget_max", "-id"], name="jobs_open_cat_budget_high_idx",
                         condition=Q(status="open", removed_at__isnull=True)),
            # Browsing a category in a province, a common pair of filters: the two indexes' bitmaps (63,514 and
            # 110,239 entries for video-animation in DKI Jakarta) took 21 ms to build and AND; this one range of 7,074,
            # read without the table, 0.2 ms (docs/benchmarks.md, "Ninth round"). jobs.0010 builds it concurrently.
            models.Index(fields=["category", "province", "-published_at", "-id"], name="jobs_open_cat_location_idx",
                         condition=Q(status="open", removed_at__isnull=True)),
            models.Index(fields=["company", "status", "-created_at"], name="jobs_company_status_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


class JobStatusChange(StatusChange):
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="status_changes")

    class Meta(StatusChange.Meta):
        pass


class SearchWord(models.Model):
    """The vocabulary that typos are corrected against (jobs.search): the words of open jobs' titles and of skill
    names. Rebuilt by a periodic task, added to when a job opens; a trigram index on PostgreSQL (migration 0004)."""

    word = models.CharField(max_length=40, primary_key=True)

    def __str__(self):
        return self.word
