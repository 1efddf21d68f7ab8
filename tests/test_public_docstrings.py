"""Every public object of the documented namespaces has ``Args:`` and an example that runs.

A public object is a name in the namespace's ``__all__`` (for ``minigrad``, which has
none, every name not starting with ``_`` whose object is defined in minigrad, modules
left out) and, for a class, each public method and property it has from minigrad
(inherited ones are checked once, where they are defined). The rule, in napoleon's
Google style:

* a callable (function, class, method) starts with a summary line and has an ``Args:``
  section naming each of its parameters (``self`` aside), unless it takes none; for a
  class these are the constructor's;
* it has an ``Example:`` section with a ``>>>`` line, and the docstring is one that
  ``tests/test_docs.py`` runs as a doctest;
* a property has a one-line description; an attribute that cannot carry a docstring of
  its own (a plain value, a field of the compiled ``TensorBase``) is named in its
  class's ``Attributes:`` section;
* a value that is not callable (the dtypes ``minigrad.float32``, ...) is documented by
  its type (``minigrad.dtype``), checked in its place.

Run as a script (``PYTHONPATH=. python tests/test_public_docstrings.py``), it lists the
objects that fail and prints how many pass.
"""

import enum
import importlib
import inspect
import re
import types

import pytest
from test_docs import _Finder, _modules  # the modules whose doctests run, and how

MODULES = [
    "minigrad",
    "minigrad.autograd",
    "minigrad.optim",
    "minigrad.optim.lr_scheduler",
    "minigrad.utils.data",
    "minigrad.transforms",
    "minigrad.datasets",
    "minigrad.nn",
    "minigrad.nn.functional",
    "minigrad.nn.init",
    "minigrad.nn.utils",
    "minigrad.nn.parallel",
    "minigrad.models",
]

_SECTION = re.compile(r"^(\s*)([A-Z][A-Za-z ]*):\s*$")


def _sections(doc):
    """{section title: its lines} of a cleaned docstring (Args, Example, Attributes, ...)."""
    sections, title, indent = {}, None, 0
    for line in inspect.cleandoc(doc).splitlines():
        heading = _SECTION.match(line)
        if heading and (title is None or len(heading.group(1)) <= indent):
            title, indent = heading.group(2), len(heading.group(1))
            sections.setdefault(title, [])
        elif title is not None:
            if line.strip() and len(line) - len(line.lstrip()) <= indent:
                title = None  # text back at the section's level ends it
            else:
                sections[title].append(line)
    return sections


def _named(lines):
    """The names an ``Args:``-like section describes: ``name (type): ...`` or ``a, b: ...``."""
    entries = [line for line in lines if line.strip()]
    if not entries:
        return set()
    indent = min(len(line) - len(line.lstrip()) for line in entries)
    names = set()
    for line in entries:
        if len(line) - len(line.lstrip()) != indent:
            continue  # a continuation of the description
        head = re.match(r"\s*([*\w][\w*, ]*?)\s*(\(.*\))?\s*:(\s|$)", line)
        if head:
            names.update(name.strip().lstrip("*") for name in head.group(1).split(","))
    return names


def _parameters(obj):
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    return [p for p in signature.parameters if p not in ("self", "cls")]


def _run_docstrings():
    """The docstrings whose examples tests/test_docs.py runs."""
    finder = _Finder(exclude_empty=True)
    found = set()
    for name in _modules():
        module = importlib.import_module(name)
        found.update(t.docstring for t in finder.find(module, name) if t.examples)
    return found


_RUN = _run_docstrings()


def _callable_problems(obj, doc, parameters):
    doc = doc or ""
    problems = [] if inspect.cleandoc(doc).split("\n")[0].strip() else ["no summary line"]
    sections = _sections(doc) if doc else {}
    if parameters:
        described = _named(sections.get("Args", []) + sections.get("Keyword Args", []))
        missing = [p for p in parameters if p not in described]
        if missing:
            problems.append(f"Args lacks {', '.join(missing)}")
    example = sections.get("Example", []) + sections.get("Examples", [])
    if not any(line.strip().startswith(">>>") for line in example):
        problems.append("no Example with >>>")
    elif doc not in _RUN:
        problems.append("its example is not run by tests/test_docs.py")
    return problems


def _defining_class(cls, name):
    return next(klass for klass in cls.__mro__ if name in klass.__dict__)


