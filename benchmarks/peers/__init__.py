"""Independent implementations of the digimaat standard profile, to check and time against."""
