from django.urls import path

from . import views

urlpatterns = [
    path("auth/register/", views.RegisterApi.as_view(), name="auth-register"),
    path("auth/oauth/google/", views.GoogleSignInApi.as_view(), name="auth-oauth-google"),
    path("me/", views.MeApi.as_view(), name="me"),
]
