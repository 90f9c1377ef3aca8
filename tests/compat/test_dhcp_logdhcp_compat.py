"""--log-dhcp compared with dnsmasq 2.90: the same config and the same scapy-crafted packets go
to dnsmasq and to masqd (each in fresh network namespaces, tests/lib/dhcpnet.py,
192.0.2.0/24) through the helpers of test_dhcp_opts_compat.py, both with --log-dhcp. The
replies, the lease file and every log line must agree: the transaction-id prefix, "available
DHCP range/subnet", vendor and user class, "client provides name", "tags:", the wrapped
"requested options:" lines, the BOOTP fields, "broadcast response" and one "sent size:" line
per option with its value. Only the interface name and the run's directory are normalised
(run_case). Needs root and scapy. The other DHCP compat files run their cases with
--log-dhcp too (test_dhcp_opts_compat.py, test_dhcp_fqdn_compat.py, test_pxe_compat.py for
PXE, proxy and port-4011 replies)."""
from __future__ import annotations

import os

import pytest

from test_dhcp4_compat import A, B, C, D, HOST, IGNORED, SRV, dnsmasq_path, mt, unfuzz  # noqa: F401
from test_dhcp_opts_compat import run_case

scapy_all = pytest.importorskip("scapy.all")
mac2str = scapy_all.mac2str

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root")

# Every kind of value dnsmasq renders: addresses, text, times, numbers, hex (cut after 14
# bytes), unnamed codes; and a request list long enough to wrap several times.
LONG_PRL = [1, 3, 6, 12, 15, 28, 42, 2, 119, 51, 58, 59, 43, 60, 66, 67, 121, 249, 252, 44, 45, 46,
            47, 26, 35, 200, 17, 19, 23, 41, 13, 93]
TYPES = ["--dhcp-option=option:tftp-server,bootsrv", "--dhcp-option=17,/a/longer/root/path/than/twenty",
         "--dhcp-option=200," + ":".join(f"{i:02x}" for i in range(1, 36)), "--dhcp-option=201,01:02:03",
         "--dhcp-option=46,8", "--dhcp-option=26,1500", "--dhcp-option=35,100000", "--dhcp-option=19,1",
         "--dhcp-option=23,64", "--dhcp-option=121,192.0.2.0/24,192.0.2.1", "--dhcp-option=13,4000",
         "--dhcp-option=44," + ",".join(f"192.0.2.{i}" for i in range(1, 11)),
         "--dhcp-option=41,192.0.2.11,192.0.2.12", "--dhcp-option=vendor:MSFT,2,1i"]
CID = ("client_id", b"\x01" + mac2str(A))


def x(opts, mac=A, timeout=3.0, **kw):
    """One client message; the wait covers dnsmasq's ping check of a new address on a busy
    machine (a first OFFER once came later than 1.5 s)."""
    return lambda c, r, n, s, t: c.exchange(opts, mac=mac, timeout=timeout, **kw)


def yi(r, i, default="192.0.2.120"):
    return r[i]["yiaddr"] if r[i] else default


def with_addr(make):
    """A step built from the results so far (the address offered earlier)."""
    return lambda c, r, n, s, t: make(r)(c, r, n, s, t)


LEASE = [
    x([mt("discover"), ("param_req_list", LONG_PRL), ("vendor_class_id", b"MSFT 5.0"),
       ("user_class", b"\x04abcd\x03xyz"), ("hostname", b"zed"), CID]),
    with_addr(lambda r: x([mt("request"), ("param_req_list", LONG_PRL), ("hostname", b"zed"), CID,
                           ("requested_addr", yi(r, 0)), ("server_id", SRV), ("vendor_class_id", b"MSFT 5.0")])),
    # INIT-REBOOT for another address: NAK (with a request list), broadcast and unicast.
    x([mt("request"), ("param_req_list", [1, 3]), CID, ("requested_addr", "192.0.2.149")]),
    x([mt("request"), ("param_req_list", [1, 3]), CID, ("requested_addr", "192.0.2.148")], flags=0),
    # The dhcp-host client: its name, 2h lease, a name it sends itself.
    x([mt("discover"), ("param_req_list", [1, 3, 12, 15])], mac=HOST),
    x([mt("request"), ("param_req_list", [1, 3, 12, 15]), ("hostname", b"other"), ("requested_addr", "192.0.2.50"),
       ("server_id", SRV)], mac=HOST),
    # Ignored, no request list, an empty one, a plain (not counted) user class, a name
    # with a domain, unicast replies.
    x([mt("discover"), ("vendor_class_id", b"ignored-vc")], mac=IGNORED),
    x([mt("discover")], mac=B, flags=0),
    x([mt("discover"), ("param_req_list", []), ("user_class", b"plainclass"), ("hostname", b"dotted.example.org")],
      mac=C),
    # INFORM, RELEASE, DECLINE.
    x([mt("inform"), ("param_req_list", [1, 3, 6, 15, 44])], mac=C, ciaddr="192.0.2.77", flags=0),
    with_addr(lambda r: x([mt("release"), ("server_id", SRV), CID], ciaddr=yi(r, 0), flags=0, timeout=0.5)),
    x([mt("decline"), ("server_id", SRV), ("requested_addr", "192.0.2.50")], mac=HOST, timeout=0.5),
]

