from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.api import serializers as s
from bantu.core import throttling
from bantu.core.views import no_body


class PublicAuthApi(APIView):
    """Login-style endpoints: no Authorization header is read (a stale one must not block logging in), but a
    refused credential still answers 401 with a `WWW-Authenticate` challenge."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []

    def get_authenticate_header(self, request):
        return 'Bearer realm="api"'


class RegisterApi(PublicAuthApi):
    """Create an account as a freelancer or as a company (which creates the company, owned by you)."""

    throttle_classes = [throttling.RegisterIPThrottle, throttling.RegisterEmailThrottle]

    @extend_schema(request=s.RegisterSerializer, responses={201: s.RegisterResponseSerializer}, tags=["auth"])
    def post(self, request):
        data = s.RegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_register(**data.validated_data)
        tokens = services.tokens_issue(user=user)
        return Response({**tokens, "user": s.MeSerializer(user).data}, status=status.HTTP_201_CREATED)


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
        return Response(services.tokens_issue(user=user))


class TokenRefreshApi(PublicAuthApi):
    """Rotate a refresh token: the old one is used up, a new pair (with current roles) is returned."""

    throttle_classes = [throttling.LoginIPThrottle]
    extra_error_responses = {401: "The refresh token is invalid, expired, used or revoked."}

    @extend_schema(request=s.RefreshSerializer, responses={200: s.TokenPairSerializer}, tags=["auth"])
    def post(self, request):
        data = s.RefreshSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(services.tokens_refresh(refresh=data.validated_data["refresh"]))


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
        return Response(services.user_password_change(user=request.user, **data.validated_data))


class MeApi(APIView):
    """You: profile, roles, companies."""

    @extend_schema(responses={200: s.MeSerializer}, tags=["me"])
    def get(self, request):
        """Get your account: profile, roles, companies."""
        return Response(s.MeSerializer(request.user).data)

    @extend_schema(request=s.MeUpdateSerializer, responses={200: s.MeSerializer}, tags=["me"])
    def patch(self, request):
        """Update your account."""
        data = s.MeUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_update(user=request.user, data=data.validated_data)
        return Response(s.MeSerializer(user).data)


class WsTicketApi(APIView):
    """A single-use ticket to open the socket with `/ws/?ticket=<ticket>` within 30 seconds, so that the access
    token stays out of URLs (and so out of proxy and server logs)."""

    @extend_schema(request=None, responses={200: s.WsTicketSerializer}, tags=["auth"])
    @no_body
    def post(self, request):
        """Get a single-use WebSocket ticket."""
        return Response(services.ws_ticket_issue(user=request.user))
