"""An OpenAPI 3.1 document of the SMS session resource, derived from ``schemas/``.

Derived, not invented: every body and response is a schema of ``schemas/`` (as a component,
its relative ``$ref`` rewritten to ``#/components/schemas/...``); what those schemas do not
cover is written here from the pages and says so. It exists so that schemathesis can generate
requests (the fuzz suite, ``conformance.suites.fuzz_sms_sessions``) and so that a user can load the API elsewhere:
``gws-conformance openapi > gws-sms.openapi.json``.

Request bodies are one ``oneOf`` keyed by ``operationName``: Consult's branches are the derived
schema (``requests/consult``, its either-target rule spelled as two branches), and Transfer and
Invite take a target as Consult does; every other operation with a request schema of its own
(``DERIVED_BODIES``: Accept, Complete, the message and typing pages, the user data pages) is
that schema; Leave and Reject take operationName only.
"""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import urljoin

import conformance
from conformance.spec.pages import SESSION_ENDPOINT, SMS_PAGES
from conformance.spec.schemas import load_schema, shape_names

# The GWS shapes (not the suite's own report formats).
GWS_SHAPES = ("objects/", "requests/", "responses/", "notifications/")
# The operations posted to /me/smssessions/{id}, from the page registry.
_SESSION_PAGES = [p for p in SMS_PAGES if p.operation and p.endpoint == SESSION_ENDPOINT]
# Operations with a derived request schema (schemas/requests/), referenced as components.
DERIVED_BODIES = tuple(dict.fromkeys(p.request for p in _SESSION_PAGES if p.request and not p.targets))
# No schema of their own: operationName is the whole body.
NO_PARAMETER_OPERATIONS = tuple(p.operation for p in _SESSION_PAGES if p.operation and not p.request)
# A target as Consult's derived schema has it.
TARGET_OPERATIONS = tuple(p.operation for p in _SESSION_PAGES if p.operation and p.targets and p.slug != "consult")


def component_name(shape: str) -> str:
    """``requests/consult`` -> ``RequestsConsult``."""
    return "".join(part.capitalize() for part in shape.replace("-", "/").split("/"))


def _ref(shape: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{component_name(shape)}"}


def _embedded(schema: dict[str, Any], by_id: dict[str, str]) -> dict[str, Any]:
    """A copy without ``$id``/``$schema``, its relative ``$ref`` pointing at components."""
    base = schema["$id"]

    def rewrite(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: (_ref(by_id[urljoin(base, v)])["$ref"] if k == "$ref" and not v.startswith("#") else rewrite(v))
                for k, v in value.items()
                if k not in ("$id", "$schema")
            }
        if isinstance(value, list):
            return [rewrite(v) for v in value]
        return value

    return rewrite(schema)


def _target_bodies(name: str) -> list[dict[str, Any]]:
    """The derived Consult schema for operation ``name``, its ``anyOf`` of targets distributed into
    branches (by uri; by path without uri) so that each branch lists its target as required:
    the same bodies, but a generator now sees "a body without its target" as a negative case."""
    consult = load_schema("requests/consult")
    base = {"type": "object", "properties": copy.deepcopy(consult["properties"])}
    base["properties"]["operationName"] = {"const": name}
    by_uri, by_path = [alternative["required"] for alternative in consult["anyOf"]]
    return [
        {"title": f"{name} by {by_uri[0]}", **copy.deepcopy(base), "required": ["operationName", *by_uri]},
        {
            "title": f"{name} by {by_path[0]}",
            **copy.deepcopy(base),
            "required": ["operationName", *by_path],
            "not": {"required": by_uri},
        },
    ]


def _operation_bodies() -> list[dict[str, Any]]:
    bodies = [body for name in ("Consult", *TARGET_OPERATIONS) for body in _target_bodies(name)]
    bodies += [_ref(shape) for shape in DERIVED_BODIES]
    for name in NO_PARAMETER_OPERATIONS:
        bodies.append(
            {
                "title": f"{name} request body",
                "type": "object",
                "required": ["operationName"],
                "properties": {"operationName": {"const": name}},
            }
        )
    return bodies


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _refusals() -> dict[str, Any]:
    """The documented way of saying no (page Return Values): a GWS error body, with a 4xx
    (which 4xx is not documented per cause: bad input, credentials, permission, no such session)."""
    return {"4XX": _json(_ref("responses/error"), "refused: a non-zero statusCode with its statusMessage")}


def openapi_document(base_url: str | None = None) -> dict[str, Any]:
    shapes = [s for s in shape_names() if s.startswith(GWS_SHAPES)]
    by_id = {load_schema(s)["$id"]: s for s in shapes}
    session_id = {
        "name": "id",
        "in": "path",
        "required": True,
        "description": "the SMS session id",
        "schema": {"type": "string", "minLength": 1},
    }
    read_security: list[dict[str, list[str]]] = [{"basic": []}, {"cookie": []}]
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "GWS SMS Session API (derived by gws-conformance)",
            "version": conformance.__version__,
            "description": "Derived from the JSON Schemas of gws-conformance, which restate the GWS API v2 "
            "documentation (SMS Session API pages, API Basics: Return Values).",
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "paths": {
            "/api/v2/me/smssessions": {
                "get": {
                    "operationId": "listSmsSessions",
                    "security": read_security,
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["statusCode", "smssessions"],
                                "properties": {
                                    "statusCode": {"const": 0},
                                    "smssessions": {"type": "array", "items": _ref("objects/smssession")},
                                },
                            },
                            "the agent's SMS sessions",
                        ),
                        **_refusals(),
                    },
                }
            },
            "/api/v2/me/smssessions/{id}": {
                "get": {
                    "operationId": "getSmsSession",
                    "parameters": [session_id],
                    "security": read_security,
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["statusCode", "smssession"],
                                "properties": {"statusCode": {"const": 0}, "smssession": _ref("objects/smssession")},
                            },
                            "the session",
                        ),
                        **_refusals(),
                    },
                },
                "post": {
                    "operationId": "operateOnSmsSession",
                    "parameters": [session_id],
                    "security": [{"basic": [], "cookie": [], "csrf": []}],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"oneOf": _operation_bodies()}}},
                    },
                    "responses": {
                        # A refusal may come with HTTP 200 (a SHOULD of gws-conventions), so 200 allows both.
                        "200": _json(
                            {"anyOf": [_ref("responses/ok"), _ref("responses/error")]},
                            "accepted (statusCode 0, a referenceId for asynchronous operations)",
                        ),
                        **_refusals(),
                    },
                },
            },
            "/api/v2/me/smssessions/{id}/messages": {
                "get": {
                    "operationId": "getSmsSessionMessages",
                    "parameters": [session_id],
                    "security": read_security,
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["statusCode", "messages"],
                                "properties": {
                                    "statusCode": {"const": 0},
                                    "messages": {"type": "array", "items": _ref("objects/message")},
                                },
                            },
                            "the session's message log",
                        ),
                        **_refusals(),
                    },
                }
            },
        },
        "components": {
            "schemas": {component_name(s): _embedded(load_schema(s), by_id) for s in shapes},
            "securitySchemes": {
                "basic": {"type": "http", "scheme": "basic"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "JSESSIONID"},
                "csrf": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-CSRF-TOKEN",
                    "description": "the token a GET hands out in X-CSRF-TOKEN (header name in X-CSRF-HEADER)",
                },
            },
        },
    }
    if base_url:
        document["servers"] = [{"url": base_url}]
    return document
