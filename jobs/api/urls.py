from django.urls import path

from . import views

urlpatterns = [
    path("jobs/", views.JobListCreateApi.as_view(), name="job-list"),
    path("jobs/<uuid:pk>/", views.JobDetailApi.as_view(), name="job-detail"),
    path("jobs/<uuid:pk>/remove/", views.JobRemoveApi.as_view(), name="job-remove"),
    path("jobs/<uuid:pk>/restore/", views.JobRestoreApi.as_view(), name="job-restore"),
]
