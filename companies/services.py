"""Writes of the companies app. Authorization is the caller's (views use bantu.core.permissions); these
functions enforce the rules that hold whoever calls them (last owner, who may grant which role)."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from audit.services import Action, audit_record
from bantu.core.exceptions import Conflict, Forbidden, NotFound
from bantu.core.models import uuid7
from bantu.core.permissions import forget_company_roles
from bantu.core.ratings import rating_change

from . import errors, events
from .models import Company, Membership

COMPANY_FIELDS = ("name", "description", "website", "industry", "size", "city", "province")


def _unique_slug(name: str) -> str:
    base = slugify(name)[:200] or "company"
    if not Company.objects.filter(slug=base).exists():
        return base
    return f"{base}-{uuid7().hex[-8:]}"


@transaction.atomic
def company_create(*, owner: User, name: str, **fields) -> Company:
    """Create a company with `owner` as its owner member."""
    data = {key: value for key, value in fields.items() if key in COMPANY_FIELDS}
    company = Company(name=name.strip(), slug=_unique_slug(name), **data)
    company.full_clean()
    company.save()
    Membership.objects.create(company=company, user=owner, role=Membership.Role.OWNER)
    forget_company_roles(owner)
    return company


def company_update(*, company: Company, data: dict) -> Company:
    fields = [key for key in data if key in COMPANY_FIELDS]
    for key in fields:
        setattr(company, key, data[key].strip() if isinstance(data[key], str) else data[key])
    if fields:
        company.save(update_fields=[*fields, "updated_at"])
    return company


@transaction.atomic
def company_set_verified(*, company: Company, verified: bool, operator: User | None = None, reason: str = "") -> None:
    """Operators verify a company (or remove its verification). Locks the company row. Raises Conflict
    (already_verified, not_verified) when it is in that state already. Writes one audit row and notifies the
    company's members after commit."""
    locked = Company.objects.select_for_update().get(pk=company.pk)
    if locked.verified == verified:
        raise Conflict(
            "This company is already verified." if verified else "This company is not verified.",
            code=errors.ALREADY_VERIFIED if verified else errors.NOT_VERIFIED,
        )
    company.verified = verified
    company.verified_at = timezone.now() if verified else None
    company.save(update_fields=["verified", "verified_at", "updated_at"])  # a save, so caches hear of it
    audit_record(
        actor=operator,
        action=Action.COMPANY_VERIFY if verified else Action.COMPANY_UNVERIFY,
        target=company,
        reason=reason,
    )
    events.company_verification_changed(company, verified, reason)


def _require_grant(actor_role: str, role: str) -> None:
    # Admins manage recruiters; only owners create, change or remove owners and admins.
    if role in Membership.MANAGER_ROLES and actor_role != Membership.Role.OWNER:
        raise Forbidden(
            "Only an owner may grant, change or remove the owner or admin role.", code=errors.OWNER_REQUIRED
        )


def _actor_role(company: Company, actor: User) -> str:
    role = Membership.objects.filter(company=company, user=actor).values_list("role", flat=True).first()
    if role not in Membership.MANAGER_ROLES:
        raise Forbidden("Only the company's owners and admins may manage members.", code=errors.NOT_A_MANAGER)
    return role


def membership_add(*, company: Company, actor: User, email: str, role: str) -> Membership:
    """Add an existing user (by email) to the company. 409 if already a member."""
    _require_grant(_actor_role(company, actor), role)
    user = User.objects.filter(email__iexact=User.objects.normalize_email(email), is_active=True).first()
    if user is None:
        raise NotFound("No active user has this email.", code=errors.USER_NOT_FOUND)
    try:
        with transaction.atomic():
            membership = Membership.objects.create(company=company, user=user, role=role)
    except IntegrityError:
        raise Conflict("This user is already a member of the company.", code=errors.ALREADY_MEMBER) from None
    return membership


def _owner_count_locked(company: Company) -> int:
    # Lock the company's owner rows so two concurrent demotions cannot both see "another owner remains".
    owners = Membership.objects.select_for_update().filter(company=company, role=Membership.Role.OWNER)
    return len(list(owners.order_by("pk")))


@transaction.atomic
def membership_change_role(*, membership: Membership, actor: User, role: str) -> Membership:
    """Give `membership` the role `role`. Locks the company's owner rows before reading the actor's and the
    member's roles, so concurrent changes apply one after the other: of two owners demoting each other at once,
    the second is no longer an owner when its turn comes (403 owner_required), and the company keeps one.

    Raises Forbidden (not_a_manager, owner_required), NotFound (the member was removed meanwhile) and Conflict
    (last_owner)."""
    owners = _owner_count_locked(membership.company)
    actor_role = _actor_role(membership.company, actor)
    try:
        membership.refresh_from_db(fields=["role"])
    except Membership.DoesNotExist:  # removed while this waited for the lock
        raise NotFound("No such member.", code="not_found") from None
    _require_grant(actor_role, membership.role)
    _require_grant(actor_role, role)
    demoting_owner = membership.role == Membership.Role.OWNER and role != Membership.Role.OWNER
    if demoting_owner and owners <= 1:
        raise Conflict("A company must keep at least one owner.", code=errors.LAST_OWNER)
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User) -> None:
    """Remove a member. Anyone may leave; managers remove others within their grant."""
    if membership.user_id != actor.pk:
        _require_grant(_actor_role(membership.company, actor), membership.role)
    if membership.role == Membership.Role.OWNER and _owner_count_locked(membership.company) <= 1:
        raise Conflict("A company must keep at least one owner.", code=errors.LAST_OWNER)
    membership.delete()


def company_rating_change(*, company_id, stars: int, count: int) -> int:
    """Add `count` reviews worth `stars` in total (1-5 each; both negative to take them away) to the company's
    rating, in one UPDATE (bantu.core.ratings): concurrent calls never lose one. Takes the company's row lock
    until the caller's transaction ends. Returns the rows changed (0 or 1)."""
    return Company.objects.filter(pk=company_id).update(**rating_change(stars=stars, count=count))
