from django.db.models import Q
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsFreelancer
from bantu.core.views import MethodPermissionsMixin
from freelancers import selectors, services
from freelancers.api import serializers as s
from freelancers.api.filters import FreelancerFilter


class FreelancerListApi(generics.ListAPIView):
    """Public search of freelancers by skill, location, rate and availability."""

    permission_classes = [permissions.AllowAny]
    serializer_class = s.FreelancerProfileSerializer
    filterset_class = FreelancerFilter

    def get_queryset(self):
        return selectors.freelancer_list()

    @extend_schema(tags=["freelancers"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class FreelancerDetailApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={200: s.FreelancerProfileSerializer}, tags=["freelancers"])
    def get(self, request, pk):
        # The id a proposal, contract or conversation gives for its freelancer is the user's: it opens the
        # profile too (PRODUCT.md §1: one id per freelancer), as does the profile's own id.
        profile = get_object_or_404(selectors.freelancer_list(), Q(pk=pk) | Q(user_id=pk))
        return Response(s.FreelancerProfileSerializer(profile).data)


class MeFreelancerProfileApi(MethodPermissionsMixin, APIView):
    """Your freelancer profile. POST creates it (adds the freelancer role to your account)."""

    method_permissions = {
        "POST": [permissions.IsAuthenticated],
        "GET": [permissions.IsAuthenticated, IsFreelancer],
        "PATCH": [permissions.IsAuthenticated, IsFreelancer],
    }
    extra_error_responses = {409: "You already have a freelancer profile (POST)."} | {
        method: {400: "Invalid input, or a skill slug that does not exist (see `skills/`)."} for method in ("POST",
                                                                                                       "PATCH")}

    def _profile(self):
        return get_object_or_404(selectors.freelancer_list(), user=self.request.user)

    @extend_schema(request=s.FreelancerProfileWriteSerializer, responses={201: s.FreelancerProfileSerializer},
                   tags=["me"])
    def post(self, request):
        data = s.FreelancerProfileWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.freelancer_profile_create(user=request.user, data=data.validated_data)
        return Response(s.FreelancerProfileSerializer(self._profile()).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: s.FreelancerProfileSerializer}, tags=["me"])
    def get(self, request):
        return Response(s.FreelancerProfileSerializer(self._profile()).data)

    @extend_schema(request=s.FreelancerProfileWriteSerializer(partial=True),
                   responses={200: s.FreelancerProfileSerializer}, tags=["me"])
    def patch(self, request):
        profile = self._profile()
        data = s.FreelancerProfileWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.freelancer_profile_update(profile=profile, data=data.validated_data)
        return Response(s.FreelancerProfileSerializer(self._profile()).data)