TAGS = ["--dhcp-vendorclass=set:msft,MSFT", "--dhcp-userclass=set:uc,xyz", "--dhcp-mac=set:mm,02:00:00:00:00:*",
        "--dhcp-mac=set:m2,02:00:00:00:00:0b", "--dhcp-match=set:dm,option:hostname",
        "--tag-if=set:both,tag:msft,tag:uc", "--tag-if=set:ti,set:ti2,tag:hb", "--tag-if=set:t3,tag:ti",
        "--dhcp-name-match=set:nm,hn",
        "--dhcp-host=02:00:00:00:00:0b,192.0.2.60,hostb,infinite,set:hb,set:hb2",
        "--dhcp-range=192.0.2.0,static", "--dhcp-option=tag:both,option:mtu,1400",
        "--dhcp-ignore=tag:drop", "--dhcp-vendorclass=set:drop,dropme"]
TAGGED = [
    x([mt("discover"), ("param_req_list", [1, 3, 26]), ("vendor_class_id", b"MSFT 5.0"),
       ("user_class", b"\x03xyz"), ("hostname", b"zed")]),
    x([mt("discover"), ("param_req_list", [1, 3, 26]), ("hostname", b"hn")], mac=B),
    x([mt("request"), ("param_req_list", [1, 3]), ("requested_addr", "192.0.2.60"), ("server_id", SRV)], mac=B),
    x([mt("discover"), ("vendor_class_id", b"dropme")], mac=D),
    x([mt("discover"), ("param_req_list", [1, 3, 12])], mac=HOST),
]

# --quiet-dhcp is overridden by --log-dhcp; authoritative NAKs with longer messages.
BOOT = ["--dhcp-boot=pxelinux.0,bootserver,192.0.2.9", "--quiet-dhcp", "--dhcp-host=02:00:00:00:00:0c,infinite",
        "--dhcp-authoritative"]
BOOTING = [
    x([mt("discover"), ("param_req_list", [1, 3, 66, 67])], flags=0),
    x([mt("discover"), ("param_req_list", [1, 3])], mac=B),
    x([mt("request"), ("param_req_list", [1, 3, 51]), ("requested_addr", "192.0.2.121"), ("server_id", SRV)], mac=C),
    x([mt("request"), ("param_req_list", [1, 3]), ("requested_addr", "192.0.2.123"), ("server_id", "192.0.2.2")],
      mac=D),
    x([mt("request"), ("param_req_list", [1, 3]), ("requested_addr", "192.0.2.30")], mac=D, flags=0),
]

CASES = {
    "lease": (TYPES, LEASE),
    "tags": (TAGS, TAGGED),
    "boot-quiet": (BOOT, BOOTING),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_log_dhcp_matches_dnsmasq(case, tmp_path, masqd_bin, dnsmasq_path):  # noqa: F811
    extra, steps = CASES[case]
    extra = ["--log-dhcp", *extra]
    want, want_log, want_leases = run_case(tmp_path, dnsmasq_path, extra, steps)
    got, got_log, got_leases = run_case(tmp_path, masqd_bin, extra, steps)
    assert sum(w is not None for w in want) >= 1, "dnsmasq answered nothing: the set-up is broken"
    # The extra lines are there at all (keyed by the transaction id), not only equal.
    assert any(" requested options: " in line for line in want_log)
    assert any(" tags: " in line for line in want_log)
    for i, (w, g) in enumerate(zip(want, got)):
        assert unfuzz(g) == unfuzz(w), f"step {i}: masqd {g} != dnsmasq {w}"
    assert got_log == want_log
    assert got_leases == want_leases
