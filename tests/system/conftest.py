"""Fixtures shared by the DHCP system tests: which binary serves DHCP, and a fresh pair of
network namespaces (tests/lib/dhcpnet.py) whose client has the test module's MAC."""
import os

import pytest

from lib.dhcpnet import DhcpNet


@pytest.fixture
def dhcp_bin(masqd_bin):
    # MASQD_DHCP_BIN=/usr/sbin/dnsmasq runs the same tests against the reference.
    return os.environ.get("MASQD_DHCP_BIN") or masqd_bin


@pytest.fixture
def net(request, tmp_path):
    # A module may set CLIENT_MAC for the client namespace's interface.
    n = DhcpNet(tmp_path, client_mac=getattr(request.module, "CLIENT_MAC", "02:00:00:00:00:99"))
    yield n
    n.close()
