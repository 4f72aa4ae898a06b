"""The API's JSON parser: a body nested beyond reason is a 400 like any other malformed JSON."""
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:  # json raises it, not ValueError, past the interpreter's recursion limit
            raise ParseError("JSON parse error - nested too deeply.") from None
