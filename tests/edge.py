"""The edge as the tests and the benchmark run it: Debian's nginx (`make nginx`) with the
repo's services/edge/warta.conf.template, rendered for their own ports as the official image
renders it for compose's, inside a main configuration of their own."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from warta.embedded_redis import free_port

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "services" / "edge" / "warta.conf.template"
PLACEHOLDER = re.compile(r"\$\{(WARTA_[A-Z_]+)\}")

# As the official image's nginx.conf has it, less what the tests need elsewhere.
MAIN = """daemon off;
worker_processes auto;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/*.conf.rendered;
}}
"""


def render(template: str, values: dict[str, str]) -> str:
    """The template with each ${WARTA_...} replaced, as envsubst does in the nginx image."""
    missing = set(PLACEHOLDER.findall(template)) - set(values)
    if missing:
        raise ValueError(f"no value for {sorted(missing)}")
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], template)


class Edge:
    """nginx with the edge's configuration in front of `ingest` and `feed` (host:port)."""

    def __init__(self, ingest: str, feed: str, extra_config: str = "") -> None:
        if shutil.which("nginx") is None:
            raise RuntimeError("the edge needs Debian's nginx: `make nginx`")
        self.port = free_port(0)
        self.url = f"http://127.0.0.1:{self.port}"
        # Its own folder, which nginx's workers (nobody, when started as root) can use.
        self.folder = Path(tempfile.mkdtemp(prefix="warta-edge-"))
        self.folder.chmod(0o755)
        values = {
            "WARTA_EDGE_PORT": f"127.0.0.1:{self.port}",
            "WARTA_INGEST": ingest,
            "WARTA_FEED": feed,
            "WARTA_RESOLVER": "127.0.0.1",
            "WARTA_EDGE_CACHE": str(self.folder / "cache"),
        }
        (self.folder / "warta.conf.rendered").write_text(render(TEMPLATE.read_text(), values))
        if extra_config:
            (self.folder / "extra.conf.rendered").write_text(extra_config)
        (self.folder / "nginx.conf").write_text(MAIN.format(folder=self.folder))
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        argv = ["nginx", "-c", str(self.folder / "nginx.conf"), "-p", str(self.folder)]
        checked = subprocess.run([*argv, "-t"], capture_output=True, text=True)
        if checked.returncode != 0:
            raise RuntimeError(checked.stderr)
        self.process = subprocess.Popen(argv, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/.problems/404", timeout=1)  # noqa: S310
            except urllib.error.HTTPError:
                return  # it answers (404: the page is internal)
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def errors(self) -> str:
        log = self.folder / "error.log"
        return log.read_text() if log.exists() else ""

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()  # nginx: fast shutdown
            self.process.wait(10)
            self.process = None
        shutil.rmtree(self.folder, ignore_errors=True)
