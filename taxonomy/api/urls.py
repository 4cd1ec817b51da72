from django.urls import path

from . import views

urlpatterns = [
    path("categories/", views.CategoryListApi.as_view(), name="category-list"),
    path("skills/", views.SkillListApi.as_view(), name="skill-list"),
]
