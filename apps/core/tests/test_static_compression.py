"""Django's static files (the admin's CSS, the invoice stylesheet): hashed
names, precompressed with gzip and brotli by collectstatic, served by
WhiteNoise with the compressed body and a far-future immutable cache header."""

import importlib
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings

MANIFEST = "whitenoise.storage.CompressedManifestStaticFilesStorage"
ONE_YEAR = 365 * 24 * 60 * 60


@pytest.mark.parametrize("module", ["config.settings.local", "config.settings.production"])
def test_the_run_modes_that_serve_static_files_hash_and_compress_them(module, monkeypatch):
    # production reads these from the environment (the audit key must differ from the secret)
    for name, value in (("SECRET_KEY", "x" * 50), ("ALLOWED_HOSTS", "lpg.example"), ("AUDIT_HMAC_KEY", "h" * 48)):
        monkeypatch.setenv(name, value)
    run_mode = importlib.import_module(module)
    assert run_mode.STORAGES["staticfiles"]["BACKEND"] == MANIFEST
    assert "apps.core.pwa.PWAWhiteNoiseMiddleware" in run_mode.MIDDLEWARE
    importlib.import_module("brotli")  # WhiteNoise writes .br files only when brotli is installed


@pytest.mark.django_db
def test_a_hashed_static_file_is_served_compressed_and_immutable(tmp_path):
    root = tmp_path / "static"
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST}}
    with override_settings(STATIC_ROOT=root, STORAGES=storages, DEBUG=False):
        # the admin's CSS and images and the invoice stylesheet; the big API-docs bundles are left out for speed
        call_command(
            "collectstatic", interactive=False, verbosity=0,
            ignore_patterns=["drf_spectacular_sidecar", "rest_framework", "js", "fonts"],
        )  # fmt: skip
        hashed = [p for p in (root / "admin" / "css").iterdir() if re.fullmatch(r"base\.[0-9a-f]{12}\.css", p.name)]
        assert len(hashed) == 1
        css = hashed[0]
        assert (css.parent / f"{css.name}.gz").is_file() and (css.parent / f"{css.name}.br").is_file()
        assert (css.parent / f"{css.name}.br").stat().st_size < css.stat().st_size / 2

        client = Client()  # a new handler: WhiteNoise scans the new STATIC_ROOT
        url = f"/static/admin/css/{css.name}"
        for encoding in ("br", "gzip"):
            response = client.get(url, HTTP_ACCEPT_ENCODING=f"{encoding}, deflate")
            assert response.status_code == 200
            assert response["Content-Encoding"] == encoding
            assert response["Content-Type"].startswith("text/css")
            cache = response["Cache-Control"]
            assert "immutable" in cache and "public" in cache
            assert int(re.search(r"max-age=(\d+)", cache).group(1)) >= ONE_YEAR
            body = b"".join(response.streaming_content)
            assert body == (css.parent / f"{css.name}.{'br' if encoding == 'br' else 'gz'}").read_bytes()
        plain = client.get(url)
        assert "Content-Encoding" not in plain and b"".join(plain.streaming_content) == css.read_bytes()
        # the unhashed name is not immutable: a short cache
        unhashed = client.get("/static/admin/css/base.css", HTTP_ACCEPT_ENCODING="br")
        assert unhashed.status_code == 200 and "immutable" not in unhashed["Cache-Control"]
