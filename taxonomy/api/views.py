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


class _CachedListApi(generics.ListAPIView):
    """A public taxonomy list served from a cached Python list: paging it reads no database, and neither does
    schema generation (it gets an empty queryset of `model`)."""

    permission_classes = [permissions.AllowAny]
    filter_backends = []
    model = None

    def rows(self) -> list:
        raise NotImplementedError

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        return self.rows()

    @extend_schema(tags=["taxonomy"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class CategoryListApi(_CachedListApi):
    """The category tree (two levels), one page of top-level categories at a time, each with its sub-categories,
    in display order. Filters elsewhere take a category slug; a parent includes its children."""

    serializer_class = CategoryNodeSerializer
    model = Category

    def rows(self) -> list:
        return selectors.category_tree()


class SkillListApi(_CachedListApi):
    """Every skill with its category slug, by name, one page at a time."""

    serializer_class = SkillSerializer
    model = Skill

    def rows(self) -> list:
        return selectors.skill_list()
