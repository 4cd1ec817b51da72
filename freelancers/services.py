from django.db import IntegrityError, transaction

from accounts.models import User
from accounts.roles import forget_roles
from bantu.core.exceptions import Conflict
from bantu.core.ratings import rating_change

from . import errors
from .models import FreelancerProfile

PROFILE_FIELDS = ("headline", "bio", "hourly_rate", "city", "province", "portfolio_links", "availability")


def _apply(profile: FreelancerProfile, data: dict) -> list[str]:
    fields = [key for key in data if key in PROFILE_FIELDS]
    for key in fields:
        setattr(profile, key, data[key])
    return fields


@transaction.atomic
def freelancer_profile_create(*, user: User, data: dict | None = None) -> FreelancerProfile:
    """Give `user` the freelancer role. 409 if they already have it (also under a race: one-to-one key)."""
    data = data or {}
    profile = FreelancerProfile(user=user)
    _apply(profile, data)
    try:
        with transaction.atomic():
            profile.save()
    except IntegrityError:
        raise Conflict("You already have a freelancer profile.", code=errors.ALREADY_FREELANCER) from None
    if "skills" in data:
        profile.skills.set(data["skills"])
    forget_roles(user)
    return profile


@transaction.atomic
def freelancer_profile_update(*, profile: FreelancerProfile, data: dict) -> FreelancerProfile:
    fields = _apply(profile, data)
    if fields:
        profile.save(update_fields=[*fields, "updated_at"])
    if "skills" in data:
        profile.skills.set(data["skills"])
    return profile


def freelancer_rating_change(*, user_id, stars: int, count: int) -> int:
    """Add `count` reviews worth `stars` in total (1-5 each; both negative to take them away) to the rating of the
    freelancer whose user id is `user_id`, in one UPDATE (bantu.core.ratings): concurrent calls never lose one.
    Takes the profile's row lock until the caller's transaction ends. Returns the rows changed (0: no profile)."""
    return FreelancerProfile.objects.filter(user_id=user_id).update(**rating_change(stars=stars, count=count))
