"""Lets plain `pytest` in a checkout load the gws-conformance plugin when the package is not
installed (e.g. `PYTHONPATH=. pytest`). Installed, the ``pytest11`` entry point loads it, and
registering it twice would be an error, hence the check."""

from importlib.metadata import entry_points

if not any(entry.value == "conformance.plugin" for entry in entry_points(group="pytest11")):
    pytest_plugins = ["conformance.plugin"]
