"""The ``digimaat-standard`` profile written with pandas, as an analyst would.

The input is a long table with one row per recorded offering (:func:`frames` builds it,
with the product and municipality tables, from a synthetic dataset); the maturity level is
a column of that table, derived when the table is built, as the dataset's level array is.
Scoring merges the table onto the full municipality x product grid (a pair without a row
counts as unknown), computes one column of per-product values per metric (NaN where
unknown or where the metric is not about the row) and takes a groupby mean per
municipality. It shares no code with ``digimaat.measurement``; see
:mod:`peers.naive` for the definitions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from digimaat.vocabulary.channels import CHANNELS
from digimaat.vocabulary.maturity import IMPLIED, LADDER, Capability, capability_mask

if TYPE_CHECKING:
    from generate import Synthetic

__all__ = ["METRICS", "Frames", "frames", "score"]

METRICS = (
    "maturity",
    "fully-online",
    "online-submission",
    "attainment",
    "local-attainment",
    "authentication-fit",
    "authentication-barrier",
    "authentication-shortfall",
    "uptake",
    "success-ratio",
    "digimaat-score",
)
_COMPOSITE_PARTS = ["maturity", "attainment", "fully-online", "authentication-fit"]
# The status codes of the synthetic arrays (those of the dataset arrays): 0..3 by name,
# 4 for a cell without a record.
_STATUS_NAMES = ("offered", "not-offered", "not-applicable", "unknown")
_NO_RECORD = 4
_DIGITAL = [f"vol_{ch.value}" for ch in CHANNELS if ch.digital]
_VOLUMES = [f"vol_{ch.value}" for ch in CHANNELS]

Frames = tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]
"""``(offerings, products, municipalities)``."""


def _levels(masks: Any, fee: Any) -> Any:
    """Tier gating (MAT-3) on a column of capability masks.

    Payment is waived without a fee (MAT-4); implied capabilities are added (MAT-2).
    """
    have = masks | np.where(fee == 0, Capability.ONLINE_PAYMENT.bit, 0)
    for present, implied in IMPLIED:
        have = have | np.where(have & present.bit, implied.bit, 0)
    level = np.zeros(len(masks), dtype=np.int64)
    reached = np.ones(len(masks), dtype=bool)
    for rung in LADDER[1:]:
        gate = capability_mask(rung.gate)
        reached &= (have & gate) == gate
        level[reached] = int(rung.level)
    return level


def frames(data: Synthetic) -> Frames:
    """The analyst's tables: offerings (long), products and municipalities."""
    m, p, _ = data.shape
    ii, jj = np.nonzero(data.status != _NO_RECORD)  # a cell without a record has no row
    codes = np.array([mu.cbs_code for mu in data.municipalities], dtype=object)
    uris = np.array([pr.uri for pr in data.products], dtype=object)
    product_fee = np.array(
        [-1 if pr.fee_applies is None else int(pr.fee_applies) for pr in data.products]
    )
    status = data.status[ii, jj].astype(np.int64)
    override = data.fee_override[ii, jj].astype(np.int64)
    fee = np.where(override >= 0, override, np.where(product_fee[jj] == 0, 0, 1))
    level = _levels(data.capabilities[ii, jj].astype(np.int64), fee)
    columns: dict[str, Any] = {
        "municipality": codes[ii],
        "product": uris[jj],
        "status": np.array(_STATUS_NAMES, dtype=object)[status],
        "level": np.where(status == 0, level, -1),
        "auth_level": np.where(data.auth_level[ii, jj] >= 0, data.auth_level[ii, jj], np.nan),
        "local_target": np.where(data.local_target[ii, jj] >= 0, data.local_target[ii, jj], np.nan),
        "forms_started": data.forms_started[ii, jj],
        "forms_completed": data.forms_completed[ii, jj],
    }
    for k, name in enumerate(_VOLUMES):
        columns[name] = data.volume[ii, jj, k]
    offerings = pd.DataFrame(columns)
    products = pd.DataFrame(
        {
            "product": uris,
            "reference": [pr.reference for pr in data.products],
            "reference_target": [int(pr.reference_target) for pr in data.products],
            "required_assurance": [
                np.nan if pr.required_assurance is None else int(pr.required_assurance)
                for pr in data.products
            ],
        }
    )
    municipalities = pd.DataFrame({"municipality": codes})
    assert len(products) == p
    assert len(municipalities) == m
    return offerings, products, municipalities


def _attainment(level: pd.Series, target: pd.Series) -> pd.Series:
    return pd.Series(
        np.where(target > 0, np.minimum(level, target) / target.clip(lower=1), 1.0),
        index=level.index,
    )


def score(offerings: pd.DataFrame, products: pd.DataFrame, municipalities: pd.DataFrame) -> Any:
    """Score every municipality: a frame by CBS code, columns ``(metric, value|coverage)``."""
    grid = municipalities.merge(products, how="cross")
    df = grid.merge(offerings, on=["municipality", "product"], how="left")
    df = df[~df["status"].isin(["not-offered", "not-applicable"])]
    observed = df["status"] == "offered"
    reference = df["reference"]
    level = df["level"].where(observed)

    values = pd.DataFrame(index=df.index)
    eligible = pd.DataFrame(index=df.index)
    for name, x in (
        ("maturity", level / 6),
        ("fully-online", (level >= 4).astype(float)),
        ("online-submission", (level >= 3).astype(float)),
        ("attainment", _attainment(level, df["reference_target"])),
    ):
        values[name] = x.where(observed & reference)
        eligible[name] = reference
    local_target = df["local_target"].fillna(df["reference_target"])
    values["local-attainment"] = _attainment(level, local_target).where(observed)
    eligible["local-attainment"] = True

    required = df["required_assurance"]
    subject = observed & (level >= 3) & required.notna() & reference
    asked = df["auth_level"]
    recorded = subject & asked.notna()
    for name, outcome in (
        ("authentication-fit", asked == required),
        ("authentication-barrier", asked > required),
        ("authentication-shortfall", asked < required),
    ):
        values[name] = outcome.astype(float).where(recorded)
        eligible[name] = subject

    total = df[_VOLUMES].sum(axis=1, min_count=len(_VOLUMES))
    digital = df[_DIGITAL].sum(axis=1)
    values["uptake"] = (digital / total).where(reference & (total > 0))
    eligible["uptake"] = reference
    started = df["forms_started"]
    values["success-ratio"] = (df["forms_completed"] / started).where(reference & (started > 0))
    eligible["success-ratio"] = reference

    by = df["municipality"]
    codes = municipalities["municipality"]
    mean = values.groupby(by).mean().reindex(codes)
    known = values.groupby(by).count().reindex(codes, fill_value=0)
    base = eligible.groupby(by).sum().reindex(codes, fill_value=0)
    coverage = (known / base.where(base > 0)).astype(float)

    mean["digimaat-score"] = mean[_COMPOSITE_PARTS].mean(axis=1, skipna=True)
    # MET-9: the mean over the parts that apply (a defined coverage under equal weights).
    coverage["digimaat-score"] = coverage[_COMPOSITE_PARTS].mean(axis=1, skipna=True)
    out = pd.concat({"value": mean, "coverage": coverage}, axis=1)
    out = out.swaplevel(axis=1)
    out.index.name = "municipality"
    return out
