from django.conf import settings
from django.db import models

from bantu.core.indonesia import PROVINCE_CHOICES
from bantu.core.models import BaseModel


class Company(BaseModel):
    class Size(models.TextChoices):
        MICRO = "1-10", "1-10 people"
        SMALL = "11-50", "11-50 people"
        MEDIUM = "51-200", "51-200 people"
        LARGE = "201-500", "201-500 people"
        ENTERPRISE = "501+", "501+ people"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    description = models.TextField(max_length=5000, blank=True)
    website = models.URLField(max_length=300, blank=True)
    industry = models.CharField(max_length=100, blank=True)
    size = models.CharField(max_length=10, choices=Size.choices, blank=True)
    city = models.CharField(max_length=100, blank=True)
    province = models.CharField(max_length=50, choices=PROVINCE_CHOICES, blank=True)
    verified = models.BooleanField(default=False)
    verified_at = models.DateTimeField(null=True, blank=True)
    # Published, visible reviews by freelancers (reviews app), kept by `company_rating_change`: the average of
    # `rating_sum` over `rating_count` to 2 decimals (0 without reviews).
    rating_avg = models.DecimalField(max_digits=3, decimal_places=2, default=0)
    rating_count = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0, help_text="Sum of the 1-5 stars counted in rating_count.")
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="companies")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "companies"
        indexes = [models.Index(fields=["province", "city"])]

    def __str__(self):
        return self.name


class Membership(BaseModel):
    class Role(models.TextChoices):
        OWNER = "owner"
        ADMIN = "admin"
        RECRUITER = "recruiter"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="company_memberships")
    role = models.CharField(max_length=10, choices=Role.choices)

    MANAGER_ROLES = (Role.OWNER, Role.ADMIN)

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["company", "user"], name="companies_membership_unique")]

    def __str__(self):
        return f"{self.user} @ {self.company} ({self.role})"
