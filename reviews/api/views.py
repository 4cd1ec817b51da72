from django.db.models import Q
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from bantu.core.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from bantu.core.permissions import operator_with
from bantu.core.views import no_body
from companies.selectors import company_list
from freelancers.selectors import freelancer_list
from proposals.selectors import contract_visible_to
from reviews import selectors, services
from reviews.api import serializers as s
from reviews.api.filters import MyReviewFilter
from reviews.models import Review

TAGS = ["reviews"]


class ReviewListCreateApi(generics.ListAPIView):
    """Your reviews (GET): those your side wrote, pending ones included (a pending review is seen by its own side
    only), and the published reviews of you, newest first. POST reviews the other side of a completed contract:
    the freelancer reviews the company; an owner or admin reviews the freelancer, with communication, quality
    and timeliness too. Reviews are double-blind: one stays pending until the other side's is in (then both are
    published) or until the review window closes (`REVIEW_WINDOW_DAYS`, 14, after the contract completed)."""

    serializer_class = s.ReviewSerializer
    filterset_class = MyReviewFilter
    extra_error_responses = {
        "POST": {
            404: "No such contract, or it is not yours.",
            409: "The contract is not completed, its review window closed, or your side already reviewed it.",
            422: "Idempotency-Key reused with another body.",
        }
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Review.objects.none()
        return selectors.review_list_mine(user=self.request.user, direction=self.request.query_params.get("direction"))

    @extend_schema(tags=TAGS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=s.ReviewCreateSerializer,
        responses={201: s.ReviewSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        tags=TAGS,
    )
    @idempotent
    def post(self, request):
        data = s.ReviewCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        contract_id = fields.pop("contract")
        if not contract_visible_to(request.user).filter(pk=contract_id).exists():
            raise Http404
        review = services.review_create(contract_id=contract_id, author=request.user, **fields)
        return Response(s.ReviewSerializer(self._fresh(review)).data, status=status.HTTP_201_CREATED)

    def _fresh(self, review):
        return selectors.review_visible_to(self.request.user).get(pk=review.pk)


class _ReviewApi(APIView):
    """A review the caller can see (else 404: a pending review is not there for the other side), then the class's
    rules (else 403)."""

    def get_review(self, pk) -> Review:
        review = selectors.review_visible_to(self.request.user).filter(pk=pk).first()
        if review is None:
            raise Http404
        self.check_object_permissions(self.request, review)
        return review

    def render(self, review) -> Response:
        return Response(s.ReviewSerializer(selectors.review_visible_to(self.request.user).get(pk=review.pk)).data)


class ReviewDetailApi(_ReviewApi):
    """A review (GET). Its own side may change it while it is pending (PATCH); once published it is final."""

    extra_error_responses = {"PATCH": {409: "The review is published and can no longer be edited."}}

    @extend_schema(responses={200: s.ReviewSerializer}, tags=TAGS)
    def get(self, request, pk):
        return Response(s.ReviewSerializer(self.get_review(pk)).data)

    @extend_schema(request=s.ReviewWriteSerializer(partial=True), responses={200: s.ReviewSerializer}, tags=TAGS)
    def patch(self, request, pk):
        review = self.get_review(pk)
        data = s.ReviewWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        return self.render(services.review_update(review_id=review.pk, actor=request.user, data=data.validated_data))


class ReviewReplyApi(_ReviewApi):
    """The reviewed party (the freelancer, or an owner or admin of the company) answers a published review, once."""

    extra_error_responses = {409: "The review already has its reply."}

    @extend_schema(request=s.ReviewReplyCreateSerializer, responses={201: s.ReviewSerializer}, tags=TAGS)
    def post(self, request, pk):
        review = self.get_review(pk)
        data = s.ReviewReplyCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.review_reply(review_id=review.pk, actor=request.user, body=data.validated_data["body"])
        response = self.render(review)
        response.status_code = status.HTTP_201_CREATED
        return response


MODERATES_REVIEWS = operator_with("reviews.change_review",
                                  "Only operators who moderate reviews (the moderator group) may do this.")


class ReviewHideApi(APIView):
    """Operators who moderate reviews: hide a review with a reason (told to its author). It leaves public lists and
    the reviewed party's rating until it is unhidden. Writes an audit row."""

    permission_classes = [permissions.IsAuthenticated, MODERATES_REVIEWS]
    extra_error_responses = {409: "The review is already hidden."}

    @extend_schema(request=s.ReviewHideSerializer, responses={200: s.ReviewSerializer}, tags=TAGS)
    def post(self, request, pk):
        review = _review_or_404(pk)
        data = s.ReviewHideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.review_hide(review, by=request.user, reason=data.validated_data["reason"])
        return Response(s.ReviewSerializer(selectors.review_visible_to(request.user).get(pk=review.pk)).data)


class ReviewUnhideApi(APIView):
    """Operators who moderate reviews: show a hidden review again. Writes an audit row."""

    permission_classes = [permissions.IsAuthenticated, MODERATES_REVIEWS]
    extra_error_responses = {409: "The review is not hidden."}

    @extend_schema(request=None, responses={200: s.ReviewSerializer}, tags=TAGS)
    @no_body
    def post(self, request, pk):
        review = services.review_unhide(_review_or_404(pk), by=request.user)
        return Response(s.ReviewSerializer(selectors.review_visible_to(request.user).get(pk=review.pk)).data)


def _review_or_404(pk) -> Review:
    review = Review.objects.filter(pk=pk).first()
    if review is None:
        raise Http404
    return review


class FreelancerReviewsApi(generics.ListAPIView):
    """Companies' published reviews of a freelancer (by the profile's id or the user's), newest first. Pending
    and hidden reviews are not listed."""

    permission_classes = [permissions.AllowAny]
    serializer_class = s.ReviewSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Review.objects.none()
        pk = self.kwargs["pk"]
        user_id = freelancer_list().filter(Q(pk=pk) | Q(user_id=pk)).values_list("user_id", flat=True).first()
        if user_id is None:
            raise Http404
        return selectors.review_list_of_freelancer(user_id=user_id)

    @extend_schema(tags=TAGS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class CompanyReviewsApi(generics.ListAPIView):
    """Freelancers' published reviews of a company, newest first. Pending and hidden reviews are not listed."""

    permission_classes = [permissions.AllowAny]
    serializer_class = s.ReviewSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Review.objects.none()
        if not company_list().filter(pk=self.kwargs["pk"]).exists():
            raise Http404
        return selectors.review_list_of_company(company_id=self.kwargs["pk"])

    @extend_schema(tags=TAGS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
