"""The admin site: Django's, with the operators' dashboard as its index page."""

from django.contrib import admin
from django.utils import timezone

from . import dashboard


class BantuAdminSite(admin.AdminSite):
    site_header = "Bantu operations"
    site_title = "Bantu admin"
    index_title = "Dashboard"
    index_template = "backoffice/dashboard.html"
    # The app list is on the dashboard and in the breadcrumbs; at 1366 px the tables need the 300 px the
    # navigation sidebar would take.
    enable_nav_sidebar = False

    def index(self, request, extra_context=None):
        figures = dashboard.dashboard_figures(user=request.user, now=timezone.now())
        context = {"figures": figures, "dashboard_timezone": timezone.get_current_timezone_name()}
        return super().index(request, {**context, **(extra_context or {})})
