"""Checking real API responses against the OpenAPI document the app serves."""

from __future__ import annotations

from jsonschema import Draft202012Validator, FormatChecker


def response_schema(spec: dict, template: str, method: str, status: int) -> dict:
    """The documented schema of one response, resolvable against the document's components."""
    operation = spec["paths"][template][method]
    documented = operation["responses"].get(str(status))
    assert documented is not None, f"{method.upper()} {template} answered {status}, which is not documented"
    schema = documented["content"]["application/json"]["schema"]
    return {"components": spec["components"], **schema}


def check(spec: dict, response, template: str, method: str) -> dict:
    """Assert the response matches the document (status and body); return the body."""
    assert response.status_code < 500, response.get_data(as_text=True)
    assert response.mimetype == "application/json", (response.status_code, response.get_data(as_text=True)[:200])
    body = response.get_json()
    schema = response_schema(spec, template, method, response.status_code)
    Draft202012Validator(schema, format_checker=FormatChecker()).validate(body)
    return body
