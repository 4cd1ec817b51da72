"""The one check that an error response is RFC 9457 problem details (PRODUCT.md §3)."""

from django.conf import settings

from bantu.core.exceptions import PROBLEM_CONTENT_TYPE, TITLES

PROBLEM_KEYS = {"type", "title", "status", "detail", "code"}


def assert_problem(response, status: int, code: str | None = None, errors: dict | None = None) -> dict:
    """Assert `response` is a problem with `status` (and `code`, and exactly `errors`, when given); return the
    body for further checks."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    body = response.json()
    assert PROBLEM_KEYS <= set(body) <= PROBLEM_KEYS | {"errors"}, body
    assert body["status"] == status
    assert body["title"] == TITLES[status]
    assert body["type"] == f"{settings.BANTU['PROBLEM_TYPE_BASE']}{body['code']}"
    assert isinstance(body["detail"], str)
    assert body["detail"]
    if code is not None:
        assert body["code"] == code
    if errors is not None:
        assert body["errors"] == errors
    return body
