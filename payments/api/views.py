from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, permissions, serializers, status
from rest_framework.parsers import FormParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsEmailVerified, IsFreelancer
from bantu.core.exceptions import ApplicationError, Conflict
from bantu.core.idempotency import IDEMPOTENCY_PARAMETER, idempotent, idempotent_outside_transaction
from bantu.core.parsers import StrictJSONParser
from bantu.core.renderers import JSONRenderer
from bantu.core.views import MethodPermissionsMixin, ProblemsAsJSONMixin, no_body
from proposals.api.serializers import MilestoneSerializer
from proposals.models import Milestone
from proposals.selectors import contract_visible_to, milestone_visible, milestone_visible_or_none

from .. import errors, selectors
from ..gateways import sandbox
from ..models import Entry, Payment, Payout
from ..permissions import (
    IsContractCompanyManager,
    IsContractFreelancer,
    IsContractMoneyParty,
    IsContractMoneyPartyOrOperator,
)
from ..services import escrow, payouts, webhooks
from . import serializers as s
from .renderers import SandboxCheckoutHTMLRenderer

TAGS = ["payments"]
MILESTONE_TAGS = ["contracts"]


class _MilestoneApi(APIView):
    """A milestone the caller can see (else 404), then the class's object permission (else 403).

    The actions that change a milestone under its lock (submit, approve, dispute) do not read it first: their
    service locks it and calls `authorize` on the locked row before it changes anything, so the request reads
    the milestone once (docs/benchmarks.md, escrow). A caller who may not see it gets the same 404 either way."""

    def get_milestone(self, pk) -> Milestone:
        milestone = milestone_visible_or_none(self.request.user, pk)
        if milestone is None:
            raise Http404
        self.check_object_permissions(self.request, milestone)
        return milestone

    def authorize(self, milestone: Milestone) -> None:
        """For a service holding the milestone's lock: Http404 unless the caller may see it (its contract's
        freelancer, a member of its company, an operator), then the class's object permissions (403)."""
        if not milestone_visible(self.request.user, milestone):
            raise Http404
        self.check_object_permissions(self.request, milestone)

    def act(self, service, pk, **kwargs):
        """Run a milestone service with this request's caller and `authorize`; 404 for a milestone that does not
        exist."""
        try:
            return service(milestone_id=pk, actor=self.request.user, authorize=self.authorize, **kwargs)
        except Milestone.DoesNotExist:
            raise Http404 from None

    def render(self, milestone: Milestone) -> Response:
        """The milestone as the service left it: it read the row under its lock and saved every change."""
        return Response(MilestoneSerializer(milestone).data)


class MilestoneFundApi(_MilestoneApi):
    """Pay a milestone into escrow (owners and admins of the contract's company). Answers the pending payment
    with its `checkout_url`; the milestone becomes `funded` when the gateway confirms the payment."""

    permission_classes = [permissions.IsAuthenticated, IsEmailVerified, IsContractCompanyManager]
    extra_error_responses = {409: "Already funded, a checkout is already open, or the contract is not active.",
                             422: "Idempotency-Key reused with another body.",
                             502: "The gateway refused the checkout.",
                             503: "The gateway is unavailable (retry after `Retry-After`)."}

    @extend_schema(request=s.FundSerializer, responses={201: s.PaymentSerializer},
                   parameters=[IDEMPOTENCY_PARAMETER], tags=MILESTONE_TAGS)
    @idempotent_outside_transaction
    def post(self, request, pk):
        milestone = self.get_milestone(pk)
        data = s.FundSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payment = escrow.milestone_fund(milestone_id=milestone.pk, actor=request.user,
                                        gateway=data.validated_data.get("gateway"))
        payment = selectors.payment_visible_to(request.user).get(pk=payment.pk)
        return Response(s.PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)


class MilestoneSubmitApi(_MilestoneApi):
    """The freelancer delivers a funded milestone. The company approves it, or it is approved automatically at
    `auto_approve_at`."""

    permission_classes = [permissions.IsAuthenticated, IsContractFreelancer]
    extra_error_responses = {409: "The milestone is not funded, or is already submitted or settled."}

    @extend_schema(request=s.SubmitSerializer, responses={200: MilestoneSerializer}, tags=MILESTONE_TAGS)
    def post(self, request, pk):
        data = s.SubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self.render(self.act(escrow.milestone_submit, pk, **data.validated_data))


class MilestoneApproveApi(_MilestoneApi):
    """Release the escrow to the freelancer's wallet minus the platform fee (owners and admins of the contract's
    company). The contract and its job complete when every milestone is settled."""

    permission_classes = [permissions.IsAuthenticated, IsContractCompanyManager]
    extra_error_responses = {409: "The milestone is not funded, is disputed, or is already released.",
                             422: "Idempotency-Key reused with another body."}

    @extend_schema(request=None, responses={200: MilestoneSerializer}, parameters=[IDEMPOTENCY_PARAMETER],
                   tags=MILESTONE_TAGS)
    @idempotent
    @no_body
    def post(self, request, pk):
        return self.render(self.act(escrow.milestone_approve, pk))


