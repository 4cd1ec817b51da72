from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("milestones/<uuid:pk>/fund/", views.MilestoneFundApi.as_view(), name="milestone-fund"),
    path("milestones/<uuid:pk>/submit/", views.MilestoneSubmitApi.as_view(), name="milestone-submit"),
    path("milestones/<uuid:pk>/approve/", views.MilestoneApproveApi.as_view(), name="milestone-approve"),
    path("milestones/<uuid:pk>/dispute/", views.MilestoneDisputeApi.as_view(), name="milestone-dispute"),
    path("contracts/<uuid:pk>/statement/", views.ContractStatementApi.as_view(), name="contract-statement"),
    path("payments/", views.PaymentListApi.as_view(), name="payment-list"),
    path("payments/<uuid:pk>/", views.PaymentDetailApi.as_view(), name="payment-detail"),
    path("payments/sandbox/<uuid:pk>/pay/", views.SandboxCheckoutApi.as_view(), name="sandbox-checkout"),
    path("wallet/", views.WalletApi.as_view(), name="wallet"),
    path("wallet/transactions/", views.WalletTransactionsApi.as_view(), name="wallet-transactions"),
    path("payouts/", views.PayoutListApi.as_view(), name="payout-list"),
    path("payouts/<uuid:pk>/", views.PayoutDetailApi.as_view(), name="payout-detail"),
    path("webhooks/xendit/", views.XenditWebhookApi.as_view(), name="webhook-xendit"),
    path("webhooks/midtrans/", views.MidtransWebhookApi.as_view(), name="webhook-midtrans"),
]
