"""The derived OpenAPI document and the fuzz suite (schemathesis 4) run by ``run --fuzz``."""

import base64
import json

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi

from conformance.report.results import load_results
from conformance.spec.openapi import openapi_document
from conformance.spec.schemas import load_sample

SEED = "20261125"
POST_CHECK = (
    "fuzz_sms_sessions.py::test_generated_requests_get_documented_gws_answers[POST /api/v2/me/smssessions/{id}]"
)


def test_the_openapi_command_writes_a_valid_openapi_3_1_document(tmp_path, run_cli):
    result = run_cli("openapi", "--base-url", "https://gws.example", "-o", "api.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    document = json.loads((tmp_path / "api.json").read_text())
    validate_openapi(document)  # raises on an invalid OpenAPI 3.1 document
    assert document["openapi"] == "3.1.0" and document["servers"] == [{"url": "https://gws.example"}]
    assert set(document["paths"]) == {
        "/api/v2/me/smssessions",
        "/api/v2/me/smssessions/{id}",
        "/api/v2/me/smssessions/{id}/messages",
    }
    assert set(document["components"]["securitySchemes"]) == {"basic", "cookie", "csrf"}


@pytest.mark.parametrize(
    ("body", "valid"),
    [
        (load_sample("consult/request"), True),
        ({"operationName": "Consult", "targetPath": "/users/x"}, True),
        ({"operationName": "Transfer", "targetUri": "u", "targetPath": "/p"}, True),
        ({"operationName": "Consult"}, False),
        ({"operationName": "Consul", "targetUri": "u"}, False),
        ({"operationName": "SendMessage"}, False),
        ({"operationName": "SendCustomNotice", "noticeText": "n"}, True),
        ({"operationName": "DeleteUserData", "keys": "k"}, False),
        ({"operationName": "SendStopTypingToAgentNotification"}, False),  # erratum 19: the page's misspelling
    ],
)
def test_post_bodies_are_told_apart_by_operation_name(body, valid):
    document = openapi_document()
    schema = document["paths"]["/api/v2/me/smssessions/{id}"]["post"]["requestBody"]["content"]["application/json"][
        "schema"
    ]
    # the components sit beside the body schema, so its "#/components/schemas/..." refs resolve
    assert Draft202012Validator({**schema, "components": document["components"]}).is_valid(body) is valid


@pytest.fixture(scope="module")
def fuzz_run(made_once, run_cli):
    return made_once(
        "fuzz-run", lambda workdir: (run_cli("run", "--fuzz", "--fuzz-seed", SEED, cwd=workdir), workdir / "reports")
    )


def test_the_reference_server_passes_the_fuzz_suite_with_a_fixed_seed(fuzz_run):
    result, reports = fuzz_run
    assert result.returncode == 0, result.stdout[-4000:]
    assert f"fuzzing with seed {SEED}" in result.stdout
    results = load_results(reports / "results.json")
    fuzz = {c["id"]: c["verdict"] for c in results["checks"] if c["id"].startswith("fuzz_sms_sessions.py")}
    assert len(fuzz) == 4 and set(fuzz.values()) == {"pass"} and POST_CHECK in fuzz
    assert results["manifest"]["options"]["fuzz_seed"] == int(SEED)
    assert results["manifest"]["options"]["fuzz_examples"] == 25
    assert not (reports.parent / ".hypothesis").exists()


@pytest.mark.parametrize(
    ("fault", "finding"),
    [
        ("bad-input-500", "sms.common.refusal [MUST] HTTP 500"),
        ("consult-without-target-accepted", "sms.common.refusal [MUST] an invalid body was accepted"),
        # the operations of the message and user data pages: their derived bodies are fuzzed too
        ("delete-user-data-keys-unchecked", 'an invalid body was accepted: {"operationName":"DeleteUserData"'),
        ("set-disposition-param-unchecked", 'an invalid body was accepted: {"operationName":"SetDisposition"'),
    ],
)
def test_the_fuzz_suite_catches_what_bad_input_reveals(tmp_path, run_cli, fault, finding):
    result = run_cli("run", "--fuzz", "--fuzz-seed", SEED, "-k", "generated", "--", "--gws-fault", fault, cwd=tmp_path)
    assert result.returncode == 1, result.stdout[-3000:]
    checks = {c["id"]: c for c in load_results(tmp_path / "reports" / "results.json")["checks"]}
    assert checks[POST_CHECK]["verdict"] == "fail"
    message = "\n".join(checks[POST_CHECK]["messages"])
    assert finding in message and "Reproduce with" in message and "curl -X POST" in message
    html = (tmp_path / "reports" / "report.html").read_text()
    for secret in ("alice-pass", base64.b64encode(b"alice:alice-pass").decode()):
        assert secret not in html and secret not in message and secret not in result.stdout
    assert "[Filtered]" in message


def test_recheck_leaves_fuzz_checks_out(fuzz_run, run_cli, tmp_path):
    _, reports = fuzz_run
    result = run_cli("recheck", str(reports / "results.json"), "--report-dir", str(tmp_path / "r"), cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-2000:]
    assert "not rechecked: 4 fuzz checks" in result.stdout and "the same verdicts as recorded" in result.stdout
