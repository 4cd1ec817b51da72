import logging
from datetime import timedelta

from celery import current_app, shared_task
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from .models import IdempotencyRecord

logger = logging.getLogger(__name__)

IDEMPOTENCY_RETENTION = timedelta(hours=24)


@shared_task
def idempotency_cleanup_task() -> int:
    """Forget Idempotency-Key records older than a day (clients retry within minutes, not days)."""
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - IDEMPOTENCY_RETENTION).delete()
    return deleted


_modules_imported = False


def registered_task(name: str):
    """The task registered as `name`, for a service to enqueue without importing the `tasks` module that imports
    it. A worker imports every app's tasks module at start; a web process has not necessarily imported them, so
    the first lookup imports each installed app's `tasks` module (Django's own autodiscovery; Celery's
    `import_default_modules` would run `django.setup()` again, reconfiguring logging in a serving process).
    Raises KeyError for an unknown name."""
    global _modules_imported  # noqa: PLW0603
    if not _modules_imported:
        autodiscover_modules("tasks")
        _modules_imported = True
    return current_app.tasks[name]


def enqueue_on_commit(name: str, *args, countdown: float | None = None) -> None:
    """Send the Celery task registered as `name` with `args` (ids and strings) once the current transaction
    commits; at once when there is none. Eager in the embedded default.

    By name, so that services never import the `tasks` modules that import them. A failure to enqueue (broker
    down) or, in eager mode, a failure of the task itself is logged, never raised into the committed request:
    the periodic sweeps pick up work whose task never ran."""

    def send():
        try:
            registered_task(name).apply_async(args=args, countdown=countdown)
        except Exception:
            logger.exception("Could not run or enqueue task %s%r", name, args)

    transaction.on_commit(send)
