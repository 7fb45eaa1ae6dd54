"""Bad values files are refused before anything is rendered, with a message naming the key.

Each file in bad-values/ says what the error must contain with `# expect: ...` lines.
"""

from __future__ import annotations

import re

import pytest
from chart_render import BAD_VALUES_DIR, password_args, run_helm_template

BAD_FILES = sorted(BAD_VALUES_DIR.glob("*.yaml"))


def expectations(path):
    found = re.findall(r"^# expect: (.+)$", path.read_text(), flags=re.MULTILINE)
    assert found, f"{path.name} has no '# expect:' line"
    return found


@pytest.mark.parametrize("path", BAD_FILES, ids=lambda p: p.stem)
def test_bad_values_are_refused(path):
    result = run_helm_template((path,), set_string=password_args(path))
    assert result.returncode != 0, f"{path.name} was accepted"
    assert result.stdout == "", "nothing may be rendered"
    for expected in expectations(path):
        assert expected in result.stderr, f"{expected!r} not in:\n{result.stderr}"


def test_there_are_bad_values_files():
    assert len(BAD_FILES) >= 10


def test_schemas_are_strict():
    import json

    from chart_render import CHART

    for schema_file in [CHART / "values.schema.json", *CHART.glob("charts/*/values.schema.json")]:
        schema = json.loads(schema_file.read_text())
        assert schema["additionalProperties"] is False, schema_file
