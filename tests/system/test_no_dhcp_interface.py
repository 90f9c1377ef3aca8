"""--no-dhcp-interface, --no-dhcpv4-interface, --no-dhcpv6-interface (issue 3, FEATURES
1(b)): DNS is still served on the named interface; DHCPv4 is not (for the first two), and
TFTP is not for --no-dhcp-interface only, as dnsmasq 2.90 does (observed: the v4-only form
leaves TFTP on). masqd has no DHCPv6 or router adverts (their options are refused), so
--no-dhcpv6-interface changes nothing here, in dnsmasq as in masqd.

Private namespaces from tests/lib/dhcpnet.py (server 192.0.2.1/24); every case runs
against masqd and /usr/sbin/dnsmasq. Needs root, udhcpc."""
from __future__ import annotations

import os
import select
import shutil

import dns.message
import dns.rdatatype
import pytest

from lib import tftpclient
from lib.dhcpnet import SERVER_ADDR, DhcpNet

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root"),
    pytest.mark.skipif(not shutil.which("udhcpc"), reason="udhcpc is needed"),
]

NAME = "x.test"
ANSWER = "192.0.2.9"


@pytest.fixture(params=["masqd", "dnsmasq"])
def any_bin(request):
    return request.getfixturevalue("masqd_bin" if request.param == "masqd" else "dnsmasq_bin")


@pytest.fixture
def lan(tmp_path):
    n = DhcpNet(tmp_path)
    yield n
    n.close()


def dns_answer(net: DhcpNet) -> bool:
    s = tftpclient.udp_socket(net.client_ns)
    try:
        q = dns.message.make_query(NAME, dns.rdatatype.A)
        s.sendto(q.to_wire(), (SERVER_ADDR, 53))
        if not select.select([s], [], [], 2.0)[0]:
            return False
        r = dns.message.from_wire(s.recv(4096))
        return r.id == q.id and any(ANSWER in rr.to_text() for rr in r.answer)
    finally:
        s.close()


def tftp_served(net: DhcpNet) -> bool:
    try:
        res = tftpclient.get(SERVER_ADDR, "f.txt", netns=net.client_ns, timeout=4.0)
    except TimeoutError:
        return False
    return res.error is None and res.data == b"hello\n"


# option -> (DHCPv4 lease given, TFTP served); DNS is always served.
CASES = {
    "": (True, True),
    "--no-dhcp-interface={if}": (False, False),
    "--no-dhcpv4-interface={if}": (False, True),
    "--no-dhcpv6-interface={if}": (True, True),
    "--no-dhcp-interface=nosuch0": (True, True),
}


@pytest.mark.parametrize("option", list(CASES))
def test_served_per_interface(lan, any_bin, tmp_path, option):
    root = tmp_path / "tftp"
    root.mkdir()
    (root / "f.txt").write_bytes(b"hello\n")
    root.chmod(0o755)
    (root / "f.txt").chmod(0o644)
    extra = [f"--dhcp-range=192.0.2.100,192.0.2.150", "--enable-tftp", f"--tftp-root={root}",
             f"--address=/{NAME}/{ANSWER}", "--no-resolv", "--no-hosts"]
    if option:
        extra.append(option.format(**{"if": lan.server_if}))
    lan.server(any_bin, *extra, dns_port=53)
    want_dhcp, want_tftp = CASES[option]
    env = lan.udhcpc()
    assert (env is not None) == want_dhcp, env
    if env:
        assert env["serverid"] == SERVER_ADDR
    # A fixed address for DNS and TFTP whatever DHCP did.
    lan.cx("ip", "addr", "flush", "dev", lan.client_if)
    lan.cx("ip", "addr", "add", "192.0.2.2/24", "dev", lan.client_if)
    assert dns_answer(lan)
    assert tftp_served(lan) == want_tftp
