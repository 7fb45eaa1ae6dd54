# Copyright: localdev.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where each built image goes in a chart's values, and in which form.

Charts place image references in different ways: ``<component>.image.
{repository,tag}`` (the default here), ``image.<component>.{repository,tag}``,
or one ``image: "repository:tag"`` string. A layout maps a component to
``{path: "dotted.values.path", form: split | string}``.
"""

from __future__ import annotations

from collections.abc import Mapping

from ansible_collections.localdev.kube.plugins.module_utils.values_paths import is_values_path, overlaps

FORMS = ("split", "string")
LAYOUT_RULE = (
    "a mapping of component to {path: dotted values path, form: split or string}, e.g. "
    "{api: {path: image.api}} or {web: {path: web.image, form: string}}"
)


def default_path(component: str) -> str:
    return f"{component}.image"


def layout_problems(layout) -> list:
    """(component or None, problem) for each wrong part of a layout; [] when it is sound."""
    if not isinstance(layout, Mapping):
        return [(None, "it is not a mapping")]
    problems, paths = [], {}
    for component, spec in layout.items():
        if not isinstance(spec, Mapping):
            problems.append((component, "it is not a mapping with path and form"))
            continue
        unknown = sorted(set(spec) - {"path", "form"})
        path, form = spec.get("path", default_path(str(component))), spec.get("form", "split")
        if unknown:
            problems.append((component, f"it has {', '.join(map(str, unknown))}; only path and form are known"))
        elif not is_values_path(path):
            problems.append((component, f"path {path!r} is not a dotted values path such as image.api"))
        elif form not in FORMS:
            problems.append((component, f"form {form!r} is neither split nor string"))
        else:
            paths[component] = path
    problems.extend(overlaps(paths))
    return problems