class MilestoneDisputeApi(_MilestoneApi):
    """Freeze a funded or submitted milestone for operators (the freelancer, or the company's owners and
    admins). Operators resolve it by release, refund or a split."""

    permission_classes = [permissions.IsAuthenticated, IsContractMoneyParty]
    extra_error_responses = {409: "The milestone is not funded, already disputed, or settled."}

    @extend_schema(request=s.DisputeCreateSerializer, responses={201: s.DisputeSerializer}, tags=MILESTONE_TAGS)
    def post(self, request, pk):
        data = s.DisputeCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        dispute = self.act(escrow.milestone_dispute, pk, **data.validated_data)
        return Response(s.DisputeSerializer(dispute).data, status=status.HTTP_201_CREATED)


class ContractStatementApi(APIView):
    """The contract's escrow statement from the ledger: funded, released, fees, refunds and what escrow still
    holds, per milestone and in total (integer rupiah). For the freelancer, the company's owners and admins,
    and operators."""

    permission_classes = [permissions.IsAuthenticated, IsContractMoneyPartyOrOperator]

    @extend_schema(responses={200: s.StatementSerializer}, tags=MILESTONE_TAGS)
    def get(self, request, pk):
        """Get a contract's escrow statement."""
        contract = contract_visible_to(request.user).filter(pk=pk).first()
        if contract is None:
            raise Http404
        self.check_object_permissions(request, contract)
        return Response(s.StatementSerializer(selectors.contract_statement(contract=contract)).data)


