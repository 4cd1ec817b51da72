from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, serializers

from taxonomy import selectors
from taxonomy.models import Category, Skill


class CategoryNodeSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField(help_text="Indonesian name.")
    name_en = serializers.CharField()
    children = serializers.ListField(child=serializers.DictField(), help_text="Sub-categories, same shape.")


class SkillSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    category = serializers.SlugField(source="category__slug", allow_null=True)


class CategoryListApi(generics.ListAPIView):
    """The category tree (two levels), one page of top-level categories at a time, each with its sub-categories,
    in display order. Filters elsewhere take a category slug; a parent includes its children."""

    permission_classes = [permissions.AllowAny]
    serializer_class = CategoryNodeSerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation reads no database
            return Category.objects.none()
        return selectors.category_tree()  # a cached list: paging it reads no database

    @extend_schema(tags=["taxonomy"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class SkillListApi(generics.ListAPIView):
    """Every skill with its category slug, by name, one page at a time."""

    permission_classes = [permissions.AllowAny]
    serializer_class = SkillSerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation reads no database
            return Skill.objects.none()
        return selectors.skill_list()  # a cached list: paging it reads no database

    @extend_schema(tags=["taxonomy"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
