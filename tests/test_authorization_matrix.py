"""Who may call what, for every endpoint, in one table (PRODUCT.md §1, §3).

Each row: method, path template, body, and the expected status for each caller. Other tenants (a member of
another company) and wrong roles must be refused: 401 anonymous, 403 wrong role, 404 where the object is
private to its company. Detailed behaviour lives in the per-app tests; this file proves the matrix.

The money rows (docs/payments.md, "Who may do what") run against a contract of the matrix's freelancer whose
milestones are released, funded, pending, and pending with an open sandbox checkout, so that every row's success
case is possible on its own."""

import re

import pytest

from accounts.models import User
from tests.database import rolled_back_at_the_end
from tests.world import PAYOUT_BODY
from tests.world import money as build_money
from tests.world import reviews as build_reviews
from tests.world import world as build_world

ROLES = ["anonymous", "freelancer", "other_member", "recruiter", "owner", "operator"]

MIDTRANS_UNSIGNED = {"order_id": "01900000-0000-7000-8000-000000000000", "status_code": "200",
                     "gross_amount": "1000000.00"}

JOB_BODY = {"title": "Desainer Grafis", "description": "Membuat logo untuk kedai kopi di Bandung.",
            "category": "logo-brand-identity", "budget_min": 1_000_000, "budget_max": 2_000_000}

