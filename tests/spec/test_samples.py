"""The pages' samples: every one the page registry lists valid against its shape, and the Consult
page's normalized from the verbatim page."""

import pytest

from conformance.spec.normalize import ReprSyntaxError, consult_samples, normalize_repr
from conformance.spec.pages import SAMPLE_SHAPES, SMS_PAGES, page
from conformance.spec.schemas import SCHEMA_ROOT, load_sample, validate

CONSULT_SAMPLES = [name.removeprefix("consult/") for name in page("consult").samples]


@pytest.fixture(scope="module")
def page_samples():
    return consult_samples((SCHEMA_ROOT / "samples" / "consult" / "page.txt").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("name", "shape"), SAMPLE_SHAPES.items())
def test_every_sample_of_every_page_validates_against_its_shape(name, shape):
    assert validate(shape, load_sample(name)) == []


def test_every_stored_sample_is_listed_by_its_page():
    """The registry is complete: a sample file no page lists is a request body of a page whose
    request has no schema of its own (operationName only: Leave, Reject)."""
    stored = {
        str(p.relative_to(SCHEMA_ROOT / "samples").with_suffix("")) for p in (SCHEMA_ROOT / "samples").rglob("*.json")
    }
    bare = {f"{p.slug}/request" for p in SMS_PAGES if p.operation and p.request is None}
    assert stored - set(SAMPLE_SHAPES) == bare & stored and set(SAMPLE_SHAPES) <= stored


@pytest.mark.parametrize("name", CONSULT_SAMPLES)
def test_the_normalizer_reproduces_the_stored_json_from_the_verbatim_page(page_samples, name):
    assert page_samples[name] == load_sample(f"consult/{name}")


def test_the_quirks_of_the_page_are_undone(page_samples):
    joined = page_samples["notification-new-messages"]
    assert joined["smssessionUri"] == "http://localhost:8080/api/v2/smssessions/0000Na9B26EF006E"
    assert joined["messages"][0]["timestamp"] == "2014-01-06 12:14:06.007-0800"
    assert joined["messages"][0]["timestampSeconds"] == 1389039246007
    assert page_samples["notification-error"]["errorMessage"] == "Operation failed"
    assert page_samples["response"] == {"statusCode": 0, "referenceId": 35}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("{u'a': u'b'}", {"a": "b"}),
        ('{\'it\\\'s\': "say \\"hi\\""}', {"it's": 'say "hi"'}),
        ("[1389039246007L, -2, 1.5, 2e3]", [1389039246007, -2, 1.5, 2000.0]),
        ("{u'ok': True, u'no': False, u'nothing': None}", {"ok": True, "no": False, "nothing": None}),
        ("{u'n': {u'd': [{u'e': []}]}}", {"n": {"d": [{"e": []}]}}),
        ("u'caf\\u00e9 \u00fc'", "café ü"),
        ('{"already": "json"}', {"already": "json"}),
    ],
)
def test_the_tokenizer_translates_repr_syntax(text, value):
    assert normalize_repr(text) == value


@pytest.mark.parametrize("text", ["{u'a': object()}", "{u'a': }", "{u'a' u'b'}", "__import__('os')"])
def test_the_tokenizer_refuses_what_is_not_a_literal(text):
    with pytest.raises(ReprSyntaxError):
        normalize_repr(text)


def test_a_page_without_a_sample_is_reported():
    with pytest.raises(ReprSyntaxError, match="Second Notification"):
        consult_samples("Request\nPOST x {}\nResponse\n{}\nFirst Notification\n{}\nFailed\n{}\n")
