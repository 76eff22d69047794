"""The analysis layer: comparisons among peers, trends over years, and reports for people.

It sits above the measurement core and beside the exchange layer, and never imports the
command line.
"""
