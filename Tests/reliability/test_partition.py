"""RELIABILITY.md, "Partition": components in their own network namespaces, joined by a
link that is cut for 30 s and then degraded like `tc netem delay 200ms loss 5% duplicate 1%
reorder 10%`, while referrals arrive at the police adapter at a steady rate.

Judged as Jepsen's queue checker does: every referral ends as lost (acknowledged by the
adapter, never stored), recovered (outcome unknown to the client, stored), unexpected
(stored, never sent — or refused with "not processed" and stored anyway) or duplicated
(stored twice); the run passes with lost = unexpected = duplicated = 0.

Topology (all of it the hub's real processes, on a data folder, keys and ports of its own):

    root namespace     uh-core-<tag>: `hub up` (broker,              uh-svc-<tag>:
    (pytest)           police adapter, gateway)                      `hub run referrals`
    10.77.N.5 --veth-- 10.77.N.6  gateway :28080, police adapter :28181
                       10.77.N.1  broker tcp://10.77.N.1:27600 ==the link== 10.77.N.2

The link is a veth pair with the kernel's `tc netem` on both ends when the kernel has
sch_netem. Kernels without it (such as the VMs this test was written on: kernel 6.18,
no sch_netem, no modules) get a point-to-point link made of two TUN devices joined by a small user-space
"wire" process (netns.py, shared with test_two_hosts.py), which does what netem does: per direction and per packet, loss 5 %,
duplicate 1 %, 10 % sent at once (reordered ahead of) the others that wait 200 ms; and a
cut that silently drops every packet. The TUN link is used whenever /dev/net/tun exists (it is
the one the test was proven on); `HUB_PARTITION_LINK=veth|tun` forces one kind.

Phases, under a steady load: (a) the link cut for 30 s (every packet silently dropped), then
restored; (b) the link degraded for 20 s; (c) a short 6 s cut after the service has been back
a while, after which it must serve again within 12 s (its reconnect back-off must start over
once it has been connected). Then every acknowledged referral must arrive, once.

Only the link between the referrals service and the broker is cut: the adapter keeps
taking referrals (202, held in its durable outbox) and the gateway API must answer its
callers with a clear 503/504 (timeout/busy/unavailable), never a success.

Needs root (CAP_NET_ADMIN), `ip` (Debian iproute2) and /dev/net/tun, or sch_netem plus `tc`
(iproute2) for the veth link. Skips when not root or when network namespaces cannot be
made. Environment: HUB_BIN (the hub binary), HUB_CONFIG_DIR (the config folder copied for
this run); HUB_PARTITION_RATE (referrals/s, default 10), HUB_PARTITION_CUT_SECONDS (30),
HUB_PARTITION_NETEM_SECONDS (20), HUB_PARTITION_KEEP=1 keeps the temporary folder and logs.
"""
import collections
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from netns import (Load, Wire, await_referral_ids, clean_env, cmdline, count_lines, error_code, free_subnet, http, hub_config, in_ns,
                   ip, log_tails, management_link, new_tag, outcomes, processes_where, queue_check, remove_network, run_cmd,
                   running, stop_tree, tail)
from referral_samples import referral

REPO = Path(__file__).resolve().parents[2]
HUB_BIN = os.path.abspath(os.environ.get("HUB_BIN") or str(REPO / ".build/debug/hub"))
CONFIG_DIR = os.path.abspath(os.environ.get("HUB_CONFIG_DIR") or str(REPO / "config"))
RATE = float(os.environ.get("HUB_PARTITION_RATE", "10"))
CUT_SECONDS = float(os.environ.get("HUB_PARTITION_CUT_SECONDS", "30"))
NETEM_SECONDS = float(os.environ.get("HUB_PARTITION_NETEM_SECONDS", "20"))
LINK = os.environ.get("HUB_PARTITION_LINK", "auto")
KEEP = os.environ.get("HUB_PARTITION_KEEP", "") == "1"
NETEM = "delay 200ms loss 5% duplicate 1% reorder 10%"
BROKER_PORT, GATEWAY_PORT, POLICE_PORT = 27600, 28080, 28181
CENTRE = "skaraborg"
# How long the referrals service may take to serve again after the link returns (its
# reconnect back-off doubles up to 32 s), and how long every acknowledged referral may take
# to arrive after the load stops.
RECONNECT_TIMEOUT = 75.0
DRAIN_TIMEOUT = 120.0
# The short cut after the others: longer than the heartbeat liveness (3 × 1 s), so that both
# ends notice; the service must serve again within BLIP_RECONNECT_LIMIT of the link's return.
BLIP_SECONDS = 6.0
BLIP_RECONNECT_LIMIT = 12.0

