"""The ``gws-conformance`` subcommands, each thin: parse, call, print."""
