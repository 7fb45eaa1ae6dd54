"""Puts pip into the empty virtualenvs that ansible-test's sanity tests create.

ansible-test bootstraps pip with a get-pip.py script it downloads from a host
outside the package registries; where that host is unreachable it looks for the
script in ~/.ansible/test/cache/. This file is placed there under the name
ansible-test expects: it installs the stdlib's bundled pip (ensurepip), then
pip installs what ansible-test asked for from the ordinary package index.
"""

import ensurepip
import subprocess
import sys

ensurepip.bootstrap(upgrade=True)
wanted = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "pip", "install", "--disable-pip-version-check", *wanted])
