"""The package's cattrs converter, shared by the package data loaders and the exchange layer.

The converter knows the vocabulary's exchange names: an assurance level is written as its
name (``"substantial"``), a maturity level as its label (``"fully-online"``), a channel or
capability as its value. Structuring applies the same parsers the vocabulary uses, so a
name is accepted in the same forms everywhere.
"""

from __future__ import annotations

import functools
from typing import Any

import cattrs

__all__ = ["converter"]


@functools.cache
def converter() -> cattrs.Converter:
    """Return the shared converter (built on first use)."""
    from digimaat.errors import InvalidValueError
    from digimaat.vocabulary.assurance import AssuranceLevel, AuthMeans, parse_level
    from digimaat.vocabulary.channels import Channel
    from digimaat.vocabulary.maturity import Capability, MaturityLevel

    conv = cattrs.Converter(forbid_extra_keys=True)

    # Strict primitives: cattrs would otherwise call bool("no") -> True or str(3) -> "3".
    def _strict(kind: type, name: str) -> Any:
        def hook(value: Any, _: type) -> Any:
            if isinstance(value, bool) and kind is not bool:
                raise InvalidValueError("value", value, f"must be {name}, not a boolean")
            if kind is float and isinstance(value, int):
                return float(value)
            if not isinstance(value, kind):
                raise InvalidValueError("value", value, f"must be {name}")
            return value

        return hook

    conv.register_structure_hook(bool, _strict(bool, "true or false"))
    conv.register_structure_hook(int, _strict(int, "an integer"))
    conv.register_structure_hook(float, _strict(float, "a number"))
    conv.register_structure_hook(str, _strict(str, "a string"))

    def _level(value: Any, _: type) -> AssuranceLevel:
        return parse_level(value)

    conv.register_structure_hook(AssuranceLevel, _level)
    conv.register_unstructure_hook(AssuranceLevel, lambda v: v.label)
    conv.register_structure_hook(MaturityLevel, lambda v, _: MaturityLevel.parse(v))
    conv.register_unstructure_hook(MaturityLevel, lambda v: v.label)
    conv.register_structure_hook(AuthMeans, lambda v, _: AuthMeans.parse(v))
    conv.register_structure_hook(Channel, lambda v, _: Channel.parse(v))
    conv.register_structure_hook(Capability, lambda v, _: Capability.parse(v))
    return conv
