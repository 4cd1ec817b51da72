from django.urls import path

from . import views

urlpatterns = [
    path("me/freelancer-profile/", views.MeFreelancerProfileApi.as_view(), name="me-freelancer-profile"),
    path("freelancers/", views.FreelancerListApi.as_view(), name="freelancer-list"),
    path("freelancers/<uuid:pk>/", views.FreelancerDetailApi.as_view(), name="freelancer-detail"),
]
