"""What the schema fuzzing (tests/fuzz/) found, each kept as a plain test of the shared mechanism it fixed."""

import uuid

from rest_framework.test import APIClient


def test_options_on_a_page_with_an_html_renderer_answers_json_metadata(db):
    # Found: OPTIONS .../sandbox/{id}/pay/?format=html was a 500 (the checkout page's HTML renderer was handed
    # DRF's metadata instead of a payment).
    response = APIClient().options(f"/api/v1/payments/sandbox/{uuid.uuid4()}/pay/?format=html")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["name"] == "Sandbox Checkout Api"
