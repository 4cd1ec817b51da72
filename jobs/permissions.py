from rest_framework import permissions

from bantu.core.permissions import is_manager, is_member


def can_edit_job(user, job) -> bool:
    """The company's owners and admins, or the member who posted it (while still a member)."""
    return is_manager(user, job.company_id) or (is_member(user, job.company_id) and job.posted_by_id == user.pk)


class IsJobEditor(permissions.BasePermission):
    message = "Only the company's owners and admins, or the member who posted the job, may change it."

    def has_object_permission(self, request, view, obj):
        return can_edit_job(request.user, obj)
