"""Issue 16, item 7: `hub backup --to DIR` takes a consistent copy of every service's data
while the hub runs, and `hub restore` brings it back into an empty data folder.

The test starts its OWN hub (`hub up`, SQLite) on its own ports (broker 17810, gateway
18310, police adapter 18311), submits referrals continuously through the gateway API and
the police adapter, and runs `hub backup` in the middle of that intake. Then it stops the
hub, restores the backup into a new empty folder (and copies the keys folder beside it, as
an operator restores the keys apart), starts a hub on it and finds every referral that was
acknowledged before the backup started: an API referral by its id, an adapter referral by
its reference at the adapter (answered 201 with the hub's id, or 202 held in the adapter's
outbox, which is in the backup too). The backup and the restored folder are private
(folders 0700, files 0600), keys are not in the backup, and `hub restore` refuses a
changed backup and a data folder that is not empty, naming the file or the option.

Needs the hub binary (`HUB_BIN`, `HUB_CONFIG_DIR`, exported by scripts/test.sh).
Only made-up, non-personal values are submitted."""
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from referral_samples import referral

ROOT = Path(__file__).resolve().parents[2]
HUB_BIN = os.environ.get("HUB_BIN") or str(ROOT / ".build" / "debug" / "hub")
CONFIG_DIR = os.environ.get("HUB_CONFIG_DIR") or str(ROOT / "config")
PORTS = {"broker": 17810, "gateway": 18310, "police": 18311}
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))

pytestmark = pytest.mark.skipif(not os.access(HUB_BIN, os.X_OK), reason="needs the hub binary (HUB_BIN)")


