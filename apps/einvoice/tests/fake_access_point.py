"""A small real HTTP access point on 127.0.0.1 speaking HttpAccessPoint's
contract: it keeps what it received by the document's UUID (a UUID seen
before answers 409 with its first answer and is not sent again), and can be
told to answer 500, to hang past the client's timeout, to reject, or to hold:
keep the document, then answer only once ``release`` is set (a worker can be
killed while the access point has the document and it has no answer)."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeAccessPoint:
    def __init__(self):
        self.mode = "accept"  # accept | deliver | fail | hang | reject | hold
        self.hang_seconds = 2.0
        self.release = threading.Event()  # "hold": answered once set, or after hold_seconds
        self.hold_seconds = 30.0
        self.received: dict[str, bytes] = {}  # uuid -> the XML, once
        self.posts = 0
        self.lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                return

            def _answer(self, status: int, body: dict):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                try:
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client died or gave up waiting
                    return

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                key = self.headers.get("Idempotency-Key", "")
                with owner.lock:
                    owner.posts += 1
                    mode = owner.mode
                if mode == "hang":
                    time.sleep(owner.hang_seconds)
                    return self._answer(504, {})
                if mode == "fail":
                    return self._answer(500, {"error": "boom"})
                if mode == "reject":
                    return self._answer(422, {"status": "rejected", "reason": "receiver not registered"})
                with owner.lock:
                    if key in owner.received:
                        return self._answer(409, {"id": f"ap-{key}", "status": "accepted"})
                    owner.received[key] = body
                if mode == "hold":
                    owner.release.wait(owner.hold_seconds)
                return self._answer(
                    201, {"id": f"ap-{key}", "status": "delivered" if mode == "deliver" else "accepted"}
                )

            def do_GET(self):  # noqa: N802
                key = self.path.rstrip("/").rsplit("/", 1)[-1]
                with owner.lock:
                    known = key in owner.received
                self._answer(200 if known else 404, {"id": f"ap-{key}", "status": "delivered"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
