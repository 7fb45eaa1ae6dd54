# Copyright: localdev.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter giving each hosts-file entry its address, `auto` resolved."""

from __future__ import annotations

DOCUMENTATION = r"""
name: hosts_entries
short_description: The hosts_file role's entries with C(auto) addresses resolved
version_added: 0.1.0
description:
  - "Returns each entry of the hosts_file role's O(_input) as C({ip, names}), with C(ip) the entry's own address,
    or O(auto_ip) where the entry's ip is C(auto) or missing."
options:
  _input:
    description: The entries, each a mapping with C(names) and optionally C(ip) (the role's C(hosts_file_entries)).
    type: list
    elements: dict
    required: true
  auto_ip:
    description: The address C(auto) stands for.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: The entries with the cluster's address for auto
  ansible.builtin.debug:
    msg: "{{ entries | localdev.kube.hosts_entries('192.168.49.2') }}"
  vars:
    entries: [{names: [app.local]}, {ip: 10.0.0.5, names: [db.local]}]
  # -> [{"ip": "192.168.49.2", "names": ["app.local"]}, {"ip": "10.0.0.5", "names": ["db.local"]}]
"""

RETURN = r"""
_value:
  description: One C({ip, names}) per entry, in order.
  type: list
  elements: dict
"""


def hosts_entries(entries, auto_ip):
    resolved = []
    for entry in entries:
        ip = str(entry.get("ip", "auto"))
        resolved.append({"ip": str(auto_ip) if ip == "auto" else ip, "names": list(entry["names"])})
    return resolved


class FilterModule:
    def filters(self):
        return {"hosts_entries": hosts_entries}
