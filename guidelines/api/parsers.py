"""The API's JSON parser: DRF's, with nesting bounded (MAX_JSON_DEPTH).

Sizes are bounded before any parser runs (defcore_site.middleware).
"""

import codecs

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.utils import json

from guidelines.interop_format.nesting import TooDeep, loads_bounded


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
            # DRF's loads: NaN and Infinity are refused, as JSON says.
            return loads_bounded(json.loads, text)
        except TooDeep as exc:
            raise ParseError(f"JSON parse error - {exc}.") from None
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
