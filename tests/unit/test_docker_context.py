"""Unit tests for module_utils/docker_context.py and the docker_context_hash module.

CASES is a corpus of .dockerignore situations with the context the Docker CLI
sends, written from Docker's documentation (docs.docker.com, "Build context",
.dockerignore files) and moby's pattern matcher behaviour, and the paths on
which community.docker.docker_image (what the images role builds with)
differs. Here the digest is checked to hash exactly what docker_image sends;
test_docker_context_cli.py checks the CLI's column against the real CLI, so
every documented difference is one the two clients really have.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from ansible.module_utils.common import warnings as ansible_warnings
from ansible_collections.localdev.kube.plugins.module_utils import docker_context as dc
from ansible_collections.localdev.kube.plugins.modules import docker_context_hash
from ansible_collections.localdev.kube.tests.unit.module_runner import run_main

# name, .dockerignore text (None: no file), files to create ("dir/" = empty dir,
# "link@target" = symlink), Dockerfile path, what the CLI sends, and the paths on
# which community.docker.docker_image disagrees with the CLI.
CASES = [
    {
        "name": "no_dockerignore",
        "ignore": None,
        "files": ["app.py", "pkg/mod.py"],
        "sent": ["Dockerfile", "app.py", "pkg", "pkg/mod.py"],
    },
    {
        # docs: "*/temp*" one level down, "*/*/temp*" two levels down, "temp?" at the root.
        "name": "docs_temp_example",
        "ignore": "# comment\n*/temp*\n*/*/temp*\ntemp?\n",
        "files": [
            "tempa",
            "tempab",
            "temp",
            "somedir/temporary.txt",
            "somedir/temp",
            "somedir/keep.txt",
            "somedir/subdir/temporary.txt",
            "somedir/subdir/keep",
            "a/b/c/temp.txt",
        ],
        "sent": [
            ".dockerignore",
            "Dockerfile",
            "a",
            "a/b",
            "a/b/c",
            "a/b/c/temp.txt",
            "somedir",
            "somedir/keep.txt",
            "somedir/subdir",
            "somedir/subdir/keep",
            "temp",
            "tempab",
        ],
    },
    {
        # docs: "**/*.go" excludes .go files (and directories) at any depth.
        "name": "docs_double_star_go",
        "ignore": "**/*.go\n",
        "files": ["main.go", "cmd/app/main.go", "cmd/app/README", "vendor/x.go/data"],
        "sent": [".dockerignore", "Dockerfile", "cmd", "cmd/app", "cmd/app/README", "vendor"],
    },
    {
        # docs: "*.md" then "!README.md"; "*" does not cross "/".
        "name": "docs_markdown_exception",
        "ignore": "*.md\n!README.md\n",
        "files": ["README.md", "CHANGELOG.md", "docs/guide.md"],
        "sent": [".dockerignore", "Dockerfile", "README.md", "docs", "docs/guide.md"],
    },
    {
        # docs: the last matching line wins.
        "name": "docs_order_exception_then_exclude",
        "ignore": "*.md\n!README*.md\nREADME-secret.md\n",
        "files": ["README.md", "README-dev.md", "README-secret.md", "NOTES.md"],
        "sent": [".dockerignore", "Dockerfile", "README-dev.md", "README.md"],
    },
    {
        "name": "docs_order_exclude_then_exception",
        "ignore": "*.md\nREADME-secret.md\n!README*.md\n",
        "files": ["README.md", "README-dev.md", "README-secret.md", "NOTES.md"],
        "sent": [".dockerignore", "Dockerfile", "README-dev.md", "README-secret.md", "README.md"],
    },
    {
        # docs: the root of the context is both "/" and "."; filepath.Clean applies.
        "name": "leading_trailing_and_doubled_slashes",
        "ignore": "/build/\n./dist\nlogs//today/\n",
        "files": ["build/out.bin", "dist/a.js", "logs/today/x.log", "logs/yesterday/x.log", "src/build/keep"],
        "sent": [
            ".dockerignore",
            "Dockerfile",
            "logs",
            "logs/yesterday",
            "logs/yesterday/x.log",
            "src",
            "src/build",
            "src/build/keep",
        ],
    },
    {
        # A comment needs "#" as the very first character; " #x" is a pattern.
        "name": "comments_and_whitespace",
        "ignore": "# a comment\n #hash.txt\n   spaced.txt   \n\n#*.py\n",
        "files": ["#hash.txt", "spaced.txt", "keep.py"],
        "sent": [".dockerignore", "Dockerfile", "keep.py"],
        "divergent": ["#hash.txt"],
    },
    {
        # An exception naming a path inside an excluded directory makes the walk enter it.
        "name": "exception_inside_excluded_directory",
        "ignore": "node_modules\n!node_modules/keep.js\n",
        "files": ["app.js", "node_modules/a.js", "node_modules/keep.js", "node_modules/sub/b.js"],
        "sent": [".dockerignore", "Dockerfile", "app.js", "node_modules/keep.js"],
    },
    {
        # ...but a wildcard exception does not (moby issue 30018): cache/ is never entered.
        "name": "wildcard_exception_cannot_reach_into_excluded_directory",
        "ignore": "cache\n!**/keep.txt\n",
        "files": ["cache/keep.txt", "cache/x", "keep.txt", "sub/keep.txt"],
        "sent": [".dockerignore", "Dockerfile", "keep.txt", "sub", "sub/keep.txt"],
    },
    {
        # docs: the Dockerfile and .dockerignore are sent even when excluded.
        "name": "exclude_everything_still_sends_build_files",
        "ignore": "*\n",
        "files": ["app.py", "src/x"],
        "sent": [".dockerignore", "Dockerfile"],
    },
    {
        "name": "double_star_alone",
        "ignore": "**\n",
        "files": ["app.py", "src/x"],
        "sent": [".dockerignore", "Dockerfile"],
    },
    {
        "name": "dockerignore_and_dockerfile_excluded_by_name",
        "ignore": ".dockerignore\nDockerfile\nother\n",
        "files": ["other", "kept"],
        "sent": [".dockerignore", "Dockerfile", "kept"],
    },
    {
        "name": "allowlist",
        "ignore": "*\n!src\n!requirements.txt\nsrc/**/__pycache__\n",
        "files": [
            "src/app/__init__.py",
            "src/app/__pycache__/x.pyc",
            "src/__pycache__/y.pyc",
            "requirements.txt",
            "tests/t.py",
        ],
        "sent": [
            ".dockerignore",
            "Dockerfile",
            "requirements.txt",
            "src",
            "src/app",
            "src/app/__init__.py",
        ],
    },
    {
        "name": "dockerfile_inside_excluded_directory",
        "ignore": "build\n",
        "dockerfile": "build/Dockerfile",
        "files": ["build/other", "app.py"],
        "sent": [".dockerignore", "app.py", "build/Dockerfile"],
    },
    {
        # "dir/**" excludes what is inside, not the directory entry itself.
        "name": "directory_contents_only",
        "ignore": "logs/**\n",
        "files": ["logs/a.log", "logs/2024/b.log"],
        "sent": [".dockerignore", "Dockerfile", "logs"],
    },
    {
        "name": "double_star_at_any_depth",
        "ignore": "**/__pycache__\n**/*.pyc\n",
        "files": ["__pycache__/a.pyc", "pkg/__pycache__/b.pyc", "pkg/mod.py", "pkg/mod.pyc", "pkg/deep/er/c.pyc"],
        "sent": [".dockerignore", "Dockerfile", "pkg", "pkg/deep", "pkg/deep/er", "pkg/mod.py"],
    },
    {
        "name": "character_classes_and_question_mark",
        "ignore": "file[0-9].txt\nlog[^a].txt\n?.tmp\n",
        "files": ["file1.txt", "filex.txt", "loga.txt", "logb.txt", "a.tmp", "ab.tmp"],
        "sent": [".dockerignore", "Dockerfile", "ab.tmp", "filex.txt", "loga.txt"],
        # The Docker SDK negates with "!" only: its "[^a]" is the set {^, a}.
        "divergent": ["loga.txt", "logb.txt"],
    },
    {
        # "\\" escapes in the CLI; the Docker SDK has no escapes.
        "name": "escaped_wildcard",
        "ignore": "\\*.txt\n",
        "files": ["*.txt", "a.txt"],
        "sent": [".dockerignore", "Dockerfile", "a.txt"],
        "divergent": ["*.txt"],
    },
    {
        # docs: "For historical reasons, the pattern . is ignored"; ".." elements are cleaned.
        "name": "dot_and_dot_dot_patterns",
        "ignore": ".\n../outside\nsub/../top.txt\n",
        "files": ["top.txt", "sub/x"],
        "sent": [".dockerignore", "Dockerfile", "sub", "sub/x"],
    },
    {
        # The CLI matches case-sensitively; the Docker SDK lower-cases both sides.
        "name": "case_sensitivity",
        "ignore": "*.MD\n",
        "files": ["README.md", "NOTES.MD"],
        "sent": [".dockerignore", "Dockerfile", "README.md"],
        "divergent": ["README.md"],
    },
    {
        # A UTF-8 BOM and CRLF line ends are handled by the CLI; the SDK keeps the BOM in the pattern.
        "name": "bom_and_crlf",
        "ignore": "\ufeffsecret.txt\r\nlogs\r\n",
        "files": ["secret.txt", "logs/x", "app.py"],
        "sent": [".dockerignore", "Dockerfile", "app.py"],
        "divergent": ["secret.txt"],
    },
    {
        # MatchesUsingParentResults: "!dir" was not evaluated for dir (nothing excluded yet), so
        # it does not re-include dir/f; the SDK compares dir/f's parent and does.
        "name": "parent_results_skip_exception",
        "ignore": "*/f\n!dir\n",
        "files": ["dir/f", "dir/g"],
        "sent": [".dockerignore", "Dockerfile", "dir", "dir/g"],
        "divergent": ["dir/f"],
    },
    {
        # "**foo" is a suffix match in moby: it also takes "barfoo".
        "name": "leading_double_star_suffix",
        "ignore": "**foo\n",
        "files": ["foo", "barfoo", "x/barfoo", "foo.txt"],
        "sent": [".dockerignore", "Dockerfile", "foo.txt", "x"],
        "divergent": ["barfoo", "x/barfoo"],
    },
    {
        "name": "symlinks_and_empty_directories",
        "ignore": None,
        "files": ["app.py", "pkg/m.py", "link@app.py", "linkdir@pkg", "empty/"],
        "sent": ["Dockerfile", "app.py", "empty", "link", "linkdir", "pkg", "pkg/m.py"],
    },
    {
        "name": "nested_exception_chain",
        "ignore": "docs\n!docs/api\ndocs/api/private\n",
        "files": ["docs/index.md", "docs/api/a.md", "docs/api/private/p.md", "docs/api/sub/b.md"],
        "sent": [".dockerignore", "Dockerfile", "docs/api", "docs/api/a.md", "docs/api/sub", "docs/api/sub/b.md"],
    },
]
CASE_IDS = [case["name"] for case in CASES]


def make_context(root: Path, case: dict) -> Path:
    """Create the case's files under root; return root."""
    root.mkdir(parents=True, exist_ok=True)
    dockerfile = root / case.get("dockerfile", "Dockerfile")
    dockerfile.parent.mkdir(parents=True, exist_ok=True)
    dockerfile.write_text("FROM scratch\nCOPY . /ctx/\n")
    if case["ignore"] is not None:
        (root / ".dockerignore").write_bytes(case["ignore"].encode())
    for spec in case["files"]:
        if "@" in spec:
            name, target = spec.split("@", 1)
            (root / name).symlink_to(target)
        elif spec.endswith("/"):
            (root / spec).mkdir(parents=True, exist_ok=True)
        else:
            path = root / spec
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"content of {spec}\n")
    return root