def _members(cls):
    """(qualified name, kind, object, class docstring) for each public member from minigrad."""
    for name in sorted(dir(cls)):
        if name.startswith("_"):
            continue
        owner = _defining_class(cls, name)
        if not owner.__module__.startswith("minigrad"):
            continue
        raw = owner.__dict__[name]
        yield f"{owner.__module__}.{owner.__qualname__}.{name}", owner, name, raw


def _member_problems(cls, owner, name, raw):
    if isinstance(raw, (staticmethod, classmethod)):
        raw = raw.__func__
    if isinstance(raw, property):
        return [] if (raw.__doc__ or "").strip() else ["property without a description"]
    if inspect.isfunction(raw):
        return _callable_problems(raw, raw.__doc__, _parameters(raw))
    # A plain value or a compiled field: described in the class's Attributes section.
    if (getattr(raw, "__doc__", None) or "").strip() and not isinstance(raw, (bool, int, float, str, type(None))):
        return []
    # (a field of a compiled base is described by the public class: Tensor for TensorBase's)
    docs = "\n\n".join(inspect.cleandoc(c.__doc__ or "") for c in (cls, owner))
    attributes = _named(_sections(docs).get("Attributes", []))
    return [] if name in attributes else [f"not named in {cls.__name__}'s Attributes section"]


def _public_objects(module_name):
    module = importlib.import_module(module_name)
    names = getattr(module, "__all__", None)
    if names is None:
        names = [
            n
            for n in dir(module)
            if not n.startswith("_")
            and not isinstance(getattr(module, n), types.ModuleType)
            and str(getattr(getattr(module, n), "__module__", "")).startswith("minigrad")
        ]
    for name in names:
        obj = getattr(module, name)
        if isinstance(obj, types.ModuleType):
            continue  # a submodule in __all__ (minigrad.optim.lr_scheduler) has its own entry
        if not callable(obj):
            obj = type(obj)  # a dtype value is documented by minigrad.dtype
        yield f"{module_name}.{name}", obj


def _checks():
    """(name, problems) for every public object and every public member of a public class."""
    seen = set()
    for module_name in MODULES:
        for name, obj in _public_objects(module_name):
            if id(obj) in seen:
                continue  # an alias (minigrad.clip is minigrad.clamp) is checked once
            seen.add(id(obj))
            if inspect.isclass(obj):
                # An Enum is not constructed by its users: its members are its Attributes.
                parameters = [] if issubclass(obj, enum.Enum) else _parameters(obj)
                yield name, _callable_problems(obj, obj.__doc__, parameters)
                for member, owner, attr, raw in _members(obj):
                    key = id(raw) if inspect.isfunction(raw) else (owner, attr)  # Tensor.clip is clamp
                    if key not in seen:
                        seen.add(key)
                        yield member, _member_problems(obj, owner, attr, raw)
            else:
                doc = obj.__doc__ if inspect.isroutine(obj) else type(obj).__doc__
                yield name, _callable_problems(obj, doc, _parameters(obj))


def test_every_public_object_has_args_and_an_example():
    failing = [f"{name}: {'; '.join(problems)}" for name, problems in _checks() if problems]
    assert not failing, f"{len(failing)} public objects lack Args or an example:\n" + "\n".join(failing)


@pytest.mark.parametrize(
    "doc, expected",
    [
        ("Sum.\n\nArgs:\n    input (Tensor): x.\n    dim (int, optional): d.\n\nReturns:\n    y", {"input", "dim"}),
        ("Sum.\n\nArgs:\n    a, b: two numbers,\n        on two lines (c: not a name).\n", {"a", "b"}),
        ("Sum.\n\nArgs:\n    *tensors (Tensor): all.\n", {"tensors"}),
        ("Crop.\n\nArgs:\n    size (int or (int, int)): the size.\n", {"size"}),
        ("Sum.\n\nReturns:\n    x: not an argument.\n", set()),
    ],
)
def test_the_args_reader(doc, expected):
    assert _named(_sections(doc).get("Args", [])) == expected


def test_the_rule_fails_without_args_or_example():
    def documented(x, y=1):
        """Add.

        Args:
            x (Tensor): one.

        Example:
            >>> 1 + 1
            2
        """

    assert _callable_problems(documented, documented.__doc__, ["x", "y"])[0] == "Args lacks y"
    assert _callable_problems(documented, "Add.", [])[0] == "no Example with >>>"


if __name__ == "__main__":
    results = list(_checks())
    for name, problems in results:
        if problems:
            print(f"{name}: {'; '.join(problems)}")
    print(f"{sum(not p for _, p in results)} of {len(results)} public objects have Args and an example")
