"""Shared by the reliability tests that run the hub's processes in network namespaces
(test_partition.py, test_two_hosts.py): plain HTTP, process bookkeeping, `ip` commands, the
steady load through the police adapter and the queue checker that judges it, and
the user-space "wire" that joins namespaces by point-to-point TUN links and can cut or
degrade each of them.

The wire exists because the kernels these tests run on may lack sch_netem (no `tc netem`):
two TUN devices per link, made in the root namespace and then moved into the namespaces they
join; one process copies every packet read from one device to the other, subject to the
link's mode. `pass` forwards; `cut` silently drops every packet both ways (a partition: no
reset, no error, the peers only hear silence); `impair DELAY_MS LOSS DUP REORDER` does per
direction and per packet what `tc netem delay … loss … duplicate … reorder …` does.
"""
import collections
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import types
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

# The wire process. Arguments: SEED, then one LABEL:DEV_A:DEV_B per link. Commands on stdin,
# one a line: `pass|cut [LABEL…]`, `impair DELAY_MS LOSS DUP REORDER [LABEL…]` (no label: every
# link), `stats`; each is answered with "ok <stats json>" (one link: its counters; several:
# counters by label).
WIRE = r'''
import fcntl, heapq, json, os, random, select, struct, sys, time
TUNSETIFF, IFF_TUN, IFF_NO_PI = 0x400454ca, 0x0001, 0x1000
def tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd
rng = random.Random(int(sys.argv[1]))
links, other, link_of = {}, {}, {}
for spec in sys.argv[2:]:
    label, dev_a, dev_b = spec.split(":")
    a, b = tun(dev_a), tun(dev_b)
    other[a], other[b] = b, a
    link_of[a] = link_of[b] = label
    links[label] = {"mode": "pass", "impair": (0.0, 0.0, 0.0, 0.0),
                    "stats": {"forwarded": 0, "dropped": 0, "duplicated": 0, "reordered": 0, "delayed": 0}}
queue, seq, buf = [], 0, b""
stdin = sys.stdin.fileno()
print("ready", flush=True)
def write(label, fd, pkt):
    try:
        os.write(fd, pkt)
        links[label]["stats"]["forwarded"] += 1
    except OSError:
        links[label]["stats"]["dropped"] += 1  # the other end is down
def report():
    if len(links) == 1:
        (l,) = links.values()
        return dict(l["stats"], mode=l["mode"])
    return {k: dict(l["stats"], mode=l["mode"]) for k, l in links.items()}
while True:
    now = time.monotonic()
    while queue and queue[0][0] <= now:
        _, _, label, fd, pkt = heapq.heappop(queue)
        write(label, fd, pkt)
    r, _, _ = select.select(list(other) + [stdin], [], [], max(0.0, queue[0][0] - now) if queue else 1.0)
    for fd in r:
        if fd == stdin:
            chunk = os.read(stdin, 4096)
            if not chunk:
                sys.exit(0)
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                words = line.decode().split()
                if words and words[0] in ("pass", "cut", "impair"):
                    mode, args = words[0], words[1:]
                    params = None
                    if mode == "impair":
                        params = (float(args[0]) / 1000, float(args[1]), float(args[2]), float(args[3]))
                        args = args[4:]
                    for label in (args or list(links)):
                        links[label]["mode"] = mode
                        if params:
                            links[label]["impair"] = params
                        if mode == "cut":
                            dropped = [q for q in queue if q[2] == label]
                            links[label]["stats"]["dropped"] += len(dropped)
                            queue = [q for q in queue if q[2] != label]
                            heapq.heapify(queue)
                print("ok " + json.dumps(report()), flush=True)
            continue
        label = link_of[fd]
        link = links[label]
        stats = link["stats"]
        for _ in range(512):
            try:
                pkt = os.read(fd, 65535)
            except OSError:
                break
            out = other[fd]
            if link["mode"] == "cut":
                stats["dropped"] += 1
            elif link["mode"] == "impair":
                delay, loss, dup, reorder = link["impair"]
                if rng.random() < loss:
                    stats["dropped"] += 1
                    continue
                copies = 1
                if rng.random() < dup:
                    copies = 2
                    stats["duplicated"] += 1
                for _ in range(copies):
                    if rng.random() < reorder:
                        d = 0.0
                        stats["reordered"] += 1
                    else:
                        d = delay
                        stats["delayed"] += 1
                    seq += 1
                    heapq.heappush(queue, (time.monotonic() + d, seq, label, out, pkt))
            else:
                write(label, out, pkt)
'''


