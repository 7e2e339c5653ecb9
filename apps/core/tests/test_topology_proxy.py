"""nginx in front of gunicorn (issue 17's last gap, issue 12's proxy): the
answers nginx gives itself are JSON in the error contract, oversized requests
stop at nginx, and an ordinary API call passes through with X-Forwarded-*
honoured. Real nginx (deploy/nginx/lpg.conf.template rendered by
scripts/nginx_conf.py) and real gunicorn (deploy/gunicorn.conf.py) under the
production settings on a SQLite file in a temp dir, nothing mocked.

nginx is a required package of `make test` (scripts/system-deps.sh test); a
machine without it fails here with the command that installs it."""

import datetime as dt
import http.client
import json
import os
import shutil
import socket
import sqlite3
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
BODY_LIMIT = 2_621_440  # DATA_UPLOAD_MAX_MEMORY_SIZE (config/settings/base.py)
PASSWORD = "proxy-test-Pass-0451"

pytestmark = pytest.mark.topology


def nginx_binary() -> str:
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)
    if found is None:
        ci = " (CI=true: .ci/run installs it through scripts/system-deps.sh test)" if os.environ.get("CI") else ""
        pytest.fail(f"nginx is not installed{ci}: run `scripts/system-deps.sh test` as root (apt-get install nginx)")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def self_signed(directory: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    import ipaddress

    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    crt, pem = directory / "proxy.crt", directory / "proxy.key"
    crt.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pem.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return crt, pem


def wait_for(predicate, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def start_nginx(run_dir: Path, listen: str, upstreams: list[str], server_extra: str = "") -> subprocess.Popen:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import nginx_conf
    finally:
        sys.path.pop(0)
    conf = nginx_conf.write(run_dir, listen, upstreams, BODY_LIMIT, server_extra)
    binary = nginx_binary()
    check = subprocess.run([binary, "-t", "-q", "-p", str(run_dir), "-c", str(conf)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen([binary, "-p", str(run_dir), "-c", str(conf), "-g", "daemon off;"])
    port = int(listen.split()[0].rsplit(":", 1)[1])

    def listening():
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            return False

    wait_for(listening, f"nginx on {port}", 15)
    return proc


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


class Stack:
    def __init__(self, base: Path):
        self.base = base
        self.https_port, self.http_port, self.app_port = free_port(), free_port(), free_port()
        self.db = base / "db.sqlite3"
        self.tls = ssl.create_default_context()
        self.tls.check_hostname = False
        self.tls.verify_mode = ssl.CERT_NONE

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "GUNICORN_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.production",
            SECRET_KEY="proxy-test-secret-key-" + "x" * 40,
            AUDIT_HMAC_KEY="proxy-test-audit-hmac-key-" + "y" * 30,
            ALLOWED_HOSTS="127.0.0.1,localhost",
            DATABASE_URL=f"sqlite:///{self.db}",
            CACHE_URL="locmemcache://proxy-test",
            CELERY_TASK_ALWAYS_EAGER="1",
            EMAIL_URL="consolemail://",
            NUM_PROXIES="1",
            MEDIA_ROOT=str(self.base / "media"),
            GUNICORN_BIND=f"127.0.0.1:{self.app_port}",
            GUNICORN_WORKERS="1",
            DJANGO_SUPERUSER_PASSWORD=PASSWORD,
        )
        return env

    def https(self, source: str = "127.0.0.1") -> http.client.HTTPSConnection:
        return http.client.HTTPSConnection(
            "127.0.0.1", self.https_port, context=self.tls, timeout=30, source_address=(source, 0)
        )

    def plain(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=30)


def call(conn, method: str, path: str, body=None, headers=None):
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response, data


def assert_json_error(response, data: bytes, status: int, code: str, from_nginx: bool = True) -> dict:
    assert response.status == status, (response.status, data[:300])
    assert response.getheader("Content-Type", "").startswith("application/json"), response.getheader("Content-Type")
    body = json.loads(data)
    assert body["code"] == code, body
    assert isinstance(body["detail"], str) and body["detail"]
    if from_nginx:  # Django adds "fields" only when there are some
        assert body["fields"] == {}
    assert body["request_id"] and body["request_id"] == response.getheader("X-Request-ID")
    return body


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    nginx_binary()  # fail first, loudly, when nginx is missing
    s = Stack(tmp_path_factory.mktemp("proxy"))
    env = s.env()
    py = sys.executable
    superuser = ["createsuperuser", "--noinput", "--email", "proxy@example.com", "--name", "Proxy Test"]
    for args in (["migrate", "--noinput", "-v0"], superuser):
        done = subprocess.run([py, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
    crt, key = self_signed(s.base)
    with open(s.base / "gunicorn.log", "w") as log:
        gunicorn = subprocess.Popen(
            [py, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "config.wsgi:application"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        nginx = None
        try:
            nginx = start_nginx(
                s.base / "nginx", f"127.0.0.1:{s.https_port} ssl", [f"127.0.0.1:{s.app_port}"],
                f"listen 127.0.0.1:{s.http_port}; ssl_certificate {crt}; ssl_certificate_key {key};",
            )  # fmt: skip

            def app_up():
                try:
                    response, _ = call(s.https(), "GET", "/api/me/")
                    return response.status == 401
                except OSError:
                    return False

            wait_for(app_up, "gunicorn behind nginx", 60)
            yield s
        finally:
            if nginx is not None:
                stop(nginx)
            stop(gunicorn)


def test_url_over_4_kb_is_414_json_from_nginx(stack):
    response, data = call(stack.https(), "GET", "/api/customers/?search=" + "a" * 5000)
    assert_json_error(response, data, 414, "uri_too_long")
    # A URL under the limit reaches Django (its own JSON 401: no token).
    response, data = call(stack.https(), "GET", "/api/customers/?search=" + "a" * 3000)
    assert_json_error(response, data, 401, "not_authenticated", from_nginx=False)


def test_huge_header_is_431_json_and_many_small_headers_reach_django(stack):
    response, data = call(stack.https(), "GET", "/api/me/", headers={"X-Padding": "p" * 6000})
    assert_json_error(response, data, 431, "headers_too_large")
    response, data = call(stack.https(), "GET", "/api/me/", headers={"Cookie": "c=" + "k" * 9000})
    assert_json_error(response, data, 431, "headers_too_large")
    # 150 small headers pass nginx; gunicorn's default limit (100 fields) would
    # answer its plain-text 400 here, deploy/gunicorn.conf.py lets them through.
    many = {f"X-Extra-{i}": "v" for i in range(150)}
    response, data = call(stack.https(), "GET", "/api/me/", headers=many)
    assert_json_error(response, data, 401, "not_authenticated", from_nginx=False)


def test_body_over_django_limit_is_413_json_from_nginx(stack):
    conn = stack.https()
    conn.putrequest("POST", "/api/auth/token/")
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Content-Length", str(10 * 1024 * 1024))
    conn.endheaders()  # nginx answers on the declared length, before any body
    response = conn.getresponse()
    assert_json_error(response, response.read(), 413, "request_too_large")
    conn.close()
    # One byte over the limit, actually sent, chunked (no Content-Length to trust).
    conn = stack.https()
    conn.putrequest("POST", "/api/auth/token/")
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Transfer-Encoding", "chunked")
    conn.endheaders()
    chunk = b"x" * 65536
    try:
        sent = 0
        while sent <= BODY_LIMIT:
            conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sent += len(chunk)
        conn.send(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass  # nginx may answer and stop reading before the last chunk
    response = conn.getresponse()
    assert_json_error(response, response.read(), 413, "request_too_large")
    conn.close()
    # At the limit the body reaches Django, which answers in its own contract.
    body = b'{"email": "' + b"a" * (BODY_LIMIT - 20) + b'"}'
    assert len(body) <= BODY_LIMIT
    response, data = call(stack.https(), "POST", "/api/auth/token/", body, {"Content-Type": "application/json"})
    assert response.status == 400 and json.loads(data)["code"] != "request_too_large", data[:200]


def test_api_call_passes_through_with_forwarded_headers(stack):
    # Login from 127.0.0.2 with a forged X-Forwarded-For and our own request id.
    body = json.dumps({"email": "proxy@example.com", "password": PASSWORD})
    headers = {"Content-Type": "application/json", "X-Forwarded-For": "203.0.113.66", "X-Request-ID": "proxy-rid-0001"}
    response, data = call(stack.https(source="127.0.0.2"), "POST", "/api/auth/token/", body, headers)
    assert response.status == 200, data
    assert response.getheader("X-Request-ID") == "proxy-rid-0001"
    access = json.loads(data)["access"]
    # The audit row of that request carries the address nginx saw (the hop it
    # appended, NUM_PROXIES=1), not the forged one nor gunicorn's peer.
    with sqlite3.connect(stack.db) as db:
        ip, meta = db.execute(
            "SELECT ip_address, request_meta FROM audit_auditlog WHERE request_meta LIKE '%proxy-rid-0001%'"
        ).fetchone()
    assert ip == "127.0.0.2"
    assert json.loads(meta)["request_id"] == "proxy-rid-0001"

    response, data = call(stack.https(), "GET", "/api/me/", headers={"Authorization": f"Bearer {access}"})
    assert response.status == 200, data
    assert json.loads(data)["email"] == "proxy@example.com"
    # HTTPS at nginx is HTTPS to Django (SECURE_PROXY_SSL_HEADER): no redirect
    # above; plain HTTP is redirected to https on the Host the client used, even
    # when the client claims X-Forwarded-Proto: https (nginx overwrites it).
    response, _ = call(stack.plain(), "GET", "/api/me/", headers={"Host": "localhost", "X-Forwarded-Proto": "https"})
    assert response.status == 301
    assert response.getheader("Location") == "https://localhost/api/me/"
    # A plain HTTP request sent to the TLS port: nginx's JSON, not its HTML page.
    response, data = call(http.client.HTTPConnection("127.0.0.1", stack.https_port, timeout=10), "GET", "/api/me/")
    assert_json_error(response, data, 400, "https_required")


def test_upstream_down_is_502_json(stack, tmp_path):
    dead = free_port()  # nothing listens there
    port = free_port()
    nginx = start_nginx(tmp_path / "nginx", f"127.0.0.1:{port}", [f"127.0.0.1:{dead}"])
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        response, data = call(conn, "POST", "/api/deliveries/", b"{}")
        assert_json_error(response, data, 502, "upstream_unavailable")
        assert response.getheader("Retry-After") == "5"
        # nginx's own 404 (its internal error URIs) is JSON too.
        response, data = call(http.client.HTTPConnection("127.0.0.1", port, timeout=10), "GET", "/_lpg_error/502")
        assert_json_error(response, data, 404, "not_found")
    finally:
        stop(nginx)
