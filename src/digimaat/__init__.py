"""digimaat."""