def http(method, url, body=None, headers=None, timeout=30):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with OPENER.open(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        try:
            return e.code, json.loads(e.read() or b"{}")
        except ValueError:
            return e.code, {}
    except OSError:
        return None, {}


def hub_env(police_key):
    env = {k: v for k, v in os.environ.items()
           if k not in ("HUB_DATABASE_URL", "HUB_SUPERVISOR_PID") and not k.startswith("HUB_ADAPTER_")}
    env.update({
        "HUB_BROKER_ENDPOINT": f"tcp://127.0.0.1:{PORTS['broker']}",
        "HUB_GATEWAY_PORT": str(PORTS["gateway"]),
        "HUB_ADAPTER_POLICE_PORT": str(PORTS["police"]),
        "HUB_ADAPTER_PSYCHIATRY_PORT": "0",
        "HUB_ADAPTER_POLICE_API_KEY": police_key,
    })
    return env


def hub_cmd(args, env):
    return subprocess.run([HUB_BIN, *args, "--config", CONFIG_DIR], env=env, capture_output=True, text=True,
                          timeout=300, stdin=subprocess.DEVNULL)


class Hub:
    """`hub up` on `data` in its own session; `stop()` ends it and every child."""

    def __init__(self, data, work, env, name):
        self.data, self.env = data, env
        self.log_path = work / f"{name}.log"
        self.url = f"http://127.0.0.1:{PORTS['gateway']}"
        self.police = f"http://127.0.0.1:{PORTS['police']}"
        self.proc = None

    def start(self):
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([HUB_BIN, "up", "--data-dir", str(self.data), "--config", CONFIG_DIR],
                                     env=self.env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"hub up exited early ({self.proc.returncode}):\n{self.tail()}")
            if "Gateway:" in self.text() and self.healthy() and http("GET", self.police + "/healthz", timeout=3)[0] == 200:
                return
            time.sleep(0.5)
        pytest.fail(f"the hub did not become healthy within 120 s:\n{self.tail()}")

    def healthy(self):
        status, body = http("GET", self.url + "/healthz", timeout=3)
        return status == 200 and body.get("status") == "ok"

    def text(self):
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def tail(self, n=40):
        return "\n".join(self.text().splitlines()[-n:])

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


def open_to_others(root):
    """Paths under `root` (and root itself) that group or others may use."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        for p in [dirpath] + [os.path.join(dirpath, f) for f in filenames]:
            if stat.S_IMODE(os.lstat(p).st_mode) & 0o077:
                found.append(p)
    return found


def test_a_backup_taken_during_intake_restores_every_referral_acknowledged_before_it():
    work = Path(tempfile.mkdtemp(prefix="utvag-backup."))
    data, backup, restored = work / "data", work / "backup", work / "restored"
    data.mkdir(mode=0o700)
    police_key = uuid.uuid4().hex + uuid.uuid4().hex[:16]
    env = hub_env(police_key)
    hub = Hub(data, work, env, "hub-before")
    run = uuid.uuid4().hex[:8]
    acked = []            # (answered at, channel, ref, hub id or None while held by the adapter)
    lock = threading.Lock()
    stop = threading.Event()
    try:
        hub.start()
        password = re.search(r"Admin password \(shown once\): *(\S+)", hub.text()).group(1)
        status, body = http("POST", hub.url + "/api/v1/tokens", {"username": "admin", "password": password})
        assert status == 201, body
        token = body["token"]

        def sender(channel):
            i = 0
            while not stop.is_set():
                ref = f"BACKUP-{run}-{channel}-{i:05d}"
                i += 1
                if channel == "api":
                    status, body = http("POST", hub.url + "/api/v1/referrals", referral(ref),
                                        headers={"Authorization": "Bearer " + token, "Idempotency-Key": "k" + ref})
                    hub_id = body.get("id") if status == 201 else None
                    ok = hub_id is not None
                else:
                    status, body = http("POST", hub.police + "/v1/referrals", referral(ref), headers={"X-API-Key": police_key})
                    hub_id = body.get("referralId") if status == 201 else None
                    ok = status in (201, 202)
                if ok:
                    with lock:
                        acked.append((time.monotonic(), channel, ref, hub_id))
                time.sleep(0.02)

        threads = [threading.Thread(target=sender, args=(c,)) for c in ("api", "api", "adapter", "adapter")]
        for t in threads:
            t.start()
        time.sleep(4)
        backup_started = time.monotonic()
        taken = hub_cmd(["backup", "--to", str(backup), "--data-dir", str(data)], env)
        backup_ended = time.monotonic()
        time.sleep(2)  # intake goes on after the backup
        stop.set()
        for t in threads:
            t.join()
        assert taken.returncode == 0, taken.stderr
        before = [a for a in acked if a[0] < backup_started]
        after = [a for a in acked if a[0] > backup_ended]
        assert len(before) >= 20 and after, f"intake too slow to judge: {len(before)} before, {len(after)} after"
        print(f"\nbackup took {backup_ended - backup_started:.2f} s during intake; {len(before)} referrals acknowledged "
              f"before it, {len(acked)} in all\n{taken.stdout.strip()}")

        # The backup: private, complete by its manifest, no keys, no logs.
        assert not open_to_others(backup), open_to_others(backup)
        manifest = json.loads((backup / "manifest.json").read_text())
        paths = {f["path"] for f in manifest["files"]}
        assert {"db/referrals.sqlite", "db/gateway.sqlite", "db/adapter_police.sqlite"} <= paths
        assert not any(p.startswith(("keys/", "logs/")) or p.endswith(".lock") for p in paths)
        assert all(f["schemaVersion"] for f in manifest["files"] if f["kind"] == "sqlite")

        # A second backup into the same folder is refused, naming --to.
        again = hub_cmd(["backup", "--to", str(backup), "--data-dir", str(data)], env)
        assert again.returncode != 0 and "--to" in again.stderr
        hub.stop()

        # Restore refuses a data folder with data in it, and a changed backup (naming the file).
        refused = hub_cmd(["restore", "--from", str(backup), "--data-dir", str(data)], env)
        assert refused.returncode != 0 and "--data-dir" in refused.stderr
        changed = work / "changed"
        shutil.copytree(backup, changed)
        with open(changed / "db" / "referrals.sqlite", "r+b") as f:
            f.seek(5000)
            byte = f.read(1)
            f.seek(5000)
            f.write(bytes([byte[0] ^ 0xFF]))
        tampered = hub_cmd(["restore", "--from", str(changed), "--data-dir", str(work / "other")], env)
        assert tampered.returncode != 0 and "db/referrals.sqlite" in tampered.stderr
        assert not (work / "other").exists() or not any((work / "other").iterdir())

        # Restore into a new folder, keys apart, and start a hub on it.
        done = hub_cmd(["restore", "--from", str(backup), "--data-dir", str(restored)], env)
        assert done.returncode == 0, done.stderr
        shutil.copytree(data / "keys", restored / "keys")
        assert not open_to_others(restored), open_to_others(restored)
        hub = Hub(restored, work, env, "hub-after")
        hub.start()
        status, body = http("POST", hub.url + "/api/v1/tokens", {"username": "admin", "password": password})
        assert status == 201, "the restored gateway does not know the admin"
        token = body["token"]
        missing = []
        for _, channel, ref, hub_id in before:
            if channel == "api":
                status, body = http("GET", f"{hub.url}/api/v1/referrals/{hub_id}?purpose=assessment",
                                    headers={"Authorization": "Bearer " + token})
                if not (status == 200 and body.get("externalRef") == ref and body.get("reference")):
                    missing.append((channel, ref, status))
        # Adapter referrals: answered with the hub's id, or held in the adapter's outbox and
        # sent on by the restored adapter.
        pending = {ref: hub_id for _, channel, ref, hub_id in before if channel == "adapter"}
        deadline = time.monotonic() + 90
        while pending and time.monotonic() < deadline:
            for ref in list(pending):
                status, body = http("GET", f"{hub.police}/v1/referrals/{ref}", headers={"X-API-Key": police_key})
                if status == 200 and body.get("referralId") and (pending[ref] in (None, body["referralId"])):
                    status2, _ = http("GET", f"{hub.url}/api/v1/referrals/{body['referralId']}?purpose=assessment",
                                      headers={"Authorization": "Bearer " + token})
                    if status2 == 200:
                        del pending[ref]
            if pending:
                time.sleep(1)
        missing += [("adapter", ref, "not at the hub") for ref in pending]
        assert not missing, f"lost in the restore: {len(missing)} of {len(before)} acknowledged referrals, e.g. {missing[:5]}"
        assert not open_to_others(restored), open_to_others(restored)
    finally:
        stop.set()
        hub.stop()
        if os.environ.get("HUB_TEST_KEEP_TMP") != "1":
            shutil.rmtree(work, ignore_errors=True)