# ---------------------------------------------------------------------------
# The cluster: namespaces, link, hub processes
# ---------------------------------------------------------------------------
class Cluster:
    def __init__(self):
        self.tag = new_tag()
        self.ns_core = f"uh-core-{self.tag}"
        self.ns_svc = f"uh-svc-{self.tag}"
        self.namespaces = []
        self.mgmt_root, self.mgmt_core = f"uhr{self.tag}", f"uhq{self.tag}"
        self.link_core, self.link_svc = f"uhl{self.tag}", f"uhk{self.tag}"
        self.link = None  # "veth" or "tun"
        self.tmp = tempfile.mkdtemp(prefix="utvag-partition-")
        self.data = os.path.join(self.tmp, "data")
        self.config = os.path.join(self.tmp, "config")
        self.hub = None        # `hub up` in the core namespace
        self.referrals = None  # `hub run referrals` in the service namespace
        self.wire = None       # the user-space link (tun)
        self.police_key = uuid.uuid4().hex + uuid.uuid4().hex[:16]
        self.password = None
        self.log_files = []

    # -- network --------------------------------------------------------
    ip = staticmethod(ip)
    in_ns = staticmethod(in_ns)

    def kernel_has_netem(self):
        """Tries a netem qdisc on a throw-away veth pair in the core namespace."""
        if shutil.which("tc") is None:
            return False
        a, b = f"uhpa{self.tag}", f"uhpb{self.tag}"
        try:
            self.ip("link", "add", a, "type", "veth", "peer", "name", b, ns=self.ns_core)
            return self.in_ns(self.ns_core, "tc", "qdisc", "add", "dev", a, "root", "netem", "delay", "1ms", check=False).returncode == 0
        except RuntimeError:
            return False
        finally:
            self.ip("link", "del", a, ns=self.ns_core, check=False)

    def make_network(self):
        if os.geteuid() != 0:
            pytest.skip("the partition test needs root (CAP_NET_ADMIN) for network namespaces")
        if shutil.which("ip") is None:
            pytest.skip("the partition test needs `ip` (Debian package iproute2)")
        for ns in (self.ns_core, self.ns_svc):
            r = self.ip("netns", "add", ns, check=False)
            if r.returncode != 0:
                pytest.skip(f"cannot make a network namespace: {r.stderr.strip()}")
            self.namespaces.append(ns)
            self.ip("link", "set", "lo", "up", ns=ns)
        n = free_subnet(self.tag)
        self.broker_ip, self.svc_ip = f"10.77.{n}.1", f"10.77.{n}.2"
        self.root_ip, self.core_ip = f"10.77.{n}.5", f"10.77.{n}.6"
        # Management link: the test reaches the gateway and the police adapter over it.
        management_link(self.mgmt_root, self.mgmt_core, self.ns_core, self.root_ip, self.core_ip)
        # The link between the broker and the referrals service.
        want = LINK
        if want == "auto":
            # The user-space wire is the path this test was proven on; the kernel's netem is
            # used when there is no TUN device (or when HUB_PARTITION_LINK=veth asks for it).
            want = "tun" if os.path.exists("/dev/net/tun") else ("veth" if self.kernel_has_netem() else "tun")
        self.link = want
        if want == "veth":
            self.ip("link", "add", self.link_core, "type", "veth", "peer", "name", self.link_svc)
            self.ip("link", "set", self.link_core, "netns", self.ns_core)
            self.ip("link", "set", self.link_svc, "netns", self.ns_svc)
            self.ip("addr", "add", f"{self.broker_ip}/30", "dev", self.link_core, ns=self.ns_core)
            self.ip("addr", "add", f"{self.svc_ip}/30", "dev", self.link_svc, ns=self.ns_svc)
        else:
            if not os.path.exists("/dev/net/tun"):
                pytest.skip("the kernel has no sch_netem and there is no /dev/net/tun for the user-space link")
            self.wire = Wire({"link": (self.link_core, self.link_svc)})
            self.ip("link", "set", self.link_core, "netns", self.ns_core)
            self.ip("link", "set", self.link_svc, "netns", self.ns_svc)
            self.ip("addr", "add", self.broker_ip, "peer", self.svc_ip, "dev", self.link_core, ns=self.ns_core)
            self.ip("addr", "add", self.svc_ip, "peer", self.broker_ip, "dev", self.link_svc, ns=self.ns_svc)
        self.ip("link", "set", self.link_core, "up", ns=self.ns_core)
        self.ip("link", "set", self.link_svc, "up", ns=self.ns_svc)

    def _netem(self, spec):
        for ns, dev in ((self.ns_core, self.link_core), (self.ns_svc, self.link_svc)):
            if spec is None:
                self.in_ns(ns, "tc", "qdisc", "del", "dev", dev, "root", check=False)
            else:
                self.in_ns(ns, "tc", "qdisc", "replace", "dev", dev, "root", "netem", *spec.split())

    def cut(self):
        """Every packet on the link is dropped silently, both ways (a partition, not a reset)."""
        if self.link == "veth":
            self._netem("loss 100%")
        else:
            self.wire.cut()

    def impair(self):
        if self.link == "veth":
            self._netem(NETEM)
        else:
            self.wire.impair(200, 0.05, 0.01, 0.10)

    def heal(self):
        if self.link == "veth":
            self._netem(None)
        else:
            self.wire.heal()

    def link_stats(self):
        if self.link == "veth":
            return {ns: self.in_ns(ns, "tc", "-s", "qdisc", "show", "dev", dev, check=False).stdout.strip()
                    for ns, dev in ((self.ns_core, self.link_core), (self.ns_svc, self.link_svc))}
        return self.wire.stats()

    # -- hub ------------------------------------------------------------
    @property
    def gateway(self):
        return f"http://{self.core_ip}:{GATEWAY_PORT}"

    @property
    def police(self):
        return f"http://{self.core_ip}:{POLICE_PORT}"

    def env(self):
        return clean_env(HUB_ADAPTER_POLICE_API_KEY=self.police_key)

    def write_config(self):
        def update(hub):
            hub.setdefault("broker", {})["endpoint"] = f"tcp://{self.broker_ip}:{BROKER_PORT}"
            hub.setdefault("gateway", {}).update(host=self.core_ip, port=GATEWAY_PORT)
            # `hub up` runs everything but the referrals service, which runs in its own namespace.
            hub["services"] = []
            hub["adapters"] = ["police"]
            hub.pop("databaseURL", None)
        hub_config(CONFIG_DIR, self.config, update, dict(host=self.core_ip, port=POLICE_PORT, callbackURL=""))

    def spawn(self, ns, args, log_name):
        log_path = os.path.join(self.tmp, log_name)
        self.log_files.append(log_path)
        log = open(log_path, "ab")
        try:
            # `ip netns exec` execs the hub (no fork): the pid is the hub's, its session id too.
            return subprocess.Popen(["ip", "netns", "exec", ns, HUB_BIN] + args, stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, env=self.env(), start_new_session=True)
        finally:
            log.close()

    def common(self):
        return ["--data-dir", self.data, "--config", self.config]

    def start(self):
        self.make_network()
        self.write_config()
        os.makedirs(self.data)
        # The referrals service's key must exist before the broker starts (it trusts the keys it finds then).
        run_cmd([HUB_BIN, "keys", "generate", "service:referrals"] + self.common(), timeout=60)
        self.hub = self.spawn(self.ns_core, ["up"] + self.common(), "hub-up.log")
        log = os.path.join(self.tmp, "hub-up.log")
        deadline = time.monotonic() + 120
        text = ""
        while time.monotonic() < deadline:
            if self.hub.poll() is not None:
                raise AssertionError(f"hub up exited early ({self.hub.returncode}):\n{tail(log)}")
            text = open(log, encoding="utf-8", errors="replace").read()
            if "Gateway:" in text and "Admin password (shown once):" in text:
                break
            time.sleep(0.25)
        else:
            raise AssertionError(f"hub up printed no Gateway/admin password line in 120 s:\n{tail(log)}")
        self.password = re.search(r"Admin password \(shown once\): *(\S+)", text).group(1)
        self.wait_healthy(60)
        self.referrals = self.spawn(self.ns_svc, ["run", "referrals"] + self.common(), "referrals.log")
        self.token = self.admin_token()
        waited = self.wait_service(60)
        if waited is None:
            raise AssertionError("the referrals service did not serve through the link within 60 s:\n"
                                 + tail(os.path.join(self.tmp, "referrals.log")))

    def wait_healthy(self, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            status, body = http("GET", self.gateway + "/healthz", timeout=3)
            if status == 200 and body.get("status") == "ok":
                return
            time.sleep(0.5)
        raise AssertionError(f"the gateway in the core namespace did not report ok within {seconds} s")

    def admin_token(self):
        status, body = http("POST", self.gateway + "/api/v1/tokens", {"username": "admin", "password": self.password})
        assert status == 201, f"admin token: {status} {error_code(body)}"
        return body["token"]

    def centre_list(self, limit=1000, timeout=15):
        return http("GET", f"{self.gateway}/api/v1/referrals?view=centre&centre={CENTRE}&limit={limit}",
                    headers={"Authorization": "Bearer " + self.token}, timeout=timeout)

    def wait_service(self, seconds):
        """Seconds until the referrals service answers through the gateway, or None."""
        start = time.monotonic()
        while time.monotonic() - start < seconds:
            status, _ = self.centre_list(limit=1, timeout=10)
            if status == 200:
                return time.monotonic() - start
            time.sleep(0.5)
        return None

    def component_pids(self):
        """`hub up`'s children by component name."""
        out = {}
        if self.hub is None:
            return out
        for pid in processes_where(lambda ppid, _sid: ppid == self.hub.pid):
            args = cmdline(pid)
            if "run" in args and args.index("run") + 1 < len(args):
                out[args[args.index("run") + 1]] = pid
        return out

    def stored_referrals(self):
        """(id, externalRef) of every referral in the service's own database (a fresh one: all ours)."""
        path = os.path.join(self.data, "db", "referrals.sqlite")
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        try:
            return con.execute("SELECT id, external_ref FROM referrals").fetchall()
        finally:
            con.close()

    # -- teardown -------------------------------------------------------
    def close(self):
        problems = []
        # Gracefully: the service, then the hub (it stops its children), then the link; then
        # whatever is left of the sessions these processes lead (our own processes only).
        for p, grace in ((self.referrals, 10), (self.hub, 25), (self.wire.proc if self.wire else None, 0)):
            problem = stop_tree(p, grace)
            if problem:
                problems.append(problem)
        return problems + remove_network(self.namespaces, self.mgmt_root, self.tmp, KEEP)

    def logs(self):
        return log_tails((os.path.basename(p), p) for p in self.log_files + sorted(str(p) for p in Path(self.data, "logs").glob("*.log")))


@pytest.fixture
def cluster():
    yield from running(Cluster, HUB_BIN, CONFIG_DIR)


# ---------------------------------------------------------------------------
# The test
# ---------------------------------------------------------------------------
def test_partition_cut_and_degraded_link_lose_and_duplicate_nothing(cluster):
    c = cluster
    run = uuid.uuid4().hex[:8]
    components_before = c.component_pids()
    assert set(components_before) >= {"broker", "gateway", "adapter-police"}, components_before
    notes = [f"link: {c.link}", f"components: {sorted(components_before)} + referrals (own namespace)"]

    load = Load(c.police, c.police_key, f"PART-{run}", RATE, referral)
    load.start()
    try:
        time.sleep(4)

        # (a) The link is cut for 30 s.
        load.phase = "cut"
        t_cut = time.monotonic()
        c.cut()
        time.sleep(8)  # past the heartbeat liveness (3 × 1 s): the broker has dropped the worker
        api = []
        for i in range(2):
            ref = f"PART-API-{run}-{i}"
            t = time.monotonic()
            status, body = http("POST", c.gateway + "/api/v1/referrals", referral(ref),
                                headers={"Authorization": "Bearer " + c.token}, timeout=30)
            api.append((ref, status, error_code(body), (body.get("error") or {}).get("message", ""), time.monotonic() - t))
        t = time.monotonic()
        status, body = c.centre_list(limit=1, timeout=30)
        api.append((None, status, error_code(body), (body.get("error") or {}).get("message", ""), time.monotonic() - t))
        time.sleep(max(0.0, t_cut + CUT_SECONDS - time.monotonic()))
        cut_stats = c.link_stats()
        c.heal()
        load.phase = "recovery"
        reconnect = c.wait_service(RECONNECT_TIMEOUT)
        notes.append(f"referrals served again {reconnect:.1f} s after the link returned" if reconnect is not None
                     else f"referrals did NOT serve again within {RECONNECT_TIMEOUT:.0f} s after the link returned")

        # (b) The link is degraded: delay 200ms loss 5% duplicate 1% reorder 10%, both ways.
        load.phase = "netem"
        c.impair()
        time.sleep(NETEM_SECONDS)
        netem_stats = c.link_stats()
        c.heal()
        load.phase = "tail"
        time.sleep(3)

        # (c) A short cut after the service has been back a while: it must be back within a few
        # seconds of the link's return (its reconnect back-off starts again from 1 s once it has
        # been connected: Paranoid Pirate, RFC 6), not after the back-off the long cut left.
        load.phase = "blip"
        c.cut()
        time.sleep(BLIP_SECONDS)
        c.heal()
        load.stop()  # (it has seen enough; and the centre list shows at most 1000)
        blip = c.wait_service(RECONNECT_TIMEOUT)
        notes.append(f"after a {BLIP_SECONDS:.0f} s cut, referrals served again {blip:.1f} s after the link returned" if blip is not None
                     else f"after a {BLIP_SECONDS:.0f} s cut, referrals did NOT serve again within {RECONNECT_TIMEOUT:.0f} s")
    finally:
        load.stop()
    notes.append(f"link during cut: {cut_stats}")
    notes.append(f"link after netem: {netem_stats}")

    results = dict(load.results)
    acknowledged, refused, unanswered = outcomes(results)
    by_phase = collections.defaultdict(collections.Counter)
    for x in results.values():
        by_phase[x.phase][str(x.status)] += 1
    notes.append("sent by phase (status: count): " + "; ".join(f"{p} {dict(v)}" for p, v in by_phase.items()))
    notes.append(f"gateway API during the cut: {[(s, code, round(t, 1)) for _, s, code, _, t in api]}")

    # Every acknowledged referral gets a referral id from the hub (bounded wait).
    ids, rejected, drained = await_referral_ids(c.police, c.police_key, acknowledged, DRAIN_TIMEOUT)
    notes.append(drained)
    time.sleep(2)  # let the last replies' commits be visible to the reader

    # The queue checker, per message, from the service's own database.
    stored = c.stored_referrals()
    api_refs = {ref: (s, code, msg) for ref, s, code, msg, _ in api if ref}
    sent = set(results) | set(api_refs)
    check = queue_check(stored, sent, acknowledged, refused, unanswered, ids)
    per_ref, lost, duplicated, duplicated_refs, mismatched = check.per_ref, check.lost, check.duplicated, check.duplicated_refs, check.mismatched
    # A definite refusal must mean "not stored": the adapter's non-2xx answers (in the
    # checker), and API errors that say the request was not processed.
    unexpected = check.unexpected + sorted(r for r, (s, code, msg) in api_refs.items()
                                           if per_ref[r] and (s not in (503, 504) or "not processed" in msg or code != "timeout"))
    recovered = check.recovered + sorted(r for r in api_refs if per_ref[r] and r not in unexpected)
    notes.append(f"queue checker: sent {len(sent)}, acknowledged {len(acknowledged)}, stored {len(stored)}, "
                 f"lost {len(lost)}, recovered {len(recovered)}, unexpected {len(unexpected)}, duplicated {duplicated}; "
                 f"refused by the adapter {len(refused)}, unanswered {len(unanswered)}, rejected by the hub {len(rejected)}")

    # The gateway API sees the same referrals.
    status, body = c.centre_list(limit=1000)
    api_count = len(body.get("referrals", [])) if status == 200 else None
    notes.append(f"centre list via the gateway API: {status}, {api_count} referrals")

    # Processes: still alive, or restarted by `hub up`'s supervisor.
    components_after = c.component_pids()
    restarted = sorted(k for k in components_before if components_after.get(k) != components_before[k])
    hub_log = os.path.join(c.tmp, "hub-up.log")
    broker_log = os.path.join(c.data, "logs", "broker.log")
    ref_log = os.path.join(c.tmp, "referrals.log")
    notes.append(f"restarted by hub up: {restarted or 'none'} ({count_lines(hub_log, 'stopped (status')} 'stopped' lines)")
    notes.append(f"broker: {count_lines(broker_log, 'worker dropped')} 'worker dropped', {count_lines(broker_log, 'worker ready')} 'worker ready'; "
                 f"referrals: {count_lines(ref_log, 'broker silent; reconnecting')} 'broker silent; reconnecting'")
    report = "\n".join(notes)
    print(report)
    context = report + "\n" + c.logs()

    assert c.hub.poll() is None, f"hub up exited ({c.hub.returncode})\n{context}"
    assert c.referrals.poll() is None, f"the referrals service exited ({c.referrals.returncode})\n{context}"
    assert all(components_after.get(k) for k in components_before), f"a component of hub up is not running: {components_after}\n{context}"
    assert all(s in (503, 504) and code in ("timeout", "busy", "unavailable") for _, s, code, _, _ in api), \
        f"the gateway API gave something other than a clear 503/504 during the cut: {api}\n{context}"
    assert not refused, f"the adapter refused referrals (it must hold them in its outbox): {list(refused.items())[:5]}\n{context}"
    assert not lost, f"lost: {len(lost)} acknowledged referrals were never stored, e.g. {lost[:5]}\n{context}"
    assert not rejected, f"the hub rejected acknowledged referrals: {list(rejected.items())[:5]}\n{context}"
    assert duplicated == 0, f"duplicated: {duplicated} extra referrals for {duplicated_refs[:5]}\n{context}"
    assert not unexpected, f"unexpected: {unexpected[:5]}\n{context}"
    assert not mismatched, f"the adapter reports other referral ids than were stored: {mismatched[:5]}\n{context}"
    assert len(ids) == len(acknowledged), f"{len(acknowledged) - len(ids)} acknowledged referrals have no referral id\n{context}"
    if len(stored) < 1000:
        assert api_count == len(stored), f"the gateway API lists {api_count} referrals, the service stored {len(stored)}\n{context}"
    assert reconnect is not None, f"the referrals service did not reconnect after the link returned\n{context}"
    assert blip is not None and blip <= BLIP_RECONNECT_LIMIT, \
        f"after a {BLIP_SECONDS:.0f} s cut the referrals service took {blip if blip is None else round(blip, 1)} s (limit " \
        f"{BLIP_RECONNECT_LIMIT:.0f} s) to serve again: its reconnect back-off was not reset by the earlier reconnection\n{context}"