class PaymentListApi(generics.ListAPIView):
    """Payments of the companies you manage (owner/admin) and payments to you as a freelancer."""

    serializer_class = s.PaymentSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Payment.objects.none()
        return selectors.payment_visible_to(self.request.user)

    @extend_schema(tags=TAGS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class PaymentDetailApi(APIView):
    @extend_schema(responses={200: s.PaymentSerializer}, tags=TAGS)
    def get(self, request, pk):
        payment = selectors.payment_visible_to(request.user).filter(pk=pk).first()
        if payment is None:
            raise Http404
        return Response(s.PaymentSerializer(payment).data)


class WalletApi(APIView):
    """Your wallet (freelancers): what you can withdraw, what is in escrow for you, what is on its way."""

    permission_classes = [permissions.IsAuthenticated, IsFreelancer]

    @extend_schema(responses={200: s.WalletSerializer}, tags=TAGS)
    def get(self, request):
        return Response(s.WalletSerializer(selectors.wallet_summary(user=request.user)).data)


class WalletTransactionsApi(generics.ListAPIView):
    """The ledger lines of your wallet, newest first, each with your balance after it."""

    permission_classes = [permissions.IsAuthenticated, IsFreelancer]
    serializer_class = s.WalletEntrySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Entry.objects.none()
        return selectors.wallet_entries(user=self.request.user)

    @extend_schema(tags=TAGS)
    def get(self, request, *args, **kwargs):
        """List your wallet's ledger lines."""
        return super().get(request, *args, **kwargs)


class PayoutListApi(MethodPermissionsMixin, generics.ListAPIView):
    """Your withdrawals (GET); withdraw from your wallet to an Indonesian bank account (POST; your email must be
    verified). The money leaves your available balance at once; a failed payout returns it."""

    permission_classes = [permissions.IsAuthenticated, IsFreelancer]
    method_permissions = {"POST": [permissions.IsAuthenticated, IsFreelancer, IsEmailVerified]}
    serializer_class = s.PayoutSerializer
    extra_error_responses = {409: "The amount is more than your available balance.",
                             422: "Idempotency-Key reused with another body."}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Payout.objects.none()
        return selectors.payout_list_mine(user=self.request.user)

    @extend_schema(tags=TAGS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=s.PayoutCreateSerializer, responses={201: s.PayoutSerializer},
                   parameters=[IDEMPOTENCY_PARAMETER], tags=TAGS)
    @idempotent_outside_transaction
    def post(self, request):
        data = s.PayoutCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payout = payouts.payout_request(user=request.user, **data.validated_data)
        return Response(s.PayoutSerializer(payout).data, status=status.HTTP_201_CREATED)


class PayoutDetailApi(APIView):
    permission_classes = [permissions.IsAuthenticated, IsFreelancer]

    @extend_schema(responses={200: s.PayoutSerializer}, tags=TAGS)
    def get(self, request, pk):
        payout = selectors.payout_list_mine(user=request.user).filter(pk=pk).first()
        if payout is None:
            raise Http404
        return Response(s.PayoutSerializer(payout).data)


class _WebhookApi(APIView):
    """Gateways authenticate with their own token or signature, never with a user's JWT."""

    gateway = ""
    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    extra_error_responses = {401: "Forged: wrong or missing token/signature.",
                             404: "Unknown payment, payout or refund (the gateway retries).",
                             422: "The amount or currency does not match ours.",
                             503: "The callback could not be confirmed with the gateway (it retries)."}

    def post(self, request):
        result = webhooks.webhook_receive(gateway=self.gateway, headers=request.headers, body=request.body)
        if result.status >= 400:
            raise _CallbackError(result)
        return Response({"outcome": result.outcome})


class _CallbackError(ApplicationError):
    def __init__(self, result):
        super().__init__(result.detail, code=result.code)
        self.status_code = result.status
        self.retry_after = 60 if result.status == 503 else None


WEBHOOK_SCHEMA = {"request": OpenApiTypes.OBJECT, "responses": {200: s.WebhookAckSerializer}, "tags": ["webhooks"]}


class XenditWebhookApi(_WebhookApi):
    """Xendit callbacks: invoices (paid, expired), payouts and refunds. Authenticated by the `x-callback-token`
    header (constant-time compare). Applied once per event; a replay answers 200 and changes nothing."""

    gateway = "xendit"

    @extend_schema(**WEBHOOK_SCHEMA)
    def post(self, request):
        return super().post(request)


# What `MidtransGateway.parse_callback` reads before it checks the signature (anything else is a 400
# malformed_callback); Midtrans sends more fields, which are allowed and not read. Documentation only: the
# adapter parses the raw body itself.
MIDTRANS_NOTIFICATION = inline_serializer("MidtransNotification", {
    "order_id": serializers.RegexField(r"^[A-Za-z0-9._~-]{1,50}$",
                                       help_text="Our payment's order id (not `.` or `..`)."),
    "status_code": serializers.CharField(),
    "gross_amount": serializers.RegexField(r"^(?:0[0-9]{15}|[0-9]{1,15})(?:\.0{1,4})?$",
                                           help_text="Whole rupiah as a decimal string, e.g. `150000.00`."),
    "signature_key": serializers.CharField(required=False, allow_blank=True, help_text=(
        "Hex SHA-512 of order_id + status_code + gross_amount + server key.")),
})


class MidtransWebhookApi(_WebhookApi):
    """Midtrans HTTP notifications. Verified by `signature_key` (SHA-512 of order id, status code, gross amount
    and the server key) and confirmed with the status API before money moves. Applied once per event."""

    gateway = "midtrans"

    @extend_schema(**(WEBHOOK_SCHEMA | {"request": MIDTRANS_NOTIFICATION}))
    def post(self, request):
        return super().post(request)


class SandboxCheckoutApi(ProblemsAsJSONMixin, APIView):
    """The sandbox gateway's checkout page (sandbox payments only). GET shows the payment (HTML for browsers,
    JSON otherwise); POST `outcome` `paid` or `failed` completes it through the same callback path as a real
    gateway. No sign-in: like a gateway's page, the link is the capability."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    parser_classes = [StrictJSONParser, FormParser]
    renderer_classes = [JSONRenderer, SandboxCheckoutHTMLRenderer]
    extra_error_responses = {409: "The payment is no longer pending."}

    def _payment(self, pk) -> Payment:
        payment = Payment.objects.select_related("milestone", "contract__job").filter(
            pk=pk, gateway=Payment.Gateway.SANDBOX).first()
        if payment is None:
            raise Http404
        return payment

    @extend_schema(responses={200: OpenApiResponse(s.SandboxCheckoutSerializer,
                                                   description="JSON, or the HTML page for browsers.")},
                   tags=TAGS)
    def get(self, request, pk):
        """Sandbox checkout: show the payment."""
        return Response(s.SandboxCheckoutSerializer(self._payment(pk)).data)

    @extend_schema(request=s.SandboxPaySerializer, responses={200: s.SandboxCheckoutSerializer}, tags=TAGS)
    def post(self, request, pk):
        """Sandbox checkout: pay or fail the payment."""
        payment = self._payment(pk)
        data = s.SandboxPaySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if payment.status != Payment.Status.PENDING:
            raise Conflict(f"This payment is {payment.status}.", code=errors.PAYMENT_NOT_PENDING)
        outcome = data.validated_data["outcome"]
        headers, body = sandbox.callback(kind="payment", reference=payment.external_id, status=outcome,
                                         amount=payment.amount, event_id=f"sandbox:{payment.pk}:{outcome}")
        result = webhooks.webhook_receive(gateway="sandbox", headers=headers, body=body)
        if result.status >= 400:
            raise _CallbackError(result)
        payment.refresh_from_db()
        return Response(s.SandboxCheckoutSerializer(payment).data)
