"""Make the checkout importable as ``ansible_collections.localdev.kube``.

``collections/ansible_collections/localdev/kube`` links back to the checkout, so
putting ``<repo>/collections`` on sys.path lets tests import the collection's
plugins the way Ansible does.
"""

from __future__ import annotations

import sys
from pathlib import Path

COLLECTIONS = str(Path(__file__).resolve().parents[2] / "collections")
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)
