"""RELIABILITY.md, "Consumer killed": referrals arrive at the police adapter at a steady
rate while the referrals service is killed with SIGKILL and restarted by `hub up`.
Judged as Jepsen's queue checker does: every referral the adapter acknowledged must
end up stored exactly once — lost = 0, duplicated = 0, unexpected = 0.

A small version of the test (a few hundred referrals, three kills) so that it fits in CI;
`HUB_RELIABILITY_REFERRALS` and `HUB_RELIABILITY_KILLS` make it longer.
Needs the hub started by scripts/test.sh (police adapter URL and key, the hub's pid)."""
import json
import os
import random
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from referral_samples import referral

HUB_URL = os.environ.get("HUB_URL", "").rstrip("/")
ADMIN_PASSWORD = os.environ.get("HUB_ADMIN_PASSWORD", "")
POLICE_URL = os.environ.get("HUB_TEST_POLICE_URL", "").rstrip("/")
POLICE_KEY = os.environ.get("HUB_TEST_POLICE_KEY", "")
HUB_PID = os.environ.get("HUB_TEST_HUB_PID", "")
COUNT = int(os.environ.get("HUB_RELIABILITY_REFERRALS", "150"))
KILLS = int(os.environ.get("HUB_RELIABILITY_KILLS", "3"))
RATE = 50.0

pytestmark = pytest.mark.skipif(
    not (HUB_URL and ADMIN_PASSWORD and POLICE_URL and POLICE_KEY and HUB_PID),
    reason="needs the hub from scripts/test.sh (HUB_URL, HUB_ADMIN_PASSWORD, HUB_TEST_POLICE_URL/KEY, HUB_TEST_HUB_PID)",
)


def http(method, url, body=None, headers=None, timeout=10):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def admin_token():
    status, body = http("POST", HUB_URL + "/api/v1/tokens", {"username": "admin", "password": ADMIN_PASSWORD})
    assert status == 201
    return body["token"]


def now_iso():
    """The current time as the hub writes `submittedAt` (UTC, milliseconds)."""
    now = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now % 1 * 1000):03d}Z"


def stored_since(token, since):
    """Ids of the centre's referrals stored at or after `since`, from its newest 1000 (the
    list's limit; the hub of a whole test run holds more, so counts are taken by time)."""
    status, body = http("GET", HUB_URL + "/api/v1/referrals?view=centre&centre=skaraborg&limit=1000",
                        headers={"Authorization": "Bearer " + token})
    assert status == 200, body
    recent = [r["id"] for r in body["referrals"] if r["submittedAt"] >= since]
    assert len(recent) < 1000, "too many referrals to count through the list"
    return recent




