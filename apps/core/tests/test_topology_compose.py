"""docker-compose.yml mirrors the topology `make prod-up` runs (the docker
engine cannot run here, so the file is checked by reading it): the same nginx
template, gunicorn and MariaDB configs, two web services behind nginx, a
primary and a replica, Redis, worker, beat, health checks and required secrets."""

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_services_mirror_the_topology():
    services = compose()["services"]
    assert {"nginx", "web1", "web2", "db", "replica", "redis", "worker", "beat", "migrate"} <= set(services)
    for name in ("nginx", "web1", "web2", "db", "replica", "redis", "worker", "beat"):
        assert "healthcheck" in services[name], name
    for name in ("web1", "web2"):
        assert services[name]["command"][:3] == ["gunicorn", "-c", "deploy/gunicorn.conf.py"]
        assert "ports" not in services[name]  # only through nginx
        assert services[name]["environment"]["DATABASE_REPLICA_URL"].startswith("mysql://lpg:")
        assert "@replica:3306/" in services[name]["environment"]["DATABASE_REPLICA_URL"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    assert services["replica"]["environment"]["MARIADB_MASTER_HOST"] == "db"
    assert "--replication_sql" in services["replica"]["healthcheck"]["test"]


def test_bind_mounts_are_the_files_prod_up_uses():
    services = compose()["services"]
    mounts = {
        name: [v.split(":")[0] for v in svc.get("volumes", []) if v.startswith("./")] for name, svc in services.items()
    }
    assert mounts["nginx"] == ["./deploy/nginx/lpg.conf.template"]
    assert mounts["db"] == ["./deploy/mariadb/primary.cnf"]
    assert mounts["replica"] == ["./deploy/mariadb/replica.cnf"]
    for paths in mounts.values():
        for path in paths:
            assert (ROOT / path).is_file(), path
    prod_up = (ROOT / "scripts" / "prod-up.sh").read_text()
    assert "deploy/mariadb/$cnf" in prod_up and "deploy/gunicorn.conf.py" in prod_up


def test_nginx_template_variables_are_all_given_in_compose():
    env = compose()["services"]["nginx"]["environment"]
    template = (ROOT / "deploy" / "nginx" / "lpg.conf.template").read_text()
    used = set(re.findall(r"\$\{(LPG_[A-Z_]+)\}", template))
    assert used == {k for k in env if k.startswith("LPG_")}
    assert env["NGINX_ENVSUBST_FILTER"] == "^LPG_"
    # The renderer of `make prod-up` fills in the same names and leaves nginx's own.
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import nginx_conf
    finally:
        sys.path.pop(0)
    site = nginx_conf.render_site("80", ["web1:8000", "web2:8000"], 2_621_440)
    assert not re.findall(r"\$\{LPG_[A-Z_]+\}", site)
    assert "$host" in site and "$lpg_request_id" in site
    assert "server web1:8000 max_fails=0; server web2:8000 max_fails=0;" in site  # never marked down
    assert env["LPG_UPSTREAM_SERVERS"] == "server web1:8000 max_fails=0; server web2:8000 max_fails=0;"


def test_secrets_are_required_not_defaulted():
    text = (ROOT / "docker-compose.yml").read_text()
    for name in ("SECRET_KEY", "AUDIT_HMAC_KEY", "DB_PASSWORD", "DB_ROOT_PASSWORD", "REPL_PASSWORD"):
        assert re.search(r"\$\{" + name + r":\?", text), name
        assert not re.search(r"\$\{" + name + r":-", text), name
