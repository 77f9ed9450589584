"""Validates the registry's FHIR output with the fhir.resources package (its 6.4 series, FHIR R4 4.0.1).

    fhir_check.py bundle FILE     a course Bundle (JSON)
    fhir_check.py bulk FOLDER     a Bulk Data export: every NDJSON file and manifest.json

Every resource is parsed and validated as its type; every reference must resolve to a resource of
the same output; the manifest's counts must equal the files' lines. Prints a JSON summary (resources
per type) on success; prints each problem and exits 1 otherwise.
"""
import json
import pathlib
import sys

import fhir.resources
from fhir.resources import construct_fhir_element

problems = []

# fhir.resources checks structure and types, not value sets: the required bindings of the
# elements the registry writes are checked here.
REQUIRED_CODES = {
    ("Patient", "gender"): {"male", "female", "other", "unknown"},
    ("EpisodeOfCare", "status"): {"planned", "waitlist", "active", "onhold", "finished", "cancelled", "entered-in-error"},
    ("Procedure", "status"): {"preparation", "in-progress", "not-done", "on-hold", "stopped", "completed", "entered-in-error", "unknown"},
    ("Observation", "status"): {"registered", "preliminary", "final", "amended", "corrected", "cancelled", "entered-in-error", "unknown"},
    ("QuestionnaireResponse", "status"): {"in-progress", "completed", "amended", "entered-in-error", "stopped"},
}


def empty_elements(value, where):
    """FHIR allows no empty strings, arrays or objects, and no nulls."""
    if value is None or value == "" or value == [] or value == {}:
        yield where
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from empty_elements(inner, f"{where}.{key}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from empty_elements(inner, f"{where}[{index}]")


def references(value):
    """Every `reference` string anywhere inside a resource."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "reference" and isinstance(inner, str):
                yield inner
            else:
                yield from references(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from references(inner)


def check(resources):
    known = {f"{r['resourceType']}/{r['id']}" for r in resources}
    if len(known) != len(resources):
        problems.append(f"{len(resources) - len(known)} resources share a type and id")
    counts = {}
    for resource in resources:
        kind = resource.get("resourceType")
        counts[kind] = counts.get(kind, 0) + 1
        try:
            construct_fhir_element(kind, resource)
        except Exception as error:  # the validator's message names the element and rule
            problems.append(f"{kind}/{resource.get('id')}: {error}")
        for where in empty_elements(resource, kind):
            problems.append(f"{kind}/{resource.get('id')}: empty element {where}")
        for (owner, element), codes in REQUIRED_CODES.items():
            if kind == owner and element in resource and resource[element] not in codes:
                problems.append(f"{kind}/{resource.get('id')}: {element} {resource[element]!r} is not one of {sorted(codes)}")
        for target in references(resource):
            if target not in known:
                problems.append(f"{kind}/{resource.get('id')} refers to {target}, which is not in the output")
    return counts


def main():
    mode, path = sys.argv[1], pathlib.Path(sys.argv[2])
    if mode == "bundle":
        bundle = json.loads(path.read_text())
        try:
            construct_fhir_element("Bundle", bundle)
        except Exception as error:
            problems.append(f"Bundle: {error}")
        entries = bundle.get("entry", [])
        for entry in entries:
            resource = entry["resource"]
            expected = f"{resource['resourceType']}/{resource['id']}"
            if not entry.get("fullUrl", "").endswith("/" + expected):
                problems.append(f"fullUrl {entry.get('fullUrl')} does not end with {expected}")
        counts = check([entry["resource"] for entry in entries])
    else:
        manifest = json.loads((path / "manifest.json").read_text())
        resources = []
        for output in manifest["output"]:
            lines = [line for line in (path / output["url"]).read_text().split("\n") if line]
            if len(lines) != output["count"]:
                problems.append(f"{output['url']}: manifest says {output['count']}, file has {len(lines)}")
            for line in lines:
                resource = json.loads(line)
                if resource.get("resourceType") != output["type"]:
                    problems.append(f"{output['url']} holds a {resource.get('resourceType')}")
                resources.append(resource)
        counts = check(resources)
    if problems:
        print("\n".join(problems[:50]))
        print(f"{len(problems)} problems", file=sys.stderr)
        sys.exit(1)
    print(json.dumps({"fhirVersion": fhir.resources.__fhir_version__, "resources": counts}, sort_keys=True))


main()
