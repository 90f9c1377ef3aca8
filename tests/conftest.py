"""Shared pytest fixtures: where the masqd binary under test is, and the reference dnsmasq."""
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def masqd_path() -> str:
    p = os.environ.get("MASQD_BIN", str(ROOT / "build" / "release" / "masqd"))
    if not os.path.exists(p):
        raise RuntimeError(f"masqd binary not found at {p}; build first or set MASQD_BIN")
    return p


@pytest.fixture(scope="session")
def masqd_bin() -> str:
    return masqd_path()


@pytest.fixture(scope="session")
def dnsmasq_bin() -> str:
    p = shutil.which("dnsmasq") or "/usr/sbin/dnsmasq"
    if not os.path.exists(p):
        raise RuntimeError("reference dnsmasq not found: apt-get install dnsmasq-base")
    return p
