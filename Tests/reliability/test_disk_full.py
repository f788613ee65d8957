"""RELIABILITY.md, "Disk full": the data folder on a small loop device — no success reply
for anything not stored, no partial rows, recovery without manual work, integrity check ok.

The test starts its OWN hub (`hub up`, SQLite) on its own ports, with `--data-dir` on a
small ext4 file system (a loop device), and:

1. submits referrals through the gateway API and the police adapter (all must succeed);
2. fills the file system to a small margin and keeps submitting until the hub runs out of
   space under load (the disk fills up in the middle of the stream);
3. fills it completely (a filler file written until ENOSPC) and submits more, tries a login
   and checks that the gateway and the adapter still answer their health endpoints, and
   that the gateway's /healthz (and the police adapter's) says "degraded" with the
   storage "full" or "failing";
4. removes the filler and — without restarting anything — submits again: the first new
   referral must succeed within a few seconds, then every one, and /healthz says "ok" again;
5. judges every submission as Jepsen's queue checker does: a success reply (201, or the
   adapter's 202 "I hold it") must end up stored exactly once (lost = 0), a refusal must
   be a clear JSON error (503 storage/busy, never a 500 or a stack) and nothing refused may
   be stored (unexpected = 0; a timeout's outcome is "unknown" and is resolved by resending
   it with the same Idempotency-Key / externalRef), no referral stored twice
   (duplicated = 0); every stored referral opens completely (no partial rows);
6. resends every refused referral (same Idempotency-Key / externalRef): each now succeeds,
   exactly once;
7. checks that no component process died (same pids; `hub up` printed no restart), stops
   the hub with SIGTERM, and runs `PRAGMA integrity_check` on every `*.sqlite`: "ok";
   in the police adapter's database every intake row has its outbox entry;
8. last, checks that every stored referral's "submitted" status event reached the police
   adapter's inbox (`agency.police.referral.status`): an event for the agency must not be
   dropped because the adapter's disk was full at the moment it arrived.

Needs root (loop device, mount), mkfs.ext4 (e2fsprogs), losetup/mount/umount (mount) and
the hub binary (`HUB_BIN`, exported by scripts/test.sh; `HUB_CONFIG_DIR` likewise). Always
stops its hub, unmounts and detaches the loop device, even when it fails.
Knobs: HUB_DISKFULL_IMAGE_MB (48), HUB_DISKFULL_BASELINE (30), HUB_TEST_KEEP_TMP=1 keeps
the hub's logs (the image is always removed).
Only made-up, non-personal values are submitted (no identity numbers, no names of clients)."""
import errno
import http.client as http_client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from referral_samples import referral

ROOT = Path(__file__).resolve().parents[2]
HUB_BIN = os.environ.get("HUB_BIN") or str(ROOT / ".build" / "debug" / "hub")
CONFIG_DIR = os.environ.get("HUB_CONFIG_DIR") or str(ROOT / "config")
IMAGE_MB = int(os.environ.get("HUB_DISKFULL_IMAGE_MB", "48"))
BASELINE = int(os.environ.get("HUB_DISKFULL_BASELINE", "30"))
NEAR_FULL_MARGIN = 1536 * 1024      # bytes left free before the stream that fills the disk
NEAR_FULL_MAX = 160                 # at most this many submissions in that stream
FULL_EACH = 10                      # API and adapter submissions each while completely full
REQUEST_TIMEOUT = 30                # seconds; a request without an answer has an unknown outcome
PREFERRED_PORTS = {"broker": 17700, "gateway": 18190, "police": 18291}

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
STACK_MARKERS = (b".swift:", b"Fatal error", b"Traceback", b"backtrace", b"Stack trace")


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------

