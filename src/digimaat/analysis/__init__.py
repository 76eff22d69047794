"""The analysis layer: results arranged for people: tables, comparisons among peers,
trends over years, reports, and the uncertainty of scores and ranks.

It sits above the measurement core and beside the exchange layer, and never imports the
command line, which renders what it arranges.
"""
