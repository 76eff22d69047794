"""The methods digimaat's attrs classes share (``digimaat._classes``) against attrs' own.

attrs generates ``__repr__``, ``__eq__`` and ``__hash__`` per class; digimaat's classes
share one of each instead, which saves compiling them when the command line starts. The
shared ones must behave as the generated ones: the same text, the same equality, a hash
that agrees with equality. Each case below defines the same class twice, once as attrs
makes it and once with the shared methods, and compares the two on generated values.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import digimaat
from digimaat._classes import attrs_eq, attrs_hash, attrs_repr, shared_eq, shared_repr

values = st.one_of(
    st.integers(-(10**6), 10**6),
    st.text(max_size=8),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none(),
    st.tuples(st.integers(0, 9), st.text(max_size=3)),
    st.frozensets(st.integers(0, 5), max_size=3),
)


def _pair(**fields: Any) -> tuple[type, type]:
    """The same frozen class made by attrs alone and with the shared methods."""

    def make(shared: bool) -> type:
        namespace = {name: attrs.field(**options) for name, options in fields.items()}
        cls = type("Sample", (), namespace)
        if shared:
            cls = shared_eq(shared_repr(cls))
        return attrs.frozen(cls)

    return make(False), make(True)


CASES = [
    {"a": {}, "b": {}},
    {"a": {}, "hidden": {"repr": False}, "b": {}},
    {"a": {"repr": lambda v: f"<{v!r}>"}, "b": {"eq": False}},
    {"a": {"eq": str}, "b": {}},
    {"a": {"hash": False}, "b": {}},
    {"a": {"eq": False}},
    {"a": {}, "later": {"init": False, "default": 7}},
]


@pytest.mark.parametrize("fields", CASES)
@given(
    first=st.lists(values, min_size=3, max_size=3), second=st.lists(values, min_size=3, max_size=3)
)
def test_shared_methods_behave_as_generated(
    fields: dict[str, Any], first: list[Any], second: list[Any]
) -> None:
    """The shared ``__repr__``, ``__eq__`` and ``__hash__`` give what attrs' generated ones
    give: the same text, the same answer to ``==`` (also against another class), and equal
    hashes for equal objects."""
    generated, shared = _pair(**fields)
    assert shared.__repr__ is attrs_repr
    assert generated.__repr__ is not attrs_repr
    assert shared.__eq__ is attrs_eq
    assert shared.__hash__ is attrs_hash
    names = [name for name, options in fields.items() if options.get("init", True)]
    x_args, y_args = dict(zip(names, first, strict=False)), dict(zip(names, second, strict=False))
    x_generated, x_shared = generated(**x_args), shared(**x_args)
    y_generated, y_shared = generated(**y_args), shared(**y_args)
    assert repr(x_shared) == repr(x_generated)
    assert (x_shared == y_shared) == (x_generated == y_generated)
    assert (x_shared == x_shared) == (x_generated == x_generated)
    assert x_shared.__eq__(x_generated) is NotImplemented
    assert (x_shared != y_shared) == (x_generated != y_generated)
    try:
        hash(x_generated), hash(y_generated)
    except TypeError:
        with pytest.raises(TypeError):
            hash(x_shared), hash(y_shared)
        return
    if x_shared == y_shared:
        assert hash(x_shared) == hash(y_shared)


def test_repr_of_a_cycle_and_of_a_field_not_yet_set() -> None:
    """An object met again while it is being written shows as ``...``, as attrs writes it,
    and a field that ``__init__`` does not set shows as ``NOTHING`` until it is set."""

    @attrs.define
    @shared_repr
    class Node:
        name: str
        children: list[Any] = attrs.field(factory=list)
        later: int = attrs.field(init=False)

    @attrs.define
    class Plain:
        name: str
        children: list[Any] = attrs.field(factory=list)
        later: int = attrs.field(init=False)

    for cls in (Node, Plain):
        node = cls("root")
        node.children.append(node)
        assert repr(node) == f"{cls.__name__}(name='root', children=[...], later=NOTHING)"
        node.later = 3
        assert repr(node).endswith("later=3)")


def _attrs_classes() -> list[type]:
    found = []
    for info in pkgutil.walk_packages(digimaat.__path__, "digimaat."):
        if info.name.endswith(".__main__"):
            continue  # runs the program
        try:
            module = importlib.import_module(info.name)
        except ImportError:  # an optional extra that is not installed
            continue
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and attrs.has(value)
                and value.__module__ == info.name
                and value not in found
            ):
                found.append(value)
    return found


def _generated(method: object) -> bool:
    code = getattr(method, "__code__", None)
    return code is not None and code.co_filename.startswith("<attrs generated")


def test_every_class_of_the_package_shares_them() -> None:
    """Every attrs class of digimaat has the shared ``__repr__`` (or one of its own), and
    every frozen class that attrs would give equality and a hash has the shared ones: none
    compiles these methods when it is made (the two mutable classes of the SC import keep
    attrs' equality, which makes them unhashable)."""
    classes = _attrs_classes()
    assert len(classes) > 100
    repr_generated = [c.__qualname__ for c in classes if _generated(c.__repr__)]
    frozen = [c for c in classes if c.__setattr__.__name__ == "_frozen_setattrs"]
    eq_generated = [
        c.__qualname__ for c in frozen if _generated(c.__eq__) or _generated(c.__hash__)
    ]
    assert repr_generated == []
    assert eq_generated == []


def test_a_subclass_without_methods_of_its_own_uses_its_parents() -> None:
    """A subclass that attrs gives no ``__repr__`` or ``__eq__`` of its own (``repr=False``,
    ``eq=False``) inherits its parent's, which write and compare the parent's fields: as
    with attrs' generated methods of the parent. A subclass that attrs gives methods has
    its own."""
    generated, shared = _pair(a={}, b={})
    made = []
    for parent in (generated, shared):

        @attrs.frozen(eq=False, repr=False)
        class Quiet(parent):  # type: ignore[valid-type,misc]
            extra: int = 0

        @attrs.frozen
        class Loud(parent):  # type: ignore[valid-type,misc]
            extra: int = 0

        made.append((Quiet, Loud))
    (quiet_generated, loud_generated), (quiet_shared, loud_shared) = made
    for quiet in (quiet_generated, quiet_shared):
        assert quiet(1, 2, extra=1) == quiet(1, 2, extra=2)
        assert repr(quiet(1, 2, extra=1)) == "Quiet(a=1, b=2)"
        assert hash(quiet(1, 2, extra=1)) == hash(quiet(1, 2, extra=2))
    for loud in (loud_generated, loud_shared):
        assert loud(1, 2, extra=1) != loud(1, 2, extra=2)
        assert repr(loud(1, 2, extra=1)) == "Loud(a=1, b=2, extra=1)"