class Wire:
    """The wire process for the links `{label: (dev_a, dev_b)}`: started in the root namespace,
    where it makes the TUN devices; move each device into its namespace afterwards."""

    def __init__(self, links):
        self.proc = subprocess.Popen([sys.executable, "-c", WIRE, str(random.randint(0, 2**31))]
                                     + [f"{label}:{a}:{b}" for label, (a, b) in links.items()],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, start_new_session=True)
        line = self.proc.stdout.readline().strip()
        if line != "ready":
            raise RuntimeError(f"the link process did not start: {line} {self.proc.stderr.read() if self.proc.poll() is not None else ''}")

    def command(self, command):
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline().strip()
        assert line.startswith("ok "), f"the link process did not take '{command}': {line!r}"
        return json.loads(line[3:])

    def cut(self, *labels):
        """Every packet on these links (no label: every link) dropped silently, both ways."""
        return self.command(" ".join(("cut",) + labels))

    def heal(self, *labels):
        return self.command(" ".join(("pass",) + labels))

    def impair(self, delay_ms, loss, dup, reorder, *labels):
        return self.command(" ".join(["impair", str(delay_ms), str(loss), str(dup), str(reorder)] + list(labels)))

    def stats(self):
        return self.command("stats")

    def close(self):
        stop_tree(self.proc, 0)


# ---------------------------------------------------------------------------
# HTTP
# ---------------------------------------------------------------------------
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http(method, url, body=None, headers=None, timeout=10):
    """(status, json) — status None when no answer came (connection refused, timeout)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with _opener.open(req, timeout=timeout) as r:
            raw = r.read()
            status = r.status
    except urllib.error.HTTPError as e:
        raw, status = e.read(), e.code
    except (OSError, urllib.error.URLError) as e:
        return None, {"exception": type(e).__name__}
    try:
        return status, json.loads(raw or b"{}")
    except ValueError:
        return status, {}


def error_code(body):
    return (body.get("error") or {}).get("code") if isinstance(body, dict) else None


# ---------------------------------------------------------------------------
# Processes and commands
# ---------------------------------------------------------------------------
def proc_stat(pid):
    """(ppid, session) of a process, or None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return int(fields[1]), int(fields[3])


def processes_where(pred):
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            st = proc_stat(int(d))
            if st and pred(*st):
                out.append(int(d))
    return out


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
    except OSError:
        return []


def run_cmd(args, check=True, timeout=30, **kwargs):
    r = subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kwargs)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({r.returncode}): {r.stderr.strip()}")
    return r


def ip(*args, ns=None, check=True):
    return run_cmd(["ip"] + (["-n", ns] if ns else []) + list(args), check=check)


def in_ns(ns, *args, check=True):
    return run_cmd(["ip", "netns", "exec", ns] + list(args), check=check)


def free_subnet(tag):
    """N such that no address or route of this machine is in 10.77.N.0/24."""
    used = run_cmd(["ip", "-4", "-o", "addr"], check=False).stdout + run_cmd(["ip", "-4", "route"], check=False).stdout
    start = int(tag) % 200
    for k in range(200):
        n = 20 + (start + k) % 200
        if f"10.77.{n}." not in used:
            return n
    raise RuntimeError("no free 10.77.N.0/24 subnet")


