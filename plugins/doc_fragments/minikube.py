# Copyright: localdev.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options every minikube module takes."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  profile:
    description: Name of the minikube profile (C(minikube -p)).
    type: str
    default: minikube
  minikube_binary:
    description: The minikube executable, a name looked up on E(PATH) or a path.
    type: str
    default: minikube
"""
