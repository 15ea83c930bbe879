"""The OpenAPI document reshaped for the docs page: operations by tag, fields in words."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

BACKTICKS = re.compile(r"`([^`]+)`")


@dataclass
class Field:
    name: str
    type: str
    required: bool
    description: str


@dataclass
class Body:
    media: str
    schema_name: str
    fields: list[Field]


@dataclass
class Answer:
    status: str
    description: str
    body: Body | None


@dataclass
class DocOperation:
    method: str
    path: str
    anchor: str
    summary: str
    description: str
    public: bool
    parameters: list[tuple[str, Field]] = field(default_factory=list)
    request: Body | None = None
    answers: list[Answer] = field(default_factory=list)


def grouped(doc: dict[str, Any]) -> list[tuple[str, list[DocOperation]]]:
    """Every operation of the document under its tag, in the document's order."""
    schemas = doc["components"]["schemas"]
    responses = doc["components"]["responses"]
    groups: dict[str, list[DocOperation]] = {t["name"]: [] for t in doc.get("tags", [])}
    for path, item in doc["paths"].items():
        for method, op in item.items():
            entry = DocOperation(
                method=method.upper(),
                path=path,
                anchor=op["operationId"],
                summary=op.get("summary", ""),
                description=op.get("description", ""),
                public=op.get("security") == [],
            )
            for p in op.get("parameters", []):
                text = Field(p["name"], type_text(p["schema"]), p["required"], _describe(p))
                entry.parameters.append((p["in"], text))
            for media, content in op.get("requestBody", {}).get("content", {}).items():
                entry.request = _body(media, content["schema"], schemas)
            for status, answer in op["responses"].items():
                if "$ref" in answer:
                    answer = responses[answer["$ref"].rsplit("/", 1)[1]]
                body = None
                for media, content in answer.get("content", {}).items():
                    body = _body(media, content["schema"], schemas)
                entry.answers.append(Answer(status, answer.get("description", ""), body))
            groups.setdefault(op["tags"][0], []).append(entry)
    return [(tag, ops) for tag, ops in groups.items() if ops]


def _describe(parameter: dict[str, Any]) -> str:
    return str(parameter.get("description") or parameter["schema"].get("description") or "")


def _body(media: str, schema: dict[str, Any], schemas: dict[str, Any]) -> Body:
    name = _ref_name(schema) or "object"
    target = schemas.get(name, schema)
    required = set(target.get("required", ()))
    fields = [
        Field(key, type_text(prop), key in required, str(prop.get("description", "")))
        for key, prop in target.get("properties", {}).items()
    ]
    return Body(media, name, fields)


def _ref_name(schema: dict[str, Any]) -> str:
    ref = schema.get("$ref", "")
    return str(ref).rsplit("/", 1)[1] if ref else ""


def type_text(schema: dict[str, Any]) -> str:
    """A schema in a few words: ``integer ≥ 1``, ``list of NeedOut``, ``string | null``."""
    if "$ref" in schema:
        return _ref_name(schema)
    if "anyOf" in schema:
        return " | ".join(type_text(s) for s in schema["anyOf"])
    if "enum" in schema:
        return "one of " + ", ".join(str(v) for v in schema["enum"])
    if "const" in schema:
        return repr(schema["const"])
    kind = str(schema.get("type", "any"))
    if kind == "array":
        return "list of " + type_text(schema.get("items", {}))
    words = [kind]
    if "format" in schema:
        words = [f"{kind} ({schema['format']})"]
    for key, sign in (("minimum", "≥"), ("maximum", "≤")):
        if key in schema:
            words.append(f"{sign} {schema[key]}")
    if "pattern" in schema:  # zero-width spaces: a long pattern may wrap on a phone
        words.append("matching " + str(schema["pattern"]).replace("]", "]\u200b"))
    if "maxLength" in schema:
        words.append(f"at most {schema['maxLength']} characters")
    return ", ".join(words)


def rich(text: str) -> Markup:
    """A description with its `code` spans as <code>, everything else escaped."""
    return Markup(BACKTICKS.sub(r"<code>\1</code>", str(escape(text))))  # noqa: S704 - escaped above
