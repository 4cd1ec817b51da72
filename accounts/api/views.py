from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.api import serializers as s
from accounts.authentication import SESSION_CLAIM
from accounts.emails import language_from_header
from accounts.models import AuthSession
from bantu.core import throttling
from bantu.core.views import no_body


def user_agent_of(request) -> str:
    """The client's `User-Agent`, kept on the session it signs in to."""
    return request.headers.get("User-Agent", "")


def language_of(request) -> str:
    """The language of the mails a request causes, from its `Accept-Language` (accounts.emails)."""
    return language_from_header(request.headers.get("Accept-Language"))


class PublicAuthApi(APIView):
    """Login-style endpoints: no Authorization header is read (a stale one must not block logging in), but a
    refused credential still answers 401 with a `WWW-Authenticate` challenge."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []

    def get_authenticate_header(self, request):
        return 'Bearer realm="api"'


class TokenObtainApi(PublicAuthApi):
    """Log in with email (any letter case) and password; answers a token pair."""

    throttle_classes = [throttling.LoginIPThrottle, throttling.LoginEmailIPThrottle, throttling.LoginEmailThrottle]
    extra_error_responses = {401: "Email or password is incorrect.", 403: "The account is suspended."}

    @extend_schema(request=s.LoginSerializer, responses={200: s.TokenPairSerializer}, tags=["auth"])
    def post(self, request):
        """Log in: a token pair for email and password."""
        data = s.LoginSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_login(request=request, **data.validated_data)
        return Response(services.tokens_issue(user=user, user_agent=user_agent_of(request)))


class TokenRefreshApi(PublicAuthApi):
    """Rotate a refresh token: the old one is used up, a new pair (with current roles) is returned."""

    throttle_classes = [throttling.LoginIPThrottle]
    extra_error_responses = {401: "The refresh token is invalid, expired, used or revoked."}

    @extend_schema(request=s.RefreshSerializer, responses={200: s.TokenPairSerializer}, tags=["auth"])
    def post(self, request):
        data = s.RefreshSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(services.tokens_refresh(refresh=data.validated_data["refresh"],
                                                user_agent=user_agent_of(request)))


class LogoutApi(APIView):

    """Blacklist your refresh token. The access token expires on its own within minutes."""

    @extend_schema(request=s.RefreshSerializer, responses={204: None}, tags=["auth"])
    def post(self, request):
        data = s.RefreshSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.user_logout(user=request.user, refresh=data.validated_data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeApi(APIView):
    """Change your password. Every other session's tokens stop working; this call returns a new pair."""

    extra_error_responses = {400: "Invalid input; `wrong_password` (the current password is not this one) or "
                                  "`weak_password` (a common password, or one like your email or name)."}

    @extend_schema(request=s.PasswordChangeSerializer, responses={200: s.TokenPairSerializer}, tags=["auth"])
    def post(self, request):
        data = s.PasswordChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(services.user_password_change(user=request.user, **data.validated_data,
                                                      user_agent=user_agent_of(request)))


class WsTicketApi(APIView):
    """A single-use ticket to open the socket with `/ws/?ticket=<ticket>` within 30 seconds, so that the access
    token stays out of URLs (and so out of proxy and server logs)."""

    @extend_schema(request=None, responses={200: s.WsTicketSerializer}, tags=["auth"])
    @no_body
    def post(self, request):
        """Get a single-use WebSocket ticket."""
        return Response(services.ws_ticket_issue(user=request.user, session_id=_current_session_id(request)))


class EmailVerifyApi(PublicAuthApi):
    """Use the token of a verification link (sign-up, or a change of email in `me/`). Works once; an expired or
    used link answers 400 (`link_expired`, `link_invalid`)."""

    throttle_classes = [throttling.EmailVerifyIPThrottle]

    @extend_schema(request=s.TokenSerializer, responses={200: s.EmailVerifiedSerializer}, tags=["auth"])
    def post(self, request):
        data = s.TokenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.email_verify(token=data.validated_data["token"])
        return Response({"email": user.email, "email_verified": True})


class EmailResendApi(APIView):
    """Mail a new verification link to your email (throttled per user; 409 once verified)."""

    permission_classes = [permissions.IsAuthenticated]

    throttle_classes = [throttling.EmailResendThrottle]
    extra_error_responses = {409: "Your email is already verified."}

    @extend_schema(request=None, responses={202: s.AcceptedSerializer}, tags=["auth"])
    @no_body
    def post(self, request):
        services.email_verification_resend(user=request.user, language=language_of(request))
        return Response({"detail": "A verification link is on its way."}, status=status.HTTP_202_ACCEPTED)


class PasswordResetApi(PublicAuthApi):
    """Ask for a password reset link. Always 202 with the same body, whether or not an account has this email
    (nothing reveals which accounts exist); throttled per client and per email."""

    throttle_classes = [throttling.PasswordResetIPThrottle, throttling.PasswordResetEmailThrottle]

    @extend_schema(request=s.EmailSerializer, responses={202: s.AcceptedSerializer}, tags=["auth"])
    def post(self, request):
        data = s.EmailSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.password_reset_request(email=data.validated_data["email"], language=language_of(request))
        return Response({"detail": "If an account has this email, a reset link is on its way."},
                        status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmApi(PublicAuthApi):
    """Set a new password with the token of a reset link (the password validators apply). Works once; every
    earlier token of the account stops working (all sessions end, other reset links die). Sign in afterwards."""

    throttle_classes = [throttling.EmailVerifyIPThrottle]

    @extend_schema(request=s.PasswordResetConfirmSerializer, responses={204: None}, tags=["auth"])
    def post(self, request):
        data = s.PasswordResetConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.password_reset_confirm(**data.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllApi(APIView):
    """Log out everywhere: every access and refresh token of yours stops working at once, and your open sockets
    close with 4401."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses={204: None}, tags=["auth"])
    @no_body
    def post(self, request):
        services.user_logout_all(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _current_session_id(request) -> str | None:
    token = request.auth
    return str(token.get(SESSION_CLAIM)) if token is not None and token.get(SESSION_CLAIM) else None


class SessionListApi(generics.ListAPIView):
    """Your signed-in sessions that are still live (one per sign-in; refreshing keeps the session), most
    recently used first. `current` marks the one this request comes from."""

    permission_classes = [permissions.IsAuthenticated]

    serializer_class = s.SessionSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AuthSession.objects.none()
        return selectors.session_list_live(user=self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "current_session_id": _current_session_id(self.request)}

    @extend_schema(tags=["me"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class SessionDetailApi(APIView):
    """End one of your sessions: its refresh token is refused at once, its access tokens at their next use.
    Another user's session is a 404."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={204: None}, tags=["me"])
    def delete(self, request, pk):
        services.session_revoke(user=request.user, session_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