def docker_image_paths(case: dict) -> list[str]:
    """What docker_image sends for a corpus case: the CLI's context with the differences flipped."""
    return sorted(set(case["sent"]) ^ set(case.get("divergent", [])), key=os.fsencode)


# ------------------------------------------------------------------ corpus ---


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_corpus_digest_hashes_what_docker_image_sends(tmp_path, case):
    root = make_context(tmp_path / "ctx", case)
    result = dc.context_digest(str(root), dockerfile=case.get("dockerfile", "Dockerfile"))
    assert result["entries"] == docker_image_paths(case)


def test_dockerignore_is_read_as_docker_image_reads_it(tmp_path):
    # Lines trimmed before the comment check; a BOM stays part of the first pattern.
    root = make_context(tmp_path / "ctx", {"ignore": "\ufeffa\r\n# c\n  #not\n b \n\n", "files": []})
    assert dc.read_dockerignore(str(root)) == ["\ufeffa", "b"]
    assert dc.read_dockerignore(str(tmp_path)) == []


# ------------------------------------------------------------------ digest ---

BACKEND = {
    "name": "backend",
    "ignore": "**/__pycache__\n*.log\n.venv\n",
    "files": ["app/main.py", "app/models.py", "requirements.txt", "debug.log", ".venv/bin/python", "app/__pycache__/"],
}


