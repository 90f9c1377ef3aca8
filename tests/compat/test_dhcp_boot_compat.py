"""--dhcp-boot compared with dnsmasq 2.90 (the BOOTP file/sname/siaddr fields and options
66/67): the same config and scapy-crafted DISCOVER/REQUEST/INFORM packets go to dnsmasq and
to masqd, each in fresh network namespaces (tests/lib/dhcpnet.py, 192.0.2.0/24), through the
helpers of test_dhcp4_compat.py, and the replies must agree byte for byte in the compared
fields, plus the file and sname fields. Needs root and scapy."""
from __future__ import annotations

import os

import pytest

from test_dhcp4_compat import (A, HOST, SRV, BOOTP, DHCP, dnsmasq_path, mac2str, mt,  # noqa: F401
                               run_sequence, summary, unfuzz)

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root")


def boot_exchange(c, options, mac=A, ciaddr="0.0.0.0"):
    c.xid += 1
    pkt = BOOTP(chaddr=mac2str(mac), xid=c.xid, flags=0x8000, ciaddr=ciaddr) / DHCP(options=list(options) + ["end"])
    c.sock.send(bytes(pkt))
    data = c.sock.recv_xid(c.xid, timeout=1.5)
    if not data:
        return None
    d = summary(data)
    b = BOOTP(data)
    d["file"], d["sname"] = bytes(b.file), bytes(b.sname)
    return d


STEPS = [
    # Names in the BOOTP fields: no request list, or one without 66/67.
    lambda c, r, n: boot_exchange(c, [mt("discover")]),
    lambda c, r, n: boot_exchange(c, [mt("discover"), ("param_req_list", [1, 3, 6])]),
    # Asked for as options 66 and 67 (a PXE ROM asks for 67 only).
    lambda c, r, n: boot_exchange(c, [mt("discover"), ("param_req_list", [1, 3, 66, 67, 6])]),
    lambda c, r, n: boot_exchange(c, [mt("discover"), ("param_req_list", [1, 67])], mac=HOST),
    # The ACK to a REQUEST, and an INFORM (no lease time).
    lambda c, r, n: boot_exchange(c, [mt("request"), ("param_req_list", [1, 3, 67]),
                                      ("requested_addr", r[2]["yiaddr"] if r[2] else "192.0.2.99"),
                                      ("server_id", SRV)]),
    lambda c, r, n: (n.cx("ip", "addr", "add", "192.0.2.140/24", "dev", n.client_if),
                     boot_exchange(c, [mt("inform"), ("param_req_list", [1, 66, 67])], ciaddr="192.0.2.140",
                                   mac="02:00:00:00:00:0c"))[1],
]

CASES = {
    "file-server-address": (["--dhcp-boot=pxelinux.0,bootsrv,192.0.2.7"], STEPS),
    "file-only": (["--dhcp-boot=pxelinux.0"], STEPS),
    "tagged-wins": (["--dhcp-boot=pxelinux.0", "--dhcp-boot=tag:known,fixed.0,fsrv,192.0.2.8",
                     "--dhcp-boot=tag:nomatch,never.0"], STEPS),
    "newest-untagged": (["--dhcp-boot=old.0,oldsrv", "--dhcp-boot=new.0"], STEPS),
    # --dhcp-no-override: the names stay in the BOOTP fields even when 66/67 are asked for.
    "no-override": (["--dhcp-boot=pxelinux.0,bootsrv,192.0.2.7", "--dhcp-no-override"], STEPS),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_dhcp_boot_matches_dnsmasq(case, tmp_path, masqd_bin, dnsmasq_path):  # noqa: F811
    extra, steps = CASES[case]
    want, want_log, want_leases = run_sequence(tmp_path, dnsmasq_path, extra, steps)
    got, got_log, got_leases = run_sequence(tmp_path, masqd_bin, extra, steps)
    assert sum(w is not None for w in want) >= 5, "dnsmasq answered too little: the set-up is broken"
    assert any(w and (w["file"].strip(b"\0") or 67 in dict(w["options"])) for w in want)
    if "--dhcp-no-override" in extra:
        assert all(w["file"].strip(b"\0") == b"pxelinux.0" and 67 not in dict(w["options"]) for w in want if w)
    for i, (w, g) in enumerate(zip(want, got)):
        assert unfuzz(g) == unfuzz(w), f"step {i}: masqd {g} != dnsmasq {w}"
    assert got_log == want_log
    assert got_leases == want_leases
