"""``python -m digimaat``: the command line."""

import sys

from digimaat.cli import main

sys.exit(main())
