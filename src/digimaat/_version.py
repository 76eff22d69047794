"""Version numbers of the package and of the standard it implements."""

__version__ = "0.1.0.dev0"
"""Version of the ``digimaat`` Python package (PEP 440)."""

SPEC_VERSION = "1.1"
"""Version of the digimaat specification this package implements.

The specification in ``specs/`` is versioned separately from the package: a package
release may fix bugs or add conveniences without changing the standard, and a score
card records the specification version it was computed under.
"""


def keeps_numbers_of(version: object) -> bool:
    """Whether this package computes the numbers of specification ``version``: the version
    it implements, or an earlier release (no pre-release label) of the same MAJOR version,
    whose numbers every later MINOR release keeps (VER-2, CNF-6).

    >>> keeps_numbers_of("1.0"), keeps_numbers_of("1.1"), keeps_numbers_of("1.0-draft")
    (True, True, False)
    >>> keeps_numbers_of("1.2"), keeps_numbers_of("2.0")
    (False, False)
    """
    if version == SPEC_VERSION:
        return True
    if not isinstance(version, str):
        return False
    mine, theirs = SPEC_VERSION.split("."), version.split(".")
    if len(theirs) != 2 or not all(part.isdigit() and part.isascii() for part in theirs):
        return False
    return theirs[0] == mine[0] and int(theirs[1]) <= int(mine[1])