# expected: anonymous, freelancer, other company's member, recruiter of the company, owner, operator
MATRIX = [
    ("get", "/api/v1/me/", None, (401, 200, 200, 200, 200, 200)),
    ("post", "/api/v1/auth/ws-ticket/", None, (401, 200, 200, 200, 200, 200)),
    ("patch", "/api/v1/me/", {"phone": "0812345678"}, (401, 200, 200, 200, 200, 200)),
    ("get", "/api/v1/me/freelancer-profile/", None, (401, 200, 403, 403, 403, 403)),
    ("patch", "/api/v1/me/freelancer-profile/", {"headline": "Baru"}, (401, 200, 403, 403, 403, 403)),
    ("post", "/api/v1/me/freelancer-profile/", {"headline": "Baru"}, (401, 409, 201, 201, 201, 201)),
    ("post", "/api/v1/auth/password/change/", {"old_password": "x", "new_password": "y"},
     (401, 400, 400, 400, 400, 400)),
    ("post", "/api/v1/auth/logout/", {"refresh": "x"}, (401, 401, 401, 401, 401, 401)),
    ("post", "/api/v1/auth/logout/all/", None, (401, 204, 204, 204, 204, 204)),
    ("get", "/api/v1/me/sessions/", None, (401, 200, 200, 200, 200, 200)),
    ("delete", "/api/v1/me/sessions/{session}/", None, (401, 404, 404, 404, 204, 404)),
    # The world's users are verified: there is nothing to resend.
    ("post", "/api/v1/auth/email/resend/", None, (401, 409, 409, 409, 409, 409)),
    ("get", "/api/v1/companies/", None, (200, 200, 200, 200, 200, 200)),
    ("post", "/api/v1/companies/", {"name": "PT Baru Sekali"}, (401, 201, 201, 201, 201, 201)),
    ("get", "/api/v1/companies/{company}/", None, (200, 200, 200, 200, 200, 200)),
    ("patch", "/api/v1/companies/{company}/", {"industry": "Kopi"}, (401, 403, 403, 403, 200, 403)),
    ("get", "/api/v1/companies/{company}/members/", None, (401, 403, 403, 200, 200, 403)),
    ("post", "/api/v1/companies/{company}/members/", {"email": "new@example.id", "role": "recruiter"},
     (401, 403, 403, 403, 201, 403)),
    ("get", "/api/v1/freelancers/", None, (200, 200, 200, 200, 200, 200)),
    ("get", "/api/v1/freelancers/{profile}/", None, (200, 200, 200, 200, 200, 200)),
    ("get", "/api/v1/categories/", None, (200, 200, 200, 200, 200, 200)),
    ("get", "/api/v1/skills/", None, (200, 200, 200, 200, 200, 200)),
    ("get", "/api/v1/jobs/", None, (200, 200, 200, 200, 200, 200)),
    ("post", "/api/v1/jobs/", JOB_BODY, (401, 403, 201, 201, 201, 403)),
    ("get", "/api/v1/jobs/{job}/", None, (200, 200, 200, 200, 200, 200)),
    ("get", "/api/v1/jobs/{draft}/", None, (404, 404, 404, 200, 200, 200)),
    ("patch", "/api/v1/jobs/{job}/", {"city": "Bogor"}, (401, 403, 403, 403, 200, 403)),
    ("patch", "/api/v1/jobs/{draft}/", {"city": "Bogor"}, (401, 404, 404, 403, 200, 403)),
    ("delete", "/api/v1/jobs/{job}/", None, (401, 403, 403, 403, 204, 403)),
    ("post", "/api/v1/jobs/{job}/remove/", {"reason": "Penipuan"}, (401, 403, 403, 403, 403, 200)),
    ("post", "/api/v1/jobs/{removed}/restore/", None, (401, 403, 403, 403, 403, 200)),
    ("get", "/api/v1/jobs/{removed}/", None, (404, 404, 404, 200, 200, 200)),
    ("post", "/api/v1/jobs/{job2}/apply/", {"cover_letter": "Saya siap mengerjakan ini.", "amount": 1_500_000,
                                           "duration_days": 5}, (401, 201, 403, 403, 403, 403)),
    ("get", "/api/v1/jobs/{job}/proposals/", None, (401, 403, 403, 200, 200, 403)),
    ("get", "/api/v1/proposals/", None, (401, 200, 200, 200, 200, 200)),
    ("get", "/api/v1/proposals/{proposal}/", None, (401, 200, 404, 200, 200, 200)),
    ("get", "/api/v1/proposals/{proposal}/offers/", None, (401, 200, 404, 200, 200, 200)),
    ("post", "/api/v1/proposals/{proposal}/offers/", {"amount": 1_800_000, "duration_days": 6},
     (401, 201, 404, 201, 201, 403)),
    ("post", "/api/v1/proposals/{proposal}/shortlist/", None, (401, 403, 404, 200, 200, 403)),
    ("post", "/api/v1/proposals/{proposal}/decline/", {}, (401, 403, 404, 200, 200, 403)),
    ("post", "/api/v1/proposals/{proposal}/withdraw/", None, (401, 200, 404, 403, 403, 403)),
    ("post", "/api/v1/proposals/{proposal}/accept/", {}, (401, 409, 404, 201, 201, 403)),
    ("get", "/api/v1/contracts/", None, (401, 200, 200, 200, 200, 200)),
    ("get", "/api/v1/contracts/{contract}/", None, (401, 404, 404, 200, 200, 200)),
    ("get", "/api/v1/contracts/{contract}/milestones/", None, (401, 404, 404, 200, 200, 200)),
    ("get", "/api/v1/notifications/", None, (401, 200, 200, 200, 200, 200)),
    ("post", "/api/v1/notifications/read-all/", None, (401, 200, 200, 200, 200, 200)),
    ("post", "/api/v1/notifications/{notification}/read/", None, (401, 404, 404, 404, 200, 404)),
    # Members: owners/admins change roles; any member may leave, managers remove others within their grant.
    ("patch", "/api/v1/companies/{company}/members/{recruiter_membership}/", {"role": "admin"},
     (401, 403, 403, 403, 200, 403)),
    ("delete", "/api/v1/companies/{company}/members/{recruiter_membership}/", None, (401, 403, 403, 204, 204, 403)),
    # Push devices are the caller's own; the VAPID key is public.
    ("get", "/api/v1/devices/", None, (401, 200, 200, 200, 200, 200)),
    ("post", "/api/v1/devices/", {"kind": "fcm", "token": "fcm-token-baru"}, (401, 201, 201, 201, 201, 201)),
    ("delete", "/api/v1/devices/{device}/", None, (401, 404, 404, 404, 204, 404)),
    ("get", "/api/v1/devices/webpush-key/", None, (200, 200, 200, 200, 200, 200)),
    # Chat: the freelancer and the company's members take part; operators read chats in the admin, not here.
    ("get", "/api/v1/conversations/", None, (401, 200, 200, 200, 200, 200)),
    ("post", "/api/v1/conversations/", {"proposal": "{proposal}"}, (401, 200, 404, 200, 200, 404)),
    ("get", "/api/v1/conversations/{conversation}/", None, (401, 200, 404, 200, 200, 404)),
    ("get", "/api/v1/conversations/{conversation}/messages/", None, (401, 200, 404, 200, 200, 404)),
    ("post", "/api/v1/conversations/{conversation}/messages/",
     {"body": "Halo, kapan bisa mulai?", "client_id": "01900000-0000-7000-8000-00000000c1a7"},
     (401, 201, 404, 201, 201, 404)),
    ("post", "/api/v1/conversations/{conversation}/read/", {}, (401, 204, 404, 204, 204, 404)),
    ("post", "/api/v1/messages/{message}/report/", {"reason": "Meminta bayar di luar platform."},
     (401, 201, 404, 201, 201, 404)),
    # Public auth routes read no Authorization header: the outcome is the same for every caller.
    ("post", "/api/v1/auth/register/", {"email": "baru@example.id", "password": "Kopi-Susu-Gula-Aren-2026",
                                        "full_name": "Sari Baru", "role": "freelancer"},
     (201, 201, 201, 201, 201, 201)),
    ("post", "/api/v1/auth/token/", {"email": "new@example.id", "password": "salah-sekali"},
     (401, 401, 401, 401, 401, 401)),
    ("post", "/api/v1/auth/token/refresh/", {"refresh": "x"}, (401, 401, 401, 401, 401, 401)),
    ("post", "/api/v1/auth/email/verify/", {"token": "x"}, (400, 400, 400, 400, 400, 400)),
    ("post", "/api/v1/auth/password/reset/", {"email": "new@example.id"}, (202, 202, 202, 202, 202, 202)),
    ("post", "/api/v1/auth/password/reset/confirm/", {"token": "x", "new_password": "Kopi-Susu-Gula-Aren-2026"},
     (400, 400, 400, 400, 400, 400)),
    # No GOOGLE_OAUTH_CLIENT_IDS in the test settings: 503 for everyone (tests/accounts/api/test_google.py: the rest).
    ("post", "/api/v1/auth/oauth/google/", {"id_token": "x"}, (503, 503, 503, 503, 503, 503)),
    # Money (docs/payments.md): fund and approve by the company's owners/admins; submit by the freelancer; dispute
    # by either party; the statement also for operators; wallets and payouts for freelancers only.
    ("post", "/api/v1/milestones/{to_fund}/fund/", {}, (401, 403, 404, 403, 201, 403)),
    ("post", "/api/v1/milestones/{funded}/submit/", {"note": "Logo final"}, (401, 200, 404, 403, 403, 403)),
    ("post", "/api/v1/milestones/{funded}/approve/", None, (401, 403, 404, 403, 200, 403)),
    ("post", "/api/v1/milestones/{funded}/dispute/", {"reason": "Pekerjaan belum sesuai brief."},
     (401, 201, 404, 403, 201, 403)),
    ("get", "/api/v1/contracts/{paid_contract}/statement/", None, (401, 200, 404, 403, 200, 200)),
    ("get", "/api/v1/payments/", None, (401, 200, 200, 200, 200, 200)),
    ("get", "/api/v1/payments/{payment}/", None, (401, 200, 404, 404, 200, 404)),
    ("get", "/api/v1/wallet/", None, (401, 200, 403, 403, 403, 403)),
    ("get", "/api/v1/wallet/transactions/", None, (401, 200, 403, 403, 403, 403)),
    ("get", "/api/v1/payouts/", None, (401, 200, 403, 403, 403, 403)),
    ("post", "/api/v1/payouts/", PAYOUT_BODY, (401, 201, 403, 403, 403, 403)),
    ("get", "/api/v1/payouts/{payout}/", None, (401, 200, 403, 403, 403, 403)),
    # The sandbox checkout needs no sign-in: like a gateway's page, its link is the capability.
    ("get", "/api/v1/payments/sandbox/{payment}/pay/", None, (200, 200, 200, 200, 200, 200)),
    ("post", "/api/v1/payments/sandbox/{payment}/pay/", {"outcome": "paid"}, (200, 200, 200, 200, 200, 200)),
    # Reviews (README, "Reviews"): the freelancer and the company's owners/admins review a completed contract once
    # per side; a pending review is its own side's (and operators'); the reviewed side replies; operators moderate.
    ("get", "/api/v1/reviews/", None, (401, 200, 200, 200, 200, 200)),
    ("post", "/api/v1/reviews/", {"contract": "{reviewable}", "rating": 4, "comment": "Brief jelas."},
     (401, 201, 404, 403, 400, 403)),
    ("post", "/api/v1/reviews/", {"contract": "{reviewable}", "rating": 5, "comment": "Rapi.", "communication": 5,
                                  "quality": 5, "timeliness": 4}, (401, 400, 404, 403, 201, 403)),
    ("get", "/api/v1/reviews/{review}/", None, (401, 200, 200, 200, 200, 200)),
    ("get", "/api/v1/reviews/{pending_review}/", None, (401, 200, 404, 404, 404, 200)),
    ("get", "/api/v1/reviews/{hidden_review}/", None, (401, 200, 404, 404, 200, 200)),
    ("patch", "/api/v1/reviews/{pending_review}/", {"rating": 2}, (401, 200, 404, 404, 404, 403)),
    ("post", "/api/v1/reviews/{review}/reply/", {"body": "Terima kasih."}, (401, 403, 403, 403, 201, 403)),
    ("post", "/api/v1/reviews/{review}/hide/", {"reason": "Spam."}, (401, 403, 403, 403, 403, 200)),
    ("post", "/api/v1/reviews/{hidden_review}/unhide/", None, (401, 403, 403, 403, 403, 200)),
    ("get", "/api/v1/freelancers/{profile}/reviews/", None, (200, 200, 200, 200, 200, 200)),
    ("get", "/api/v1/companies/{company}/reviews/", None, (200, 200, 200, 200, 200, 200)),
    # Gateways authenticate with their token or signature, never with a user's token.
    ("post", "/api/v1/webhooks/xendit/", {}, (401, 401, 401, 401, 401, 401)),
    ("post", "/api/v1/webhooks/midtrans/", MIDTRANS_UNSIGNED, (401, 401, 401, 401, 401, 401)),
]


