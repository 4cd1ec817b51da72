from django.urls import path

from . import views

urlpatterns = [
    path("jobs/<uuid:pk>/apply/", views.JobApplyApi.as_view(), name="job-apply"),
    path("jobs/<uuid:pk>/proposals/", views.JobProposalsApi.as_view(), name="job-proposals"),
    path("proposals/", views.ProposalListApi.as_view(), name="proposal-list"),
    path("proposals/<uuid:pk>/", views.ProposalDetailApi.as_view(), name="proposal-detail"),
    path("proposals/<uuid:pk>/offers/", views.ProposalOffersApi.as_view(), name="proposal-offers"),
    path("proposals/<uuid:pk>/accept/", views.ProposalAcceptApi.as_view(), name="proposal-accept"),
    path("proposals/<uuid:pk>/decline/", views.ProposalDeclineApi.as_view(), name="proposal-decline"),
    path("proposals/<uuid:pk>/withdraw/", views.ProposalWithdrawApi.as_view(), name="proposal-withdraw"),
    path("proposals/<uuid:pk>/shortlist/", views.ProposalShortlistApi.as_view(), name="proposal-shortlist"),
    path("contracts/", views.ContractListApi.as_view(), name="contract-list"),
    path("contracts/<uuid:pk>/", views.ContractDetailApi.as_view(), name="contract-detail"),
    path("contracts/<uuid:pk>/milestones/", views.ContractMilestonesApi.as_view(), name="contract-milestones"),
]
