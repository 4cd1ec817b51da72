"""Shared helpers of the jobs tests: URLs, a valid request body and the problem-details assertion."""

JOBS = "/api/v1/jobs/"


def detail_url(job) -> str:
    return f"{JOBS}{job.pk}/"


def remove_url(job) -> str:
    return f"{JOBS}{job.pk}/remove/"


def restore_url(job) -> str:
    return f"{JOBS}{job.pk}/restore/"


def job_body(**overrides) -> dict:
    body = {
        "title": "Desain Logo untuk Kedai Kopi",
        "description": "Kami mencari desainer untuk membuat logo kedai kopi di Bandung.",
        "category": "logo-brand-identity",
        "skills": ["figma", "adobe-illustrator"],
        "job_type": "fixed",
        "budget_min": 1_000_000,
        "budget_max": 5_000_000,
        "location_type": "remote",
        "experience_level": "intermediate",
    }
    body.update(overrides)
    return body


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [job["title"] for job in response.json()["results"]]
