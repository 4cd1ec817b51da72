"""Swagger UI and ReDoc work with no internet (their assets are ours, served by WhiteNoise from
drf-spectacular-sidecar), and every operation has a summary rather than a bare operation id."""

import re
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from bantu.core.schema import SUMMARY_MAX_LENGTH, docstring_title


class _References(HTMLParser):
    """Every URL an HTML page makes the browser fetch: src= and href= of any tag, spec-url= of ReDoc's tag."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        self.urls += [value for name, value in attrs if name in ("src", "href", "spec-url") and value]


def _references(html: str) -> list[str]:
    parser = _References()
    parser.feed(html)
    return parser.urls


@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_reference_page_names_no_other_host(client, page):
    response = client.get(page)
    html = response.content.decode()

    assert response.status_code == 200
    urls = _references(html)
    assert urls, "the page loads its viewer from somewhere"
    assert all(url.startswith("/") and not url.startswith("//") for url in urls), urls
    # Nor in inline scripts and styles: no absolute URL at all (a CDN, Google Fonts).
    assert re.findall(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html, flags=re.IGNORECASE) == []


@pytest.mark.parametrize(("page", "count"), [("/api/docs/", 4), ("/api/redoc/", 1)])
def test_reference_page_assets_are_served(settings, page, count):
    # As the embedded server serves them (tests/settings.py turns WhiteNoise's finders off for speed); the image
    # serves the same files after collectstatic.
    settings.WHITENOISE_USE_FINDERS = True
    client = Client()  # a new handler, whose WhiteNoise reads the setting
    assets = [url for url in _references(client.get(page).content.decode()) if url.startswith("/static/")]

    assert len(assets) == count  # Swagger UI: icon, CSS, bundle, preset; ReDoc: its bundle
    for url in assets:
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 200, url
        assert len(body) > 500, url  # the file itself, not an empty answer


def test_reference_page_assets_are_served_after_collectstatic(settings, tmp_path):
    # As the image serves them: collected at build time, WhiteNoise reading STATIC_ROOT, no finders.
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    client = Client()
    assets = [
        url
        for page in ("/api/docs/", "/api/redoc/")
        for url in _references(client.get(page).content.decode())
        if url.startswith("/static/")
    ]

    assert len(assets) == 5
    for url in assets:
        assert client.get(url).status_code == 200, url


def test_reference_page_loads_the_schema(client):
    assert "/api/schema/" in _references(client.get("/api/redoc/").content.decode())
    assert 'url: "/api/schema/"' in client.get("/api/docs/").content.decode()


@pytest.fixture(scope="module")
def operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (method.upper(), path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    ]


def test_every_operation_has_a_short_summary_of_its_own(operations):
    summaries = [operation.get("summary", "") for _, _, operation in operations]

    for (method, path, operation), summary in zip(operations, summaries, strict=True):
        assert summary, f"{method} {path} has no summary"
        assert len(summary) <= SUMMARY_MAX_LENGTH, (method, path, summary)
        assert summary != operation["operationId"] and "_" not in summary.split()[0], (method, path, summary)
    assert len(set(summaries)) == len(summaries), "two operations share a summary"


def test_summaries_come_from_docstrings_then_the_model(operations):
    summary = {(method, path): operation["summary"] for method, path, operation in operations}

    # a handler's docstring
    assert summary["POST", "/api/v1/proposals/{id}/accept/"] == "Accept the latest offer"
    # the view's docstring, when the view has this one operation (asides in parentheses dropped)
    assert summary["POST", "/api/v1/jobs/{id}/apply/"] == "Apply to an open job"
    # a verb and the model's name
    assert summary["GET", "/api/v1/companies/"] == "List companies"
    assert summary["PATCH", "/api/v1/companies/{id}/"] == "Update a company"


def test_a_handler_docstring_past_its_title_and_the_view_docstring_make_the_description(operations):
    description = {(method, path): operation.get("description", "") for method, path, operation in operations}

    accept = description["POST", "/api/v1/proposals/{id}/accept/"]
    assert accept.startswith("Accept the latest offer (only the side that did not make it)")
    decline = description["POST", "/api/v1/proposals/{id}/decline/"]
    assert decline == "Decline a proposal (members of the job's company)."


@pytest.mark.parametrize(
    ("doc", "title"),
    [
        ("Post a job.", "Post a job"),
        ("Mark one read (idempotent).\n\nMore.", "Mark one read (idempotent)"),
        (
            "Apply to an open job (freelancers; never to a job of your own company). One proposal per job.",
            "Apply to an open job",
        ),
        (
            "Your wallet (freelancers): what you can withdraw,\n    what is in escrow.",
            "Your wallet: what you can withdraw, what is in escrow",
        ),
        ("A very long first sentence " + "that goes on " * 10 + "and on.", None),
        ("", None),
        (None, None),
    ],
)
def test_docstring_title(doc, title):
    assert docstring_title(doc) == title
