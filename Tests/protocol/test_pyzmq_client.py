"""UHP/1 against a running hub, with plain pyzmq — written only from docs/protocol.md.

Needs a hub started by `hub up` (scripts/test.sh does that) and, from the environment:
  HUB_DATA_DIR         the hub's data directory (keys/adapter-police.key.json, keys/broker.pub.json)
  HUB_BROKER_ENDPOINT  the broker's ROUTER endpoint, e.g. tcp://127.0.0.1:17600
Skipped when either is unset. Every receive uses poll with a timeout; sockets close with linger 0.
"""

import datetime
import json
import os
import time
import uuid
from pathlib import Path

import pytest

zmq = pytest.importorskip("zmq")

DATA_DIR = os.environ.get("HUB_DATA_DIR")
ENDPOINT = os.environ.get("HUB_BROKER_ENDPOINT")

pytestmark = pytest.mark.skipif(
    not DATA_DIR or not ENDPOINT,
    reason="HUB_DATA_DIR and HUB_BROKER_ENDPOINT must point at a running hub (scripts/test.sh)",
)

REPLY_TIMEOUT_MS = 8000      # the broker answers within requestTimeoutMs (5 s) at the latest
SILENCE_MS = 3000            # "no reply" tests wait this long
MAX_MESSAGE_BYTES = 256 * 1024


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def envelope(type_, body=None, id_=None):
    return {"v": 1, "id": id_ or str(uuid.uuid4()), "type": type_, "ts": now_iso(),
            "body": {} if body is None else body}


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture(scope="module")
def keys():
    key_dir = Path(DATA_DIR) / "keys"
    police = key_dir / "adapter-police.key.json"
    broker = key_dir / "broker.pub.json"
    if not police.exists() or not broker.exists():
        pytest.fail(f"hub up should have made {police} and {broker}")
    mine = load_json(police)
    assert mine["principal"] == "adapter:police"
    assert len(mine["publicKey"]) == 40 and len(mine["secretKey"]) == 40
    assert (police.stat().st_mode & 0o077) == 0, "a secret key file must be mode 0600"
    server = load_json(broker)
    assert server["principal"] == "broker" and len(server["publicKey"]) == 40
    return {"public": mine["publicKey"], "secret": mine["secretKey"], "server": server["publicKey"]}


@pytest.fixture(scope="module")
def ctx():
    c = zmq.Context()
    yield c
    c.term()  # every socket was closed with linger 0, so this cannot hang


class Peer:
    """A DEALER connected to the broker, optionally with a socket monitor."""

    def __init__(self, ctx, public=None, secret=None, server=None, monitor=False):
        self.sock = ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.setsockopt(zmq.RCVHWM, 1000)
        self.monitor = self.sock.get_monitor_socket() if monitor else None
        if public is not None:
            self.sock.curve_serverkey = server.encode()
            self.sock.curve_publickey = public.encode()
            self.sock.curve_secretkey = secret.encode()
        self.sock.connect(ENDPOINT)

    def send(self, frames):
        self.sock.send_multipart([f if isinstance(f, bytes) else f.encode() for f in frames])

    def request(self, env, type_=None):
        t = type_ if type_ is not None else env["type"]
        self.send([b"UHP1", b"REQ", t, json.dumps(env).encode()])

    def recv(self, timeout_ms=REPLY_TIMEOUT_MS):
        """Next message (list of frames), skipping broker heartbeats; None on timeout."""
        deadline = time.monotonic() + timeout_ms / 1000
        while True:
            left = int((deadline - time.monotonic()) * 1000)
            if left <= 0 or not self.sock.poll(left, zmq.POLLIN):
                return None
            frames = self.sock.recv_multipart(zmq.NOBLOCK)
            if len(frames) >= 2 and frames[1] == b"HB":
                continue
            return frames

    def reply(self, timeout_ms=REPLY_TIMEOUT_MS, commands=(b"REP",)):
        frames = self.recv(timeout_ms)
        assert frames is not None, f"no reply within {timeout_ms} ms"
        assert frames[0] == b"UHP1", frames[:2]
        assert frames[1] in commands, f"expected {commands}, got {frames[1]!r}"
        assert len(frames) == 3, f"a {frames[1]!r} has 3 frames, got {len(frames)}"
        return frames[1], json.loads(frames[2])

    def events(self, timeout_ms):
        """Monitor events seen within timeout_ms."""
        from zmq.utils.monitor import recv_monitor_message
        seen = []
        deadline = time.monotonic() + timeout_ms / 1000
        while True:
            left = int((deadline - time.monotonic()) * 1000)
            if left <= 0 or not self.monitor.poll(left, zmq.POLLIN):
                return seen
            seen.append(recv_monitor_message(self.monitor, zmq.NOBLOCK)["event"])

    def close(self):
        if self.monitor is not None:
            try:
                self.sock.disable_monitor()
            except zmq.ZMQError:
                pass
            self.monitor.close(linger=0)
        self.sock.close(linger=0)


