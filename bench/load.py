"""Load generator for bench/ceiling.py, in its own process so it does not
share the interpreter with what it measures. Reads a JSON spec on stdin
(port, token, path, body, clients, seconds); one keep-alive HTTP connection
per client, each POST with a fresh Idempotency-Key; prints JSON results."""

import http.client
import json
import sys
import threading
import time
import uuid


def main() -> None:
    spec = json.load(sys.stdin)
    body = json.dumps(spec["body"]).encode()
    n = spec["clients"]
    latencies: list[list[float]] = [[] for _ in range(n)]
    errors: list[str] = []
    barrier = threading.Barrier(n + 1)
    deadline = [0.0]

    def client(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", spec["port"], timeout=60)
        headers = {"Authorization": f"Bearer {spec['token']}", "Content-Type": "application/json"}
        barrier.wait()
        while time.perf_counter() < deadline[0]:
            t0 = time.perf_counter()
            try:
                conn.request("POST", spec["path"], body, {**headers, "Idempotency-Key": str(uuid.uuid4())})
                response = conn.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException) as exc:
                errors.append(f"{type(exc).__name__}: {exc}"[:200])
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", spec["port"], timeout=60)
                continue
            if response.status != 201:
                errors.append(f"{response.status}: {payload[:160].decode(errors='replace')}")
                continue
            latencies[i].append((time.perf_counter() - t0) * 1000)
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    deadline[0] = time.perf_counter() + spec["seconds"]
    t0 = time.perf_counter()
    barrier.wait()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    flat = [x for per in latencies for x in per]
    json.dump({"count": len(flat), "elapsed": elapsed, "latencies": flat, "errors": errors}, sys.stdout)


if __name__ == "__main__":
    main()
