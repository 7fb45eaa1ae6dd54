"""Run a module's ``main()`` in-process the way Ansible would, for the unit tests."""

from __future__ import annotations

import json

import pytest
from ansible.module_utils.testing import patch_module_args


def run_main(main, capsys, args, check_mode=False):
    """Run ``main`` with the module arguments ``args``; return its JSON result (failed results too).

    The exit code must agree with the result: non-zero exactly when it says ``failed``.
    """
    args = {"_ansible_check_mode": check_mode, **args}
    with patch_module_args(args), pytest.raises(SystemExit) as exc:
        main()
    result = json.loads(capsys.readouterr().out)
    assert (exc.value.code != 0) == bool(result.get("failed")), result
    return result
