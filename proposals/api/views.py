from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsEmailVerified, IsFreelancer
from bantu.core.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from bantu.core.permissions import IsCompanyMember
from bantu.core.views import no_body
from jobs.selectors import job_get_visible
from proposals import selectors, services
from proposals.api import serializers as s
from proposals.api.filters import MyProposalFilter, ProposalFilter
from proposals.models import Contract, Milestone, Offer, Proposal
from proposals.permissions import IsProposalCompanySide, IsProposalFreelancer, IsProposalParty

TAGS = ["proposals"]


def _visible_job(request, pk):
    job = job_get_visible(user=request.user, job_id=pk)
    if job is None:
        raise Http404
    return job


class JobApplyApi(APIView):
    """Apply to an open job (freelancers; never to a job of your own company). One proposal per job."""

    permission_classes = [permissions.IsAuthenticated, IsFreelancer, IsEmailVerified]
    extra_error_responses = {409: "Already applied, or the job is not open.",
                             422: "Idempotency-Key reused with another body."}

    @extend_schema(request=s.ApplySerializer, responses={201: s.ProposalSerializer},
                   parameters=[IDEMPOTENCY_PARAMETER], tags=TAGS)
    @idempotent
    def post(self, request, pk):
        job = _visible_job(request, pk)
        data = s.ApplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = services.proposal_submit(job=job, freelancer=request.user, **data.validated_data)
        proposal = selectors.proposal_visible_to(request.user).get(pk=proposal.pk)
        return Response(s.ProposalSerializer(proposal).data, status=status.HTTP_201_CREATED)


