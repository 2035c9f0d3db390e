"""Generated requests against the SMS session resource: schemathesis 4 over the derived OpenAPI.

Not collected by a default run (the name does not start with ``test_``); ``gws-conformance run
--fuzz`` adds it. It shares the run's target, agents and session source through the ``gws``
fixture: each example acts as the originator on a fresh session from the source.

Positive examples (bodies the documentation allows) must get a documented answer; negative
examples (invalid bodies: missing targets, wrong types, unknown operations) must be refused the
GWS way. The GWS-specific checks are schemathesis custom checks (a check passes by returning
None and fails by raising AssertionError):

- :func:`gws_no_server_error`: never a 5xx (sms.common.refusal);
- :func:`gws_status_code_in_body`: a JSON object with an integer ``statusCode``; non-zero comes
  with a ``statusMessage`` and no ``referenceId`` (sms.common.refusal);
- :func:`gws_reference_id`: an accepted Consult carries an integer ``referenceId``, and any
  ``referenceId`` is an integer (sms.consult.response);
- :func:`gws_negative_refused`: an invalid body is refused, never accepted (sms.common.refusal).

The built-in ``negative_data_rejection`` and ``positive_data_acceptance`` judge by HTTP status
only, which GWS does not (a refusal may come with HTTP 200; a valid operation may be refused in
the session's state), so they are off.

Examples per operation and phase: ``GWS_CONFORMANCE_FUZZ_EXAMPLES`` (default 25; ``run --fuzz
--fuzz-examples N`` sets it); seed: pytest's ``--hypothesis-seed`` (``run --fuzz --fuzz-seed N``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import schemathesis

from conformance.commands.run import FUZZ_EXAMPLES_DEFAULT, FUZZ_EXAMPLES_ENV
from conformance.engine.context import Conformance
from conformance.engine.notation import body as said
from conformance.engine.verdicts import requirement
from conformance.internals import negative_in_body, without_source_constants
from conformance.spec.openapi import openapi_document

without_source_constants()  # a seed gives the same requests whatever the suite's source
EXAMPLES = int(os.environ.get(FUZZ_EXAMPLES_ENV, FUZZ_EXAMPLES_DEFAULT))

schema = schemathesis.openapi.from_dict(
    openapi_document(),
    config=schemathesis.Config.from_dict(
        {
            "generation": {
                "mode": "all",
                "max-examples": EXAMPLES,
                "database": "none",
                "with-security-parameters": False,
            },
            "checks": {
                "negative_data_rejection": {"enabled": False},
                "positive_data_acceptance": {"enabled": False},
                "missing_required_header": {"enabled": False},
                "ignored_auth": {"enabled": False},
                "unsupported_method": {"enabled": False},
            },
            "phases": {"stateful": {"enabled": False}},
        }
    ),
)


def _body(response) -> object:
    try:
        return response.json()
    except ValueError:
        return None


@schemathesis.check
def gws_no_server_error(ctx, response, case) -> None:
    if response.status_code >= 500:
        raise AssertionError(
            f"sms.common.refusal [MUST] HTTP {response.status_code}: a GWS server answers bad "
            "input with a refusal, never a server error"
        )


@schemathesis.check
def gws_status_code_in_body(ctx, response, case) -> None:
    body = _body(response)
    if not isinstance(body, Mapping) or type(body.get("statusCode")) is not int:
        raise AssertionError(f"sms.common.refusal [MUST] the body carries no integer statusCode: {said(body)}")
    if body["statusCode"] != 0:
        if not isinstance(body.get("statusMessage"), str):
            raise AssertionError(f"sms.common.refusal [MUST] statusCode {body['statusCode']} without a statusMessage")
        if "referenceId" in body:
            raise AssertionError(
                "sms.common.refusal [MUST] a refusal carries a referenceId, promising notifications that never come"
            )


@schemathesis.check
def gws_reference_id(ctx, response, case) -> None:
    body = _body(response)
    if not isinstance(body, Mapping) or body.get("statusCode") != 0:
        return None
    if "referenceId" in body and type(body["referenceId"]) is not int:
        raise AssertionError(f"sms.consult.response [MUST] referenceId {said(body['referenceId'])} is not an integer")
    if (
        isinstance(case.body, Mapping)
        and case.body.get("operationName") == "Consult"
        and case.method == "POST"
        and "referenceId" not in body
    ):
        raise AssertionError("sms.consult.response [MUST] an accepted Consult answers without a referenceId")
    return None


@schemathesis.check
def gws_negative_refused(ctx, response, case) -> None:
    body = _body(response)
    if not negative_in_body(case):
        return None
    if isinstance(body, Mapping) and body.get("statusCode") == 0:
        raise AssertionError(f"sms.common.refusal [MUST] an invalid body was accepted: {said(case.body)}")
    return None


GWS_CHECKS = [gws_no_server_error, gws_status_code_in_body, gws_reference_id, gws_negative_refused]


@requirement("sms.common.refusal")
@schema.parametrize()
def test_generated_requests_get_documented_gws_answers(case, gws: Conformance) -> None:
    """Each generated request, as the originator on a fresh session, gets a documented answer."""
    if "id" in (case.path_parameters or {}):
        case.path_parameters["id"] = gws.new_session().id
    headers = gws.agent("originator").rest.credential_headers()
    case.call_and_validate(
        base_url=gws.config.base_url, headers=headers, additional_checks=GWS_CHECKS, timeout=gws.config.http_timeout
    )
