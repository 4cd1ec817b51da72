from django.http import Http404
from django.shortcuts import get_object_or_404
from django_filters.utils import translate_validation
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsEmailVerified
from bantu.core.ids import uuid_or_none
from bantu.core.permissions import IsCompanyMember, company_roles, is_platform_admin, operator_with
from bantu.core.renderers import json_response, render_json
from bantu.core.throttling import SearchThrottle, UserWriteThrottle
from bantu.core.views import MethodPermissionsMixin
from jobs import cache, selectors, services
from jobs.api import serializers as s
from jobs.api.filters import JobSearchFilter
from jobs.api.pagination import JobSearchPagination
from jobs.models import Job
from jobs.permissions import IsJobEditor
from jobs.search import job_search

CACHE_HEADER = "X-Cache"
CACHE_HEADER_DOC = OpenApiParameter(CACHE_HEADER, str, OpenApiParameter.HEADER, response=True, enum=["HIT", "MISS"],
                                    description="`HIT` when served from the cache, else `MISS`.")


def _sees_private_jobs(user) -> bool:
    """Members and operators may see drafts and removed jobs, so their responses are never cached/shared."""
    return is_platform_admin(user) or bool(company_roles(user))


UNKNOWN_SLUG = "Invalid input, or a category or skill slug that does not exist (see `categories/`, `skills/`)."


class JobListCreateApi(MethodPermissionsMixin, generics.ListAPIView):
    """Search open jobs (anyone), or post a job (a member of the posting company).

    Public results are cached (Redis in service mode) under versioned keys: any change to a job, a company
    or the taxonomy makes the next search a MISS, so a closed, removed or edited job is never served stale.
    """

    method_permissions = {"GET": [permissions.AllowAny],
                          "POST": [permissions.IsAuthenticated, IsCompanyMember, IsEmailVerified]}
    serializer_class = s.JobListSerializer
    queryset = Job.objects.none()  # for the schema: jobs.search.job_search decides what a search reads
    filterset_class = JobSearchFilter  # parses and documents the parameters
    pagination_class = JobSearchPagination
    extra_error_responses = {method: {400: UNKNOWN_SLUG} for method in ("GET", "POST")}

    def get_throttles(self):
        if self.request.method == "GET":
            return [SearchThrottle()]
        return [UserWriteThrottle()]

    def throttle_read_keys(self, request) -> list[str]:
        """The cached answer's keys, read in the search throttle's Redis call (`bantu.core.throttling`): a hit then
        costs one round trip."""
        if request.method != "GET" or self._private(request):
            return []
        return cache.search_read_keys(self._cache_params(request))

    @extend_schema(tags=["jobs"], parameters=[CACHE_HEADER_DOC])
    def get(self, request, *args, **kwargs):
        """Search open jobs."""
        if self._private(request):
            return Response(self._search(request), headers={CACHE_HEADER: "MISS"})
        body, hit = cache.search_get_or_compute(self._cache_params(request),
                                                lambda: render_json(self._search(request)),
                                                found=getattr(request, "throttle_reads", None))
        return json_response(request, body, headers={CACHE_HEADER: "HIT" if hit else "MISS"})

    @staticmethod
    def _private(request) -> bool:
        """A company's own search by its members or operators: drafts included, never cached."""
        company_id = uuid_or_none(request.query_params.get("company"))  # a malformed one: 400 from the filters
        return company_id is not None and _sees_private_jobs(request.user)

    @staticmethod
    def _cache_params(request) -> list:
        # The body holds absolute next/previous links, so the host is part of the key.
        return [request.build_absolute_uri("/"), sorted(request.query_params.lists())]

    def _search(self, request) -> dict:
        filters = JobSearchFilter(request.query_params, queryset=self.queryset, request=request)
        if not filters.is_valid():
            raise translate_validation(filters.errors)
        found = job_search(user=request.user, params=filters.params())
        jobs = self.paginator.paginate_search(found, request)
        return self.paginator.get_paginated_data(s.JobListSerializer(jobs, many=True).data)

    @extend_schema(request=s.JobWriteSerializer, responses={201: s.JobDetailSerializer}, tags=["jobs"])
    def post(self, request):
        """Post a job."""
        data = s.JobWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        company = services.posting_company_for(user=request.user, company_id=fields.pop("company", None))
        job = services.job_create(company=company, posted_by=request.user, **fields)
        job = selectors.job_get_visible(user=request.user, job_id=job.pk)
        return Response(s.JobDetailSerializer(job).data, status=status.HTTP_201_CREATED)



