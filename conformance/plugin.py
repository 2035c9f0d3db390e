"""The pytest plugin of gws-conformance (registered through the ``pytest11`` entry point)."""
