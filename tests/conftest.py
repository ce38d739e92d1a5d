"""Shared fixtures. Tests never download anything."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest
from hypothesis import settings

matplotlib.use("Agg")

REPO_ROOT = Path(__file__).resolve().parents[1]

# Property tests draw fresh random examples on every run; a failure prints the blob that
# reproduces it (@reproduce_failure). "thorough" searches longer (nightly or before a release).
settings.register_profile("default", max_examples=30, print_blob=True)
settings.register_profile("thorough", max_examples=300, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def shared_data_dir() -> Path:
    """The folder of real OSM extracts, from ``$TRAUMA_SIM_DATA`` (skip when absent)."""
    value = os.environ.get("TRAUMA_SIM_DATA")
    if not value or not Path(value).is_dir():
        pytest.skip("TRAUMA_SIM_DATA not set to the shared networks folder")
    return Path(value)


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A per-session network cache folder, so tests never touch the user's cache."""
    return tmp_path_factory.mktemp("network-cache")