@pytest.fixture
def backend(tmp_path):
    return make_context(tmp_path / "backend", BACKEND)


def digest(root, **kwargs):
    return dc.context_digest(str(root), **kwargs)["digest"]


def test_digest_is_stable_and_independent_of_location_and_mtime(tmp_path, backend):
    first = digest(backend)
    other = make_context(tmp_path / "elsewhere" / "copy", BACKEND)
    os.utime(other / "app" / "main.py", (1, 1))
    assert digest(backend) == first
    assert digest(other) == first


def test_digest_changes_with_sent_content(backend):
    before = digest(backend)
    (backend / "app" / "main.py").write_text("print('changed')\n")
    assert digest(backend) != before


def test_digest_ignores_excluded_files(backend):
    before = digest(backend)
    (backend / "debug.log").write_text("more noise\n")
    (backend / ".venv" / "bin" / "python").write_text("other\n")
    (backend / "app" / "__pycache__" / "main.cpython-311.pyc").write_bytes(b"\0")
    assert digest(backend) == before


def test_digest_changes_with_mode_new_file_and_empty_directory(backend):
    seen = {digest(backend)}
    (backend / "app" / "main.py").chmod(0o755)
    seen.add(digest(backend))
    (backend / "app" / "new.py").write_text("")
    seen.add(digest(backend))
    (backend / "static").mkdir()
    seen.add(digest(backend))
    (backend / "app" / "new.py").rename(backend / "app" / "renamed.py")
    seen.add(digest(backend))
    assert len(seen) == 5


