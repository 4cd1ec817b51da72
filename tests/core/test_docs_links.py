"""The repository documents itself: every link in README.md and docs/ points at a file of the repository that
exists (and a heading of it, for `#anchors`), and nothing refers to a contract kept elsewhere."""

import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _anchors(markdown: str) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    headings = re.findall(r"^#+ (.+)$", markdown, flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-") for heading in headings}


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_links_stay_in_the_repository_and_resolve(document):
    text = document.read_text()

    for target in LINK.findall(text):
        assert "://" not in target and not target.startswith("//"), f"{document.name} links outside: {target}"
        path, _, anchor = target.partition("#")
        resolved = (document.parent / path).resolve() if path else document
        assert resolved.exists(), f"{document.name}: {target} does not exist"
        assert resolved.is_relative_to(ROOT), f"{document.name}: {target} leaves the repository"
        if anchor and resolved.suffix == ".md":
            assert anchor in _anchors(resolved.read_text()), f"{document.name}: no heading for {target}"


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_reference_to_a_contract_kept_elsewhere(document):
    assert not re.search(r"PRODUCT\.md|shared/spec|original-brief", document.read_text()), document.name


def test_readme_links_every_document():
    readme = (ROOT / "README.md").read_text()

    for document in DOCUMENTS[1:]:
        assert f"(docs/{document.name})" in readme, document.name
