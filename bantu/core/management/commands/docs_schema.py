"""Write docs/schema.md (Mermaid ER diagrams of every model); `--check` only compares (exit 1 when stale)."""

from bantu.core.docs.command import GeneratedDocumentCommand
from bantu.core.docs.erd import render_markdown


class Command(GeneratedDocumentCommand):
    help = "Generate docs/schema.md, the database schema as Mermaid ER diagrams, from the models."
    document = "schema.md"

    def render(self) -> str:
        return render_markdown()
