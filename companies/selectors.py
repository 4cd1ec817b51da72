from django.db.models import QuerySet

from .models import Company, Membership


def company_list() -> QuerySet[Company]:
    return Company.objects.all()


def company_members(*, company: Company) -> QuerySet[Membership]:
    return company.memberships.select_related("user").order_by("created_at")


def memberships_of(*, user) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("company").order_by("created_at")


def company_member_ids(*, company_id) -> list:
    return list(Membership.objects.filter(company_id=company_id).values_list("user_id", flat=True))


def company_manager_ids(*, company_id) -> list:
    """Owners and admins: the members who handle the company's money."""
    return list(Membership.objects.filter(company_id=company_id, role__in=Membership.MANAGER_ROLES)
                .values_list("user_id", flat=True))
