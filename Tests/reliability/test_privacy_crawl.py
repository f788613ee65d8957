"""Issue 12's privacy crawl: referrals go in through all four agency adapters (police HTTP,
municipal CSV folder, psychiatry FHIR, Kriminalvården XML folder) and the JSON API, with
made-up clients; one document is refused. Then every file under the data folder —
databases, WAL files, logs, keys, adapter folders — is read byte by byte: no client's
personnummer (12 or 10 digits, with or without the dash), name, phone or address may be
found outside sealed data. Runs against the hub that scripts/test.sh starts."""
import datetime
import json
import os
import random
import string
import subprocess
import time
import urllib.error
import urllib.request
import uuid

import pytest

HUB_URL = os.environ.get("HUB_URL", "").rstrip("/")
HUB_BIN = os.environ.get("HUB_BIN", "")
DATA_DIR = os.environ.get("HUB_DATA_DIR", "")
CONFIG_DIR = os.environ.get("HUB_CONFIG_DIR", "")
POLICE_URL = os.environ.get("HUB_TEST_POLICE_URL", "")
POLICE_KEY = os.environ.get("HUB_TEST_POLICE_KEY", "")
FHIR_URL = os.environ.get("HUB_TEST_PSYCHIATRY_URL", "")
FHIR_KEY = os.environ.get("HUB_TEST_PSYCHIATRY_KEY", "")

pytestmark = pytest.mark.skipif(
    not (HUB_URL and HUB_BIN and DATA_DIR and CONFIG_DIR and POLICE_URL and FHIR_URL),
    reason="needs the running hub and adapters from scripts/test.sh",
)
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
RNG = random.Random()


def luhn_ok(nine_plus_check):
    total = 0
    for i, ch in enumerate(nine_plus_check[:9]):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return (10 - total % 10) % 10 == int(nine_plus_check[9])


def personnummer():
    """A valid made-up personnummer: (YYYYMMDD, NNNC)."""
    while True:
        day = datetime.date(1950, 1, 1) + datetime.timedelta(days=RNG.randrange(20000))
        tail = f"{RNG.randrange(1000):03d}"
        for c in range(10):
            digits = day.strftime("%y%m%d") + tail + str(c)
            if luhn_ok(digits):
                return day.strftime("%Y%m%d"), tail + str(c)


def client():
    letters = "".join(RNG.choice(string.ascii_lowercase) for _ in range(6))
    date, tail = personnummer()
    return {
        "date": date, "tail": tail,
        "name": "Kanarie" + letters.capitalize() + " Fågelsson",
        "phone": f"070-{RNG.randrange(10**7):07d}",
        "address": f"Kanariegatan {RNG.randrange(10, 99)}{letters[:2].upper()}",
    }


def forms(c):
    """Every form a canary may take in a file."""
    long, short = c["date"] + c["tail"], c["date"][2:] + c["tail"]
    return [long.encode(), short.encode(), (c["date"] + "-" + c["tail"]).encode(), (c["date"][2:] + "-" + c["tail"]).encode(),
            c["name"].encode(), c["name"].split()[0].encode(), c["phone"].encode(), c["phone"].replace("-", "").encode(),
            c["address"].encode()]