def test_digest_changes_with_symlink_target(tmp_path):
    root = make_context(tmp_path / "ctx", {"ignore": None, "files": ["a", "b", "current@a"]})
    before = digest(root)
    (root / "current").unlink()
    (root / "current").symlink_to("b")
    assert digest(root) != before


def test_digest_changes_with_dockerignore_content(backend):
    # .dockerignore is itself sent, so even a comment changes what the daemon receives.
    before = digest(backend)
    (backend / ".dockerignore").write_text(BACKEND["ignore"] + "# note\n")
    assert digest(backend) != before


def test_digest_covers_build_args_target_and_extra(backend):
    base = digest(backend)
    assert digest(backend, build_args={"A": "1", "B": "2"}) == digest(backend, build_args={"B": "2", "A": 1})
    assert digest(backend, build_args={"A": "1"}) != base
    assert digest(backend, build_args={"A": "1"}) != digest(backend, build_args={"A": "2"})
    assert digest(backend, build_args={"FLAG": True}) == digest(backend, build_args={"FLAG": "True"})
    assert digest(backend, target="runtime") != base
    assert digest(backend, target="runtime") != digest(backend, target="build")
    assert digest(backend, extra={"labels": {"a": "b"}}) != base
    assert digest(backend, build_args={}, target=None, extra=None) == base


def test_dockerfile_outside_the_context_is_hashed(tmp_path, backend):
    outside = tmp_path / "Dockerfile.prod"
    outside.write_text("FROM scratch\n")
    first = dc.context_digest(str(backend), dockerfile=str(outside))
    assert first["dockerfile_in_context"] is False
    assert first["dockerfile"] == str(outside)
    outside.write_text("FROM scratch\nLABEL changed=1\n")
    assert digest(backend, dockerfile=str(outside)) != first["digest"]
    assert digest(backend, dockerfile="../Dockerfile.prod") == digest(backend, dockerfile=str(outside))


def test_dockerfile_name_is_part_of_the_digest(backend):
    (backend / "Dockerfile.dev").write_text((backend / "Dockerfile").read_text())
    assert digest(backend, dockerfile="Dockerfile.dev") != digest(backend)


def test_large_excluded_tree_is_not_walked(tmp_path, monkeypatch):
    root = make_context(tmp_path / "ctx", {"ignore": "node_modules\n", "files": ["node_modules/a/b/c.js", "x.js"]})
    seen = []
    real = os.listdir

    def spy(directory):
        seen.append(os.path.relpath(directory, root))
        return real(directory)

    monkeypatch.setattr(os, "listdir", spy)
    dc.context_digest(str(root))
    assert not any(path.startswith("node_modules") for path in seen), seen


