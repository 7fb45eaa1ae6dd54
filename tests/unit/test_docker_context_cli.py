"""The .dockerignore corpus replayed against the real Docker CLI.

`docker build` (classic builder) applies .dockerignore on the client and
uploads the context as a tar. A tiny HTTP server on a Unix socket stands in
for the daemon's /build endpoint only to capture that upload: the file list
the CLI sends is then compared with the corpus's "sent" column for every
case, so the differences the corpus documents between the CLI and
community.docker.docker_image (whose file list the tag hashes) are real. No
daemon, image or network is involved; the Docker CLI is required.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import socketserver
import subprocess
import tarfile
import tempfile
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from ansible_collections.localdev.kube.plugins.module_utils import docker_context as dc
from test_docker_context import CASE_IDS, CASES, make_context


class _Capture(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    uploads: list[list[str]]

    def log_message(self, *args):
        pass

    def _reply(self, body: bytes, content_type: str = "text/plain") -> None:
        self.send_response(200)
        self.send_header("Api-Version", "1.41")
        self.send_header("Ostype", "linux")
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_HEAD(self):
        self._reply(b"")

    def do_GET(self):
        self._reply(b"OK")

    def do_POST(self):
        if self.headers.get("Transfer-Encoding") == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().strip(), 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            data = b"".join(chunks)
        else:
            data = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            self.server.uploads.append(sorted(member.name.rstrip("/") for member in tar))
        body = json.dumps({"error": "context captured", "errorDetail": {"message": "context captured"}})
        self._reply(body.encode() + b"\n", "application/json")


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def get_request(self):
        return super().get_request()[0], ("local", 0)


@pytest.fixture(scope="module")
def fake_daemon():
    docker = shutil.which("docker")
    if not docker:
        pytest.fail("the Docker CLI (docker) is not on PATH: run tests/env/docker.sh (installs docker.io)")
    workdir = tempfile.mkdtemp(prefix="ldk-cli-")
    socket_path = os.path.join(workdir, "d.sock")
    server = _Server(socket_path, _Capture)
    server.uploads = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": workdir,
        "DOCKER_CONFIG": os.path.join(workdir, "config"),
        "DOCKER_HOST": f"unix://{socket_path}",
        "DOCKER_BUILDKIT": "0",
        "DOCKER_API_VERSION": "1.41",
    }
    yield docker, env, server
    server.shutdown()
    server.server_close()
    shutil.rmtree(workdir, ignore_errors=True)


def cli_upload(fake_daemon, root: Path, dockerfile: str = "Dockerfile"):
    """Run `docker build` on root; return (the names it uploaded or None, the CLI's output)."""
    docker, env, server = fake_daemon
    before = len(server.uploads)
    proc = subprocess.run(
        [docker, "build", "-t", "ldk-cli-oracle:test", "-f", str(root / dockerfile), str(root)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    uploaded = server.uploads[before] if len(server.uploads) > before else None
    return uploaded, proc.stdout + proc.stderr


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_cli_sends_what_the_corpus_says(fake_daemon, tmp_path, case):
    root = make_context(tmp_path / "ctx", case)
    uploaded, output = cli_upload(fake_daemon, root, case.get("dockerfile", "Dockerfile"))
    assert uploaded is not None, output
    assert uploaded == sorted(case["sent"])


# The CLI's reading of odd patterns, and docker_image's (what the tag hashes).
@pytest.mark.parametrize(
    ("ignore", "files", "cli_sends", "docker_image_sends"),
    [
        ("a^b\n", ["a^b", "c"], ["c"], ["c"]),
        ("a^*\n", ["a^b", "c"], ["a^b", "c"], ["c"]),  # moby's regexp reads ^ as an anchor
        ("a[[]b\n", ["a[b", "c"], ["c"], ["c"]),
        ("fo[!o]\n", ["fo!", "foo", "fox"], ["fox"], ["foo"]),  # "!" negates only in fnmatch
    ],
)
def test_odd_patterns(fake_daemon, tmp_path, ignore, files, cli_sends, docker_image_sends):
    root = make_context(tmp_path / "ctx", {"ignore": ignore, "files": files})
    uploaded, output = cli_upload(fake_daemon, root)
    assert uploaded == [".dockerignore", "Dockerfile", *cli_sends], output
    assert dc.context_digest(str(root))["entries"] == [".dockerignore", "Dockerfile", *docker_image_sends]


# The CLI refuses these patterns; docker_image builds with them (matching
# nothing), so the tag is computed and the build goes on.
@pytest.mark.parametrize("ignore", ["[\n", "src/[a\n", "[]\n", "a\\\n", "!\n"])
def test_patterns_only_the_cli_refuses(fake_daemon, tmp_path, ignore):
    root = make_context(tmp_path / "ctx", {"ignore": ignore, "files": ["a"]})
    uploaded, output = cli_upload(fake_daemon, root)
    assert uploaded is None, f"the CLI sent a context for {ignore!r}: {output}"
    assert dc.context_digest(str(root))["entries"] == [".dockerignore", "Dockerfile", "a"]
