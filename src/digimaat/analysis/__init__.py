"""The analysis layer: computations over many scorings of the measurement core."""
