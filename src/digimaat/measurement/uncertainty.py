"""The uncertainty section of a profile, and scoring many samples at once (chapter UNC).

A profile may declare how uncertain its own methodology and its data are
(:class:`UncertaintySection`, UNC-1): alternative *choices* (weightings, the composite
method, the missing-value policy), *perturbations* of weights (each composite part weight,
each product's weight, each product's volumes within a relative range) and *data sets*
(an offering that is online but whose authentication was not recorded has one of a set of
assurance levels; a cell whose maturity level is unknown, or only claimed, has one of a set
of levels). A *sample* fixes every one of them (:class:`Samples`); its score is the
score of the profile and data those values make (:func:`sample_profile`,
:func:`sample_dataset`, UNC-4). :class:`BatchScorer` scores a batch of samples as array
operations (UNC-5). The design of the samples and the statistics over them are the
analysis layer's (:mod:`digimaat.analysis.uncertainty`).

This module gathers the chapter's names; they live in
:mod:`~digimaat.measurement.uncertainty_section` (the section, UNC-1 and UNC-2),
:mod:`~digimaat.measurement.uncertainty_samples` (factors and samples, UNC-3 and UNC-4),
:mod:`~digimaat.measurement.uncertainty_cells` (the uncertain cells in a batch) and
:mod:`~digimaat.measurement.uncertainty_batch` (batch scoring, UNC-5).

>>> from digimaat.measurement.uncertainty import UncertaintySection
>>> section = UncertaintySection(methods=("arithmetic", "geometric"), part_weights=0.25)
>>> section.to_dict(lambda w: {"kind": w.kind})["methods"]
['arithmetic', 'geometric']
"""

from __future__ import annotations

from digimaat._boundary import guard
from digimaat.measurement.uncertainty_batch import BatchScorer
from digimaat.measurement.uncertainty_cells import UncertainCells
from digimaat.measurement.uncertainty_samples import (
    Samples,
    authentication_cells,
    level_cells,
    sample_dataset,
    sample_profile,
    with_maturity,
)
from digimaat.measurement.uncertainty_section import (
    SECTION_KEYS,
    UncertaintySection,
    section_problems,
    structure_section,
    uses_volume,
)

__all__ = [
    "SECTION_KEYS",
    "BatchScorer",
    "Samples",
    "UncertainCells",
    "UncertaintySection",
    "authentication_cells",
    "level_cells",
    "sample_dataset",
    "sample_profile",
    "section_problems",
    "structure_section",
    "uses_volume",
    "with_maturity",
]


guard(__name__)