def component_pids(component):
    out = subprocess.run(["pgrep", "-P", HUB_PID, "-f", f"run {component} "], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def kill_component(component):
    """SIGKILL every process of `component` under `hub up`; returns how many there were."""
    pids = component_pids(component)
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    return len(pids)


def wait_for_healthy(timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            status, body = http("GET", HUB_URL + "/healthz", timeout=3)
            if status == 200 and body.get("status") == "ok":
                return
        except OSError:
            pass
        time.sleep(0.5)
    pytest.fail("the hub did not become healthy again")


@pytest.mark.parametrize("component", ["referrals", "broker"])
def test_referrals_survive_a_component_being_killed(component):
    """The referrals service (the consumer) or the broker is killed -9 every 2 s; the
    adapter's durable outbox and the service's idempotency make every referral arrive once."""
    wait_for_healthy()
    since = now_iso()
    run = uuid.uuid4().hex[:8]
    acknowledged, refused = [], []
    kills = []

    def killer():
        # Kill the service every 2 s while referrals arrive; `hub up` restarts it at once.
        time.sleep(1.0)
        for _ in range(KILLS):
            kills.append(kill_component(component))
            time.sleep(2.0)

    t = threading.Thread(target=killer)
    t.start()
    start = time.monotonic()
    for i in range(COUNT):
        due = start + i / RATE
        time.sleep(max(0.0, due - time.monotonic()))
        ref = f"KILL-{run}-{i:05d}"
        status, body = http("POST", POLICE_URL + "/v1/referrals", referral(ref), headers={"X-API-Key": POLICE_KEY})
        if status in (201, 202):
            acknowledged.append(ref)
        else:
            refused.append((ref, status, body.get("error", {}).get("code")))
    t.join()
    assert sum(kills) >= 1, f"no {component} process was found to kill"
    assert not refused, f"the adapter refused {len(refused)} referrals, e.g. {refused[:3]}"
    check_each_stored_once(acknowledged, since)


def test_with_two_brokers_intake_goes_on_through_the_other_when_one_is_killed():
    """Issue 16: no single point of failure. The suite's hub runs two brokers; the first is
    killed -9 twice during steady intake through the police adapter. Every referral is
    answered (the adapter's bus client sends what was in flight through the other broker,
    with the same message id), none takes more than a few seconds, none is lost or stored
    twice."""
    assert component_pids("broker") and component_pids("broker-2"), "the suite's hub runs two brokers (scripts/test.sh)"
    wait_for_healthy()
    since = now_iso()
    run = uuid.uuid4().hex[:8]
    acknowledged, refused, times, pending = [], [], [], 0
    kills = []

    def killer():
        for _ in range(2):
            time.sleep(1.5)
            kills.append(kill_component("broker"))

    t = threading.Thread(target=killer)
    t.start()
    start = time.monotonic()
    for i in range(120):
        time.sleep(max(0.0, start + i / 30.0 - time.monotonic()))
        ref = f"TWO-{run}-{i:04d}"
        sent = time.monotonic()
        status, body = http("POST", POLICE_URL + "/v1/referrals", referral(ref), headers={"X-API-Key": POLICE_KEY})
        times.append(time.monotonic() - sent)
        if status in (201, 202):
            acknowledged.append(ref)
            pending += status == 202
        else:
            refused.append((ref, status, body.get("error", {}).get("code")))
    t.join()
    assert sum(kills) >= 2, "the first broker was not found to kill"
    assert not refused, f"the adapter refused {len(refused)} referrals, e.g. {refused[:3]}"
    print(f"\ntwo brokers, the first killed -9 twice: {len(acknowledged)} referrals, slowest answer {max(times):.2f} s, "
          f"median {median(times) * 1000:.0f} ms, {pending} answered 202 pending")
    assert max(times) <= 5.0, f"a referral waited {max(times):.1f} s for its answer while the other broker was up"
    check_each_stored_once(acknowledged, since)


def check_each_stored_once(acknowledged, since):
    """Every acknowledged referral gets a referral id from the hub, exactly one each:
    lost = 0, duplicated = unexpected = 0 (the centre's referrals stored since the first was
    sent are exactly the acknowledged ones)."""
    deadline = time.monotonic() + 120
    ids = {}
    while time.monotonic() < deadline and len(ids) < len(acknowledged):
        for ref in acknowledged:
            if ref in ids:
                continue
            status, body = http("GET", f"{POLICE_URL}/v1/referrals/{ref}", headers={"X-API-Key": POLICE_KEY})
            if status == 200 and body.get("referralId"):
                ids[ref] = body["referralId"]
        if len(ids) < len(acknowledged):
            time.sleep(1.0)
    lost = [r for r in acknowledged if r not in ids]
    assert not lost, f"lost: {len(lost)} acknowledged referrals never reached the hub"
    assert len(set(ids.values())) == len(acknowledged), "two documents share a referral id"
    wait_for_healthy()
    token = admin_token()
    recent = stored_since(token, since)
    assert set(ids.values()) <= set(recent), "an acknowledged referral is missing from the centre's list"
    assert len(recent) == len(acknowledged), f"duplicated/unexpected: {len(recent)} referrals stored for {len(acknowledged)} sent"


RECOVERY_KILLS = int(os.environ.get("HUB_RECOVERY_KILLS", "3"))
RECOVERY_RATE = 10.0


def median(values):
    v = sorted(values)
    return v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2


@pytest.mark.parametrize("component", ["referrals", "broker"])
def test_intake_answers_again_within_seconds_of_each_kill(component):
    """Issue 16, "recovery in seconds": referrals arrive at the police adapter from 16
    concurrent senders while the referrals service or the broker is killed -9 every 5–10 s.
    While the hub is down the adapter answers 202 at once (the document is in its outbox);
    the recovery time of a kill is from the kill until a referral sent after it is answered
    by the hub (201 with its referral id). Nothing is lost or duplicated, no request refused."""
    wait_for_healthy()
    since = now_iso()  # the hub stamps submittedAt when it stores a referral, after this
    run = uuid.uuid4().hex[:8]
    results = []  # (sent, answered, status, ref, error code)
    lock = threading.Lock()
    kill_times = []
    stop = threading.Event()

    def killer():
        time.sleep(3.0)
        for _ in range(RECOVERY_KILLS):
            if kill_component(component):
                kill_times.append(time.monotonic())
            time.sleep(random.uniform(5.0, 10.0))
        stop.set()

    def post(ref):
        sent = time.monotonic()
        try:
            status, body = http("POST", POLICE_URL + "/v1/referrals", referral(ref), headers={"X-API-Key": POLICE_KEY}, timeout=30)
        except OSError as e:
            status, body = 0, {"error": {"code": type(e).__name__}}
        with lock:
            results.append((sent, time.monotonic(), status, ref, body.get("error", {}).get("code")))

    t = threading.Thread(target=killer)
    t.start()
    with ThreadPoolExecutor(max_workers=16) as pool:
        start = time.monotonic()
        i = 0
        while not stop.is_set():
            due = start + i / RECOVERY_RATE
            time.sleep(max(0.0, due - time.monotonic()))
            pool.submit(post, f"RECOVER-{run}-{i:05d}")
            i += 1
    t.join()
    assert kill_times, f"no {component} process was found to kill"
    refused = [(r[3], r[2], r[4]) for r in results if r[2] not in (201, 202)]
    assert not refused, f"the adapter refused {len(refused)} referrals, e.g. {refused[:3]}"
    recoveries = []
    for k in kill_times:
        answered = [end for (sent, end, status, _, _) in results if status == 201 and sent >= k]
        assert answered, f"the hub never answered an intake again after the {component} kill at {k:.1f}"
        recoveries.append(min(answered) - k)
    pending = sum(1 for r in results if r[2] == 202)
    print(f"\nrecovery after kill -9 of {component} ({len(kill_times)} kills, {len(results)} referrals, {pending} answered 202 pending): "
          f"median {median(recoveries):.2f} s, max {max(recoveries):.2f} s, each: {', '.join(f'{r:.2f}' for r in recoveries)}")
    # Issue 16's bounds. Measured at 0.1–0.3 s on a 2-core machine loaded by other builds
    # (docs/benchmarks.md), so a slow CI machine keeps a wide margin.
    assert median(recoveries) <= 2.0, f"median recovery {median(recoveries):.2f} s"
    assert max(recoveries) <= 5.0, f"max recovery {max(recoveries):.2f} s"
    check_each_stored_once([r[3] for r in results], since)


def test_a_stopped_service_gives_callers_an_error_never_a_false_success_and_loses_nothing():
    """RELIABILITY.md, "Slow consumer": the referrals service is frozen (SIGSTOP) while
    referrals arrive — through the gateway API, where the caller must get an error rather
    than a success, and through the police adapter, whose outbox holds them. After SIGCONT
    every adapter referral arrives once, and none of the refused API calls was stored."""
    wait_for_healthy()
    token = admin_token()
    since = now_iso()
    pids = component_pids("referrals")
    assert pids, "no referrals process to stop"
    run = uuid.uuid4().hex[:8]
    api_results, adapter_refs = [], []
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        for i in range(3):
            status, body = http("POST", HUB_URL + "/api/v1/referrals", referral(f"STOP-API-{run}-{i}"),
                                headers={"Authorization": "Bearer " + token}, timeout=30)
            api_results.append((status, body.get("error", {}).get("code")))
        def post(i):
            ref = f"STOP-{run}-{i:03d}"
            status, _ = http("POST", POLICE_URL + "/v1/referrals", referral(ref), headers={"X-API-Key": POLICE_KEY})
            return ref, status
        with ThreadPoolExecutor(max_workers=20) as pool:
            for ref, status in pool.map(post, range(20)):
                assert status == 202, "while the service is frozen the adapter can only say 'pending'"
                adapter_refs.append(ref)
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)
    # The API never claimed success for what it could not store.
    assert all(status in (503, 504) and code in ("timeout", "busy") for status, code in api_results), api_results
    deadline = time.monotonic() + 90
    done = set()
    while time.monotonic() < deadline and len(done) < len(adapter_refs):
        for ref in adapter_refs:
            if ref not in done:
                status, body = http("GET", f"{POLICE_URL}/v1/referrals/{ref}", headers={"X-API-Key": POLICE_KEY})
                if status == 200 and body.get("referralId"):
                    done.add(ref)
        time.sleep(0.5)
    assert len(done) == len(adapter_refs), f"lost: {len(adapter_refs) - len(done)}"
    # The timed-out API requests were queued at the broker past their deadline and answered
    # with timeout; a request the service took before its deadline may still have been stored
    # (its outcome was "unknown"), so the centre gains the adapter's 20 plus at most those.
    stored = len(stored_since(admin_token(), since))
    assert len(adapter_refs) <= stored <= len(adapter_refs) + len(api_results)
