from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "bantu.core"
    label = "core"

    def ready(self):
        from . import checks, schema  # noqa: F401  (registers system checks and OpenAPI extensions)
