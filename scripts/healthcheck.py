"""Docker health check of the web container: GET /admin/login/ on the local
gunicorn with a Host from ALLOWED_HOSTS and X-Forwarded-Proto https (so neither
the host check nor the SSL redirect answers instead of Django). Exit 0 on 200."""

import http.client
import os
import sys


def main() -> int:
    hosts = [h.strip().lstrip(".") for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
    host = next((h for h in hosts if "*" not in h), "localhost")
    port = int(os.environ.get("PORT", "8000"))
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/admin/login/", headers={"Host": host, "X-Forwarded-Proto": "https"})
        status = conn.getresponse().status
    except OSError as exc:
        print(f"web not answering: {exc}", file=sys.stderr)
        return 1
    if status != 200:
        print(f"GET /admin/login/ answered {status}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
