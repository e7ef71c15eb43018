"""A minimal SMTP sink for the benchmark's announcement scenario: accepts every message,
keeps none, and counts connections and messages (those whose body holds ``marker`` apart,
with the time of the last one). Plain SMTP on 127.0.0.1 only; enough of RFC 5321 for
``smtplib`` (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT).

    with SmtpSink(marker=b"bench-123") as sink:
        ...  # MAIL_SERVER=127.0.0.1 MAIL_PORT=sink.port MAIL_USE_TLS=0
        sink.wait_for(20_000, timeout=600)
"""

from __future__ import annotations

import socketserver
import threading
import time


class SmtpSink:
    def __init__(self, *, marker: bytes = b"", host: str = "127.0.0.1", port: int = 0) -> None:
        self.marker = marker
        self.lock = threading.Lock()
        self.connections = 0
        self.messages = 0
        self.marked = 0
        self.first_marked_at: float | None = None  #: time.monotonic()
        self.last_marked_at: float | None = None
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                with sink.lock:
                    sink.connections += 1
                self.wfile.write(b"220 bench-sink ESMTP\r\n")
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    verb = line[:4].upper()
                    if verb == b"EHLO":
                        self.wfile.write(b"250-bench-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                    elif verb == b"DATA":
                        self.wfile.write(b"354 end with .\r\n")
                        self._data()
                    elif verb == b"QUIT":
                        self.wfile.write(b"221 bye\r\n")
                        return
                    else:  # HELO, MAIL, RCPT, RSET, NOOP
                        self.wfile.write(b"250 ok\r\n")

            def _data(self) -> None:
                marked = False
                while True:
                    line = self.rfile.readline()
                    if not line or line in (b".\r\n", b".\n"):
                        break
                    if sink.marker and sink.marker in line:
                        marked = True
                with sink.lock:
                    sink.messages += 1
                    if marked:
                        sink.marked += 1
                        sink.last_marked_at = time.monotonic()
                        if sink.first_marked_at is None:
                            sink.first_marked_at = sink.last_marked_at
                self.wfile.write(b"250 queued\r\n")

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server((host, port), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> SmtpSink:
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, marked: int, *, timeout: float, messages: int = 0) -> bool:
        """Wait until ``marked`` messages with the marker (and ``messages`` in all) have
        arrived; False on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if self.marked >= marked and self.messages >= messages:
                    return True
            time.sleep(0.05)
        return False
