"""Write docs/postman/ (the Postman v2.1 collection and its environment) from the OpenAPI schema; `--check` only
compares (exit 1 when stale)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bantu.core.docs.postman import build_collection, build_environment, dumps


class Command(BaseCommand):
    help = "Generate the Postman collection and environment (docs/postman/) from the OpenAPI schema."

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=str(Path(settings.BASE_DIR) / "docs" / "postman"))
        parser.add_argument("--check", action="store_true", help="Fail if a file differs; write nothing.")

    def handle(self, *args, dir, check, **options):
        folder = Path(dir)
        files = {
            folder / "bantu.postman_collection.json": dumps(build_collection()),
            folder / "bantu.postman_environment.json": dumps(build_environment()),
        }
        stale = [path for path, text in files.items() if not path.exists() or path.read_text() != text]
        if check:
            if stale:
                raise CommandError(f"Out of date: {', '.join(map(str, stale))}: run `make docs`.")
            return
        folder.mkdir(parents=True, exist_ok=True)
        for path, text in files.items():
            path.write_text(text)
            self.stdout.write(f"Wrote {path}")