def http(method, url, body=None, headers=None, timeout=REQUEST_TIMEOUT):
    """(status, parsed JSON or None, raw bytes); status None when no answer came (unknown outcome)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with OPENER.open(req, timeout=timeout) as r:
            status, raw = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    except (OSError, http_client.HTTPException) as e:  # timeout, reset, refused
        return None, None, repr(e).encode()
    try:
        parsed = json.loads(raw or b"{}")
    except ValueError:
        parsed = None
    return status, parsed, raw


def free_port(preferred):
    for port in (preferred, 0):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.bind(("127.0.0.1", port))
            return s.getsockname()[1]
        except OSError:
            continue
        finally:
            s.close()
    raise RuntimeError("no free port")


def available_bytes(path):
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def session_pids(sid):
    """Processes whose session id is `sid` (the hub runs in its own session)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 3 and fields[3] == str(sid):
            pids.append(int(entry))
    return pids


def component_pids(hub_pid):
    """{component: pid} of `hub up`'s children (`hub run <component> …`)."""
    out = {}
    for pid in session_pids(hub_pid):
        try:
            args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            ppid = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1]
        except OSError:
            continue
        if ppid == str(hub_pid) and len(args) > 2 and args[1] == b"run":
            out[args[2].decode()] = pid
    return out


def run_cmd(args, check=True):
    return subprocess.run(args, capture_output=True, text=True, check=check)




# ---------------------------------------------------------------------------
# The hub on a small file system
# ---------------------------------------------------------------------------

