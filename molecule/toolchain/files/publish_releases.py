"""Publish the real minikube, kubectl and helm binaries in their official release layouts.

The official downloads cannot be reached in the tests, so the toolchain scenario
serves the binaries tests/env built (or downloaded) for this machine from a local
HTTP server, laid out as the release sites lay them out, with their checksum
files, for this host's platform:

  <out>/www/good/minikube/releases/<v>/minikube-<os>-<arch>   + .sha256   (digest only)
  <out>/www/good/kubectl/release/<v>/bin/<os>/<arch>/kubectl  + .sha256   (digest only)
  <out>/www/good/helm/helm-<v>-<os>-<arch>.tar.gz             + .sha256sum ("<digest>  <file name>")
  <out>/www/tampered/...  the same files with one byte changed after their checksums were published
  <out>/www/wrong/...     each binary under the URL of another version, with a correct checksum:
                          a mirror that serves the wrong release
  <out>/versions.json     {"good": {tool: version}, "wrong": {tool: version}}

The versions are what the binaries report, so the scenario pins exactly those.

Usage: python publish_releases.py OUT_DIR OS ARCH MINIKUBE KUBECTL HELM
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
import sys
import tarfile
from pathlib import Path

VERSION_COMMANDS = {
    "minikube": ["version", "--short"],
    "kubectl": ["version", "--client", "-o", "json"],
    "helm": ["version", "--template", "{{.Version}}"],
}


def reported_version(tool: str, binary: Path) -> str:
    command = [str(binary), *VERSION_COMMANDS[tool]]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603 - our own binaries
    if tool == "kubectl":
        return json.loads(out)["clientVersion"]["gitVersion"]
    return out.strip()


def another_version(version: str) -> str:
    """A release tag that is not `version`: the previous minor's .0 (or the next minor's on a .0 minor)."""
    major, minor, _patch = (int(part) for part in re.match(r"v(\d+)\.(\d+)\.(\d+)", version).groups())
    return f"v{major}.{minor - 1 if minor else minor + 1}.0"


def helm_archive(binary: bytes, platform: str) -> bytes:
    """helm-<v>-<platform>.tar.gz as the release has it: <platform>/helm beside its LICENSE and README."""
    buffer = io.BytesIO()
    members = ((f"{platform}/helm", binary, 0o755), (f"{platform}/LICENSE", b"Apache License 2.0\n", 0o644))
    members += ((f"{platform}/README.md", b"# Helm\n", 0o644),)
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data, mode in members:
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), mode, 1700000000
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def release_path(tool: str, version: str, os_name: str, arch: str) -> Path:
    if tool == "minikube":
        return Path("minikube", "releases", version, f"minikube-{os_name}-{arch}")
    if tool == "kubectl":
        return Path("kubectl", "release", version, "bin", os_name, arch, "kubectl")
    return Path("helm", f"helm-{version}-{os_name}-{arch}.tar.gz")


def publish(www: Path, tree: str, tool: str, version: str, content: bytes, os_name: str, arch: str) -> None:
    path = www / tree / release_path(tool, version, os_name, arch)
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(content).hexdigest()
    if tool == "helm":
        path.with_name(path.name + ".sha256sum").write_text(f"{digest}  {path.name}\n")
    else:
        path.with_name(path.name + ".sha256").write_text(digest)
    if tree == "tampered":
        middle = len(content) // 2
        content = content[:middle] + bytes([content[middle] ^ 0xFF]) + content[middle + 1 :]
    path.write_bytes(content)
    path.chmod(0o644)  # as a web server hands it out: not executable


def main(argv: list[str]) -> int:
    out, os_name, arch = Path(argv[1]), argv[2], argv[3]
    binaries = dict(zip(("minikube", "kubectl", "helm"), (Path(arg) for arg in argv[4:7]), strict=True))
    versions = {"good": {}, "wrong": {}}
    for tool, binary in binaries.items():
        version = reported_version(tool, binary)
        content = binary.read_bytes()
        if tool == "helm":
            content = helm_archive(content, f"{os_name}-{arch}")
        versions["good"][tool] = version
        versions["wrong"][tool] = another_version(version)
        for tree in ("good", "tampered"):
            publish(out / "www", tree, tool, version, content, os_name, arch)
        publish(out / "www", "wrong", tool, versions["wrong"][tool], content, os_name, arch)
    (out / "versions.json").write_text(json.dumps(versions, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
