"""Schemathesis hooks for the registry's fuzz test.

Requests whose header names or values are not valid HTTP (control characters, line breaks) are
refused by the HTTP layer with a bare 400 before the application sees them, so there is no
application answer to check: such cases are not generated.

What a JSON Schema cannot state is given to the generator, so that requests the document calls
valid reach the registry's logic instead of stopping at a 404 or 422: clinical dates fall
between the fixture course's start and today (FUZZ_EARLIEST, FUZZ_LATEST), and valid requests
name records that exist (FUZZ_COURSE_ID, FUZZ_PATIENT_ID, FUZZ_SITE_ID, FUZZ_CLINICIAN_ID); a
valid correction or void gets a fresh record of its kind and that record's version, a valid write
a key (and a patient an MRN) of its own, and a valid consent the LINE channel with a LINE user id;
valid lists start at their first page. Invalid
requests are sent as generated.
"""
import os
import re
import uuid
from datetime import date, datetime, time, timedelta, timezone

import requests
import schemathesis
from hypothesis import strategies as st
from schemathesis.generation.modes import GenerationMode

TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
EARLIEST = date.fromisoformat(os.environ["FUZZ_EARLIEST"])
LATEST = date.fromisoformat(os.environ["FUZZ_LATEST"])
COURSE = os.environ["FUZZ_COURSE_ID"]
EXISTING = {"patientId": os.environ["FUZZ_PATIENT_ID"], "siteId": os.environ["FUZZ_SITE_ID"], "clinicianId": os.environ["FUZZ_CLINICIAN_ID"]}

