"""Checks recorded HTTP exchanges against the registry's OpenAPI document.

    python3 contract_check.py openapi.yaml exchanges.jsonl   # every response documented and valid
    python3 contract_check.py openapi.yaml --lint            # no schema is a bare `type: object`
    python3 contract_check.py openapi.yaml --operations      # every documented method and path, as JSON

Each line of exchanges.jsonl: {"method", "path", "status", "contentType", "body"}. Prints one
line per failure and exits 1 when there is any.
"""
import json
import re
import sys

import yaml
from openapi_schema_validator import OAS31Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

spec = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
registry = Registry().with_resource("spec", Resource.from_contents(spec, default_specification=DRAFT202012))


def pointer(*parts):
    return "spec#/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def resolve(node):
    """Follows a local $ref (responses, parameters) to its target and its pointer parts."""
    parts = []
    while isinstance(node, dict) and "$ref" in node and node["$ref"].startswith("#/"):
        parts = node["$ref"][2:].split("/")
        node = spec
        for part in parts:
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node, parts


def lint():
    failures = []

    def walk(node, where):
        if isinstance(node, dict):
            bare = node.get("type") == "object" or (isinstance(node.get("type"), list) and "object" in node["type"])
            shaped = any(key in node for key in ("properties", "additionalProperties", "$ref", "oneOf", "anyOf", "allOf"))
            if bare and not shaped:
                failures.append(f"{where}: a bare object schema says nothing about its fields")
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}/{index}")

    walk(spec.get("components", {}), "#/components")
    walk(spec.get("paths", {}), "#/paths")
    return failures


def check(lines):
    failures = []
    paths = [(re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", re.escape(p).replace(r"\{", "{").replace(r"\}", "}")) + "$"), p, ops)
             for p, ops in spec["paths"].items()]
    for line in lines:
        exchange = json.loads(line)
        method, path, status = exchange["method"].lower(), exchange["path"], str(exchange["status"])
        where = f"{exchange['method']} {path} → {status}"
        match = next(((p, ops) for rx, p, ops in paths if rx.match(path)), None)
        if match is None:
            # An address the document does not name is answered 404: that is the contract too.
            if status != "404":
                failures.append(f"{where}: the path is not in the document")
            continue
        template, operations = match
        if method not in operations:
            if status not in ("404", "405"):
                failures.append(f"{where}: the method is not documented for {template}")
            continue
        responses = operations[method].get("responses", {})
        key = status if status in responses else ("default" if "default" in responses else None)
        if key is None:
            failures.append(f"{where}: status {status} is not documented for {exchange['method']} {template}")
            continue
        response, parts = resolve(responses[key])
        base = parts or ["paths", template, method, "responses", key]
        content = response.get("content", {})
        media = exchange["contentType"].split(";")[0].strip()
        if media != "application/json":
            continue
        if "application/json" not in content:
            failures.append(f"{where}: answered JSON, but the document gives no JSON body for it")
            continue
        try:
            body = json.loads(exchange["body"])
        except ValueError:
            failures.append(f"{where}: the body is not JSON")
            continue
        schema = {"$ref": pointer(*base, "content", "application/json", "schema")}
        for error in OAS31Validator(schema, registry=registry).iter_errors(body):
            location = "/".join(str(p) for p in error.absolute_path) or "(body)"
            failures.append(f"{where}: {location}: {error.message[:300]}")
    return failures


if sys.argv[2] == "--operations":
    print(json.dumps([{"method": method.upper(), "path": path} for path, operations in spec["paths"].items()
                      for method in operations if method in ("get", "post", "patch", "put", "delete")]))
    sys.exit(0)
failures = lint() if sys.argv[2] == "--lint" else check(open(sys.argv[2], encoding="utf-8"))
for failure in failures:
    print(failure)
sys.exit(1 if failures else 0)
