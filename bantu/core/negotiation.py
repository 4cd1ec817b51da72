"""Content negotiation: DRF's, except that a `?format=` given without a value is a 400.

DRF ignores an empty `format` and negotiates from `Accept`, but the schema lists the formats an endpoint with
several renderers takes (the sandbox checkout page: `html`, `json`), and an empty one is not among them: like an
empty typed filter (bantu.core.filters.StrictFilterSet), it is a mistake to report, not to guess around. Found by
`make fuzz` (FUZZ_EXAMPLES=100): `GET payments/sandbox/{id}/pay/?format=` was answered 200."""

from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation


class StrictContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        """DRF's choice of renderer. Raises ValidationError (400 `validation_error`, rendered as JSON) for a
        `format` query parameter that is present and empty."""
        if format_suffix is None and request.query_params.get(self.settings.URL_FORMAT_OVERRIDE) == "":
            raise ValidationError({self.settings.URL_FORMAT_OVERRIDE: [
                "This parameter needs a value; leave it out for the default."]})
        return super().select_renderer(request, renderers, format_suffix)