class JobProposalsApi(generics.ListAPIView):
    """Proposals to a job: members of the job's company only."""

    permission_classes = [permissions.IsAuthenticated, IsCompanyMember]
    serializer_class = s.ProposalSerializer
    filterset_class = ProposalFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Proposal.objects.none()
        job = _visible_job(self.request, self.kwargs["pk"])
        self.check_object_permissions(self.request, job)
        return selectors.proposal_list_for_job(job=job)

    @extend_schema(tags=TAGS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ProposalListApi(generics.ListAPIView):
    """Your proposals: those you sent as a freelancer and those to your companies' jobs."""

    serializer_class = s.ProposalSerializer
    filterset_class = MyProposalFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Proposal.objects.none()
        side = self.request.query_params.get("side")
        return selectors.proposal_list_mine(user=self.request.user, side=side)

    @extend_schema(tags=TAGS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class _ProposalApi(APIView):
    """A proposal the caller can see (else 404), then the class's permission (else 403)."""

    def get_proposal(self, pk) -> Proposal:
        proposal = selectors.proposal_visible_to(self.request.user).filter(pk=pk).first()
        if proposal is None:
            raise Http404
        self.check_object_permissions(self.request, proposal)
        return proposal

    def render(self, proposal, code=status.HTTP_200_OK):
        fresh = selectors.proposal_visible_to(self.request.user).get(pk=proposal.pk)
        return Response(s.ProposalSerializer(fresh).data, status=code)


class ProposalDetailApi(_ProposalApi):
    """A proposal: its freelancer, the job's company, operators."""

    @extend_schema(responses={200: s.ProposalSerializer}, tags=TAGS)
    def get(self, request, pk):
        return Response(s.ProposalSerializer(self.get_proposal(pk)).data)


class ProposalOffersApi(_ProposalApi, generics.ListAPIView):
    """The negotiation history, oldest first, one page at a time (GET), or a counter offer from either side
    (POST)."""

    serializer_class = s.OfferSerializer
    extra_error_responses = {409: "The proposal or the job no longer allows offers.",
                             422: "Idempotency-Key reused with another body."}

    def get_permissions(self):
        if self.request.method == "POST":
            return [permissions.IsAuthenticated(), IsProposalParty()]
        return super().get_permissions()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Offer.objects.none()
        return selectors.offer_history(proposal=self.get_proposal(self.kwargs["pk"]))

    @extend_schema(tags=TAGS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=s.CounterOfferSerializer, responses={201: s.OfferSerializer},
                   parameters=[IDEMPOTENCY_PARAMETER], tags=TAGS)
    @idempotent
    def post(self, request, pk):
        proposal = self.get_proposal(pk)
        data = s.CounterOfferSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        offer = services.offer_counter(proposal=proposal, actor=request.user, **data.validated_data)
        return Response(s.OfferSerializer(offer).data, status=status.HTTP_201_CREATED)


class ProposalAcceptApi(_ProposalApi):
    """Accept the latest offer (only the side that did not make it): creates the contract and its milestones,
    moves the job to in_progress and declines the job's other proposals, atomically."""

    permission_classes = [permissions.IsAuthenticated, IsProposalParty]
    extra_error_responses = {409: "Not acceptable now (own offer, closed proposal, job filled).",
                             422: "Idempotency-Key reused with another body."}

    @extend_schema(request=s.AcceptSerializer, responses={201: s.ContractSerializer},
                   parameters=[IDEMPOTENCY_PARAMETER], tags=TAGS)
    @idempotent
    def post(self, request, pk):
        """Accept the latest offer."""
        proposal = self.get_proposal(pk)
        data = s.AcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contract = services.proposal_accept(proposal=proposal, actor=request.user,
                                            milestones=data.validated_data.get("milestones"))
        contract = selectors.contract_visible_to(request.user).get(pk=contract.pk)
        return Response(s.ContractSerializer(contract).data, status=status.HTTP_201_CREATED)


class ProposalDeclineApi(_ProposalApi):
    """Decline a proposal (members of the job's company)."""

    permission_classes = [permissions.IsAuthenticated, IsProposalCompanySide]
    extra_error_responses = {409: "The proposal can no longer be declined."}

    @extend_schema(request=s.DeclineSerializer, responses={200: s.ProposalSerializer}, tags=TAGS)
    def post(self, request, pk):
        proposal = self.get_proposal(pk)
        data = s.DeclineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self.render(services.proposal_decline(proposal=proposal, actor=request.user, **data.validated_data))


class ProposalWithdrawApi(_ProposalApi):
    """Withdraw your proposal (its freelancer)."""

    permission_classes = [permissions.IsAuthenticated, IsProposalFreelancer]
    extra_error_responses = {409: "The proposal can no longer be withdrawn."}

    @extend_schema(request=None, responses={200: s.ProposalSerializer}, tags=TAGS)
    @no_body
    def post(self, request, pk):
        return self.render(services.proposal_withdraw(proposal=self.get_proposal(pk), actor=request.user))


class ProposalShortlistApi(_ProposalApi):
    """Shortlist a submitted proposal (members of the job's company)."""

    permission_classes = [permissions.IsAuthenticated, IsProposalCompanySide]
    extra_error_responses = {409: "Only a submitted proposal can be shortlisted."}

    @extend_schema(request=None, responses={200: s.ProposalSerializer}, tags=TAGS)
    @no_body
    def post(self, request, pk):
        return self.render(services.proposal_shortlist(proposal=self.get_proposal(pk), actor=request.user))


class ContractListApi(generics.ListAPIView):
    """Your contracts, as freelancer or as a member of the company."""

    serializer_class = s.ContractSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Contract.objects.none()
        return selectors.contract_visible_to(self.request.user)

    @extend_schema(tags=["contracts"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ContractDetailApi(APIView):
    @extend_schema(responses={200: s.ContractSerializer}, tags=["contracts"])
    def get(self, request, pk):
        contract = selectors.contract_visible_to(request.user).filter(pk=pk).first()
        if contract is None:
            raise Http404
        return Response(s.ContractSerializer(contract).data)


class ContractMilestonesApi(generics.ListAPIView):
    """A contract's milestones in plan order: its freelancer, members of its company, operators."""

    serializer_class = s.MilestoneSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Milestone.objects.none()
        contract_id = self.kwargs["pk"]
        if not selectors.contract_visible_to(self.request.user).filter(pk=contract_id).exists():
            raise Http404
        return selectors.milestone_list_for_contract(contract_id=contract_id)

    @extend_schema(tags=["contracts"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
