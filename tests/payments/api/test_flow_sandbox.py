from payments.models import Payment
from proposals.models import Contract, Milestone

from ..helpers import balance, fund, ledger_balanced, milestone_url, sandbox_pay


def test_fund_pay_submit_approve_releases_amount_minus_fee(as_user, api, owner, freelancer, contract, milestone):
    company_client, freelancer_client = as_user(owner), as_user(freelancer)

    response = fund(company_client, milestone.pk)
    assert response.status_code == 201, response.content
    payment = response.json()
    assert payment["status"] == "pending"
    assert payment["checkout_url"].endswith(f"/api/v1/payments/sandbox/{payment['id']}/pay/")

    paid = sandbox_pay(api, payment["id"])
    assert paid.status_code == 200, paid.content
    assert paid.json()["status"] == "paid"
    assert Milestone.objects.get(pk=milestone.pk).status == Milestone.Status.FUNDED
    assert balance(f"escrow:{milestone.pk}") == 1_000_000

    submitted = freelancer_client.post(milestone_url(milestone.pk, "submit"), {"note": "Logo final"}, format="json")
    assert submitted.status_code == 200, submitted.content
    approved = company_client.post(milestone_url(milestone.pk, "approve"), format="json")
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "released"

    assert balance(f"wallet:{freelancer.pk}") == 900_000
    assert balance("platform_fees") == 100_000
    assert balance(f"escrow:{milestone.pk}") == 0
    assert balance("gateway:sandbox") == -1_000_000
    assert Payment.objects.get(pk=payment["id"]).status == Payment.Status.PAID
    assert Contract.objects.get(pk=contract.pk).status == Contract.Status.ACTIVE
    ledger_balanced()
