from django.db.models import Prefetch, QuerySet

from taxonomy.models import Skill

from .models import FreelancerProfile


def freelancer_list() -> QuerySet[FreelancerProfile]:
    """Public profiles: suspended users are hidden. Two queries whatever the page size."""
    return (
        FreelancerProfile.objects.filter(user__is_active=True)
        .select_related("user")
        .prefetch_related(Prefetch("skills", queryset=Skill.objects.only("id", "slug", "name")))
    )


def freelancer_profile_of(*, user) -> FreelancerProfile | None:
    return freelancer_list().filter(user=user).first()