def http(method, url, body=None, headers=None):
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with OPENER.open(request, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def drop(folder, name, content):
    os.makedirs(folder, exist_ok=True)
    part = os.path.join(folder, name + ".part")
    with open(part, "wb") as f:
        f.write(content)
    os.rename(part, os.path.join(folder, name))


def wait_for(predicate, what, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    pytest.fail(f"timed out waiting for {what}")


def referral_body(ref, c, agency):
    return {
        "externalRef": ref, "source": "agency",
        "referrer": {"agency": agency, "unit": "Enhet", "contactName": "Kim Handläggare"},
        "municipality": "Skövde", "category": "subjected-to-violence", "help": ["individual-talks"],
        "client": {"identityKind": "personnummer", "identityNumber": f"{c['date']}-{c['tail']}", "name": c["name"],
                   "protectedIdentity": False, "phone": c["phone"], "address": c["address"]},
        "safeContact": {"doNotContact": False, "mayCall": True},
        "consent": {"given": True, "scope": ["referral", "status"], "givenAt": "2026-11-20", "recordedBy": "Kim Handläggare"},
        "urgency": "normal",
        "riskAnswers": {"escalation": "no", "threat-to-kill": "no", "strangulation": "no"},
    }


def test_no_client_data_in_clear_anywhere_under_the_data_folder():
    run = uuid.uuid4().hex[:8]
    clients = {name: client() for name in ("police", "municipality", "refused", "psychiatry", "kriminalvarden", "api")}
    adapters = os.path.join(DATA_DIR, "adapters")

    # Police: HTTP JSON.
    status, reply = http("POST", POLICE_URL + "/v1/referrals", referral_body("PRIV-" + run, clients["police"], "police"),
                         {"X-API-Key": POLICE_KEY, "Content-Type": "application/json"})
    assert status in (201, 202), reply[:300]

    # Municipality: a CSV with one good row and one the adapter refuses (wrong check digit).
    m, r = clients["municipality"], clients["refused"]
    bad_tail = r["tail"][:3] + str((int(r["tail"][3]) + 1) % 10)
    csv = ("Ärendenummer;Enhet;Handläggare;Kommun;Kategori;Insatser;Personnummer;Namn;Telefon;Adress;Skyddad identitet;Samtycke;"
           "Samtycke registrerat av;risk:escalation;risk:threat-to-kill;risk:strangulation\r\n"
           f"PRIV-{run}-1;IFO;Anna Handläggare;Skövde;Utsatt för våld;Enskilda samtal;{m['date']}-{m['tail']};{m['name']};{m['phone']};"
           f"{m['address']};Nej;Ja;Anna Handläggare;Nej;Nej;Nej\r\n"
           f"PRIV-{run}-2;IFO;Anna Handläggare;Skövde;Utsatt för våld;Enskilda samtal;{r['date'][2:]}-{bad_tail};{r['name']};{r['phone']};"
           f"{r['address']};Nej;Ja;Anna Handläggare;Nej;Nej;Nej\r\n")
    skovde = os.path.join(adapters, "municipality", "Skövde")
    drop(os.path.join(skovde, "inbox"), f"priv-{run}.csv", csv.encode("utf-8"))

    # Psychiatry: FHIR R4 ServiceRequest.
    p = clients["psychiatry"]
    fhir = {
        "resourceType": "ServiceRequest", "status": "active", "intent": "order",
        "identifier": [{"system": "urn:oid:1.2.3.4", "value": "PRIV-" + run}],
        "contained": [{"resourceType": "Patient", "id": "p1",
                       "identifier": [{"system": "urn:oid:1.2.752.129.2.1.3.1", "value": p["date"] + p["tail"]}],
                       "name": [{"text": p["name"]}], "telecom": [{"system": "phone", "value": p["phone"]}],
                       "address": [{"text": p["address"]}]}],
        "subject": {"reference": "#p1"},
        "requester": {"identifier": {"system": "urn:utvag:agency", "value": "psychiatry"}, "display": "Psykiatrin Skövde"},
        "category": [{"coding": [{"system": "https://utvag-hub.invalid/fhir/CodeSystem/referral-category", "code": "subjected-to-violence"}]}],
        "code": {"coding": [{"system": "https://utvag-hub.invalid/fhir/CodeSystem/help", "code": "individual-talks"}]},
        "priority": "routine",
        "extension": [
            {"url": "https://utvag-hub.invalid/fhir/StructureDefinition/municipality", "valueString": "Skövde"},
            {"url": "https://utvag-hub.invalid/fhir/StructureDefinition/referrer-contact",
             "extension": [{"url": "name", "valueString": "Läkare Test"}]},
            {"url": "https://utvag-hub.invalid/fhir/StructureDefinition/consent",
             "extension": [{"url": "given", "valueBoolean": True}, {"url": "date", "valueDate": "2026-11-20"},
                           {"url": "recordedBy", "valueString": "Läkare Test"}]},
        ] + [{"url": "https://utvag-hub.invalid/fhir/StructureDefinition/risk-answer",
              "extension": [{"url": "question", "valueString": q}, {"url": "answer", "valueCode": "no"}]}
             for q in ("escalation", "threat-to-kill", "strangulation")],
    }
    status, reply = http("POST", FHIR_URL + "/fhir/ServiceRequest", fhir,
                         {"Authorization": "Bearer " + FHIR_KEY, "Content-Type": "application/fhir+json"})
    assert status in (201, 202), reply[:400]

    # Kriminalvården: an XML document in its folder.
    k = clients["kriminalvarden"]
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<Remiss xmlns="urn:utvag:kriminalvarden:remiss:1">
  <Referens>PRIV-{run}</Referens>
  <Enhet>Frivården Skövde</Enhet>
  <Handlaggare><Namn>Frivårdsinspektör Test</Namn></Handlaggare>
  <Kommun>Skövde</Kommun>
  <Kategori>used-violence</Kategori>
  <Insatser><Insats>non-violence-group</Insats></Insatser>
  <Klient>
    <Personnummer>{k['date']}-{k['tail']}</Personnummer>
    <Namn>{k['name']}</Namn>
    <SkyddadIdentitet>false</SkyddadIdentitet>
    <Telefon>{k['phone']}</Telefon>
    <Adress>{k['address']}</Adress>
  </Klient>
  <SakerKontakt kontaktaInte="false" farRinga="true"/>
  <Samtycke givet="true" datum="2026-11-20" registreratAv="Frivårdsinspektör Test"/>
  <Bradska>normal</Bradska>
</Remiss>
"""
    kv = os.path.join(adapters, "kriminalvarden")
    drop(os.path.join(kv, "inbox"), f"priv-{run}.xml", xml.encode("utf-8"))

    # The JSON API, as an agency user.
    password = "priv-" + uuid.uuid4().hex
    user = "priv-" + run
    r_ = subprocess.run([HUB_BIN, "users", "create", "--username", user, "--role", "agency", "--agency", "social-services",
                         "--data-dir", DATA_DIR, "--config", CONFIG_DIR], input=password + "\n", capture_output=True, text=True, timeout=60)
    assert r_.returncode == 0, r_.stderr[-300:]
    status, reply = http("POST", HUB_URL + "/api/v1/tokens", {"username": user, "password": password}, {"Content-Type": "application/json"})
    assert status == 201
    token = json.loads(reply)["token"]
    status, reply = http("POST", HUB_URL + "/api/v1/referrals", referral_body("PRIV-API-" + run, clients["api"], "social-services"),
                         {"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    assert status in (200, 201), reply[:300]

    # The folder adapters have answered: receipts for the good documents, a sealed copy of the refused row's file.
    wait_for(lambda: any(n.startswith(f"priv-{run}") and "kvitto" in n for n in os.listdir(os.path.join(skovde, "processed"))),
             "the municipality's receipt")
    wait_for(lambda: any(n.startswith(f"priv-{run}") for n in os.listdir(os.path.join(kv, "processed"))), "Kriminalvården's receipt")
    wait_for(lambda: any(n.startswith("kvitto-") for n in os.listdir(os.path.join(kv, "outbox"))), "the hub's answer to Kriminalvården")
    time.sleep(3)  # the outboxes settle (payloads dropped once the hub has answered)

    found, scanned = [], 0
    for root, _dirs, files in os.walk(DATA_DIR):
        for name in files:
            path = os.path.join(root, name)
            try:
                with open(path, "rb") as f:
                    data = f.read()
            except OSError:
                continue
            scanned += 1
            for who, c in clients.items():
                for canary in forms(c):
                    if canary in data:
                        found.append(f"{who}'s {'number' if canary[:1].isdigit() else 'details'} in {os.path.relpath(path, DATA_DIR)}")
    assert scanned > 20
    assert found == [], "client data in clear: " + "; ".join(sorted(set(found))[:10])
