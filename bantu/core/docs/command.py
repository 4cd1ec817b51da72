"""The management command behind each generated document: write it, or with `--check` only compare."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class GeneratedDocumentCommand(BaseCommand):
    """Subclasses set `document` (its path under docs/) and `render()` (its text). Deterministic output, so that
    `--check` (exit 1 when the committed file differs; writes nothing) can run in the tests and CI."""

    document = ""

    def render(self) -> str:
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(Path(settings.BASE_DIR) / "docs" / self.document))
        parser.add_argument("--check", action="store_true", help="Fail if the file differs; write nothing.")

    def handle(self, *args, file, check, **options):
        text = self.render()
        path = Path(file)
        if check:
            if not path.exists() or path.read_text() != text:
                raise CommandError(f"{path} is out of date: run `make docs`.")
            return
        path.write_text(text)
        self.stdout.write(f"Wrote {path}")