@pytest.fixture
def peer(ctx, keys):
    p = Peer(ctx, keys["public"], keys["secret"], keys["server"])
    yield p
    p.close()


def assert_error(reply, code, request_id=None):
    assert reply.get("v") == 1
    err = reply.get("error")
    assert isinstance(err, dict), f"expected an error {code!r}, got {reply!r}"
    assert err.get("code") == code, f"expected {code!r}, got {err!r}"
    assert isinstance(err.get("message"), str) and err["message"]
    if request_id is not None:
        assert reply.get("corr") == request_id


# ---------------------------------------------------------------------------
# tests
# ---------------------------------------------------------------------------

def test_centres_list_over_curve(peer):
    env = envelope("referrals.centres.list")
    peer.request(env)
    _, reply = peer.reply()
    assert reply["v"] == 1
    assert reply["corr"] == env["id"]
    assert "error" not in reply or reply["error"] is None, reply.get("error")
    assert reply["type"] == "referrals.centres.list.reply"
    assert isinstance(reply["id"], str) and reply["id"] and reply["id"] != env["id"]
    assert isinstance(reply["ts"], str) and reply["ts"]
    centres = reply["body"]["centres"]
    assert isinstance(centres, list)
    skaraborg = [c for c in centres if c.get("id") == "skaraborg"]
    assert skaraborg, f"no centre skaraborg in {[c.get('id') for c in centres]}"
    names = [m.get("name") if isinstance(m, dict) else m for m in skaraborg[0].get("municipalities", [])]
    assert "Skövde" in names, skaraborg[0]


def test_broker_status_lists_referrals_workers(peer):
    env = envelope("broker.status")
    peer.request(env)
    _, reply = peer.reply()
    assert reply["corr"] == env["id"]
    assert not reply.get("error"), reply.get("error")
    body = reply["body"]
    services = {s["name"]: s for s in body["services"]}
    assert "referrals" in services, list(services)
    assert services["referrals"]["workers"] >= 1
    assert "queued" in services["referrals"]
    assert "adapter:police" in body["peers"]
    assert isinstance(body["uptimeSeconds"], (int, float))


def test_broker_service_mmi(peer):
    env = envelope("broker.service", {"service": "referrals"})
    peer.request(env)
    _, reply = peer.reply()
    assert reply["corr"] == env["id"] and not reply.get("error"), reply
    assert reply["body"]["service"] == "referrals"
    assert reply["body"]["workers"] >= 1
    assert reply["body"]["known"] is True


def test_unknown_key_is_refused(ctx, keys):
    public, secret = zmq.curve_keypair()
    p = Peer(ctx, public.decode(), secret.decode(), keys["server"], monitor=True)
    try:
        p.request(envelope("referrals.centres.list"))
        assert p.recv(SILENCE_MS) is None, "an unknown key must never get an answer"
        failed_auth = getattr(zmq, "EVENT_HANDSHAKE_FAILED_AUTH", None)
        if failed_auth is not None:
            seen = p.events(1000)
            assert failed_auth in seen, f"monitor events {seen}"
    finally:
        p.close()


def test_null_mechanism_is_refused(ctx):
    p = Peer(ctx)  # no CURVE
    try:
        p.request(envelope("referrals.centres.list"))
        assert p.recv(SILENCE_MS) is None, "a NULL-mechanism peer must never get an answer"
    finally:
        p.close()


@pytest.mark.parametrize("payload", [b"{not json", b"[1, 2, 3]", b'{"v": 1, "type": "referrals.centres.list"}'],
                         ids=["not-json", "not-an-object", "missing-fields"])
def test_invalid_json(peer, payload):
    peer.send([b"UHP1", b"REQ", b"referrals.centres.list", payload])
    # Not tied to a request id the broker could read: REP or ERR are both a structured answer.
    _, reply = peer.reply(commands=(b"REP", b"ERR"))
    assert_error(reply, "invalid_json")


