"""Version numbers of the package and of the standard it implements."""

__version__ = "0.1.0.dev0"
"""Version of the ``digimaat`` Python package (PEP 440)."""

SPEC_VERSION = "1.0"
"""Version of the digimaat specification this package implements.

The specification in ``specs/`` is versioned separately from the package: a package
release may fix bugs or add conveniences without changing the standard, and a score
card records the specification version it was computed under.
"""
