"""Who may move which money: object-level checks on a milestone's or contract's parties.

The views first narrow to what the caller can see (404 otherwise), then these answer 403 for the wrong role.
The services check the same rules again under their locks."""

from rest_framework import permissions

from bantu.core.permissions import is_manager, is_platform_admin


def _contract(obj):
    return getattr(obj, "contract", obj)


class IsContractCompanyManager(permissions.BasePermission):
    """Owners and admins of the contract's company (for a milestone or a contract)."""

    message = "Only the owners and admins of the contract's company may do this."

    def has_object_permission(self, request, view, obj):
        return is_manager(request.user, _contract(obj).company_id)


class IsContractFreelancer(permissions.BasePermission):
    message = "Only the contract's freelancer may do this."

    def has_object_permission(self, request, view, obj):
        return _contract(obj).freelancer_id == request.user.pk


class IsContractMoneyParty(permissions.BasePermission):
    """The freelancer or the company's owners/admins: the two sides of the contract's money."""

    message = "Only the contract's freelancer or its company's owners and admins may do this."

    def has_object_permission(self, request, view, obj):
        contract = _contract(obj)
        return contract.freelancer_id == request.user.pk or is_manager(request.user, contract.company_id)


class IsContractMoneyPartyOrOperator(IsContractMoneyParty):
    message = "Only the contract's freelancer, its company's owners and admins, and operators may see this."

    def has_object_permission(self, request, view, obj):
        return super().has_object_permission(request, view, obj) or is_platform_admin(request.user)
