"""The API's JSON parser: a body nested deeper than any of our resources needs is a 400."""

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# Our deepest body (a hospital with its contacts, a child with its guardians) is 3 levels.
MAX_DEPTH = 32


class JSONParser(parsers.JSONParser):
    """DRF's JSONParser, but ``{"a": [[[[…]]]]}`` nested thousands deep (which overflows
    Python's recursion limit while decoding) or merely deeper than ``MAX_DEPTH`` answers
    400 instead of a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON parse error: nested too deeply.")) from None
        if _deeper_than(data, MAX_DEPTH):
            raise ParseError(_("JSON parse error: nested too deeply."))
        return data


def _deeper_than(data, limit: int) -> bool:
    """Whether ``data`` nests lists or objects more than ``limit`` deep (walked without
    recursion, so the check itself cannot overflow)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            value = value.values()
        elif not isinstance(value, list):
            continue
        if depth > limit:
            return True
        stack.extend((item, depth + 1) for item in value)
    return False