class SmallDiskHub:
    """A loop-mounted ext4 image with `hub up` running on it; `close()` undoes everything."""

    def __init__(self):
        self.work = Path(tempfile.mkdtemp(prefix="utvag-diskfull."))
        self.image = self.work / "data.img"
        self.mnt = self.work / "mnt"
        self.data = self.mnt / "data"
        self.log_path = self.work / "hub-up.log"
        self.loop = None
        self.mounted = False
        self.proc = None
        self.log_file = None
        self.url = self.police = self.password = None
        self.police_key = uuid.uuid4().hex + uuid.uuid4().hex[:16]
        self.fillers = []
        self.kept_logs = self.work / "logs"

    # -- set-up -----------------------------------------------------------
    def mount(self):
        self.mnt.mkdir()
        with open(self.image, "wb") as f:
            f.truncate(IMAGE_MB * 1024 * 1024)
        r = run_cmd(["mkfs.ext4", "-q", "-F", "-m", "0", str(self.image)], check=False)
        if r.returncode != 0:
            pytest.skip(f"mkfs.ext4 failed: {r.stderr.strip()[:200]}")
        r = run_cmd(["losetup", "--find", "--show", str(self.image)], check=False)
        if r.returncode != 0 or not r.stdout.strip().startswith("/dev/"):
            pytest.skip(f"cannot attach a loop device (losetup: {r.stderr.strip()[:200]})")
        self.loop = r.stdout.strip()
        r = run_cmd(["mount", "-t", "ext4", self.loop, str(self.mnt)], check=False)
        if r.returncode != 0:
            pytest.skip(f"cannot mount the loop device: {r.stderr.strip()[:200]}")
        self.mounted = True
        self.data.mkdir()

    def start(self):
        ports = {k: free_port(p) for k, p in PREFERRED_PORTS.items()}
        env = {k: v for k, v in os.environ.items()
               if k not in ("HUB_DATABASE_URL", "HUB_SUPERVISOR_PID") and not k.startswith("HUB_ADAPTER_")}
        env.update({
            "HUB_BROKER_ENDPOINT": f"tcp://127.0.0.1:{ports['broker']}",
            "HUB_GATEWAY_PORT": str(ports["gateway"]),
            "HUB_ADAPTER_POLICE_PORT": str(ports["police"]),
            "HUB_ADAPTER_PSYCHIATRY_PORT": "0",
            "HUB_ADAPTER_POLICE_API_KEY": self.police_key,
        })
        self.police = f"http://127.0.0.1:{ports['police']}"
        self.log_file = open(self.log_path, "wb")
        self.proc = subprocess.Popen([HUB_BIN, "up", "--data-dir", str(self.data), "--config", CONFIG_DIR],
                                     env=env, stdout=self.log_file, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"hub up exited early (status {self.proc.returncode}):\n{self.log_tail()}")
            log = self.log_text()
            if self.url is None:
                m = re.search(r"Gateway: (http\S+)", log)
                if m:
                    self.url = m.group(1).rstrip("/")
            if self.url and self.healthy():
                break
            time.sleep(0.5)
        else:
            pytest.fail(f"the hub did not become healthy within 120 s:\n{self.log_tail()}")
        m = re.search(r"Admin password \(shown once\): *(\S+)", self.log_text())
        assert m, "hub up printed no 'Admin password (shown once):' line on a first start"
        self.password = m.group(1)
        # The police adapter must be listening too.
        deadline = time.monotonic() + 30
        while http("GET", self.police + "/healthz", timeout=3)[0] != 200:
            assert time.monotonic() < deadline, "the police adapter did not answer /healthz"
            time.sleep(0.5)

    def healthy(self):
        status, body, _ = http("GET", self.url + "/healthz", timeout=3)
        return status == 200 and isinstance(body, dict) and body.get("status") == "ok"

    def log_text(self):
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self, n=40):
        return "\n".join(self.log_text().splitlines()[-n:])

    # -- filling ----------------------------------------------------------
    def fill_to_margin(self, margin):
        """A filler file (fallocate) that leaves about `margin` bytes free."""
        path = self.mnt / f"filler-{len(self.fillers)}"
        self.fillers.append(path)
        size = available_bytes(self.mnt) - margin
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            while size > 0:
                try:
                    os.posix_fallocate(fd, 0, size)
                    break
                except OSError as e:
                    if e.errno != errno.ENOSPC:
                        raise
                    size -= 256 * 1024
            os.fsync(fd)
        finally:
            os.close(fd)

    def fill_completely(self):
        """Writes a filler file until ENOSPC, with ever smaller writes down to one byte."""
        path = self.mnt / f"filler-{len(self.fillers)}"
        self.fillers.append(path)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            for chunk in (1 << 20, 1 << 16, 1 << 12, 1 << 9, 1):
                block = b"\0" * chunk
                while True:
                    try:
                        os.write(fd, block)
                    except OSError as e:
                        if e.errno != errno.ENOSPC:
                            raise
                        break
            try:
                os.fsync(fd)
            except OSError:
                pass
        finally:
            os.close(fd)

    def remove_fillers(self):
        for path in self.fillers:
            try:
                path.unlink()
            except FileNotFoundError:
                pass
        self.fillers = []
        os.sync()

    # -- tear-down --------------------------------------------------------
    def stop(self, grace=20):
        """SIGTERM to `hub up`; returns (exit status or None, seconds taken)."""
        if self.proc is None or self.proc.poll() is not None:
            return (self.proc.returncode if self.proc else None), 0.0
        start = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            return None, time.monotonic() - start
        return self.proc.returncode, time.monotonic() - start

    def kill_all(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                self.proc.kill()
            except ProcessLookupError:
                pass
        for _ in range(50):
            left = session_pids(self.proc.pid)
            if not left:
                break
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.1)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass

    def keep_logs(self):
        logs = self.data / "logs"
        if logs.is_dir():
            shutil.copytree(logs, self.kept_logs, dirs_exist_ok=True)

    def close(self):
        try:
            self.kill_all()
        finally:
            if self.log_file:
                self.log_file.close()
            if self.mounted:
                try:
                    self.keep_logs()
                except OSError:
                    pass
                for _ in range(10):
                    if run_cmd(["umount", str(self.mnt)], check=False).returncode == 0:
                        self.mounted = False
                        break
                    time.sleep(0.5)
                if self.mounted:
                    run_cmd(["umount", "-l", str(self.mnt)], check=False)
            if self.loop:
                run_cmd(["losetup", "-d", self.loop], check=False)
            try:
                self.image.unlink()
            except FileNotFoundError:
                pass
            if os.environ.get("HUB_TEST_KEEP_TMP") == "1":
                print(f"test_disk_full: kept {self.work}")
            else:
                shutil.rmtree(self.work, ignore_errors=True)


