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
