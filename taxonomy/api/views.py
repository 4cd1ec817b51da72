from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from taxonomy import selectors


class CategoryNodeSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField(help_text="Indonesian name.")
    name_en = serializers.CharField()
    children = serializers.ListField(child=serializers.DictField(), help_text="Sub-categories, same shape.")


class SkillSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    category = serializers.SlugField(source="category__slug", allow_null=True)


class CategoryListApi(APIView):
    """The whole category tree (two levels). Filters elsewhere take a category slug; a parent includes its
    children."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={200: CategoryNodeSerializer(many=True)}, tags=["taxonomy"])
    def get(self, request):
        return Response(selectors.category_tree())


class SkillListApi(APIView):
    """Every skill with its category slug."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={200: SkillSerializer(many=True)}, tags=["taxonomy"])
    def get(self, request):
        return Response(SkillSerializer(selectors.skill_list(), many=True).data)