@pytest.fixture
def small_disk_hub():
    if os.geteuid() != 0:
        pytest.skip("needs root: the data folder goes on a loop-mounted ext4 image")
    missing = [t for t in ("mkfs.ext4", "losetup", "mount", "umount") if shutil.which(t) is None]
    if missing:
        pytest.skip(f"missing tools: {', '.join(missing)} (Debian packages e2fsprogs, mount)")
    if not os.access(HUB_BIN, os.X_OK):
        pytest.skip(f"no hub binary at {HUB_BIN} (set HUB_BIN)")
    hub = SmallDiskHub()
    try:
        hub.mount()
        hub.start()
        yield hub
    finally:
        hub.close()


# ---------------------------------------------------------------------------
# Submissions and their outcomes
# ---------------------------------------------------------------------------

class Ledger:
    """Every submission and what the hub answered."""

    def __init__(self, hub, token, run):
        self.hub, self.token, self.run = hub, token, run
        self.items = []          # dicts: channel, ref, key, phase, status, code, outcome, id, raw
        self.lock = threading.Lock()
        self.counter = 0

    def _label(self, phase):
        with self.lock:
            self.counter += 1
            return f"DF-{self.run}-{phase}-{self.counter:04d}"

    def submit(self, channel, phase, ref=None, key=None):
        ref = ref or self._label(phase)
        key = key or ("k" + ref)
        if channel == "api":
            status, body, raw = http("POST", self.hub.url + "/api/v1/referrals", referral(ref),
                                     headers={"Authorization": "Bearer " + self.token, "Idempotency-Key": key})
        else:
            status, body, raw = http("POST", self.hub.police + "/v1/referrals", referral(ref),
                                     headers={"X-API-Key": self.hub.police_key})
        item = {"channel": channel, "ref": ref, "key": key, "phase": phase, "status": status,
                "code": None, "outcome": None, "id": None, "raw": raw[:300]}
        err = body.get("error") if isinstance(body, dict) else None
        item["code"] = err.get("code") if isinstance(err, dict) else None
        if channel == "api" and status == 201 and isinstance(body, dict) and body.get("id"):
            item["outcome"], item["id"] = "ok", body["id"]
        elif channel == "adapter" and status == 201 and isinstance(body, dict) and body.get("referralId"):
            item["outcome"], item["id"] = "ok", body["referralId"]
        elif channel == "adapter" and status == 202 and isinstance(body, dict) and body.get("status") == "pending":
            item["outcome"] = "held"       # the adapter holds it durably; the hub's answer comes later
        elif status is None or status == 504 or item["code"] == "timeout":
            item["outcome"] = "unknown"
        elif status == 503 and item["code"] in ("storage", "busy"):
            item["outcome"] = "refused"
        else:
            item["outcome"] = "unclear"    # a 500, a stack, a 2xx without an id, an odd code…
        with self.lock:
            self.items.append(item)
        return item

    def of(self, *outcomes, phase=None):
        return [i for i in self.items if i["outcome"] in outcomes and (phase is None or i["phase"] == phase)]


def submit_many(ledger, phase, count, workers=4):
    channels = ["api" if n % 2 == 0 else "adapter" for n in range(count)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda ch: ledger.submit(ch, phase), channels))


def centre_ids(hub, token):
    status, body, raw = http("GET", hub.url + "/api/v1/referrals?view=centre&centre=skaraborg&limit=1000",
                             headers={"Authorization": "Bearer " + token})
    assert status == 200, f"listing the centre's referrals failed: {status} {raw[:200]!r}"
    ids = [r["id"] for r in body["referrals"]]
    assert len(ids) < 1000, "the centre list hit its limit; the judgement needs every referral"
    return ids


def adapter_state(hub, ref):
    return http("GET", f"{hub.police}/v1/referrals/{ref}", headers={"X-API-Key": hub.police_key})


