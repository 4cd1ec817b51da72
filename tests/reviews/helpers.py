"""Shared helpers of the reviews tests: URLs, bodies, and the snapshot a refused call must leave unchanged."""

from notifications.models import Notification
from reviews.models import Review

API = "/api/v1"
REVIEWS = f"{API}/reviews/"

FREELANCER_REVIEW = {"rating": 4, "comment": "Brief jelas, pembayaran tepat waktu."}
COMPANY_REVIEW = {
    "rating": 5,
    "comment": "Logo selesai cepat dan rapi.",
    "communication": 5,
    "quality": 4,
    "timeliness": 5,
}


def review_url(review_id, action: str = "") -> str:
    return f"{REVIEWS}{review_id}/{action + '/' if action else ''}"


def freelancer_reviews_url(profile_or_user_id) -> str:
    return f"{API}/freelancers/{profile_or_user_id}/reviews/"


def company_reviews_url(company_id) -> str:
    return f"{API}/companies/{company_id}/reviews/"


def post_review(client, contract, body: dict, **extra):
    return client.post(REVIEWS, {"contract": str(contract.pk), **body}, format="json", **extra)


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def snapshot() -> dict:
    """Everything a refused review call must leave as it was."""
    return {
        "reviews": sorted(Review.objects.values_list("pk", "status", "rating", "comment", "reply", "hidden_at")),
        "notifications": Notification.objects.count(),
    }
