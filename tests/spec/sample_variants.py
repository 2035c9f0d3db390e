"""A stored sample with one value replaced or dropped: the broken variants of the schema tests."""

import copy

from conformance.spec.schemas import load_sample

DROP = object()


def variant(sample: str, path: tuple, value: object) -> object:
    """The sample (its name under schemas/samples/) with the value at ``path`` replaced, or
    dropped with DROP; an empty ``path`` replaces the whole document."""
    if not path:
        return value
    document = copy.deepcopy(load_sample(sample))
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    if value is DROP:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return document
