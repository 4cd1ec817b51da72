"""Cache invalidation for job responses when what they embed changes elsewhere (infrastructure, not domain
flow, so a receiver is the right tool: companies and taxonomy need not know that jobs cache anything)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from companies.models import Company
from taxonomy.models import Category, Skill

from . import cache, services


def _everything_changed(**kwargs):
    transaction.on_commit(cache.everything_changed)


def _skill_saved(sender, instance, created, update_fields=None, **kwargs):
    if not created:
        skill_id = instance.pk
        transaction.on_commit(lambda: services.jobs_refresh_skills_text(skill_id=skill_id))


def connect() -> None:
    post_save.connect(_skill_saved, sender=Skill, dispatch_uid="jobs-skills-text-refresh")
    for model in (Company, Category, Skill):
        post_save.connect(_everything_changed, sender=model, dispatch_uid=f"jobs-cache-{model.__name__}-save")
        post_delete.connect(_everything_changed, sender=model, dispatch_uid=f"jobs-cache-{model.__name__}-delete")
