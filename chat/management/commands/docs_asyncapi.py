"""Write docs/asyncapi.yaml (the WebSocket protocol as AsyncAPI 3.0); `--check` only compares (exit 1 when stale)."""

from bantu.core.docs.command import GeneratedDocumentCommand
from chat.asyncapi import render_yaml


class Command(GeneratedDocumentCommand):
    help = "Generate docs/asyncapi.yaml, the AsyncAPI 3.0 document of the WebSocket protocol."
    document = "asyncapi.yaml"

    def render(self) -> str:
        return render_yaml()
