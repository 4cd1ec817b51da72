from django.contrib import admin

from .models import Category, Skill
from .selectors import taxonomy_bump_version


class TaxonomyAdmin(admin.ModelAdmin):
    """Every change bumps the taxonomy version, so cached reads never serve the old tree."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        taxonomy_bump_version()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        taxonomy_bump_version()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        taxonomy_bump_version()


@admin.register(Category)
class CategoryAdmin(TaxonomyAdmin):
    list_display = ["name", "name_en", "slug", "parent", "position"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "name_en", "slug"]
    list_select_related = ["parent"]


@admin.register(Skill)
class SkillAdmin(TaxonomyAdmin):
    list_display = ["name", "slug", "category"]
    list_filter = [("category", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "slug"]
    list_select_related = ["category"]
