"""Two processes edit one hosts file at the same time, in a loop: no edit may be lost.

Each process adds its own names one by one (and removes every other one again),
so a read-modify-write that raced with the other process would drop the other's
line. Runs for the atomic rename path, the in-place path (a bind-mounted
/etc/hosts refuses the rename with EBUSY, unsafe_writes allows the in-place
write) and a mix of both.
"""

from __future__ import annotations

import errno
import multiprocessing
import os

import pytest
from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.testing import patch_module_args
from ansible_collections.localdev.kube.plugins.module_utils.hosts_file import HostsFile
from ansible_collections.localdev.kube.plugins.module_utils.hosts_file_io import edit_hosts_file

ROUNDS = 60
HEADER = b"127.0.0.1\tlocalhost\r\n# user comment\r\n::1 localhost ip6-localhost\r\n"


def refuse_renames_onto(path):
    """In this (forked) process, rename(2) onto ``path`` fails as on a bind mount."""
    real_rename = os.rename

    def rename(src, dst, *args, **kwargs):
        if os.fsdecode(dst) == path:
            raise OSError(errno.EBUSY, os.strerror(errno.EBUSY))
        return real_rename(src, dst, *args, **kwargs)

    os.rename = rename


def worker(path, remote_tmp, tag, method, start, errors):
    try:
        with patch_module_args({"_ansible_remote_tmp": remote_tmp}):
            module = AnsibleModule(argument_spec={})
        in_place = method == "in-place"
        if in_place:
            refuse_renames_onto(path)
        start.wait(10)
        for i in range(ROUNDS):
            name = f"{tag}-{i}.test"
            ip = f"10.{1 if tag == 'a' else 2}.{i // 250}.{i % 250 + 1}"
            outcome = edit_hosts_file(
                module, path, lambda h, ip=ip, name=name: h.ensure_present(ip, [name]), unsafe_writes=in_place
            )
            assert outcome.method == method, outcome.method
            if i % 2:
                edit_hosts_file(module, path, lambda h, name=name: h.ensure_absent([name]), unsafe_writes=in_place)
    except Exception as err:  # reported to the parent
        errors.put(f"{tag}: {type(err).__name__}: {err}")


@pytest.mark.parametrize(
    ("method_a", "method_b"),
    [("rename", "rename"), ("in-place", "in-place"), ("rename", "in-place")],
    ids=["rename", "in-place", "mixed"],
)
def test_two_processes_lose_no_edit(tmp_path, method_a, method_b):
    path = tmp_path / "etc" / "hosts"
    path.parent.mkdir()
    path.write_bytes(HEADER)
    remote_tmp = tmp_path / "remote-tmp"
    remote_tmp.mkdir()
    ctx = multiprocessing.get_context("fork")
    start = ctx.Event()
    errors = ctx.Queue()
    procs = [
        ctx.Process(target=worker, args=(str(path), str(remote_tmp), "a", method_a, start, errors)),
        ctx.Process(target=worker, args=(str(path), str(remote_tmp), "b", method_b, start, errors)),
    ]
    for proc in procs:
        proc.start()
    start.set()
    for proc in procs:
        proc.join(120)
    assert [proc.exitcode for proc in procs] == [0, 0]
    assert errors.empty(), errors.get()

    data = path.read_bytes()
    assert data.startswith(HEADER)
    hosts = HostsFile.from_bytes(data)
    names = sorted(name for line in hosts.managed() for name in line.names)
    expected = sorted(f"{tag}-{i}.test" for tag in "ab" for i in range(0, ROUNDS, 2))
    assert names == expected
    # Every line kept the file's CRLF ending; nothing was duplicated.
    assert all(line.ending == "\r\n" for line in hosts.lines)
    assert len(hosts.lines) == 3 + ROUNDS
    # No temporary file of either writer is left next to the file.
    assert sorted(p.name for p in path.parent.iterdir()) == ["hosts"]
