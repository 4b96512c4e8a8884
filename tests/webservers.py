"""Real Apache and nginx on 127.0.0.1, configured as docs/publishing.md tells a user to deploy
``dist/site``, for the conneg tests (tests/test_webservers.py).

Each server runs from a private folder with a minimal configuration of its own (no system
configuration is read or changed), on a free port, and as an unprivileged user: when the tests
run as root the servers are started as ``nobody``, so the folder and the site in it are made
readable (and the folder writable) for that user. A missing binary skips its tests with the
package to install; ``.ci/run`` installs both.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import free_port, wait_until_up

ROOT = Path(__file__).resolve().parent.parent
APACHE_MODULES = Path("/usr/lib/apache2/modules")


def allow_override() -> str:
    """The ``AllowOverride`` line docs/publishing.md tells Apache users to set, word for word."""
    docs = (ROOT / "docs" / "publishing.md").read_text(encoding="utf-8")
    found = re.findall(r"AllowOverride [A-Za-z=, ]+?(?=`)", docs)
    assert len(set(found)) == 1, f"docs/publishing.md names {found or 'no'} AllowOverride; want exactly one"
    return found[0]


def binary(name: str, package: str) -> str:
    """The server's executable (also where Debian keeps it off the PATH), else skip saying how to install it."""
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if found is None:
        pytest.skip(f"{name} is not installed: apt-get install {package} (.ci/run does)")
    return found


def _as_user() -> dict:
    """Popen arguments that drop root to ``nobody`` (nothing when not root)."""
    if os.geteuid() != 0:
        return {}
    nobody = pwd.getpwnam("nobody")
    return {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}


def private_folder(path: Path) -> Path:
    """A folder the server's user can write (its logs, pid) and read, on a path it can walk."""
    path.mkdir(parents=True)
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        os.chown(path, nobody.pw_uid, nobody.pw_gid)
    for parent in [path, *path.parents]:
        if parent == Path("/"):
            break
        mode = parent.stat().st_mode
        if not mode & 0o001:
            parent.chmod(mode | 0o005)  # the server's user walks in and lists
    return path


def _end(proc: subprocess.Popen) -> None:
    """Kill the server (one process, no state to keep: ``apache2 -X`` ignores SIGTERM while it waits)."""
    proc.kill()
    proc.wait(timeout=30)


@contextmanager
def apache(folder: Path, sites: dict[int, tuple[Path, str]]) -> Iterator[None]:
    """``apache2 -X`` listening on each port of ``sites``: ``{port: (document root, AllowOverride line)}``."""
    exe = binary("apache2", "apache2")
    modules = ["mpm_prefork", "authz_core", "mime", "rewrite", "headers", "alias"]
    lines = [
        f"ServerRoot {folder}",
        "ServerName 127.0.0.1",
        f"PidFile {folder}/httpd.pid",
        f"DefaultRuntimeDir {folder}",
        f"ErrorLog {folder}/error.log",
        "LogLevel warn",
        *(f"LoadModule {m}_module {APACHE_MODULES}/mod_{m}.so" for m in modules),
        "TypesConfig /dev/null",
        "<Directory />\n  AllowOverride None\n  Require all denied\n</Directory>",
        "AccessFileName .htaccess",
        "KeepAlive Off",  # -X is one process: a kept-alive client would hold it from the other port
    ]
    for port, (root, override) in sites.items():
        lines += [
            f"Listen 127.0.0.1:{port}",
            f"<VirtualHost 127.0.0.1:{port}>\n  DocumentRoot {root}\n"
            f"  <Directory {root}>\n    Options FollowSymLinks\n    {override}\n    Require all granted\n"
            "  </Directory>\n</VirtualHost>",
        ]
    conf = folder / "httpd.conf"
    conf.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = subprocess.Popen(
        [exe, "-X", "-f", str(conf), "-d", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        **_as_user(),
    )
    try:
        for port in sites:
            wait_until_up(f"http://127.0.0.1:{port}/", proc)
        yield
    finally:
        _end(proc)


@contextmanager
def nginx(folder: Path, port: int, root: Path, site: Path) -> Iterator[None]:
    """nginx on ``port`` with ``root``, including the site's ``nginx/http.conf`` in ``http {}`` and
    its ``nginx/server.conf`` in ``server {}``, as docs/publishing.md says."""
    exe = binary("nginx", "nginx")
    temp = " ".join(f"{k}_temp_path {folder}/{k};" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    conf = folder / "nginx.conf"
    conf.write_text(
        f"daemon off;\nmaster_process off;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log warn;\n"
        "events { worker_connections 64; }\n"
        f"http {{\n  access_log off;\n  {temp}\n  include {site}/nginx/http.conf;\n"
        f"  server {{\n    listen 127.0.0.1:{port};\n    root {root};\n"
        f"    include {site}/nginx/server.conf;\n  }}\n}}\n",
        encoding="utf-8",
    )
    proc = subprocess.Popen(
        [exe, "-c", str(conf), "-p", str(folder), "-e", str(folder / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        **_as_user(),
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/", proc)
        yield
    finally:
        _end(proc)


__all__ = ["allow_override", "apache", "free_port", "nginx", "private_folder"]
