"""The JSON parser of every REST endpoint: bad bytes are a 400, never a 500 (see bantu.core.jsonsafe)."""

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from .jsonsafe import JSONInputError, loads_strict


class StrictJSONParser(JSONParser):
    """DRF's JSONParser turns only ValueError into a ParseError: nesting deep enough to raise RecursionError and
    lone surrogates (which fail later, when something encodes them) escaped it as 500s. This one refuses them,
    NUL characters, duplicate keys and NaN/Infinity with a 400 `parse_error` before any view runs."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        raw = stream.read() if stream is not None else b""
        try:
            text = raw.decode(encoding)
            return loads_strict(text)
        except (UnicodeDecodeError, LookupError):
            raise ParseError(f"JSON parse error: the body is not valid {encoding}.") from None
        except JSONInputError as error:
            raise ParseError(f"JSON parse error: {error}.") from None