@pytest.fixture(scope="module")
def marketplace(django_db_setup, django_db_blocker):
    """The world with its money and its reviews (tests/world.py), built once for the module: each test runs in
    a savepoint rolled back after it, so each starts from this same marketplace."""
    with rolled_back_at_the_end(django_db_blocker):
        built = build_world()
        built["ids"] |= build_money(built) | build_reviews(built)
        yield built


@pytest.fixture
def user_of(marketplace, db):
    """The marketplace's user in `role`, read afresh (a test must not see another's changes to the instances)."""
    def read(role):
        user = marketplace["users"][role]
        return None if user is None else User.objects.get(pk=user.pk)
    return read


@pytest.mark.parametrize(("method", "path", "body", "expected"), MATRIX,
                         ids=[f"{row[0].upper()} {row[1]}" for row in MATRIX])
@pytest.mark.parametrize("role", ROLES)
def test_authorization_matrix(marketplace, user_of, as_user, role, method, path, body, expected):
    client = as_user(user_of(role))
    ids = marketplace["ids"]

    if body is not None:
        body = {key: value.format(**ids) if isinstance(value, str) and value.startswith("{") else value
                for key, value in body.items()}
    response = getattr(client, method)(path.format(**ids), body, format="json")

    assert response.status_code == expected[ROLES.index(role)], response.content
    if response.status_code >= 400:
        assert response["Content-Type"] == "application/problem+json"


def _operation_key(method: str, path: str) -> tuple[str, str]:
    return method.lower(), re.sub(r"\{[^}]*\}", "{}", path.split("?", 1)[0])


def test_every_route_of_the_schema_has_a_row(db):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = {_operation_key(method, path) for path, item in schema["paths"].items() for method in item
                  if method in ("get", "post", "put", "patch", "delete")}
    rows = {_operation_key(row[0], row[1]) for row in MATRIX}

    missing = sorted(operations - rows)
    assert not missing, "Operations without a row in MATRIX:\n" + "\n".join(f"{m.upper()} {p}" for m, p in missing)
