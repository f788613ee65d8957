"""The psychiatry adapter speaks FHIR R4 as a real validator reads it. Every resource it
sends — the CapabilityStatement, a created ServiceRequest and the same read back from its
Location, the Task search Bundle, the Communication Bundle and OperationOutcomes for a
404, a refused document and a missing key — is validated with fhir.resources' R4 models
(scripts/setup.sh makes .build-venv-fhir), and the rules the models do not check
(CapabilityStatement cpb-2/15/16, absolute fullUrls, the media type) are checked here."""
import json
import os
import subprocess
import tempfile
import urllib.error
import urllib.request
import uuid

import pytest

FHIR_URL = os.environ.get("HUB_TEST_PSYCHIATRY_URL", "").rstrip("/")
FHIR_KEY = os.environ.get("HUB_TEST_PSYCHIATRY_KEY", "")
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
VENV_PYTHON = os.path.join(os.environ.get("HUB_FHIR_VENV", os.path.join(ROOT, ".build-venv-fhir")), "bin", "python")

pytestmark = pytest.mark.skipif(not (FHIR_URL and FHIR_KEY), reason="needs the psychiatry adapter from scripts/test.sh")
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
SD = "https://utvag-hub.invalid/fhir/StructureDefinition/"


def get(url, key=FHIR_KEY, method="GET", body=None):
    headers = {"Accept": "application/fhir+json"}
    if key:
        headers["Authorization"] = "Bearer " + key
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/fhir+json"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with OPENER.open(request, timeout=30) as r:
            return r.status, dict(r.headers), json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), json.loads(e.read() or b"null")


def service_request(ref):
    return {
        "resourceType": "ServiceRequest", "status": "active", "intent": "order",
        "identifier": [{"system": "urn:oid:1.2.3.4", "value": ref}],
        "contained": [{"resourceType": "Patient", "id": "p1"}],  # anonymous: no identifier, no name
        "subject": {"reference": "#p1"},
        "requester": {"identifier": {"system": "urn:utvag:agency", "value": "psychiatry"}, "display": "Psykiatrin Skövde"},
        "category": [{"coding": [{"system": "https://utvag-hub.invalid/fhir/CodeSystem/referral-category", "code": "subjected-to-violence"}]}],
        "code": {"coding": [{"system": "https://utvag-hub.invalid/fhir/CodeSystem/help", "code": "individual-talks"}]},
        "priority": "routine",
        "extension": [
            {"url": SD + "municipality", "valueString": "Skövde"},
            {"url": SD + "referrer-contact", "extension": [{"url": "name", "valueString": "Läkare Test"}]},
            {"url": SD + "consent", "extension": [{"url": "given", "valueBoolean": True}, {"url": "date", "valueDate": "2026-11-20"},
                                                  {"url": "recordedBy", "valueString": "Läkare Test"}]},
        ] + [{"url": SD + "risk-answer", "extension": [{"url": "question", "valueString": q}, {"url": "answer", "valueCode": "no"}]}
             for q in ("escalation", "threat-to-kill", "strangulation")],
    }


def test_every_resource_the_adapter_sends_is_valid_fhir_r4():
    assert os.path.exists(VENV_PYTHON), "scripts/setup.sh makes the FHIR validator's environment"
    resources = {}
    status, headers, cap = get(FHIR_URL + "/fhir/metadata", key=None)
    assert status == 200
    resources["metadata"] = cap
    # CapabilityStatement invariants the models do not check.
    assert cap["kind"] in ("instance", "capability", "requirements")
    assert any(k in cap for k in ("description", "software", "implementation")), "cpb-2"
    if cap["kind"] == "capability":
        assert "implementation" not in cap and "software" in cap, "cpb-15"
    if cap["kind"] == "requirements":
        assert "implementation" not in cap and "software" not in cap, "cpb-16"
    assert cap["fhirVersion"].startswith("4.0")

    ref = "CONF-" + uuid.uuid4().hex[:8]
    status, headers, created = get(FHIR_URL + "/fhir/ServiceRequest", method="POST", body=service_request(ref))
    assert status in (201, 202), created
    assert headers.get("Content-Type", "").startswith("application/fhir+json")
    resources["created"] = created
    location = headers.get("Location", "")
    assert location.startswith("http://") or location.startswith("https://"), "the Location is absolute"
    status, headers, read = get(location)
    assert status == 200, "the Location returned by create can be read"
    resources["read"] = read
    status, _, tasks = get(FHIR_URL + "/fhir/Task?based-on=ServiceRequest/" + created["id"])
    assert status == 200 and tasks["resourceType"] == "Bundle" and tasks["type"] == "searchset"
    assert all(e["fullUrl"].startswith("http") for e in tasks.get("entry", [])), "fullUrl is absolute"
    resources["tasks"] = tasks
    status, _, comms = get(FHIR_URL + "/fhir/Communication?_count=5")
    assert status == 200 and comms["resourceType"] == "Bundle"
    resources["communications"] = comms

    status, headers, missing = get(FHIR_URL + "/fhir/NoSuchThing/1")
    assert status == 404 and missing["resourceType"] == "OperationOutcome"
    assert headers.get("Content-Type", "").startswith("application/fhir+json")
    resources["not-found"] = missing
    bad = service_request("CONF-BAD-" + ref)
    bad["priority"] = "whenever"
    status, _, refused = get(FHIR_URL + "/fhir/ServiceRequest", method="POST", body=bad)
    assert 400 <= status < 500 and refused["resourceType"] == "OperationOutcome"
    resources["refused"] = refused
    status, _, unauthorised = get(FHIR_URL + "/fhir/Task?based-on=ServiceRequest/x", key="wrong-key")
    assert status == 401 and unauthorised["resourceType"] == "OperationOutcome"
    resources["unauthorised"] = unauthorised

    with tempfile.TemporaryDirectory() as d:
        paths = []
        for name, resource in resources.items():
            path = os.path.join(d, name + ".json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(resource, f)
            paths.append(path)
        r = subprocess.run([VENV_PYTHON, os.path.join(ROOT, "Tests", "protocol", "fhir_validate.py"), *paths],
                           capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-1000:]
    assert r.stdout.count("valid ") == len(resources)