schemathesis.openapi.format("date", st.dates(EARLIEST, LATEST).map(date.isoformat))
# Procedures happen in clinic hours, up to yesterday (so never in the future, whatever the time now).
schemathesis.openapi.format("date-time", st.builds(
    lambda day, minute: datetime.combine(day, time(8 + minute // 60, minute % 60), timezone.utc).isoformat().replace("+00:00", "Z"),
    st.dates(EARLIEST, LATEST - timedelta(days=1)), st.integers(0, 8 * 60)))

DAY = (LATEST - timedelta(days=1)).isoformat()
# One valid new record of each kind, and the fields a correction of that kind may change.
RECORDS = {
    "blocks": ({"performedAt": DAY + "T09:00:00Z", "side": "left", "agent": "lidocaine", "volumeMl": 5, "nrsBefore": 8, "nrsAfter": 3,
                "assessedMinutesAfter": 10}, {"performedAt", "side", "agent", "volumeMl", "nrsBefore", "nrsAfter", "assessedMinutesAfter"}),
    "sessions": ({"sessionOn": DAY, "procedures": [{"kind": "hydrodissection", "injectate": "d5w", "volumeMl": 10}]}, {"sessionOn", "clinicianId", "notes"}),
    "pain-scores": ({"recordedOn": DAY, "timepoint": "follow_up", "nrs": 4}, {"recordedOn", "timepoint", "nrs", "odi", "pgic"}),
    "events": ({"kind": "recurrence_observed", "occurredOn": DAY}, {"kind", "occurredOn", "note"}),
    "findings": ({"recordedOn": DAY}, {"recordedOn", "screening", "examination", "ultrasound"}),
}
# A findings record is one section; a correction names the section it changes.
SECTIONS = {
    "screening": {"painOverThreeMonths": True, "imagingMildOnly": True, "painAtIliacCrest": True, "worseUprightEasedLying": True,
                  "psisPressureReproduces": True, "physiotherapyRelapse": False},
    "examination": {"triggerPoint": True, "triggerPointDistanceCm": 4, "lateralBendingPositive": True, "pelvicRotationPositive": False,
                    "singleLegStancePositive": True, "straightLegRaisePositive": False, "strengthNormal": True, "reflexesNormal": True},
    "ultrasound": {"nerveCsaMm2": 3.2, "flattening": True, "restrictedGliding": False, "fasciaThicknessMm": 1.5, "fasciaAdhesion": True,
                   "tunnelNarrowing": False},
}


def valid_field(name, value):
    return bool(TOKEN.match(str(name))) and all(c == "\t" or " " <= c <= "~" for c in str(value))


@schemathesis.hook
def filter_case(context, case):
    return all(valid_field(name, value) for name, value in (case.headers or {}).items())


def fresh_record(kind, section):
    """Creates a record of `kind` (for findings, of `section`) on the fixture course, as the
    clinician of FUZZ_CLINICIAN_TOKEN (whichever role is being tested) on the registry at FUZZ_URL;
    returns its id and version."""
    body = {**RECORDS[kind][0], section: SECTIONS[section]} if kind == "findings" else RECORDS[kind][0]
    answer = requests.post(f"{os.environ['FUZZ_URL']}/api/v1/courses/{COURSE}/{kind}", json=body,
                           headers={"Authorization": f"Bearer {os.environ['FUZZ_CLINICIAN_TOKEN']}"}, timeout=10)
    answer.raise_for_status()
    record = answer.json()
    if kind == "findings":
        record = record[section][0]
    return record["id"], record["version"]


@schemathesis.hook
def before_call(context, case, kwargs):
    if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
        return
    path = case.operation.path
    if "Idempotency-Key" in (case.headers or {}):
        # A key the generator already used with another body is rightly refused (422).
        case.headers["Idempotency-Key"] = str(uuid.uuid4())
    if isinstance(case.query, dict):
        # Only a page's nextCursor is a cursor; made-up ones are rightly refused (422).
        case.query.pop("cursor", None)
    if "id" in (case.path_parameters or {}):
        case.path_parameters["id"] = COURSE if path.startswith("/api/v1/courses/") else EXISTING["patientId"]
    if isinstance(case.body, dict):
        for field, value in EXISTING.items():
            if field in case.body:
                case.body[field] = value
        # Some schemathesis versions draw date-times near the real now, which may be after the
        # fixture's today: such a value is moved into the clinic's past.
        if isinstance(case.body.get("performedAt"), str) and not case.body["performedAt"][:10] < LATEST.isoformat():
            case.body["performedAt"] = DAY + "T09:00:00Z"
        if path == "/api/v1/patients/{id}/contact" and isinstance(case.body.get("channels"), list):
            # The fixture's patient has no phone (SMS is rightly refused), and LINE needs the
            # patient's LINE user id, which a schema cannot tie to the channel list.
            case.body["channels"] = ["line"]
            case.body.setdefault("lineUserId", "U" + uuid.uuid4().hex)
        if path == "/api/v1/patients" and "mrn" in case.body:
            # An MRN already registered at the site is rightly refused (409).
            case.body["mrn"] = "F" + uuid.uuid4().hex[:16]
    if path.endswith("/{kind}/{recordId}") and isinstance(case.body, dict):
        kind = next((k for k, (_, fields) in RECORDS.items() if set(case.body) <= fields), None)
        if kind:
            case.path_parameters["kind"] = kind
    if "{recordId}" in path and case.path_parameters.get("kind") in RECORDS:
        section = next((key for key in SECTIONS if isinstance(case.body, dict) and key in case.body), "screening")
        record, version = fresh_record(case.path_parameters["kind"], section)
        case.path_parameters["recordId"] = record
        case.headers = {**(case.headers or {}), "If-Match": f'"{version}"'}


if os.environ.get("FUZZ_LOG"):
    import json

    @schemathesis.hook
    def after_call(context, case, response):
        """With FUZZ_LOG set, one JSON line per call (phase, mode, request, status, answer), to see
        what a warning is about."""
        meta = case.meta
        with open(os.environ["FUZZ_LOG"], "a") as log:
            log.write(json.dumps([str(getattr(meta.phase.name, "value", meta.phase.name)) if meta else None,
                                  meta.generation.mode.value if meta else None, case.method, case.formatted_path,
                                  case.headers, case.query, case.body, response.status_code,
                                  response.content[:300].decode("utf-8", "replace")], default=str) + "\n")
