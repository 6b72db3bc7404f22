"""An API Gateway OpenAPI 3 / Swagger 2 document (the `body` of a REST or HTTP API) read into operations.

What API Gateway takes from the document, per operation (`paths.<path>.<method>`, `x-amazon-apigateway-any-method`
as ANY): who may call it (`security` of the operation, else of the document, through `components.securitySchemes`
or `securityDefinitions` with `x-amazon-apigateway-authtype` / `x-amazon-apigateway-authorizer`, or the operation's
`x-amazon-apigateway-auth`), which request validator applies (`x-amazon-apigateway-request-validator` of the
operation, else the document's default, defined in `x-amazon-apigateway-request-validators`), whether a request
body schema is declared, and its `x-amazon-apigateway-integration` (inline or a local `$ref`, as HTTP APIs put
them under `components.x-amazon-apigateway-integrations`).

The body arrives as JSON or YAML text (the plan) or as an already evaluated object (checkov's HCL scan of a
`jsonencode()`; values checkov could not evaluate are then given as after-unknown markers and read as UNKNOWN).
`parse` raises BodyError, with a message that names the problem, for a body that is not such a document.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, NamedTuple

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
ANY_METHOD = "x-amazon-apigateway-any-method"
_INTEGRATION = "x-amazon-apigateway-integration"
_TARGET_FIELDS = ("uri", "integrationSubtype")  # what names the service and action an integration calls


class _Unknown:
    """A value only known after apply (inside a body checkov evaluated to an object)."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()


# The records below are NamedTuples, as in stepgate.plan.iamref: immutable, and cheaper to import and to
# make than frozen dataclasses.


class BodyError(ValueError):
    """The body is not an OpenAPI/Swagger object with paths; the message says why."""


class Validator(NamedTuple):
    name: str
    body: bool  # validateRequestBody
    parameters: bool  # validateRequestParameters


class Integration(NamedTuple):
    """An operation's x-amazon-apigateway-integration, as far as the rules read it."""

    type: str  # lower case: aws, aws_proxy, http, http_proxy, mock ("" when unset)
    uri: str
    subtype: str  # integrationSubtype (HTTP APIs), e.g. StepFunctions-StartExecution
    credentials: str | None  # the role ARN (or arn:aws:iam::*:user/*); None: not set; "" : only known after apply
    request_templates: Mapping[str, str]  # REST: content type -> mapping template
    request_parameters: Mapping[str, str]  # HTTP: parameter -> value (REST: integration.request.* -> method.request.*)
    passthrough: str  # upper case WHEN_NO_MATCH / WHEN_NO_TEMPLATES / NEVER, "" when unset
    unknown_keys: frozenset[str] = frozenset()  # templates/parameters whose value is only known after apply
    # uri, integrationSubtype when only known after apply ("*": the whole integration): what it calls is unknown
    unknown_fields: frozenset[str] = frozenset()


class Operation(NamedTuple):
    method: str  # upper case, ANY for x-amazon-apigateway-any-method
    path: str  # "/orders/{id}", or "$default" (HTTP APIs)
    authorization: str | None  # NONE, AWS_IAM, COGNITO_USER_POOLS, CUSTOM, JWT; None: only known after apply
    api_key_required: bool
    validator: Validator | None
    body_schema: bool  # a request body schema (model) is declared
    integration: Integration | None

    @property
    def route(self) -> str:
        return self.path if self.path.startswith("$") else f"{self.method} {self.path}"


class Document(NamedTuple):
    version: str  # "OpenAPI 3.0.1", "Swagger 2.0", "" when the document names none
    operations: tuple[Operation, ...]
    problems: tuple[str, ...] = ()  # names that do not resolve (schemes, validators, $refs)


# --- loading ------------------------------------------------------------------------------------------


