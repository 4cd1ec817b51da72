"""The one way to write the audit log. Domain services call `audit_record` inside their own transaction."""

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditEntry

Action = AuditEntry.Action


def audit_record(
    *,
    actor,
    action: str,
    target: models.Model,
    reason: str = "",
    amount: int | None = None,
    currency: str = "",
    details: dict | None = None,
) -> AuditEntry:
    """Append one audit row: `actor` (a User, or None for the system) did `action` (an `AuditEntry.Action`
    value) to `target` (any saved model instance) because of `reason`.

    Money acts pass `amount` (integer rupiah at stake), `currency` ("IDR") and the amounts moved in `details`
    (JSON-serializable: ints and strings). Call it inside the transaction of the act, so that the row commits
    or rolls back with it. Takes no lock. Raises ValueError for an unknown action or an unsaved target.
    """
    if action not in Action.values:
        raise ValueError(f"Unknown audit action {action!r}.")
    if target.pk is None or target._state.adding:  # UUID keys exist before the row does
        raise ValueError("An audit row needs a saved target.")
    return AuditEntry.objects.create(
        actor=actor,
        actor_email=getattr(actor, "email", "") or "",
        action=action,
        target_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
        target_id=str(target.pk),
        target_repr=str(target)[:200],
        reason=(reason or "")[:2000],
        amount=amount,
        currency=currency,
        details=details or {},
    )
