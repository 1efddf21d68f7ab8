"""Read minigrad's docstrings as they are written: ``C*KH*KW``, ``(N, *)`` and ``zero_`` are code.

minigrad's docstrings write sizes, shapes and names the way code writes them: products
``H*W``, wildcard dimensions ``(N, C, *)``, and in-place names such as ``kaiming_normal_``.
reStructuredText would read such a ``*`` as the start of emphasis, and a word ending in
``_`` as a link to a target, and warn that neither exists. This extension escapes a
``*`` that does not open or close a real ``*emphasis*`` or ``**strong**`` pair, and a
``_`` that ends a word, outside inline literals, roles, doctest lines and literal
blocks, after napoleon has turned the Google-style sections into reStructuredText.
It also keeps plain-text tables and formulas (an indented block after a line ending in
``:``) as they are laid out, by making them literal blocks.
"""

import re

_LITERAL = re.compile(r"(``.*?``|`[^`]*`_{0,2})")
_EMPHASIS = re.compile(r"(?<![\w*\\])(\*\*?)[^\s*](?:[^*]*?[^\s*\\])?\1(?![\w*])")
_STAR = re.compile(r"(?<!\\)\*")
_TRAILING_UNDERSCORE = re.compile(r"(?<=\w)_(?!\w)")


def _escape_text(text):
    out, last = [], 0
    for match in _EMPHASIS.finditer(text):
        out.append(_STAR.sub(r"\\*", text[last : match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(_STAR.sub(r"\\*", text[last:]))
    return _TRAILING_UNDERSCORE.sub(r"\\_", "".join(out))


_BULLET = re.compile(r"^\s*[*+-]\s+")


def _escape(text):
    bullet = _BULLET.match(text)
    prefix = bullet.group(0) if bullet else ""
    parts = _LITERAL.split(text[len(prefix) :])
    for i in range(0, len(parts), 2):  # even parts are outside literals and roles
        parts[i] = _escape_text(parts[i])
    return prefix + "".join(parts)


def _indent(line):
    return len(line) - len(line.lstrip())


def _mark_literal_blocks(lines):
    """A paragraph ending in ``:`` followed by a blank line and an indented block is a
    table or formula laid out in plain text: make it a literal block (``::``), so its
    line breaks survive."""
    for i, line in enumerate(lines[:-2]):
        stripped = line.strip()
        if not stripped.endswith(":") or stripped.endswith("::") or stripped.startswith((":", "..")):
            continue
        if lines[i + 1].strip():
            continue
        following = next((l for l in lines[i + 2 :] if l.strip()), None)
        if following is not None and _indent(following) > _indent(line):
            lines[i] = line.rstrip() + ":"


def escape_products(app, what, name, obj, options, lines):
    _mark_literal_blocks(lines)
    literal_indent = None  # indentation of the paragraph that opened a literal block
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
