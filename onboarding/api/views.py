"""Signing up with a role (email and password, or Google) and `me/`: the endpoints that span accounts, companies
and freelancers. The rest of authentication is the accounts app's (accounts/api/)."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.api.serializers import TokenPairSerializer
from accounts.api.views import PublicAuthApi, language_of, user_agent_of
from bantu.core import throttling
from onboarding import services as onboarding_services
from onboarding.api import serializers as s


class RegisterApi(PublicAuthApi):
    """Create an account as a freelancer or as a company (which creates the company, owned by you). A
    verification link is mailed (in the `Accept-Language` of the request: Indonesian or English, default
    Indonesian); until it is used, the account can sign in and browse but not post jobs, apply, fund or
    withdraw."""

    throttle_classes = [throttling.RegisterIPThrottle, throttling.RegisterEmailThrottle]

    @extend_schema(request=s.RegisterSerializer, responses={201: s.RegisterResponseSerializer}, tags=["auth"])
    def post(self, request):
        data = s.RegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = onboarding_services.user_register(**data.validated_data, language=language_of(request))
        tokens = services.tokens_issue(user=user, user_agent=user_agent_of(request))
        return Response({**tokens, "user": s.MeSerializer(user).data}, status=status.HTTP_201_CREATED)


class GoogleSignInApi(PublicAuthApi):
    """Sign in with Google: post the ID token your app got from Google (OpenID Connect). Signs in the account
    linked to that Google account, or links the verified account with its email, or creates one with `role`
    (201). Answers the same token pair as `auth/token/`."""

    throttle_classes = [throttling.GoogleSignInIPThrottle]
    extra_error_responses = {
        401: "The ID token is invalid (signature, expiry, audience, issuer) or Google has not verified the email.",
        403: "The account is suspended.",
        409: "An account with this email exists but its email is not verified.",
        503: "Sign in with Google is not configured, or Google's keys cannot be fetched (retry after `Retry-After`).",
    }

    @extend_schema(request=s.GoogleSignInSerializer, responses={200: TokenPairSerializer,
                                                              201: TokenPairSerializer}, tags=["auth"])
    def post(self, request):
        data = s.GoogleSignInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        user, created = onboarding_services.google_sign_in(id_token=fields["id_token"], role=fields.get("role"),
                                                           company_name=fields.get("company_name", ""),
                                                           language=language_of(request))
        tokens = services.tokens_issue(user=user, user_agent=user_agent_of(request))
        return Response(tokens, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class MeApi(APIView):
    """You: profile, roles, companies, whether your email is verified. PATCH with `email` mails a confirmation
    link to the new address; the email changes when it is used."""

    @extend_schema(responses={200: s.MeSerializer}, tags=["me"])
    def get(self, request):
        """Get your account: profile, roles, companies."""
        return Response(s.MeSerializer(request.user).data)

    @extend_schema(request=s.MeUpdateSerializer, responses={200: s.MeSerializer}, tags=["me"])
    def patch(self, request):
        """Update your account."""
        data = s.MeUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_update(user=request.user, data=data.validated_data, language=language_of(request))
        return Response(s.MeSerializer(user).data)
