"""Shared fixtures: paths to fixture guides and builds of real outputs."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from publish.build import build

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "guides"
GOOD = FIXTURES / "good"
BAD = FIXTURES / "bad"
SHIPPED_GUIDE = ROOT / "source" / "guide.md"


@pytest.fixture(scope="session")
def full_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """All outputs of the full fixture guide, built once per test run."""
    out = tmp_path_factory.mktemp("full-build")
    build(GOOD / "full.md", out)
    return out


@pytest.fixture(scope="session")
def shipped_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """All outputs of the shipped guide (source/guide.md), built once per test run."""
    out = tmp_path_factory.mktemp("shipped-build")
    build(SHIPPED_GUIDE, out)
    return out


@pytest.fixture
def no_library_errors(caplog: pytest.LogCaptureFixture):
    """Fail the test if WeasyPrint or another library logged an error or warning.

    Modelled on WeasyPrint's own test helper that asserts nothing was logged.
    """
    with caplog.at_level(logging.WARNING):
        yield
    noisy = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert not noisy, [r.getMessage() for r in noisy]
