"""The PWA is served by Django under /app/ on the API's origin."""

import pytest
from django.test import Client


@pytest.fixture
def dist(tmp_path, settings):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>LPG driver</title>")
    (tmp_path / "sw.js").write_text("self.addEventListener('install', () => {})")
    (tmp_path / "manifest.webmanifest").write_text('{"name": "LPG"}')
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log(1)")
    settings.FRONTEND_DIST = tmp_path
    return tmp_path


def test_app_shell_files_are_served_fresh(dist):
    client = Client()  # a new client loads the middleware with this dist folder
    index = client.get("/app/")
    assert index.status_code == 200 and b"LPG driver" in b"".join(index.streaming_content)
    assert index["Cache-Control"] == "no-cache"
    sw = client.get("/app/sw.js")
    assert sw.status_code == 200 and sw["Cache-Control"] == "no-cache"
    manifest = client.get("/app/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json" and manifest["Cache-Control"] == "no-cache"
    asset = client.get("/app/assets/index-abc123.js")
    assert asset.status_code == 200 and "no-cache" not in asset.get("Cache-Control", "")


def test_client_routes_get_the_shell(dist):
    response = Client().get("/app/sync")
    assert response.status_code == 200 and b"LPG driver" in b"".join(response.streaming_content)


def test_unbuilt_app_is_a_clear_404(tmp_path, settings):
    settings.FRONTEND_DIST = tmp_path / "missing"
    assert Client().get("/app/").status_code == 404


def test_precompressed_assets_by_accept_encoding_and_cached_for_a_year(dist):
    import gzip

    body = b"console.log('lpg');" * 200
    js = dist / "assets" / "index-B9cD3f_x.js"
    js.write_bytes(body)
    (dist / "assets" / "index-B9cD3f_x.js.gz").write_bytes(gzip.compress(body))
    brotli_bytes = b"\x1b\x97\x0e\x00 made by the build, served as is"
    (dist / "assets" / "index-B9cD3f_x.js.br").write_bytes(brotli_bytes)
    client = Client()
    br = client.get("/app/assets/index-B9cD3f_x.js", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert br["Content-Encoding"] == "br" and "Accept-Encoding" in br["Vary"]
    assert b"".join(br.streaming_content) == brotli_bytes  # never compressed at request time
    gz = client.get("/app/assets/index-B9cD3f_x.js", HTTP_ACCEPT_ENCODING="gzip")
    assert gz["Content-Encoding"] == "gzip" and gzip.decompress(b"".join(gz.streaming_content)) == body
    plain = client.get("/app/assets/index-B9cD3f_x.js")
    assert "Content-Encoding" not in plain and b"".join(plain.streaming_content) == body
    for answer in (br, gz, plain):
        assert "immutable" in answer["Cache-Control"] and "max-age=315360000" in answer["Cache-Control"]
    assert client.get("/app/sw.js", HTTP_ACCEPT_ENCODING="br")["Cache-Control"] == "no-cache"


def test_customer_app_has_its_own_shell(dist):
    (dist / "customer").mkdir()
    (dist / "customer" / "index.html").write_text("<!doctype html><title>LPG Orders</title>")
    (dist / "customer" / "manifest.webmanifest").write_text('{"name": "LPG Orders"}')
    client = Client()
    for url in ("/app/customer/", "/app/customer/orders"):
        response = client.get(url)
        assert response.status_code == 200 and response["Cache-Control"] == "no-cache"
        assert b"LPG Orders" in b"".join(response.streaming_content)
    manifest = client.get("/app/customer/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json" and manifest["Cache-Control"] == "no-cache"
    driver = client.get("/app/")
    assert b"LPG driver" in b"".join(driver.streaming_content)


def test_build_manifest_is_not_served(dist):
    (dist / ".vite").mkdir()
    (dist / ".vite" / "manifest.json").write_text('{"index.html": {"file": "assets/driver-abc123.js"}}')
    client = Client()
    response = client.get("/app/.vite/manifest.json")  # an unknown /app/ path: the app shell, not the file
    assert b"driver-abc123" not in b"".join(response.streaming_content)
    assert response["Content-Type"].startswith("text/html")
    assert client.get("/app/assets/index-abc123.js").status_code == 200
