"""Checking real API responses against the OpenAPI document the app serves."""

from __future__ import annotations

from jsonschema import Draft202012Validator, FormatChecker


def documented_response(spec: dict, template: str, method: str, status: int) -> dict:
    """The documented response of one status."""
    operation = spec["paths"][template][method]
    documented = operation["responses"].get(str(status))
    assert documented is not None, f"{method.upper()} {template} answered {status}, which is not documented"
    return documented


def response_schema(spec: dict, template: str, method: str, status: int) -> dict:
    """The documented schema of one JSON response, resolvable against the document's components."""
    schema = documented_response(spec, template, method, status)["content"]["application/json"]["schema"]
    return {"components": spec["components"], **schema}


def check(spec: dict, response, template: str, method: str):
    """Assert the response matches the document (status, content type and JSON body); return the body."""
    assert response.status_code < 500, response.get_data(as_text=True)
    content = documented_response(spec, template, method, response.status_code)["content"]
    assert response.mimetype in content, (
        response.status_code,
        response.mimetype,
        response.get_data(as_text=True)[:200],
    )
    if response.mimetype != "application/json":
        return response.get_data(as_text=True)
    body = response.get_json()
    schema = response_schema(spec, template, method, response.status_code)
    Draft202012Validator(schema, format_checker=FormatChecker()).validate(body)
    return body
