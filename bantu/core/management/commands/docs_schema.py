"""Write docs/schema.md (Mermaid ER diagrams of every model); `--check` only compares (exit 1 when stale)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bantu.core.docs.erd import render_markdown


class Command(BaseCommand):
    help = "Generate docs/schema.md, the database schema as Mermaid ER diagrams, from the models."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(Path(settings.BASE_DIR) / "docs" / "schema.md"))
        parser.add_argument("--check", action="store_true", help="Fail if the file differs; write nothing.")

    def handle(self, *args, file, check, **options):
        text = render_markdown()
        path = Path(file)
        if check:
            if not path.exists() or path.read_text() != text:
                raise CommandError(f"{path} is out of date: run `make docs`.")
            return
        path.write_text(text)
        self.stdout.write(f"Wrote {path}")
