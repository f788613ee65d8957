#!/usr/bin/env python3
"""A local SMTP sink for tests: accepts every message and writes it to DIR/<n>.eml.

    python3 scripts/smtp-sink.py DIR      # prints "PORT <n>" once listening; stops on SIGTERM or EOF on stdin
"""
import os, socket, sys, threading
from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder):
        self.folder, self.count, self.lock = folder, 0, threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            n = self.count
        path = os.path.join(self.folder, f"{n:04d}.eml")
        with open(path + ".tmp", "wb") as f:
            f.write(b"X-Envelope-To: " + ",".join(envelope.rcpt_tos).encode() + b"\r\n")
            f.write(envelope.original_content or envelope.content)
        os.replace(path + ".tmp", path)
        return "250 OK"


def main():
    folder = sys.argv[1]
    os.makedirs(folder, exist_ok=True)
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
    controller = Controller(Sink(folder), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"PORT {port}", flush=True)
    try:
        sys.stdin.read()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
