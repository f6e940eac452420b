"""Shared fixtures. Real-data tests take the ``data_dir`` fixture, which reads the
folder from ``GHOSTING_DATA`` and skips the test when it is unset or absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def data_dir() -> Path:
    root = os.environ.get("GHOSTING_DATA")
    if not root or not Path(root).is_dir():
        pytest.skip("real tracking data not available (set GHOSTING_DATA=../shared/data)")
    return Path(root)
