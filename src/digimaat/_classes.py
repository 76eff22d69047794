"""Methods shared by digimaat's attrs classes, instead of methods generated per class.

attrs writes the methods of each class as Python source and compiles it when the class
is made: ``__init__``, ``__repr__``, ``__eq__`` and ``__hash__``. Compiling that source is
most of the time the command line spends making the classes it needs to score a small
file, and ``__repr__`` is the largest part of it (about half, measured when this was
written: the f-string each one holds is the slowest kind of source to compile), then
``__eq__`` and ``__hash__``. A class decorated below its attrs decorator with
:func:`shared_repr` (and, when attrs would give it equality and a hash, with
:func:`shared_eq`) has those methods of its own when attrs sees it, so attrs keeps them
(its ``auto_detect``) and compiles nothing for them. Only ``__init__``, with each
class's own validators and converters, is still generated.

The shared methods do what attrs' generated ones do:

- :func:`attrs_repr` writes the class's name, then ``name=value`` for each field in order,
  the value through ``repr`` or the field's own ``repr`` callable, without the fields
  declared with ``repr=False``; a field that ``__init__`` does not set and that has no
  value yet shows as ``NOTHING``, and an object met again while it is being written (a
  cycle) as ``...``.
- :func:`attrs_eq` is ``NotImplemented`` for an object of another class, else whether the
  fields compared for equality (not those with ``eq=False``; through a field's ``eq_key``
  where it has one) are equal, in order, each compared with ``==`` (so that an object
  holding a NaN is not equal to itself, as with attrs).
- :func:`attrs_hash` hashes the class with the same values (of the fields whose ``hash``
  is true, or that are compared when it is not set), so that equal objects hash alike.

``tests/test_classes.py`` compares them with attrs' own on generated classes and values,
and checks that every attrs class of the package uses them (or methods of its own).
"""

from __future__ import annotations

import operator
import reprlib
from collections.abc import Callable
from typing import Any, TypeVar

from attrs import NOTHING

__all__ = ["attrs_eq", "attrs_hash", "attrs_repr", "shared_eq", "shared_repr"]

C = TypeVar("C", bound=type)


@reprlib.recursive_repr(fillvalue="...")
def attrs_repr(self: Any) -> str:
    """The ``__repr__`` of an attrs class, as attrs writes it."""
    parts = []
    for field in _fields(type(self), "__repr__", attrs_repr):
        show = field.repr
        if show is False:
            continue
        value = getattr(self, field.name) if field.init else getattr(self, field.name, NOTHING)
        parts.append(f"{field.name}={repr(value) if show is True else show(value)}")
    name = type(self).__qualname__.rsplit(">.", 1)[-1]
    return f"{name}({', '.join(parts)})"


def attrs_eq(self: Any, other: object) -> bool:
    """The ``__eq__`` of an attrs class, as attrs writes it."""
    if other.__class__ is not self.__class__:
        return NotImplemented  # type: ignore[no-any-return]
    compared = _keys(type(self))[0]
    # Field by field with ==, as attrs compares (a tuple's == would take an object as equal
    # to itself first, which a NaN is not).
    return all(map(operator.eq, compared(self), compared(other)))


def attrs_hash(self: Any) -> int:
    """The ``__hash__`` of a frozen attrs class: of its class and the values it hashes."""
    return hash((type(self), _keys(type(self))[1](self)))


def shared_repr(cls: C) -> C:
    """Give ``cls`` :func:`attrs_repr` as its ``__repr__`` (unless it writes its own), so
    that the attrs decorator above it does not generate one."""
    if "__repr__" not in vars(cls):
        cls.__repr__ = attrs_repr  # type: ignore[assignment]
    return cls


def shared_eq(cls: C) -> C:
    """Give ``cls`` :func:`attrs_eq` and :func:`attrs_hash` (unless it writes its own
    ``__eq__``), for a frozen class whose attrs decorator above it would generate both."""
    if "__eq__" not in vars(cls) and "__hash__" not in vars(cls):
        cls.__eq__ = attrs_eq  # type: ignore[assignment]
        cls.__hash__ = attrs_hash  # type: ignore[assignment]
    return cls


_Values = Callable[[Any], tuple[Any, ...]]
_KEYS = "__digimaat_keys__"
"""The attribute of a class that holds the values it compares and the values it hashes, as
one function each, made on first use (in the class's own namespace: a subclass makes its
own)."""


def _keys(cls: type) -> tuple[_Values, _Values]:
    found: tuple[_Values, _Values] | None = vars(cls).get(_KEYS)
    if found is None:
        fields = _fields(cls, "__eq__", attrs_eq)
        compared = [f for f in fields if f.eq]
        hashed = [f for f in fields if (f.eq if f.hash is None else f.hash)]
        found = (_values(compared), _values(hashed))
        type.__setattr__(cls, _KEYS, found)
    return found


def _fields(cls: type, name: str, method: object) -> tuple[Any, ...]:
    """The fields of the class that was given the shared ``method`` as ``name``: ``cls``
    itself, or the class it inherits the method from. A subclass that attrs gives no method
    of its own (``eq=False``, ``repr=False``) inherits its parent's, which writes and
    compares the parent's fields, as attrs' generated method of the parent does."""
    for owner in cls.__mro__:
        if vars(owner).get(name) is method:
            fields: tuple[Any, ...] = owner.__attrs_attrs__  # type: ignore[attr-defined]
            return fields
    return cls.__attrs_attrs__  # type: ignore[attr-defined,no-any-return]


def _values(fields: list[Any]) -> _Values:
    """A function of an object to the tuple of these fields' values (through ``eq_key``)."""
    names = [f.name for f in fields]
    if any(f.eq_key is not None for f in fields):
        keys = [(f.name, f.eq_key) for f in fields]
        return lambda obj: tuple(
            getattr(obj, name) if key is None else key(getattr(obj, name)) for name, key in keys
        )
    if len(names) == 1:
        get = operator.attrgetter(names[0])
        return lambda obj: (get(obj),)
    if not names:
        return lambda obj: ()
    return operator.attrgetter(*names)  # a tuple of the values, made in C
