"""Makes plain `pytest` in a checkout load the gws-conformance plugin even before installation."""
