"""What the money flow announces. Every function schedules on commit and carries ids and strings, never instances
that could change before the commit; nothing is announced for work that rolled back."""

from django.db import transaction

from companies.selectors import company_manager_ids
from notifications.models import Notification
from notifications.services import notify

Kind = Notification.Kind


def _rupiah(amount: int) -> str:
    return f"Rp{amount:,}".replace(",", ".")


def _on_commit(**kwargs) -> None:
    transaction.on_commit(lambda: notify(**kwargs))


def _milestone_data(milestone, **extra) -> dict:
    return {"milestone": str(milestone.pk), "contract": str(milestone.contract_id), **extra}


def _parties(milestone) -> list:
    contract = milestone.contract
    return [contract.freelancer_id, *company_manager_ids(company_id=contract.company_id)]


def milestone_funded(milestone, payment) -> None:
    _on_commit(user_ids=_parties(milestone), kind=Kind.MILESTONE_FUNDED,
               title=f"Milestone funded: “{milestone.title}”",
               body=f"{_rupiah(milestone.amount)} is in escrow. Work can start.",
               data=_milestone_data(milestone, payment=str(payment.pk)))


def payment_lapsed(payment) -> None:
    _on_commit(user_ids=[payment.payer_id], kind=Kind.PAYMENT_EXPIRED,
               title=f"Payment {payment.status}: {_rupiah(payment.amount)}",
               body="The milestone is not funded. You can fund it again.",
               data={"payment": str(payment.pk), "milestone": str(payment.milestone_id)})


def milestone_submitted(milestone, actor_id) -> None:
    _on_commit(user_ids=company_manager_ids(company_id=milestone.contract.company_id), exclude_user_id=actor_id,
               kind=Kind.MILESTONE_SUBMITTED, title=f"Work submitted: “{milestone.title}”",
               body=f"Approve it to release {_rupiah(milestone.amount)}; it is approved automatically on "
                    f"{milestone.auto_approve_at:%Y-%m-%d} (UTC).",
               data=_milestone_data(milestone))


def milestone_released(milestone, *, net: int, fee: int, actor_id, automatic: bool) -> None:
    kind = Kind.MILESTONE_AUTO_APPROVED if automatic else Kind.MILESTONE_RELEASED
    title = ("Milestone approved automatically" if automatic else "Payment released") + f": “{milestone.title}”"
    _on_commit(user_ids=_parties(milestone), exclude_user_id=actor_id, kind=kind, title=title,
               body=f"{_rupiah(net)} to the freelancer's wallet (platform fee {_rupiah(fee)}).",
               data=_milestone_data(milestone, net=net, fee=fee))


def milestone_disputed(milestone, dispute, actor_id) -> None:
    _on_commit(user_ids=_parties(milestone), exclude_user_id=actor_id, kind=Kind.MILESTONE_DISPUTED,
               title=f"Milestone disputed: “{milestone.title}”",
               body="The escrow is frozen until an operator resolves the dispute.",
               data=_milestone_data(milestone, dispute=str(dispute.pk)))


def dispute_resolved(milestone, dispute) -> None:
    _on_commit(user_ids=_parties(milestone), kind=Kind.DISPUTE_RESOLVED,
               title=f"Dispute resolved: “{milestone.title}”",
               body=f"{dispute.get_resolution_display()}: {_rupiah(dispute.released_amount or 0)} released, "
                    f"{_rupiah(dispute.refunded_amount or 0)} refunded. {dispute.resolution_note}"[:1000],
               data=_milestone_data(milestone, dispute=str(dispute.pk), resolution=dispute.resolution))


def refund_completed(refund, company_id) -> None:
    _on_commit(user_ids=company_manager_ids(company_id=company_id), kind=Kind.MILESTONE_REFUNDED,
               title=f"Refund completed: {_rupiah(refund.amount)}",
               body="The money is on its way back through the payment gateway.",
               data={"refund": str(refund.pk), "payment": str(refund.payment_id),
                     "milestone": str(refund.milestone_id)})


def payout_settled(payout) -> None:
    completed = payout.status == payout.Status.COMPLETED
    _on_commit(user_ids=[payout.user_id], kind=Kind.PAYOUT_COMPLETED if completed else Kind.PAYOUT_FAILED,
               title=(f"Payout sent: {_rupiah(payout.amount)}" if completed
                      else f"Payout {payout.status}: {_rupiah(payout.amount)} is back in your wallet"),
               body=f"{payout.bank_code} ••••{payout.account_number[-4:]}"
                    + (f" ({payout.failure_reason})" if payout.failure_reason else ""),
               data={"payout": str(payout.pk), "status": payout.status})
