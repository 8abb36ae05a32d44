"""How deep a JSON value nests, without recursion.

Bodies and documents nested deeper than MAX_JSON_DEPTH are refused (400): each
level costs a Python stack frame in every recursive reader and writer, and past
about a thousand levels the parser itself fails with RecursionError.
"""

from django.conf import settings


class TooDeep(ValueError):
    def __init__(self, limit: int):
        super().__init__(f"JSON nested deeper than {limit} levels (MAX_JSON_DEPTH)")
        self.limit = limit


def max_depth() -> int:
    return settings.MAX_JSON_DEPTH


def check_depth(value, limit: int | None = None) -> None:
    """Raise TooDeep if ``value`` nests objects and arrays deeper than ``limit``.

    A scalar is depth 0, ``{}`` or ``[]`` depth 1. Only containers are pushed,
    so a 40 MB guideline is walked in a few hundredths of a second.
    """
    limit = max_depth() if limit is None else limit
    stack = [(value, 1)] if type(value) in (dict, list) else []
    pop, push = stack.pop, stack.append
    while stack:
        container, depth = pop()
        if depth > limit:
            raise TooDeep(limit)
        for child in container.values() if type(container) is dict else container:
            if type(child) is dict or type(child) is list:
                push((child, depth + 1))


def loads_bounded(loads, text, limit: int | None = None, **kwargs):
    """``loads(text, **kwargs)``, refusing nesting over the limit: TooDeep."""
    limit = max_depth() if limit is None else limit
    try:
        value = loads(text, **kwargs)
    except RecursionError:
        raise TooDeep(limit) from None
    # Each level opens a bracket: text with fewer cannot nest too deep (those
    # in strings count too, so this errs on the safe side). A large
    # guideline is read a capability at a time, each far from the limit.
    if isinstance(text, str | bytes) and _brackets(text) <= limit:
        return value
    check_depth(value, limit)
    return value


def _brackets(text: str | bytes) -> int:
    if isinstance(text, bytes):
        return text.count(b"{") + text.count(b"[")
    return text.count("{") + text.count("[")
