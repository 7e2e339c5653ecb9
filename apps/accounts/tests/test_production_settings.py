"""config.settings.production passes ``manage.py check --deploy`` with no
warning at all, given the secrets it requires in the environment."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _check(extra_env: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECRET_KEY", "ALLOWED_HOSTS"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DATABASE_URL": f"sqlite:///{ROOT / 'var' / 'deploy-check.sqlite3'}",
            **extra_env,
        }
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_check_deploy_passes_without_warnings():
    result = _check({"SECRET_KEY": secrets.token_urlsafe(64), "ALLOWED_HOSTS": "lpg.example.com",
                     "AUDIT_HMAC_KEY": secrets.token_urlsafe(48)})  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _check({"ALLOWED_HOSTS": "lpg.example.com"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
