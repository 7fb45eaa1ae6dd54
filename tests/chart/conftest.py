"""Fixtures of the chart tests (helpers are in chart_render.py)."""

from __future__ import annotations

import pytest
from chart_render import MATRIX, Manifests, render_matrix


@pytest.fixture(params=MATRIX)
def matrix_name(request) -> str:
    """Each values file of the test matrix in turn."""
    return request.param


@pytest.fixture
def matrix(matrix_name) -> Manifests:
    """The render of each values file of the test matrix."""
    return render_matrix(matrix_name)
