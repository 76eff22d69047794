"""The close-match suggestions of ``Catalogue.suggest`` before the near-miss index (PRD-7.3).

Until the catalogue had an index of near misses, ``Catalogue.suggest`` compared a key with
every product name and every URI's last segment using :func:`difflib.get_close_matches`
(cutoff 0.75, at most ``n`` of each), building both lists on every call. This is that
algorithm, kept as the peer the name benchmark measures the index against.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from digimaat.vocabulary.products import Product


def _normalise(name: str) -> str:
    return re.sub(r"\s+", " ", name.strip().lower())


def suggest(products: Iterable[Product], text: str, n: int = 3) -> list[str]:
    """Close matches for a URI or name, as URIs (the former ``Catalogue.suggest``)."""
    products = tuple(products)
    tail = text.rsplit("/", 1)[-1].lower()
    names = {_normalise(p.name): p.uri for p in products}
    tails = {p.uri.rsplit("/", 1)[-1].lower(): p.uri for p in products}
    hits = difflib.get_close_matches(_normalise(text), list(names), n=n, cutoff=0.75)
    out = [names[h] for h in hits]
    for h in difflib.get_close_matches(tail, list(tails), n=n, cutoff=0.75):
        if tails[h] not in out:
            out.append(tails[h])
    return out[:n]
