from django.urls import path

from . import views

urlpatterns = [
    path("companies/", views.CompanyListCreateApi.as_view(), name="company-list"),
    path("companies/<uuid:pk>/", views.CompanyDetailApi.as_view(), name="company-detail"),
    path("companies/<uuid:pk>/members/", views.CompanyMembersApi.as_view(), name="company-members"),
    path("companies/<uuid:pk>/members/<uuid:membership_id>/", views.CompanyMemberDetailApi.as_view(),
         name="company-member-detail"),
]
