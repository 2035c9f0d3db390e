import pytest

from conformance.engine.timestamps import disagreement, epoch_millis


def test_the_pages_sample_is_one_instant():
    assert epoch_millis("2014-01-06 12:14:06.007-0800") == 1389039246007
    assert disagreement("2014-01-06 12:14:06.007-0800", 1389039246007) is None
    assert disagreement("2014-01-06T12:14:06.007-08:00", 1389039246007) is None


def test_a_timestamp_to_the_second_matches_millis_within_that_second():
    assert disagreement("2014-01-06 12:14:06-0800", 1389039246999) is None
    assert disagreement("2014-01-06 12:14:06-0800", 1389039247000) is not None


@pytest.mark.parametrize(
    ("timestamp", "seconds", "why"),
    [
        ("2014-01-06 12:14:06.007-0800", 1389039246, "looks like seconds"),
        ("2014-01-06 12:14:06.007-0800", 1389039246008, "1389039246007 ms"),
        ("2014-01-06 12:14:06.007", 1389039246007, "no UTC offset"),
        ("2014-01-0612: 14: 06.007-0800", 1389039246007, "Invalid isoformat"),
        ("2014-01-06 12:14:06.007-0800", "1389039246007", "integer"),
    ],
)
def test_disagreements_say_why(timestamp, seconds, why):
    assert why in disagreement(timestamp, seconds)
