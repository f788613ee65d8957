"""Validates FHIR R4 resources (JSON files named on the command line) with fhir.resources
6.5 (R4 4.0.1 models, pydantic 1): run with the validator's own Python
(.build-venv-fhir, made by scripts/setup.sh). Prints one line per file; exits 1 when any is invalid."""
import json
import sys

from fhir.resources import construct_fhir_element

bad = 0
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        obj = json.load(f)
    try:
        construct_fhir_element(obj["resourceType"], obj)
        print(f"valid {obj['resourceType']} {path}")
    except Exception as e:  # noqa: BLE001 - the validator's message is the point
        bad += 1
        print(f"INVALID {obj.get('resourceType')} {path}: {str(e)[:600]}")
sys.exit(1 if bad else 0)
