from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from bantu.core.permissions import IsCompanyAdmin, IsCompanyMember
from bantu.core.views import MethodPermissionsMixin
from companies import selectors, services
from companies.api import serializers as s
from companies.api.filters import CompanyFilter
from companies.models import Company, Membership


class CompanyListCreateApi(MethodPermissionsMixin, generics.ListAPIView):
    """Public directory of companies; any signed-in user may create one and becomes its owner."""

    method_permissions = {"GET": [permissions.AllowAny]}
    serializer_class = s.CompanySerializer
    filterset_class = CompanyFilter

    def get_queryset(self):
        return selectors.company_list()

    @extend_schema(request=s.CompanyWriteSerializer, responses={201: s.CompanySerializer}, tags=["companies"])
    def post(self, request):
        data = s.CompanyWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        company = services.company_create(owner=request.user, **data.validated_data)
        return Response(s.CompanySerializer(company).data, status=status.HTTP_201_CREATED)

    @extend_schema(tags=["companies"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class CompanyDetailApi(MethodPermissionsMixin, APIView):
    """A company's public page; its owners and admins edit it."""

    method_permissions = {"GET": [permissions.AllowAny], "PATCH": [permissions.IsAuthenticated, IsCompanyAdmin]}

    def get_object(self, pk):
        company = get_object_or_404(Company, pk=pk)
        self.check_object_permissions(self.request, company)
        return company

    @extend_schema(responses={200: s.CompanySerializer}, tags=["companies"])
    def get(self, request, pk):
        return Response(s.CompanySerializer(self.get_object(pk)).data)

    @extend_schema(request=s.CompanyWriteSerializer(partial=True), responses={200: s.CompanySerializer},
                   tags=["companies"])
    def patch(self, request, pk):
        company = self.get_object(pk)
        data = s.CompanyWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        company = services.company_update(company=company, data=data.validated_data)
        return Response(s.CompanySerializer(company).data)


class CompanyMembersApi(MethodPermissionsMixin, generics.ListAPIView):
    """Members of a company (members only); owners and admins add existing users by email."""

    method_permissions = {"GET": [permissions.IsAuthenticated, IsCompanyMember],
                          "POST": [permissions.IsAuthenticated, IsCompanyAdmin]}
    serializer_class = s.MembershipSerializer
    extra_error_responses = {409: "The user is already a member."}

    def get_company(self):
        company = get_object_or_404(Company, pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, company)
        return company

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        return selectors.company_members(company=self.get_company())

    @extend_schema(tags=["companies"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=s.MembershipCreateSerializer, responses={201: s.MembershipSerializer}, tags=["companies"])
    def post(self, request, pk):
        """Add a member to a company."""
        company = self.get_company()
        data = s.MembershipCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.membership_add(company=company, actor=request.user, **data.validated_data)
        return Response(s.MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


class CompanyMemberDetailApi(MethodPermissionsMixin, APIView):
    """Change a member's role (owners/admins) or remove a member (managers, or the member leaving)."""

    method_permissions = {"PATCH": [permissions.IsAuthenticated, IsCompanyAdmin],
                          "DELETE": [permissions.IsAuthenticated, IsCompanyMember]}
    extra_error_responses = {409: "The company would be left without an owner."}

    def get_object(self, pk, membership_id):
        membership = get_object_or_404(Membership.objects.select_related("company", "user"),
                                       pk=membership_id, company_id=pk)
        self.check_object_permissions(self.request, membership)
        return membership

    @extend_schema(request=s.MembershipUpdateSerializer, responses={200: s.MembershipSerializer}, tags=["companies"])
    def patch(self, request, pk, membership_id):
        """Change a member's role."""
        membership = self.get_object(pk, membership_id)
        data = s.MembershipUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.membership_change_role(membership=membership, actor=request.user,
                                                     role=data.validated_data["role"])
        return Response(s.MembershipSerializer(membership).data)

    @extend_schema(responses={204: None}, tags=["companies"])
    def delete(self, request, pk, membership_id):
        """Remove a member from a company."""
        services.membership_remove(membership=self.get_object(pk, membership_id), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