def wait_for_adapter_ids(hub, items, timeout=90):
    """Fills in `id` for adapter items the adapter holds, once the hub has answered them."""
    deadline = time.monotonic() + timeout
    waiting = [i for i in items if i["id"] is None]
    while waiting and time.monotonic() < deadline:
        for item in waiting:
            status, body, _ = adapter_state(hub, item["ref"])
            if status == 200 and body.get("referralId"):
                item["id"] = body["referralId"]
            elif status == 200 and body.get("status") == "rejected":
                item["rejected"] = body.get("error", {}).get("code")
        waiting = [i for i in waiting if i["id"] is None and not i.get("rejected")]
        if waiting:
            time.sleep(0.5)
    return waiting


def describe(items, n=5):
    return [(i["channel"], i["phase"], i["status"], i["code"]) for i in items[:n]]


# ---------------------------------------------------------------------------
# The test
# ---------------------------------------------------------------------------

def test_disk_full_refuses_clearly_loses_nothing_and_recovers_by_itself(small_disk_hub):
    hub = small_disk_hub
    started = time.monotonic()
    pids_at_start = component_pids(hub.proc.pid)
    assert "referrals" in pids_at_start and "gateway" in pids_at_start and "adapter-police" in pids_at_start, pids_at_start

    status, body, raw = http("POST", hub.url + "/api/v1/tokens", {"username": "admin", "password": hub.password})
    assert status == 201, f"login failed: {status} {raw[:200]!r}"
    token = body["token"]
    before = set(centre_ids(hub, token))
    ledger = Ledger(hub, token, uuid.uuid4().hex[:8])

    # 1. Baseline: everything succeeds while there is room.
    submit_many(ledger, "base", BASELINE)
    bad = [i for i in ledger.items if i["outcome"] not in ("ok", "held")]
    assert not bad, f"with room on the disk every referral must succeed: {describe(bad)}"

    # 2. The disk fills up in the middle of a stream of submissions.
    hub.fill_to_margin(NEAR_FULL_MARGIN)
    sent = 0
    while sent < NEAR_FULL_MAX:
        batch = submit_many(ledger, "near", 8)
        sent += len(batch)
        tail = ledger.of("ok", "held", "refused", "unknown", "unclear", phase="near")[-16:]
        if len(tail) >= 16 and all(i["outcome"] == "refused" for i in tail):
            break

    # 3. Completely full.
    hub.fill_completely()
    free_when_full = available_bytes(hub.mnt)
    full_login = http("POST", hub.url + "/api/v1/tokens", {"username": "admin", "password": hub.password})
    submit_many(ledger, "full", 2 * FULL_EACH)
    gateway_health = http("GET", hub.url + "/healthz", timeout=10)
    police_health = http("GET", hub.police + "/healthz", timeout=10)
    pids_when_full = component_pids(hub.proc.pid)
    refused_while_full = ledger.of("refused", phase="near") + ledger.of("refused", phase="full")
    full_ok = ledger.of("ok", "held", phase="full")

    # 4. Room again; nothing is restarted. The hub must take referrals again by itself.
    hub.remove_fillers()
    freed_at = time.monotonic()
    recovered = {}
    for channel in ("api", "adapter"):
        deadline = time.monotonic() + 30
        while True:
            item = ledger.submit(channel, "recover")
            if item["outcome"] in ("ok", "held"):
                recovered[channel] = round(time.monotonic() - freed_at, 1)
                break
            if time.monotonic() >= deadline:
                break
            time.sleep(1.0)
    assert set(recovered) == {"api", "adapter"}, (
        "no recovery without manual work: after the filler was removed the hub kept refusing for 30 s: "
        f"{describe(ledger.of('refused', 'unknown', 'unclear', phase='recover')[-4:])}")
    after_recovery = submit_many(ledger, "after", 10)
    # ... and /healthz says so again by itself (its storage probe is reused for 2 s at most).
    deadline = time.monotonic() + 30
    while True:
        health_after_recovery = http("GET", hub.url + "/healthz", timeout=10)[1] or {}
        if health_after_recovery.get("status") == "ok" or time.monotonic() >= deadline:
            break
        time.sleep(1.0)
    bad = [i for i in after_recovery if i["outcome"] not in ("ok", "held")]
    assert not bad, f"after recovery every referral must succeed again: {describe(bad)}"

    # -- What every answer looked like -------------------------------------------------
    unclear = ledger.of("unclear")
    stacks = [i for i in ledger.items if any(m in (i["raw"] or b"") for m in STACK_MARKERS)]
    assert not stacks, f"an answer showed a stack or internal detail: {describe(stacks)}"
    assert not unclear, ("answers that are neither a success nor a clear 503 storage/busy error "
                         f"(e.g. a 500): {describe(unclear)}")
    assert refused_while_full, (
        "the hub refused nothing while the disk was full — the test did not fill the disk "
        f"(free when full: {free_when_full} bytes)")
    assert gateway_health[0] in (200, 503) and isinstance(gateway_health[1], dict), (
        f"the gateway's /healthz did not answer while the disk was full: {gateway_health[0]} {gateway_health[2][:200]!r}")
    storage_when_full = {s["name"]: s.get("storage") for s in gateway_health[1].get("services", [])}
    assert gateway_health[1].get("status") == "degraded" and storage_when_full.get("referrals") in ("full", "failing"), (
        f"/healthz must say the services cannot store while the disk is full: {gateway_health[1]}")
    assert health_after_recovery.get("status") == "ok", (
        f"/healthz still not ok 30 s after the disk had room again: {health_after_recovery}")
    assert police_health[0] == 200, f"the police adapter's /healthz did not answer while the disk was full: {police_health[0]}"
    assert (police_health[1] or {}).get("status") == "degraded" and police_health[1].get("storage") in ("full", "failing"), (
        f"the police adapter's /healthz must say it cannot store while the disk is full: {police_health[1]}")
    assert full_login[0] in (201, 503), f"a login while the disk was full got {full_login[0]} {full_login[2][:200]!r}"

    # -- Settle: the adapter's held documents get their referral ids; unknown outcomes
    #    are resolved by resending with the same Idempotency-Key / externalRef.
    adapter_acked = [i for i in ledger.items if i["channel"] == "adapter" and i["outcome"] in ("ok", "held")]
    never_answered = wait_for_adapter_ids(hub, adapter_acked)
    rejected = [i for i in adapter_acked if i.get("rejected")]
    assert not rejected, f"the hub rejected documents the adapter held: {[(i['phase'], i['rejected']) for i in rejected[:5]]}"
    assert not never_answered, (
        f"lost: {len(never_answered)} documents the adapter acknowledged got no referral id within 90 s "
        f"(phases {sorted({i['phase'] for i in never_answered})})")
    for item in ledger.of("unknown"):
        again = ledger.submit(item["channel"], "resolve", ref=item["ref"], key=item["key"])
        assert again["outcome"] in ("ok", "held"), f"resending an unknown outcome failed: {describe([again])}"
        if again["channel"] == "adapter":
            assert not wait_for_adapter_ids(hub, [again]), "a resent adapter document got no referral id"
        item["id"] = again["id"]
        item["resolved"] = True
        again["outcome"] = "resend"  # the same referral as `item`, not a new one

    # The adapter must not hold documents it refused (it said nothing was kept).
    refused_adapter = [i for i in ledger.of("refused") if i["channel"] == "adapter"]
    held_though_refused = []
    for item in refused_adapter:
        status, body, _ = adapter_state(hub, item["ref"])
        if status != 404:
            held_though_refused.append((item["phase"], status, (body or {}).get("status")))

    # -- Judge: lost / unexpected / duplicated -----------------------------------------
    stored_list = centre_ids(hub, token)
    stored = set(stored_list) - before
    acked = [i for i in ledger.items if i["outcome"] in ("ok", "held") or i.get("resolved")]
    acked_ids = [i["id"] for i in acked]
    lost = [i for i in acked if i["id"] not in stored]
    unexpected = stored - set(acked_ids)
    shared = len(acked_ids) - len(set(acked_ids))
    listed_twice = len(stored_list) - len(set(stored_list))
    unexpected_refs = []
    for rid in sorted(unexpected)[:10]:
        status, body, _ = http("GET", f"{hub.url}/api/v1/referrals/{rid}?purpose=assessment",
                               headers={"Authorization": "Bearer " + token})
        ref = (body or {}).get("externalRef") if isinstance(body, dict) else None
        match = [i for i in ledger.items if i["ref"] == ref]
        unexpected_refs.append((ref, [(i["channel"], i["phase"], i["outcome"], i["status"]) for i in match]))
    counts = {o: len(ledger.of(o)) for o in ("ok", "held", "refused", "unknown")}
    assert not lost, f"lost: {len(lost)} acknowledged referrals are not stored, e.g. {describe(lost)}; outcomes {counts}"
    assert not unexpected, (f"unexpected: {len(unexpected)} referrals are stored that the hub refused "
                            f"(or stored twice): {unexpected_refs}; outcomes {counts}")
    assert shared == 0 and listed_twice == 0, (
        f"duplicated: {shared} acknowledged submissions share an id; {listed_twice} listed twice")
    assert not held_though_refused, (
        f"unexpected: the police adapter refused {len(held_though_refused)} documents (503) but holds them: "
        f"{held_though_refused[:5]}")

    # -- No partial rows: every stored referral opens completely. ------------------------
    by_id = {i["id"]: i for i in acked}
    partial = []
    for rid in sorted(stored):
        status, body, raw = http("GET", f"{hub.url}/api/v1/referrals/{rid}?purpose=assessment",
                                 headers={"Authorization": "Bearer " + token})
        ok = (status == 200 and isinstance(body, dict) and body.get("id") == rid and body.get("reference")
              and body.get("status") and body.get("centre") == "skaraborg"
              and body.get("externalRef") == by_id[rid]["ref"] and body.get("category") == "subjected-to-violence")
        if not ok:
            partial.append((by_id[rid]["phase"], status, sorted(body)[:12] if isinstance(body, dict) else raw[:100]))
    assert not partial, f"partial or unreadable referrals: {len(partial)}, e.g. {partial[:3]}"

    # -- The refused ones can be sent again (same Idempotency-Key / externalRef) and are
    #    then stored exactly once.
    resent = []
    for item in ledger.of("refused"):
        again = ledger.submit(item["channel"], "resend", ref=item["ref"], key=item["key"])
        resent.append(again)
    failed_resends = [i for i in resent if i["outcome"] not in ("ok", "held")]
    assert not failed_resends, f"refused referrals could not be sent again after recovery: {describe(failed_resends)}"
    assert not wait_for_adapter_ids(hub, [i for i in resent if i["channel"] == "adapter"]), \
        "resent adapter documents got no referral id within 90 s"
    stored_after_resend = set(centre_ids(hub, token)) - before - stored
    resent_ids = [i["id"] for i in resent]
    assert len(set(resent_ids)) == len(resent_ids), "two resent referrals share an id"
    assert stored_after_resend == set(resent_ids), (
        f"resending the refused referrals stored {len(stored_after_resend)} new referrals for {len(resent_ids)} resent "
        f"({len(set(resent_ids) - stored_after_resend)} missing, {len(stored_after_resend - set(resent_ids))} extra)")

    # -- A token issued while the disk was full works (it was stored) --------------------
    if full_login[0] == 201:
        status, _, _ = http("GET", hub.url + "/api/v1/referrals?view=centre&centre=skaraborg&limit=1",
                            headers={"Authorization": "Bearer " + full_login[1]["token"]})
        assert status == 200, f"a login answered 201 while the disk was full, but its token does not work ({status})"

    # -- No component died. -------------------------------------------------------------
    pids_at_end = component_pids(hub.proc.pid)
    restarts = [line for line in hub.log_text().splitlines() if "stopped (status" in line]
    changed = sorted(c for c in pids_at_start
                     if pids_at_end.get(c) != pids_at_start[c] or pids_when_full.get(c) != pids_at_start[c])
    assert not restarts and not changed, (
        f"components died and were restarted by hub up: {changed}; hub up said: {restarts[:5]}")

    # -- Stop cleanly, then every database passes PRAGMA integrity_check. ---------------
    time.sleep(1.0)  # let the adapter's delivery loop take the last events (polls every 250 ms)
    code, took = hub.stop()
    assert code is not None, f"the hub did not stop within 20 s of SIGTERM:\n{hub.log_tail(10)}"
    time.sleep(0.5)
    left = session_pids(hub.proc.pid)
    assert not left, f"processes of the hub left running after it exited: {left}"
    databases = sorted(hub.data.rglob("*.sqlite"))
    assert len(databases) >= 5, f"expected the hub's SQLite files under the data folder, found {databases}"
    broken = {}
    for path in databases:
        con = sqlite3.connect(str(path))
        try:
            result = [r[0] for r in con.execute("PRAGMA integrity_check").fetchall()]
        finally:
            con.close()
        if result != ["ok"]:
            broken[path.name] = result[:5]
    assert not broken, f"PRAGMA integrity_check failed: {broken}"
    assert code == 0, f"hub up exited with {code} after SIGTERM:\n{hub.log_tail(10)}"

    # -- No partial intake in the adapter: every intake row has its outbox entry.
    con = sqlite3.connect(str(hub.data / "db" / "adapter_police.sqlite"))
    try:
        orphans = con.execute("SELECT count(*) FROM intake i LEFT JOIN outbox o ON o.message_id = i.message_id "
                              "WHERE o.message_id IS NULL").fetchone()[0]
        intakes = con.execute("SELECT count(*) FROM intake").fetchone()[0]
    finally:
        con.close()
    assert orphans == 0, f"partial rows: {orphans} intake rows of the police adapter have no outbox entry"
    adapter_docs = {i["ref"] for i in ledger.items if i["channel"] == "adapter" and i["id"]}
    assert intakes == len(adapter_docs), f"the police adapter holds {intakes} intakes for {len(adapter_docs)} documents"

    # -- Every referral's "submitted" status event reached the police adapter (each one
    #    has referrer agency police and consent to status), i.e. the events for the agency
    #    were not dropped while the disk was full. Read from the adapter's status table (its
    #    inbox payloads are sealed, and dropped once delivered to the agency).
    all_stored = stored | stored_after_resend
    con = sqlite3.connect(str(hub.data / "db" / "adapter_police.sqlite"))
    try:
        rows = con.execute("SELECT referral_id FROM referral_status WHERE status = 'submitted'").fetchall()
    finally:
        con.close()
    announced = {referral_id for (referral_id,) in rows}
    unannounced = all_stored - announced
    dropped_lines = 0
    police_log = hub.data / "logs" / "adapter-police.log"
    if police_log.exists():
        dropped_lines = police_log.read_text(errors="replace").count("could not store an event for the agency")
    unannounced_phases = sorted({by_id.get(r, {}).get("phase") or "resend" for r in unannounced})
    assert not unannounced, (
        f"lost events: {len(unannounced)} of {len(all_stored)} stored referrals never reached the police adapter's "
        f"inbox as 'agency.police.referral.status' submitted (phases {unannounced_phases}); the adapter logged "
        f"'could not store an event for the agency' {dropped_lines} times (lines written while the disk was full "
        "may be missing) and nothing sends the event again")
    phases = {}
    for i in ledger.items:
        phases.setdefault(i["phase"], {}).setdefault(i["outcome"], 0)
        phases[i["phase"]][i["outcome"]] += 1
    print(f"disk full: per phase {phases}")
    print(f"disk full: {counts} (refused while full: {len(refused_while_full)}, 2xx while full: {len(full_ok)}), "
          f"login while full {full_login[0]}, recovered after {recovered} s, resent {len(resent)}, "
          f"stopped in {took:.1f} s, {len(databases)} databases ok, "
          f"{time.monotonic() - started:.0f} s")
