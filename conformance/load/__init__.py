"""``gws-conformance load``: conformance under load, on Locust.

Each simulated Locust user is a pair of agents (an originator and its consultant) holding their
CometD streams; it takes SMS sessions from the session source and runs a lifecycle cycle on
each again and again (:mod:`conformance.load.cycle`), every step judged by the suite's own judge
(documented order, referenceId, schemas). :mod:`conformance.load.locustfile` is the Locust side,
:mod:`conformance.load.results` the JSON and HTML results, :mod:`conformance.commands.load` the CLI.
"""
