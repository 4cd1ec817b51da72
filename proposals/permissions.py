from rest_framework import permissions

from .models import Side
from .services import side_of


class IsProposalParty(permissions.BasePermission):
    """Object level: the freelancer of the proposal or a member of the job's company."""

    message = "Only the two sides of this proposal may do this."
    sides = (Side.FREELANCER, Side.COMPANY)

    def has_object_permission(self, request, view, obj):
        return side_of(user=request.user, proposal=obj) in self.sides


class IsProposalCompanySide(IsProposalParty):
    message = "Only the company that posted the job may do this."
    sides = (Side.COMPANY,)


class IsProposalFreelancer(IsProposalParty):
    message = "Only the freelancer who sent the proposal may do this."
    sides = (Side.FREELANCER,)
