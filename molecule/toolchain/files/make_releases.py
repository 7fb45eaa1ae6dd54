"""Lay out release-shaped minikube, kubectl and helm files for the toolchain scenario.

The official downloads cannot be reached in the tests, so this writes small
shell-script "releases" that answer the version commands like the real tools,
in the official URL layouts, with their checksum files, for every platform the
role installs on:

  <out>/good/minikube/releases/<v>/minikube-<os>-<arch>      + .sha256   (digest only)
  <out>/good/kubectl/release/<v>/bin/<os>/<arch>/kubectl     + .sha256   (digest only)
  <out>/good/helm/helm-<v>-<os>-<arch>.tar.gz                + .sha256sum ("<digest>  <file name>")
  <out>/tampered/...   the same files changed after their checksums were published
  <out>/wrong/...      correct checksums, but each executable reports another version
  <out>/old-bin/kubectl  an old kubectl (v1.20.0) to put on PATH

Usage: python make_releases.py OUT_DIR MINIKUBE_VERSION KUBECTL_VERSION HELM_VERSION
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
import tarfile
from pathlib import Path

PLATFORMS = [("linux", "amd64"), ("linux", "arm64"), ("darwin", "amd64"), ("darwin", "arm64")]


def script(tool, version):
    """A POSIX sh program answering `<tool> version ...` as the real one does."""
    if tool == "kubectl":
        client = {"gitVersion": version, "platform": "fake"}
        answer = json.dumps({"clientVersion": client, "kustomizeVersion": "v5.7.1"})
    elif tool == "helm":
        answer = f"{version}+gfake0000"
    else:
        answer = version
    return (
        "#!/bin/sh\n"
        f"# Stand-in for {tool} {version} in the localdev.kube toolchain tests.\n"
        'case "$1" in\n'
        f"  version) echo '{answer}' ;;\n"
        f'  *) echo "fake {tool}: $*" >&2; exit 1 ;;\n'
        "esac\n"
    ).encode()


def helm_archive(content, os_name, arch):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data, mode in ((f"{os_name}-{arch}/helm", content, 0o755), (f"{os_name}-{arch}/LICENSE", b"", 0o644)):
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), mode, 1700000000
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def publish(root, kind, versions):
    """One release tree: 'good', 'tampered' or 'wrong'."""
    for os_name, arch in PLATFORMS:
        for tool, version in versions.items():
            reported = "v9.9.9" if kind == "wrong" else version
            content = script(tool, reported)
            if tool == "minikube":
                path = root / kind / "minikube" / "releases" / version / f"minikube-{os_name}-{arch}"
            elif tool == "kubectl":
                path = root / kind / "kubectl" / "release" / version / "bin" / os_name / arch / "kubectl"
            else:
                path = root / kind / "helm" / f"helm-{version}-{os_name}-{arch}.tar.gz"
                content = helm_archive(content, os_name, arch)
            digest = hashlib.sha256(content).hexdigest()
            if tool == "helm":
                write(path.with_name(path.name + ".sha256sum"), f"{digest}  {path.name}\n".encode())
            else:
                write(path.with_name(path.name + ".sha256"), digest.encode())
            if kind == "tampered":
                content = content + b"\n# changed after the checksum was published\n"
            write(path, content)
            path.chmod(0o644)  # as a web server would hand it out: not executable


def main(argv):
    out, minikube, kubectl, helm = Path(argv[1]), argv[2], argv[3], argv[4]
    versions = {"minikube": minikube, "kubectl": kubectl, "helm": helm}
    for kind in ("good", "tampered", "wrong"):
        publish(out / "www", kind, versions)
    old = out / "old-bin" / "kubectl"
    write(old, script("kubectl", "v1.20.0"))
    old.chmod(0o755)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
