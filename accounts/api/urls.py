from django.urls import path

from . import views

urlpatterns = [
    path("auth/token/", views.TokenObtainApi.as_view(), name="auth-token"),
    path("auth/token/refresh/", views.TokenRefreshApi.as_view(), name="auth-token-refresh"),
    path("auth/logout/", views.LogoutApi.as_view(), name="auth-logout"),
    path("auth/password/change/", views.PasswordChangeApi.as_view(), name="auth-password-change"),
    path("auth/ws-ticket/", views.WsTicketApi.as_view(), name="auth-ws-ticket"),
    path("auth/logout/all/", views.LogoutAllApi.as_view(), name="auth-logout-all"),
    path("auth/email/verify/", views.EmailVerifyApi.as_view(), name="auth-email-verify"),
    path("auth/email/resend/", views.EmailResendApi.as_view(), name="auth-email-resend"),
    path("auth/password/reset/", views.PasswordResetApi.as_view(), name="auth-password-reset"),
    path("auth/password/reset/confirm/", views.PasswordResetConfirmApi.as_view(), name="auth-password-reset-confirm"),
    path("me/sessions/", views.SessionListApi.as_view(), name="me-sessions"),
    path("me/sessions/<uuid:pk>/", views.SessionDetailApi.as_view(), name="me-session"),
]
