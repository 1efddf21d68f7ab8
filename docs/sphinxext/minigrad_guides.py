"""Every guide page in docs/ appears in the front page's "Guides" toctree.

The guides (``docs/*.md``) are written by whoever writes the code they describe, and
land at any time. ``docs/index.md`` lists them in the order a reader should meet them; a
page that is not listed yet is appended to the end of that toctree when the front page is
read, instead of failing the build with "document isn't included in any toctree". The
front page is re-read on every build so that a new page is always picked up.
"""

import re
from pathlib import Path

_GUIDES = re.compile(r"(```\{toctree\}\n:caption: Guides\n(?::[^\n]*\n)*\n)(.*?)(```)", re.S)


def _append_unlisted_guides(app, docname, source):
    if docname != app.config.root_doc:
        return
    match = _GUIDES.search(source[0])
    if match is None:
        return
    listed = {line.strip() for line in match.group(2).splitlines() if line.strip()}
    pages = sorted(p.stem for p in Path(app.srcdir).glob("*.md") if p.stem != app.config.root_doc)
    extra = [page for page in pages if page not in listed]
    if extra:
        entries = match.group(2) + "".join(f"{page}\n" for page in extra)
        source[0] = source[0][: match.start(2)] + entries + source[0][match.end(2) :]


def _reread_front_page(app, env, added, changed, removed):
    return [app.config.root_doc]


def setup(app):
    app.connect("source-read", _append_unlisted_guides)
    app.connect("env-get-outdated", _reread_front_page)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
