"""gws-conformance: a conformance suite for the GWS API v2 SMS Session API."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("gws-conformance")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.0.0+checkout"