def test_unknown_service(peer):
    env = envelope("nosuch.thing")
    peer.request(env)
    _, reply = peer.reply()
    assert_error(reply, "unknown_service", env["id"])


def test_forbidden_type(peer):
    env = envelope("meetings.groups.list")  # adapters may send referrals.* and meetings.status-report.* only
    peer.request(env)
    _, reply = peer.reply()
    assert_error(reply, "forbidden", env["id"])
    assert "meetings.groups.list" in reply["error"]["message"]


def test_too_large(ctx, keys, peer):
    env = envelope("referrals.centres.list", {"padding": "x" * (MAX_MESSAGE_BYTES + 16 * 1024)})
    data = json.dumps(env).encode()
    assert len(data) > MAX_MESSAGE_BYTES
    peer.send([b"UHP1", b"REQ", b"referrals.centres.list", data])
    frames = peer.recv()
    if frames is not None:
        assert frames[:2] in ([b"UHP1", b"REP"], [b"UHP1", b"ERR"]), frames[:2]
        assert_error(json.loads(frames[-1]), "too_large")
    # Either way the broker is still there for a new connection.
    fresh = Peer(ctx, keys["public"], keys["secret"], keys["server"])
    try:
        env2 = envelope("referrals.centres.list")
        fresh.request(env2)
        _, reply = fresh.reply()
        assert reply["corr"] == env2["id"] and not reply.get("error")
    finally:
        fresh.close()


@pytest.mark.parametrize("frames", [
    [b"UHP1", b"REQ", b"referrals.centres.list"],
    [b"UHP1", b"REQ"],
    [b"UHP1"],
    [b"UHP1", b"REQ", b"referrals.centres.list", b"{}", b"extra"],
    [b"XXXX", b"REQ", b"referrals.centres.list", b"{}"],
], ids=["three-frames", "two-frames", "one-frame", "five-frames", "bad-protocol"])
def test_malformed_frames(peer, frames):
    peer.send(frames)
    cmd, reply = peer.reply(commands=(b"ERR",))
    assert cmd == b"ERR"
    assert_error(reply, "malformed")
    # and the connection still works afterwards
    env = envelope("referrals.centres.list")
    peer.request(env)
    _, ok = peer.reply()
    assert ok["corr"] == env["id"] and not ok.get("error")


def test_type_frame_must_match_envelope(peer):
    env = envelope("referrals.centres.list")
    peer.request(env, type_="referrals.centres.other")
    _, reply = peer.reply(commands=(b"REP", b"ERR"))
    assert reply.get("error"), "a type frame that differs from the envelope's type must be refused"


def test_unsupported_version(peer):
    env = envelope("referrals.centres.list")
    env["v"] = 2
    peer.request(env)
    _, reply = peer.reply(commands=(b"REP", b"ERR"))
    assert_error(reply, "unsupported_version")


def test_same_id_is_answered_each_time(peer):
    env = envelope("referrals.centres.list")
    bodies = []
    for _ in range(3):
        peer.request(env)
        _, reply = peer.reply()
        assert reply["corr"] == env["id"]
        assert not reply.get("error"), reply.get("error")
        bodies.append(reply["body"])
    assert bodies[0] == bodies[1] == bodies[2]


def test_heartbeat_keeps_a_quiet_client_connected(peer):
    # Send HB every second for longer than heartbeatLiveness × heartbeatMs (3 s), then ask.
    for _ in range(4):
        peer.send([b"UHP1", b"HB"])
        assert peer.recv(1000) is None, "a client heartbeat gets no answer but HB"
    env = envelope("referrals.centres.list")
    peer.request(env)
    _, reply = peer.reply()
    assert reply["corr"] == env["id"] and not reply.get("error")


def test_adapter_asks_for_pending_status_reports(peer):
    env = envelope("meetings.status-report.pending")
    peer.request(env)
    _, reply = peer.reply()
    assert reply.get("error") is None, reply.get("error")
    assert reply["type"] == "meetings.status-report.pending.reply"
    assert isinstance(reply["body"]["pending"], list)


def test_status_report_for_an_unknown_meeting_is_not_found(peer):
    env = envelope("meetings.status-report.submit", {"meetingId": "no-such-meeting", "text": "Läget hos polisen."})
    peer.request(env)
    _, reply = peer.reply()
    assert_error(reply, "not_found", env["id"])
    assert reply["error"].get("field") == "body.meetingId"
