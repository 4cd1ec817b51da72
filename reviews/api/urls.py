from django.urls import path

from . import views

urlpatterns = [
    path("reviews/", views.ReviewListCreateApi.as_view(), name="review-list"),
    path("reviews/<uuid:pk>/", views.ReviewDetailApi.as_view(), name="review-detail"),
    path("reviews/<uuid:pk>/reply/", views.ReviewReplyApi.as_view(), name="review-reply"),
    path("reviews/<uuid:pk>/hide/", views.ReviewHideApi.as_view(), name="review-hide"),
    path("reviews/<uuid:pk>/unhide/", views.ReviewUnhideApi.as_view(), name="review-unhide"),
    path("freelancers/<uuid:pk>/reviews/", views.FreelancerReviewsApi.as_view(), name="freelancer-reviews"),
    path("companies/<uuid:pk>/reviews/", views.CompanyReviewsApi.as_view(), name="company-reviews"),
]
