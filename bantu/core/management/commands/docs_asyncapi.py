"""Write docs/asyncapi.yaml (the WebSocket protocol as AsyncAPI 3.0); `--check` only compares (exit 1 when stale)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bantu.core.docs.asyncapi import render_yaml


class Command(BaseCommand):
    help = "Generate docs/asyncapi.yaml, the AsyncAPI 3.0 document of the WebSocket protocol."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(Path(settings.BASE_DIR) / "docs" / "asyncapi.yaml"))
        parser.add_argument("--check", action="store_true", help="Fail if the file differs; write nothing.")

    def handle(self, *args, file, check, **options):
        text = render_yaml()
        path = Path(file)
        if check:
            if not path.exists() or path.read_text() != text:
                raise CommandError(f"{path} is out of date: run `make docs`.")
            return
        path.write_text(text)
        self.stdout.write(f"Wrote {path}")