class JobDetailApi(MethodPermissionsMixin, APIView):
    """A job. Drafts and removed jobs are visible only to the company's members and operators (others: 404).
    Editing: the company's owners and admins, or the member who posted it. DELETE deletes a draft and cancels
    an open job."""

    method_permissions = {"GET": [permissions.AllowAny],
                          "PATCH": [permissions.IsAuthenticated, IsJobEditor],
                          "DELETE": [permissions.IsAuthenticated, IsJobEditor]}
    extra_error_responses = {409: "The job's status does not allow this change.",
                             "PATCH": {400: UNKNOWN_SLUG}}

    def get_object(self, pk) -> Job:
        job = selectors.job_get_visible(user=self.request.user, job_id=pk)
        if job is None:
            raise Http404
        self.check_object_permissions(self.request, job)
        return job

    @extend_schema(responses={200: s.JobDetailSerializer}, parameters=[CACHE_HEADER_DOC], tags=["jobs"])
    def get(self, request, pk):
        if _sees_private_jobs(request.user):
            response = Response(s.JobDetailSerializer(self.get_object(pk)).data)
            response[CACHE_HEADER] = "MISS"
            return response
        body, hit = cache.detail_get_or_compute(
            pk, lambda: render_json(s.JobDetailSerializer(self.get_object(pk)).data))
        return json_response(request, body, headers={CACHE_HEADER: "HIT" if hit else "MISS"})

    @extend_schema(request=s.JobWriteSerializer(partial=True), responses={200: s.JobDetailSerializer}, tags=["jobs"])
    def patch(self, request, pk):
        job = self.get_object(pk)
        data = s.JobWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.job_update(job=job, actor=request.user, data=data.validated_data)
        return Response(s.JobDetailSerializer(self.get_object(pk)).data)

    @extend_schema(responses={204: None}, tags=["jobs"])
    def delete(self, request, pk):
        """Delete a draft job, or cancel an open one."""
        services.job_delete(job=self.get_object(pk), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


MODERATES_JOBS = operator_with("jobs.change_job", "Only operators who moderate jobs (the moderator group) may do this.")


class JobRemoveApi(APIView):
    """Operators who moderate jobs (the moderator group, superusers): remove a job with a reason. It vanishes
    from search and detail for everyone but its company and operators; its company is told why; the act is in
    the audit log."""

    permission_classes = [permissions.IsAuthenticated, MODERATES_JOBS]
    extra_error_responses = {409: "The job is already removed."}

    @extend_schema(request=s.JobRemoveSerializer, responses={200: s.JobDetailSerializer}, tags=["jobs"])
    def post(self, request, pk):
        data = s.JobRemoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = services.job_remove(job=get_object_or_404(Job, pk=pk), operator=request.user,
                                  reason=data.validated_data["reason"])
        return Response(s.JobDetailSerializer(selectors.job_get_visible(user=request.user, job_id=job.pk)).data)


class JobRestoreApi(APIView):
    """Operators who moderate jobs: undo a removal, optionally saying why (`reason`). The company is told; the act
    is in the audit log."""

    permission_classes = [permissions.IsAuthenticated, MODERATES_JOBS]
    extra_error_responses = {409: "The job is not removed."}

    @extend_schema(request=s.JobRestoreSerializer, responses={200: s.JobDetailSerializer}, tags=["jobs"])
    def post(self, request, pk):
        data = s.JobRestoreSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = services.job_restore(job=get_object_or_404(Job, pk=pk), operator=request.user,
                                   reason=data.validated_data.get("reason", ""))
        return Response(s.JobDetailSerializer(selectors.job_get_visible(user=request.user, job_id=job.pk)).data)
