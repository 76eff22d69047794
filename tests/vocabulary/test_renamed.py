"""Names of earlier releases of the package still work for one MINOR release, with a warning."""

from __future__ import annotations

import pytest

import digimaat
from digimaat.vocabulary import channels, offerings


@pytest.mark.parametrize(
    ("module", "old", "new"),
    [
        (offerings, "Volumes", "VolumeRecord"),
        (channels, "ChannelCost", "ContactCost"),
        (digimaat, "Volumes", "VolumeRecord"),
    ],
)
def test_an_old_name_warns_and_is_the_new_class(module: object, old: str, new: str) -> None:
    """An old name is the class of its new name, and says so with a DeprecationWarning."""
    with pytest.warns(DeprecationWarning, match=new):
        value = getattr(module, old)
    assert value is getattr(offerings if new == "VolumeRecord" else channels, new)


def test_an_unknown_name_is_still_an_attribute_error() -> None:
    """Only the renamed names are answered; any other is not there."""
    with pytest.raises(AttributeError):
        _ = offerings.Volume  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        _ = channels.Cost  # type: ignore[attr-defined]