def stop_tree(p, grace):
    """SIGTERM to `p` (a process started with start_new_session), up to `grace` seconds for it to
    end, then SIGKILL to whatever is left of its session. Returns a problem, or None."""
    if p is None:
        return None
    if p.poll() is None and grace > 0:
        try:
            os.kill(p.pid, signal.SIGTERM)
            p.wait(timeout=grace)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
    for pid in processes_where(lambda _ppid, sid, s=p.pid: sid == s):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        p.kill()
    except ProcessLookupError:
        pass
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        return f"process {p.pid} did not end"
    for f in (p.stdin, p.stdout, p.stderr):
        if f is not None:
            try:
                f.close()
            except OSError:
                pass
    if processes_where(lambda _ppid, sid, s=p.pid: sid == s):
        return f"processes of session {p.pid} left running"
    return None


def tail(path, lines=30):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return "(no log)\n"


def count_lines(path, pattern):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return sum(1 for line in f if pattern in line)
    except OSError:
        return 0


# ---------------------------------------------------------------------------
# Load through the police adapter, and the queue checker
# ---------------------------------------------------------------------------
class Result(collections.namedtuple("Result", "phase status code sent done")):
    """One referral posted to the adapter: the phase it was sent in, the answer's status (None:
    no answer) and error code, and when it was sent and answered (time.monotonic())."""


class Load:
    """Referrals (referral_samples.referral) to the police adapter at `rate` per second from
    up to 48 threads, each tagged with `phase` as it is when sent: `results[ref] = Result`."""

    def __init__(self, police, key, prefix, rate, make_body):
        self.police, self.key, self.prefix, self.rate, self.make_body = police, key, prefix, rate, make_body
        self.phase = "baseline"
        self.results = {}
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self.thread.start()

    def stop(self):
        self.stopping.set()
        self.thread.join(timeout=120)

    def _post(self, ref, phase):
        sent = time.monotonic()
        status, body = http("POST", self.police + "/v1/referrals", self.make_body(ref), headers={"X-API-Key": self.key}, timeout=30)
        with self.lock:
            self.results[ref] = Result(phase, status, error_code(body), sent, time.monotonic())

    def _run(self):
        with ThreadPoolExecutor(max_workers=48) as pool:
            start = time.monotonic()
            i = 0
            while not self.stopping.is_set():
                delay = start + i / self.rate - time.monotonic()
                if delay > 0 and self.stopping.wait(delay):
                    break
                pool.submit(self._post, f"{self.prefix}-{i:05d}", self.phase)
                i += 1


def outcomes(results):
    """(acknowledged refs: 201 or 202, refused {ref: (status, code)}: any other answer, unanswered refs)."""
    acknowledged = [r for r, x in results.items() if x.status in (201, 202)]
    refused = {r: (x.status, x.code) for r, x in results.items() if x.status is not None and x.status not in (201, 202)}
    unanswered = [r for r, x in results.items() if x.status is None]
    return acknowledged, refused, unanswered


def await_referral_ids(police, key, refs, timeout):
    """Asks the adapter for each ref until the hub has given it a referral id (or rejected it),
    for at most `timeout` seconds: ({ref: referral id}, {ref: error code}, a line saying how long)."""
    ids, rejected = {}, {}
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        for ref in refs:
            if ref in ids or ref in rejected:
                continue
            status, body = http("GET", f"{police}/v1/referrals/{ref}", headers={"X-API-Key": key})
            if status == 200 and body.get("referralId"):
                ids[ref] = body["referralId"]
            elif status == 200 and body.get("status") == "rejected":
                rejected[ref] = error_code(body)
        if len(ids) + len(rejected) == len(refs):
            return ids, rejected, f"all acknowledged referrals answered {time.monotonic() - start:.1f} s after the load stopped"
        time.sleep(1.0)
    return ids, rejected, f"{len(refs) - len(ids) - len(rejected)} acknowledged referrals still pending after {timeout:.0f} s"


