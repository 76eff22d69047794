"""digimaat: a maturity-metric standard for the digital services of Dutch municipalities.

This package is the standard's reference implementation. The specification it implements
has its own version, :data:`SPEC_VERSION`; the package's version is :data:`__version__`.

The most used names are available from the top level; they are imported on first use, so
``import digimaat`` stays fast:

>>> import digimaat
>>> digimaat.SPEC_VERSION
'1.1'
>>> digimaat.AssuranceLevel.parse("DigiD Midden")
<AssuranceLevel.LOW: 2>

The three steps of most uses are :func:`load` (exchange files into a submission),
:func:`explain` (a municipality's score as the sum of its products' contributions) and
:func:`priorities` (what to digitise next for the largest gain):

>>> from importlib import resources
>>> data = digimaat.load(str(resources.files("digimaat.data") / "example.json")).dataset()
>>> profile = digimaat.standard_profile()
>>> round(digimaat.explain(data, profile, "GM0556").value, 4)
0.3202
>>> digimaat.priorities(data, profile, "GM0556")[0].name
'belastingkwijtschelding'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from digimaat._version import SPEC_VERSION, __version__

__all__ = [
    "SPEC_VERSION",
    "AssuranceLevel",
    "AuthMeans",
    "Authentication",
    "Capability",
    "Catalogue",
    "Channel",
    "Dataset",
    "DigimaatError",
    "InputError",
    "MaturityLevel",
    "Municipality",
    "Offering",
    "Product",
    "Profile",
    "VolumeRecord",
    "__version__",
    "builtin_profile",
    "explain",
    "load",
    "loads",
    "priorities",
    "reference_catalogue",
    "standard_profile",
]

_LAZY = {
    "AssuranceLevel": "digimaat.vocabulary.assurance",
    "AuthMeans": "digimaat.vocabulary.assurance",
    "Authentication": "digimaat.vocabulary.assurance",
    "Capability": "digimaat.vocabulary.maturity",
    "MaturityLevel": "digimaat.vocabulary.maturity",
    "Channel": "digimaat.vocabulary.channels",
    "Catalogue": "digimaat.vocabulary.products",
    "Product": "digimaat.vocabulary.products",
    "reference_catalogue": "digimaat.vocabulary.products",
    "Municipality": "digimaat.vocabulary.municipalities",
    "Offering": "digimaat.vocabulary.offerings",
    "VolumeRecord": "digimaat.vocabulary.offerings",
    "Dataset": "digimaat.measurement.dataset",
    "Profile": "digimaat.measurement.profiles",
    "builtin_profile": "digimaat.measurement.profiles",
    "standard_profile": "digimaat.measurement.profiles",
    "explain": "digimaat.measurement.explain",
    "priorities": "digimaat.measurement.explain",
    "load": "digimaat.exchange",
    "loads": "digimaat.exchange",
    "DigimaatError": "digimaat.errors",
    "InputError": "digimaat.errors",
}

if TYPE_CHECKING:  # pragma: no cover
    from digimaat.errors import DigimaatError, InputError
    from digimaat.exchange import load, loads
    from digimaat.measurement.dataset import Dataset
    from digimaat.measurement.explain import explain, priorities
    from digimaat.measurement.profiles import Profile, builtin_profile, standard_profile
    from digimaat.vocabulary.assurance import AssuranceLevel, Authentication, AuthMeans
    from digimaat.vocabulary.channels import Channel
    from digimaat.vocabulary.maturity import Capability, MaturityLevel
    from digimaat.vocabulary.municipalities import Municipality
    from digimaat.vocabulary.offerings import Offering, VolumeRecord
    from digimaat.vocabulary.products import Catalogue, Product, reference_catalogue


def __getattr__(name: str) -> Any:
    if name == "Volumes":  # the name of earlier releases, kept for one MINOR release
        from digimaat.vocabulary import offerings

        return offerings.__getattr__(name)
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'digimaat' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