def test_errors_name_the_problem(tmp_path, backend):
    with pytest.raises(dc.DockerContextError, match="is not a directory"):
        dc.context_digest(str(tmp_path / "missing"))
    with pytest.raises(dc.DockerContextError, match=r"Dockerfile .*Dockerfile\.nope does not exist"):
        dc.context_digest(str(backend), dockerfile="Dockerfile.nope")
    (backend / ".dockerignore").write_bytes(b"\xff*.log\n")
    with pytest.raises(dc.DockerContextError, match=r"cannot read .*\.dockerignore as UTF-8 text"):
        dc.context_digest(str(backend))


# ------------------------------------------------------------------ module ---


@pytest.fixture(autouse=True)
def _fresh_warnings():
    ansible_warnings._global_warnings.clear()


def run_module(capsys, **args):
    return run_main(docker_context_hash.main, capsys, args, check_mode=False)


def test_module_returns_tag_and_details(capsys, backend):
    result = run_module(capsys, path=str(backend), build_args={"PY": "3.11"}, target="runtime")
    assert result["changed"] is False
    assert result["digest"] == digest(backend, build_args={"PY": "3.11"}, target="runtime")
    assert result["tag"] == result["digest"][:12]
    assert result["files"] == len(
        ["Dockerfile", ".dockerignore", "app", "app/main.py", "app/models.py", "requirements.txt"]
    )
    assert result["size"] > 0
    assert result["patterns"] == ["**/__pycache__", "*.log", ".venv"]
    assert result["dockerfile"] == str(backend / "Dockerfile")


def test_module_runs_in_check_mode_with_custom_length(capsys, backend):
    result = run_module(capsys, path=str(backend), length=20, _ansible_check_mode=True)
    assert result["tag"] == digest(backend)[:20]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"length": 4}, "length must be between 8 and 64"),
        ({"dockerfile": ""}, "dockerfile must be a non-empty path"),
        ({"dockerfile": "nope"}, "does not exist"),
    ],
)
def test_module_rejects_bad_input(capsys, backend, args, message):
    result = run_module(capsys, path=str(backend), **args)
    assert result["failed"] is True
    assert message in result["msg"]


@pytest.mark.parametrize(
    ("digest", "tag"),
    [
        ("3f9c2a1b7d0e" + "0" * 52, "3f9c2a1b7d0e"),
        # All digits, or digits around one "e", read as numbers in YAML: the next window is used.
        ("123456789012" + "a" + "0" * 51, "23456789012a"),
        ("12e456789012" + "f" + "0" * 51, "2e456789012f"),
        ("1e" + "0" * 10 + "ab" + "0" * 50, "e0000000000a"),
    ],
)
def test_short_tag_never_reads_as_a_number(digest, tag):
    assert dc.short_tag(digest, 12) == tag


def test_short_tag_of_an_all_digit_digest_fails_clearly():
    with pytest.raises(dc.DockerContextError):
        dc.short_tag("1" * 64, 12)


def test_module_hashes_several_contexts_in_one_run(capsys, backend, tmp_path):
    other = make_context(tmp_path / "frontend", {"ignore": None, "files": ["index.html"]})
    result = run_module(
        capsys,
        contexts=[{"path": str(backend), "build_args": {"PY": "3.11"}}, {"path": str(other), "target": "runtime"}],
    )
    assert [c["digest"] for c in result["contexts"]] == [
        digest(backend, build_args={"PY": "3.11"}),
        digest(other, target="runtime"),
    ]
    assert result["contexts"][0]["tag"] == result["contexts"][0]["digest"][:12]
    assert result["contexts"][1]["patterns"] == []


def test_module_names_every_context_it_cannot_hash(capsys, backend, tmp_path):
    result = run_module(capsys, contexts=[{"path": str(tmp_path / "a")}, {"path": str(backend)}, {"path": "/nope"}])
    assert result["failed"] is True
    assert [e["index"] for e in result["errors"]] == [0, 2]
    assert "is not a directory" in result["errors"][0]["msg"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"path": "/x", "contexts": [{"path": "/x"}]}, "mutually exclusive"),
        ({}, "one of the following is required"),
        ({"contexts": [{"path": "/x", "dockerfile": ""}]}, "dockerfile must be a non-empty path"),
    ],
)
def test_module_wants_path_or_contexts(capsys, args, message):
    result = run_main(docker_context_hash.main, capsys, args, check_mode=False)
    assert result["failed"] is True and message in result["msg"]
