from django.conf import settings
from django.db import models

from bantu.core.indonesia import PROVINCE_CHOICES
from bantu.core.models import BaseModel

MAX_HOURLY_RATE = 100_000_000  # IDR; far above any real hourly rate, below anything that would overflow
MAX_PORTFOLIO_LINKS = 10


class FreelancerProfile(BaseModel):
    class Availability(models.TextChoices):
        AVAILABLE = "available"
        LIMITED = "limited"
        UNAVAILABLE = "unavailable"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="freelancer_profile")
    headline = models.CharField(max_length=150, blank=True)
    bio = models.TextField(max_length=5000, blank=True)
    skills = models.ManyToManyField("taxonomy.Skill", blank=True, related_name="freelancers")
    hourly_rate = models.PositiveBigIntegerField(null=True, blank=True, help_text="Integer rupiah per hour.")
    currency = models.CharField(max_length=3, default="IDR", editable=False)
    city = models.CharField(max_length=100, blank=True)
    province = models.CharField(max_length=50, choices=PROVINCE_CHOICES, blank=True)
    portfolio_links = models.JSONField(default=list, blank=True)
    availability = models.CharField(max_length=12, choices=Availability.choices, default=Availability.AVAILABLE)
    # Published, visible reviews by companies (reviews app), kept by `freelancer_rating_change`: the average of
    # `rating_sum` over `rating_count` to 2 decimals (0 without reviews).
    rating_avg = models.DecimalField(max_digits=3, decimal_places=2, default=0)
    rating_count = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0, help_text="Sum of the 1-5 stars counted in rating_count.")

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["province", "city"]),
            models.Index(fields=["hourly_rate"]),
            models.Index(fields=["-rating_avg", "-created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hourly_rate__isnull=True) | models.Q(hourly_rate__lte=MAX_HOURLY_RATE),
                name="freelancers_hourly_rate_range",
            )
        ]

    def __str__(self):
        return f"{self.user.full_name} — {self.headline}"
