from django.contrib import admin

from .models import FreelancerProfile


@admin.register(FreelancerProfile)
class FreelancerProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "headline", "hourly_rate", "city", "province", "availability", "rating_avg"]
    list_filter = ["availability", "province", "created_at"]
    search_fields = ["user__email", "user__full_name", "headline", "city"]
    autocomplete_fields = ["user", "skills"]
    readonly_fields = ["id", "rating_avg", "rating_count", "created_at", "updated_at"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
