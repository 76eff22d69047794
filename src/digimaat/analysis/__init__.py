"""The analysis layer: results arranged for people (tables, comparisons, reports).

It sits above the measurement core and beside the exchange layer; the command line
renders what it arranges.
"""
