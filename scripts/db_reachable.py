"""Exit 0 when the database named by the URL accepts a connection (server
reachable); used by `make test` to decide which backends to run."""

import sys
from urllib.parse import urlparse


def main(url: str) -> int:
    parts = urlparse(url)
    try:
        if parts.scheme.startswith("mysql"):
            try:
                import MySQLdb
            except ImportError:
                print("mysqlclient is not installed (no MariaDB/MySQL client headers when `make install` ran: "
                      "sudo apt-get install build-essential pkg-config libmariadb-dev)", file=sys.stderr)  # fmt: skip
                return 1

            MySQLdb.connect(host=parts.hostname, port=parts.port or 3306, user=parts.username or "root",
                            passwd=parts.password or "", connect_timeout=3).close()  # fmt: skip
        elif parts.scheme.startswith("postgres"):
            import psycopg

            psycopg.connect(host=parts.hostname, port=parts.port or 5432, user=parts.username or "postgres",
                            password=parts.password, dbname="postgres", connect_timeout=3).close()  # fmt: skip
        else:
            return 1
    except Exception as exc:
        print(f"{parts.scheme} not reachable: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
