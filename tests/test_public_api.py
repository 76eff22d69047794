"""Every public callable refuses arguments of the wrong type with a ``DigimaatError``.

The public API is everything in ``digimaat.__all__`` and in the ``__all__`` of every public
module (no part of its name starts with ``_``): functions, the constructors of classes and
their ``from_...`` constructors. A hypothesis walk calls each with arguments of the wrong
type: ``None``, integers (negative and huge ones too), floats (NaN and infinities too),
bytes, lists, dictionaries and plain objects. Whatever it is given, a call returns or
raises a ``DigimaatError`` (which may also be a ``TypeError`` or a ``ValueError``), never
a bare ``TypeError``, ``AttributeError``, ``KeyError`` or ``RecursionError`` from inside
(XCH-2: a reader MUST NOT fail with any error other than its documented error for bad
input; SEC-4). The walk is bounded (examples per callable) and derandomized.
"""

from __future__ import annotations

import enum
import importlib
import inspect
import math
import pkgutil
import types
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import digimaat
from digimaat.errors import DigimaatError

EXCLUDED: dict[str, str] = {
    "digimaat.cli.main": "an entry point: reads sys.argv when given None (tested in test_cli)",
    "digimaat.cli.run": "the program: main() on sys.argv, then exits (tested in test_cli)",
    "digimaat.conformance.main": "an entry point: reads sys.argv when given None",
}
"""Callables the walk leaves out, and why."""


def public_modules() -> list[str]:
    names = ["digimaat"]
    for info in pkgutil.walk_packages(digimaat.__path__, "digimaat."):
        if not any(part.startswith("_") for part in info.name.split(".")[1:]):
            names.append(info.name)
    return names


def public_callables() -> Iterator[tuple[str, Callable[..., Any]]]:
    """``(qualified name, callable)`` of every public function and constructor, once each."""
    seen: set[int] = set()
    for module_name in public_modules():
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            value = getattr(module, name)
            found: list[tuple[str, Callable[..., Any]]] = []
            if isinstance(value, type):
                if issubclass(value, BaseException) or inspect.isabstract(value):
                    continue  # errors are raised, abstract classes are not made
                qualified = f"{value.__module__}.{value.__qualname__}"
                found.append((qualified, value))
                for attribute, member in vars(value).items():
                    if attribute.startswith("from_") and isinstance(member, classmethod):
                        found.append((f"{qualified}.{attribute}", getattr(value, attribute)))
            elif isinstance(value, types.FunctionType):
                found.append((f"{value.__module__}.{value.__qualname__}", value))
            for qualified, call in found:
                key = id(getattr(call, "__func__", call))
                if key not in seen and qualified not in EXCLUDED:
                    seen.add(key)
                    yield qualified, call


CALLABLES = dict(public_callables())

WRONG = st.one_of(
    st.none(),
    st.integers(-(2**70), 2**70),
    st.sampled_from([0, -1, 10**400]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([math.nan, math.inf, -math.inf, -0.0, 5e-324, 1e308]),
    st.binary(max_size=8),
    st.lists(st.none() | st.integers(-3, 3) | st.binary(max_size=2), max_size=3),
    st.dictionaries(st.integers(-3, 3) | st.none(), st.none() | st.integers(-3, 3), max_size=3),
    st.builds(object),
)
"""Values of the wrong type for every parameter the public API has (no text: a text may
be a valid path or name, and the walk is about types)."""


def _arguments(data: st.DataObject, call: Callable[..., Any]) -> tuple[list[Any], dict[str, Any]]:
    """Arguments for every required parameter, and for some optional ones, all wrong."""
    if isinstance(call, type) and issubclass(call, enum.Enum):
        return [data.draw(WRONG)], {}  # a look-up by value (not the functional API)
    try:
        signature = inspect.signature(call)
    except (TypeError, ValueError):
        return [], {}
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for parameter in signature.parameters.values():
        required = parameter.default is inspect.Parameter.empty
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            args += data.draw(st.lists(WRONG, max_size=2))
        elif parameter.kind is inspect.Parameter.VAR_KEYWORD or (
            not required and not data.draw(st.booleans())
        ):
            continue
        elif parameter.kind is inspect.Parameter.KEYWORD_ONLY:
            kwargs[parameter.name] = data.draw(WRONG)
        elif parameter.kind is inspect.Parameter.POSITIONAL_ONLY or (required and not kwargs):
            args.append(data.draw(WRONG))
        else:
            kwargs[parameter.name] = data.draw(WRONG)
    return args, kwargs


@pytest.mark.property
@pytest.mark.parametrize("name", sorted(CALLABLES))
@settings(
    max_examples=25,
    deadline=timedelta(seconds=5),  # generous: the machine may be shared
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_wrong_types_raise_a_digimaat_error(
    name: str, data: st.DataObject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """XCH-2: a reader MUST NOT fail with any error other than its documented error for
    bad input (a subclass of ``DigimaatError``), whatever the input; every public function
    and constructor likewise refuses arguments of the wrong type with a ``DigimaatError``."""
    monkeypatch.chdir(tmp_path)  # whatever a call might write stays here
    call = CALLABLES[name]
    args, kwargs = _arguments(data, call)
    try:
        call(*args, **kwargs)
    except DigimaatError:
        pass
    except Exception as exc:  # the failure this test looks for
        raise AssertionError(
            f"{name}(*{args!r:.200}, **{kwargs!r:.200}) raised {type(exc).__name__}: {exc}"
        ) from exc


def test_the_walk_covers_the_public_api() -> None:
    """The walk reaches the constructors and functions the documentation shows."""
    for name in (
        "digimaat.measurement.dataset.Dataset.from_offerings",
        "digimaat.measurement.dataset.Dataset.from_arrays",
        "digimaat.exchange.load",
        "digimaat.exchange.loads",
        "digimaat.exchange.profiles.load_profile",
        "digimaat.vocabulary.offerings.Offering",
        "digimaat.vocabulary.offerings.VolumeRecord.from_mapping",
        "digimaat.vocabulary.municipalities.Municipality",
        "digimaat.measurement.profiles.builtin_profile",
        "digimaat.measurement.explain.priorities",
        "digimaat.analysis.peer_groups.read_peer_groups",
    ):
        assert name in CALLABLES, name
    assert len(CALLABLES) > 150
