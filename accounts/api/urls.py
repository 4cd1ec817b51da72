from django.urls import path

from . import views

urlpatterns = [
    path("auth/register/", views.RegisterApi.as_view(), name="auth-register"),
    path("auth/token/", views.TokenObtainApi.as_view(), name="auth-token"),
    path("auth/token/refresh/", views.TokenRefreshApi.as_view(), name="auth-token-refresh"),
    path("auth/logout/", views.LogoutApi.as_view(), name="auth-logout"),
    path("auth/password/change/", views.PasswordChangeApi.as_view(), name="auth-password-change"),
    path("auth/ws-ticket/", views.WsTicketApi.as_view(), name="auth-ws-ticket"),
    path("me/", views.MeApi.as_view(), name="me"),
]