def queue_check(stored, sent, acknowledged, refused, unanswered, ids):
    """Jepsen's queue checker over `stored` [(referral id, externalRef)]: lost (acknowledged,
    never stored), duplicated (stored more than once), unexpected (stored, never sent; or
    refused and stored anyway), recovered (unanswered, stored), mismatched (the adapter reports
    another referral id than was stored)."""
    per_ref = collections.Counter(ext for _, ext in stored)
    db_id = {ext: rid for rid, ext in stored}
    return types.SimpleNamespace(
        per_ref=per_ref,
        lost=sorted(r for r in acknowledged if per_ref[r] == 0),
        duplicated=sum(n - 1 for n in per_ref.values() if n > 1),
        duplicated_refs=sorted(r for r, n in per_ref.items() if n > 1),
        unexpected=sorted((r for r in per_ref if r not in sent), key=str) + sorted(r for r in refused if per_ref[r]),
        recovered=sorted(r for r in unanswered if per_ref[r]),
        mismatched=sorted(r for r, rid in ids.items() if db_id.get(r) != rid))


# ---------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------
def running(make, hub_bin, config_dir):
    """The body of a fixture for a cluster object with start(), logs() and close() (which
    returns a list of clean-up problems): skips without the hub binary or config, prints the
    logs when start fails, and always closes."""
    if not os.access(hub_bin, os.X_OK):
        pytest.skip(f"no hub binary at {hub_bin} (set HUB_BIN)")
    if not os.path.isfile(os.path.join(config_dir, "hub.json")):
        pytest.skip(f"no config folder at {config_dir} (set HUB_CONFIG_DIR)")
    c = make()
    try:
        c.start()
    except Exception:
        print(c.logs())
        c.close()
        raise
    except BaseException:  # skipped or interrupted
        c.close()
        raise
    try:
        yield c
    finally:
        problems = c.close()
    assert not problems, f"clean-up: {problems}"


def log_tails(paths, lines=25):
    """The last lines of each log, without any line that mentions a password."""
    out = []
    for name, path in paths:
        text = "".join(line for line in tail(path, lines).splitlines(True) if "password" not in line.lower())
        out.append(f"--- {name}\n{text}")
    return "\n".join(out)


# ---------------------------------------------------------------------------
# Set-up pieces
# ---------------------------------------------------------------------------
def new_tag():
    """A short tag for this run's namespace and device names (devices take 15 characters)."""
    return f"{os.getpid() % 10000:04d}{random.randint(0, 99):02d}"


def management_link(root_dev, ns_dev, ns, root_ip, ns_ip):
    """A veth pair between the root namespace (where pytest runs) and `ns`, a /30 of its own:
    the test reaches the hub over it, and it is never cut."""
    ip("link", "add", root_dev, "type", "veth", "peer", "name", ns_dev)
    ip("link", "set", ns_dev, "netns", ns)
    ip("addr", "add", f"{root_ip}/30", "dev", root_dev)
    ip("link", "set", root_dev, "up")
    ip("addr", "add", f"{ns_ip}/30", "dev", ns_dev, ns=ns)
    ip("link", "set", ns_dev, "up", ns=ns)


def hub_config(source, target, hub_update, police):
    """Copies the config folder `source` to `target`, applies `hub_update(hub.json's dict)` and
    sets the police adapter's settings (adapters.json) from `police`."""
    shutil.copytree(source, target)
    for name, update in (("hub.json", hub_update), ("adapters.json", lambda a: a.setdefault("police", {}).update(police))):
        path = os.path.join(target, name)
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        update(doc)
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=2)


def clean_env(**extra):
    """This process's environment without anything of the suite's own hub (HUB_*) or proxies."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_") and not k.lower().endswith("_proxy")}
    env.update(extra)
    return env


def remove_network(namespaces, mgmt_root, tmp, keep):
    """Deletes the namespaces and the management link's root end, and the temporary folder
    unless `keep`; returns the problems met."""
    problems = []
    for ns in namespaces:
        r = ip("netns", "del", ns, check=False)
        if r.returncode != 0:
            problems.append(f"ip netns del {ns}: {r.stderr.strip()}")
    # Deleting a namespace takes its veth ends (and so their peers) with it; make sure.
    if ip("link", "show", mgmt_root, check=False).returncode == 0:
        ip("link", "del", mgmt_root, check=False)
    if ip("link", "show", mgmt_root, check=False).returncode == 0:
        problems.append(f"{mgmt_root} left in the root namespace")
    if keep:
        print(f"kept {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return problems
