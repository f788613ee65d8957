"""Graceful shutdown of the gateway (issue 13: lifecycle): a `hub run gateway` of its own
gets SIGTERM while requests are in flight — each of them half-sent, so the gateway is
waiting for their bodies. Every accepted request is answered, then the process exits 0,
and a connection made after the signal is refused."""
import os
import signal
import socket
import subprocess
import tempfile
import time

import pytest

HUB_BIN = os.environ.get("HUB_BIN", "")
CONFIG_DIR = os.environ.get("HUB_CONFIG_DIR", "")

pytestmark = pytest.mark.skipif(not (HUB_BIN and CONFIG_DIR), reason="needs the hub binary from scripts/test.sh")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_sigterm_answers_every_accepted_request_then_exits_0():
    port = free_port()
    with tempfile.TemporaryDirectory() as data:
        os.chmod(data, 0o700)
        for principal in ("broker", "gateway"):  # the gateway needs its own key and the broker's public key
            subprocess.run([HUB_BIN, "keys", "generate", principal, "--data-dir", data, "--config", CONFIG_DIR],
                           check=True, capture_output=True, timeout=60)
        env = dict(os.environ, HUB_GATEWAY_PORT=str(port), HUB_BROKER_ENDPOINT=f"tcp://127.0.0.1:{free_port()}")
        env.pop("HUB_DATABASE_URL", None)
        proc = subprocess.Popen([HUB_BIN, "run", "gateway", "--data-dir", data, "--config", CONFIG_DIR],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.time() + 60
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    assert time.time() < deadline, "the gateway did not start"
                    assert proc.poll() is None, "the gateway exited at start"
                    time.sleep(0.2)
            body = b'{"username":"nobody","password":"not the password"}'
            head = (b"POST /api/v1/tokens HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n")
            clients = []
            for _ in range(20):
                c = socket.create_connection(("127.0.0.1", port), timeout=20)
                c.sendall(head + body[:10])  # accepted, its body half-sent
                clients.append(c)
            time.sleep(0.5)
            proc.send_signal(signal.SIGTERM)
            time.sleep(0.5)
            for c in clients:
                c.sendall(body[10:])
            answered = 0
            for c in clients:
                data_ = b""
                while True:
                    chunk = c.recv(4096)
                    if not chunk:
                        break
                    data_ += chunk
                c.close()
                # The wrong password (401), or after a few of those the login throttle (429): answered.
                if data_.startswith(b"HTTP/1.1 401") or data_.startswith(b"HTTP/1.1 429"):
                    answered += 1
            assert answered == len(clients), f"{answered} of {len(clients)} in-flight requests were answered"
            assert proc.wait(timeout=30) == 0, "the gateway exits 0 after a graceful shutdown"
            with pytest.raises(OSError):
                socket.create_connection(("127.0.0.1", port), timeout=2).close()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
