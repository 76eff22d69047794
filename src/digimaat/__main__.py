"""``python -m digimaat``: the command line."""

from digimaat.cli import run

run()
