"""Read minigrad's docstrings as they are written: products like ``C*KH*KW`` are arithmetic.

minigrad's docstrings write sizes and formulas the way code writes them, ``H*W`` or
``2*pH``. reStructuredText would take such a ``*`` for the start of emphasis (and warn
that it never ends). This extension escapes a ``*`` that sits between two operands,
outside inline literals, doctest lines and literal blocks, after napoleon has turned the
Google-style sections into reStructuredText. ``**kwargs``, ``*args`` and real
``*emphasis*`` (a ``*`` next to a space) are left alone.
"""
import re

_PRODUCT = re.compile(r"(?<=[\w)\]}.'\"])\*(?=[\w(\[{'\"])")
_LITERAL = re.compile(r"(``.*?``|`[^`]*`_?)")


def _escape(text):
    parts = _LITERAL.split(text)
    for i in range(0, len(parts), 2):  # even parts are outside literals and roles
        parts[i] = _PRODUCT.sub(r"\\*", parts[i])
    return "".join(parts)


def _indent(line):
    return len(line) - len(line.lstrip())


def escape_products(app, what, name, obj, options, lines):
    literal_indent = None   # indentation of the paragraph that opened a literal block
    opened = False
    for i, line in enumerate(lines):
        stripped = line.strip()
        if literal_indent is not None:
            if not stripped or _indent(line) > literal_indent:
                continue
            literal_indent = None
        if opened and stripped:
            opened = False
        if stripped.startswith((">>>", "...")) and not stripped.startswith("...,"):
            continue
        lines[i] = _escape(line)
        if stripped.endswith("::") or stripped.startswith(".. code") or stripped.startswith(".. math"):
            literal_indent = _indent(line)


def setup(app):
    app.connect("autodoc-process-docstring", escape_products, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
