"""Issue 16, item 4: several workers per service under `hub up` on PostgreSQL.

On SQLite a second worker is refused at start, saying why. On PostgreSQL the test starts its
OWN hub with `HUB_WORKERS_PER_SERVICE=2` on its own ports (broker 17830, gateway 18330, police
adapter 18331, psychiatry adapter 18332) against a PostgreSQL cluster of its own (made with
scripts/start-postgres.sh in a temporary folder on port 54383, removed afterwards), so its
schemas collide with nothing else. It checks that the broker has two workers of every service,
that each worker has its own lock and log and names itself in its log lines, that only worker
1 runs the timed work, and that a worker started alone beside the hub refuses.

The exactness of seats and queue places under two competing workers is tested in Swift
(NoOverbookingTests, QueueUnderWorkersTests), through a real broker on one schema.

Needs the hub binary (`HUB_BIN`, `HUB_CONFIG_DIR`); the PostgreSQL part needs
`HUB_TEST_DATABASE_URL` (set by scripts/test.sh: PostgreSQL is installed and may be started)."""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HUB_BIN = os.environ.get("HUB_BIN") or str(ROOT / ".build" / "debug" / "hub")
CONFIG_DIR = os.environ.get("HUB_CONFIG_DIR") or str(ROOT / "config")
PORTS = {"broker": 17830, "gateway": 18330, "police": 18331, "psychiatry": 18332, "postgres": 54383}
SERVICES = ["referrals", "meetings", "networks", "training"]
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))

pytestmark = pytest.mark.skipif(not os.access(HUB_BIN, os.X_OK), reason="needs the hub binary (HUB_BIN)")


def hub_env(**extra):
    env = {k: v for k, v in os.environ.items()
           if k not in ("HUB_DATABASE_URL", "HUB_SUPERVISOR_PID", "HUB_WORKERS_PER_SERVICE") and not k.startswith("HUB_ADAPTER_")}
    env.update({
        "HUB_BROKER_ENDPOINT": f"tcp://127.0.0.1:{PORTS['broker']}",
        "HUB_GATEWAY_PORT": str(PORTS["gateway"]),
        "HUB_ADAPTER_POLICE_PORT": str(PORTS["police"]),
        "HUB_ADAPTER_PSYCHIATRY_PORT": str(PORTS["psychiatry"]),
    })
    env.update(extra)
    return env


def healthz():
    try:
        with OPENER.open(f"http://127.0.0.1:{PORTS['gateway']}/healthz", timeout=3) as r:
            return json.loads(r.read() or b"{}")
    except (OSError, ValueError, urllib.error.HTTPError):
        return {}


def private_folder():
    d = tempfile.mkdtemp(prefix="hub-workers-")
    os.chmod(d, 0o700)
    return Path(d)


def test_more_than_one_worker_on_sqlite_is_refused_saying_why():
    data = private_folder()
    try:
        up = subprocess.run([HUB_BIN, "up", "--data-dir", str(data), "--config", CONFIG_DIR],
                            env=hub_env(HUB_WORKERS_PER_SERVICE="2"), capture_output=True, text=True, timeout=60,
                            stdin=subprocess.DEVNULL)
        assert up.returncode != 0
        assert "HUB_WORKERS_PER_SERVICE" in up.stderr and "PostgreSQL" in up.stderr and "SQLite" in up.stderr, up.stderr
        alone = subprocess.run([HUB_BIN, "run", "referrals", "--worker", "2", "--data-dir", str(data), "--config", CONFIG_DIR],
                               env=hub_env(), capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        assert alone.returncode != 0
        assert "--worker" in alone.stderr and "PostgreSQL" in alone.stderr, alone.stderr
    finally:
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture
def postgres():
    """A PostgreSQL cluster of this test's own: a fresh database every run."""
    if not os.environ.get("HUB_TEST_DATABASE_URL"):
        pytest.skip("needs PostgreSQL (HUB_TEST_DATABASE_URL, set by scripts/test.sh)")
    folder = Path(tempfile.mkdtemp(prefix="hub-workers-pg-"))
    os.chmod(folder, 0o755)  # the server runs as `postgres`; its own folder inside is 0700
    cluster = folder / "cluster"
    start = subprocess.run(["bash", str(ROOT / "scripts" / "start-postgres.sh"), str(cluster)],
                           env=dict(os.environ, PGPORT=str(PORTS["postgres"])), capture_output=True, text=True, timeout=180)
    assert start.returncode == 0, start.stderr[-2000:]
    url = start.stdout.strip().splitlines()[-1]
    try:
        yield url
    finally:
        pg_ctl = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
        if pg_ctl:
            stop = [str(pg_ctl[-1]), "-D", str(cluster), "-m", "fast", "-w", "stop"]
            if os.geteuid() == 0:
                stop = ["runuser", "-u", "postgres", "--"] + stop
            subprocess.run(stop, capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


def test_hub_up_runs_two_workers_of_every_service_on_postgresql(postgres):
    data = private_folder()
    log_path = data.parent / (data.name + ".log")
    proc = None
    try:
        with open(log_path, "wb") as log:
            proc = subprocess.Popen([HUB_BIN, "up", "--data-dir", str(data), "--config", CONFIG_DIR],
                                    env=hub_env(HUB_DATABASE_URL=postgres, HUB_WORKERS_PER_SERVICE="2",
                                                HUB_DATABASE_POOL_SIZE="2"),
                                    stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 180
        health = {}
        while time.monotonic() < deadline:
            assert proc.poll() is None, f"hub up exited early:\n{log_path.read_text(errors='replace')[-3000:]}"
            health = healthz()
            workers = {c.get("name"): c.get("workers") for c in health.get("services", []) if c.get("name") in SERVICES}
            if health.get("status") == "ok" and len(workers) == len(SERVICES) and all(w == 2 for w in workers.values()):
                break
            time.sleep(0.5)
        else:
            pytest.fail(f"not every service had 2 workers within 180 s: {health}\n{log_path.read_text(errors='replace')[-3000:]}")
        assert "Workers per service: 2" in log_path.read_text(errors="replace")

        for service in SERVICES:
            assert (data / f"{service}.lock").exists() and (data / f"{service}.2.lock").exists()
            assert (data / "logs" / f"{service}.2.log").exists()
            assert not (data / "db" / f"{service}.sqlite").exists(), "the services are on PostgreSQL"
        # Worker 2 names itself in its log lines and leaves the timed work to worker 1.
        meetings2 = (data / "logs" / "meetings.2.log").read_text(errors="replace")
        assert "hub.meetings.2" in meetings2 and "timed work left to worker 1" in meetings2
        assert "timed work left to worker 1" not in (data / "logs" / "meetings.log").read_text(errors="replace")

        # A worker started alone beside the hub refuses: its lock is held.
        alone = subprocess.run([HUB_BIN, "run", "networks", "--worker", "2", "--data-dir", str(data), "--config", CONFIG_DIR],
                               env=hub_env(HUB_DATABASE_URL=postgres), capture_output=True, text=True, timeout=60,
                               stdin=subprocess.DEVNULL)
        assert alone.returncode != 0
        assert "networks.2 is already running on this data folder" in alone.stderr, alone.stderr
    finally:
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        shutil.rmtree(data, ignore_errors=True)
        log_path.unlink(missing_ok=True)
