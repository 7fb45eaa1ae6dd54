"""Two processes edit one hosts file at the same time, in a loop: no edit may be lost.

Each process adds its own names one by one (and removes every other one again),
so a read-modify-write that raced with the other process would drop the other's
line. Runs for the atomic rename path, the in-place path (bind-mounted
/etc/hosts, WSL) and a mix of both.
"""

from __future__ import annotations

import multiprocessing

import pytest
from ansible_collections.localdev.kube.plugins.module_utils.hosts_file import HostsFile, edit_hosts_file

ROUNDS = 60
HEADER = b"127.0.0.1\tlocalhost\r\n# user comment\r\n::1 localhost ip6-localhost\r\n"


def worker(path, tag, atomic, start, errors):
    try:
        start.wait(10)
        for i in range(ROUNDS):
            name = f"{tag}-{i}.test"
            ip = f"10.{1 if tag == 'a' else 2}.{i // 250}.{i % 250 + 1}"
            edit_hosts_file(path, lambda h, ip=ip, name=name: h.ensure_present(ip, [name]), atomic=atomic)
            if i % 2:
                edit_hosts_file(path, lambda h, name=name: h.ensure_absent([name]), atomic=atomic)
    except Exception as err:  # reported to the parent
        errors.put(f"{tag}: {type(err).__name__}: {err}")


@pytest.mark.parametrize(
    ("atomic_a", "atomic_b"), [(True, True), (False, False), (True, False)], ids=["rename", "in-place", "mixed"]
)
def test_two_processes_lose_no_edit(tmp_path, atomic_a, atomic_b):
    path = tmp_path / "hosts"
    path.write_bytes(HEADER)
    ctx = multiprocessing.get_context("fork")
    start = ctx.Event()
    errors = ctx.Queue()
    procs = [
        ctx.Process(target=worker, args=(str(path), "a", atomic_a, start, errors)),
        ctx.Process(target=worker, args=(str(path), "b", atomic_b, start, errors)),
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