def load(text: str) -> Any:
    """The document of a JSON or YAML text (JSON when it starts like JSON), or BodyError."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped:
        raise BodyError("is empty")
    if stripped[0] in "{[":
        try:
            return json.loads(stripped)
        except json.JSONDecodeError as error:
            raise BodyError(f"is not valid JSON ({error.msg} at line {error.lineno} column {error.colno})") from None
    import yaml  # bodies are JSON (jsonencode) far more often: only a YAML body loads the parser

    try:
        return yaml.safe_load(stripped)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark is not None else ""
        raise BodyError(f"is not valid YAML ({problem}{where})") from None


def _with_markers(value: Any, markers: Any) -> Any:
    """Put UNKNOWN where after-unknown markers say a value is only known after apply."""
    if markers is True:
        return UNKNOWN if value is None else value
    if isinstance(markers, Mapping):
        merged = dict(value) if isinstance(value, Mapping) else {}
        for key, marker in markers.items():
            merged[key] = _with_markers(merged.get(key), marker)
        return merged
    if isinstance(markers, list) and isinstance(value, list):
        return [_with_markers(item, markers[i] if i < len(markers) else False) for i, item in enumerate(value)]
    return value


def parse(value: Any, markers: Any = None) -> Document:
    """The operations of a body given as text or as an evaluated object (with after-unknown markers)."""
    if isinstance(value, str):
        return _parse_text(value)
    return _document(_with_markers(value, markers) if markers else value)


@lru_cache(maxsize=256)
def _parse_text(text: str) -> Document:
    return _document(load(text))


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return "null" if value is None else f"a {type(value).__name__}"


def _document(root: Any) -> Document:
    if not isinstance(root, Mapping):
        raise BodyError(f"is {_kind(root)}, not an OpenAPI object")
    paths = root.get("paths")
    if paths is UNKNOWN:
        paths = {}
    if paths is None:
        raise BodyError("has no paths (an OpenAPI document lists its routes under paths)")
    if not isinstance(paths, Mapping):
        raise BodyError(f"has paths that are {_kind(paths)}, not an object of routes")
    reader = _Reader(root)
    operations = []
    for path, item in paths.items():
        if item is UNKNOWN or (isinstance(item, Mapping) and "$ref" in item and len(item) == 1):
            item = reader.resolve(item, f"paths.{path}")
        if not isinstance(item, Mapping):
            if item is not UNKNOWN:
                raise BodyError(f"has a path {path} that is {_kind(item)}, not an object of methods")
            continue
        for key, operation in item.items():
            method = "ANY" if key == ANY_METHOD else key.upper() if key in HTTP_METHODS else None
            if method is None or operation is UNKNOWN:
                continue
            if operation is None:  # `post:` with nothing under it: a method with no settings at all
                operation = {}
            if not isinstance(operation, Mapping):
                raise BodyError(f"has a {key} operation on {path} that is {_kind(operation)}, not an object")
            operations.append(reader.operation(str(path), method, operation, item))
    version = root.get("openapi") or root.get("swagger") or ""
    label = f"OpenAPI {version}" if root.get("openapi") else f"Swagger {version}" if version else ""
    return Document(label, tuple(operations), tuple(dict.fromkeys(reader.problems)))


def _as_list(value: Any) -> list[Any]:
    """A list where the document has one (checkov unwraps one-element lists of an evaluated object)."""
    if value is None or value is UNKNOWN:
        return []
    return list(value) if isinstance(value, list) else [value]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _strings(value: Any) -> tuple[dict[str, str], frozenset[str]]:
    """A mapping of strings (templates, parameters) and the keys whose value is only known after apply."""
    if not isinstance(value, Mapping):
        return {}, frozenset()
    known = {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in value.items() if v is not UNKNOWN and v is not None}
    return known, frozenset(str(k) for k, v in value.items() if v is UNKNOWN)


class _Reader:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root
        self.problems: list[str] = []
        components = root.get("components") if isinstance(root.get("components"), Mapping) else {}
        schemes = components.get("securitySchemes") if isinstance(components, Mapping) else None
        self.schemes = schemes if isinstance(schemes, Mapping) else {}
        if isinstance(root.get("securityDefinitions"), Mapping):
            self.schemes = {**root["securityDefinitions"], **self.schemes}
        validators = root.get("x-amazon-apigateway-request-validators")
        self.validators = validators if isinstance(validators, Mapping) else {}

    def resolve(self, value: Any, where: str, depth: int = 0) -> Any:
        """A local $ref ("#/components/...") followed to what it names; a problem when it names nothing."""
        if not (isinstance(value, Mapping) and isinstance(value.get("$ref"), str)) or depth > 8:
            return value
        reference = value["$ref"]
        if not reference.startswith("#/"):
            self.problems.append(f"{where} refers to {reference}, outside the document; API Gateway only resolves local references")
            return None
        node: Any = self.root
        for part in reference[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            node = node.get(part) if isinstance(node, Mapping) else None
            if node is None:
                self.problems.append(f"{where} refers to {reference}, which the document does not define")
                return None
        return self.resolve(node, where, depth + 1)

    def operation(self, path: str, method: str, operation: Mapping[str, Any], item: Mapping[str, Any]) -> Operation:
        route = path if path.startswith("$") else f"{method} {path}"
        authorization, api_key = self.authorization(operation, route)
        raw = operation.get(_INTEGRATION)
        integration = self.integration(self.resolve(raw, f"the integration of {route}"), route) if raw is not None else None
        return Operation(method, path, authorization, api_key, self.validator(operation, route),
                         self.body_schema(operation, item, route), integration)

    # who may call

    def authorization(self, operation: Mapping[str, Any], route: str) -> tuple[str | None, bool]:
        auth = operation.get("x-amazon-apigateway-auth")
        if auth is UNKNOWN or (isinstance(auth, Mapping) and auth.get("type") is UNKNOWN):
            return None, False
        declared = str(auth.get("type") or "").upper() if isinstance(auth, Mapping) else ""
        requirements = operation["security"] if "security" in operation else self.root.get("security")
        if requirements is UNKNOWN:
            return None, False
        found: list[str | None] = []
        api_key = False
        for requirement in _as_list(requirements):
            if requirement is UNKNOWN:
                return None, api_key
            if not isinstance(requirement, Mapping):
                continue
            for name in requirement:
                scheme = self.schemes.get(name)
                if scheme is None:
                    self.problems.append(f"{route} names the security scheme {name!r}, which the document does not define "
                                         "(components.securitySchemes or securityDefinitions)")
                    continue
                kind = _scheme_kind(scheme)
                if kind == "API_KEY":
                    api_key = True
                elif kind != "NONE":
                    found.append(kind)
        if declared == "AWS_IAM":
            return "AWS_IAM", api_key
        if None in found:
            return None, api_key
        return (found[0] if found else "NONE"), api_key

    # what is validated

    def validator(self, operation: Mapping[str, Any], route: str) -> Validator | None:
        name = operation.get("x-amazon-apigateway-request-validator", self.root.get("x-amazon-apigateway-request-validator"))
        if not isinstance(name, str) or not name:
            return None
        definition = self.validators.get(name)
        if not isinstance(definition, Mapping):
            self.problems.append(f"{route} uses the request validator {name!r}, which x-amazon-apigateway-request-validators does not define")
            return None
        return Validator(name, definition.get("validateRequestBody") is True, definition.get("validateRequestParameters") is True)

    def body_schema(self, operation: Mapping[str, Any], item: Mapping[str, Any], route: str) -> bool:
        body = self.resolve(operation.get("requestBody"), f"the request body of {route}")
        if isinstance(body, Mapping):
            content = body.get("content")
            if isinstance(content, Mapping) and any(isinstance(media, Mapping) and media.get("schema") is not None for media in content.values()):
                return True
        for parameter in _as_list(item.get("parameters")) + _as_list(operation.get("parameters")):
            parameter = self.resolve(parameter, f"a parameter of {route}")
            if isinstance(parameter, Mapping) and parameter.get("in") == "body" and parameter.get("schema") is not None:
                return True
        return False

    # what it calls

    def integration(self, raw: Any, route: str) -> Integration | None:
        if raw is UNKNOWN:
            return Integration("", "", "", "", {}, {}, "", frozenset({"*"}), frozenset({"*"}))
        if not isinstance(raw, Mapping):
            return None
        templates, unknown_templates = _strings(raw.get("requestTemplates"))
        parameters, unknown_parameters = _strings(raw.get("requestParameters"))
        unknown = unknown_templates | unknown_parameters
        if raw.get("requestTemplates") is UNKNOWN or raw.get("requestParameters") is UNKNOWN:
            unknown |= {"*"}
        credentials = raw.get("credentials")
        return Integration(
            type=_text(raw.get("type")).lower(),
            uri=_text(raw.get("uri")),
            subtype=_text(raw.get("integrationSubtype")),
            credentials="" if credentials is UNKNOWN else credentials if isinstance(credentials, str) and credentials else None,
            request_templates=templates,
            request_parameters=parameters,
            passthrough=_text(raw.get("passthroughBehavior")).upper(),
            unknown_keys=unknown,
            unknown_fields=frozenset(key for key in _TARGET_FIELDS if raw.get(key) is UNKNOWN),
        )


def _scheme_kind(scheme: Any) -> str | None:
    """AWS_IAM, COGNITO_USER_POOLS, CUSTOM or JWT for a scheme API Gateway authorizes with, API_KEY for an API
    key (which identifies a client and authorizes nothing), NONE for a scheme API Gateway does not enforce;
    None when only known after apply."""
    if scheme is UNKNOWN:
        return None
    if not isinstance(scheme, Mapping):
        return "NONE"
    authtype = scheme.get("x-amazon-apigateway-authtype")
    authorizer = scheme.get("x-amazon-apigateway-authorizer")
    if authtype is UNKNOWN or authorizer is UNKNOWN:
        return None
    authtype = _text(authtype).lower()
    if authtype == "awssigv4":
        return "AWS_IAM"
    if authtype == "cognito_user_pools":
        return "COGNITO_USER_POOLS"
    if isinstance(authorizer, Mapping):
        kind = authorizer.get("type")
        if kind is UNKNOWN:
            return None
        kind = _text(kind).lower()
        if kind == "jwt":
            return "JWT"
        if kind == "cognito_user_pools":
            return "COGNITO_USER_POOLS"
        if kind in ("token", "request"):
            return "CUSTOM"
    if authtype == "custom":
        return "CUSTOM"
    if _text(scheme.get("type")).lower() == "apikey" and not authtype:
        return "API_KEY"
    return "NONE"
