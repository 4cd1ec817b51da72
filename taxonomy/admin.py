from django.contrib import admin

from .models import Category, Skill
from .selectors import taxonomy_changed


class CategoryListFilter(admin.SimpleListFilter):
    """Filter by the categories in use, named "Parent > Child" with one query (the stock related filter reads
    each category's parent on its own)."""

    title = "category"
    parameter_name = "category"

    def lookups(self, request, model_admin):
        used = model_admin.get_queryset(request).values("category")
        return [
            (str(category.pk), str(category))
            for category in Category.objects.filter(pk__in=used).select_related("parent").order_by("slug")
        ]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        if not self.value().isdigit():
            return queryset.none()
        return queryset.filter(category_id=int(self.value()))


class TaxonomyAdmin(admin.ModelAdmin):
    """Every change bumps the taxonomy version once it has committed, so cached reads never serve the old tree."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        taxonomy_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        taxonomy_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        taxonomy_changed()


@admin.register(Category)
class CategoryAdmin(TaxonomyAdmin):
    list_display = ["name", "name_en", "slug", "parent", "position"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "name_en", "slug"]
    list_select_related = ["parent"]


@admin.register(Skill)
class SkillAdmin(TaxonomyAdmin):
    list_display = ["name", "slug", "category"]
    list_filter = [CategoryListFilter]
    search_fields = ["name", "slug"]
    list_select_related = ["category__parent"]
