"""PXE compared with dnsmasq 2.90: --pxe-service, --pxe-prompt, --dhcp-pxe-vendor, proxy DHCP
(--dhcp-range=...,proxy) and the port-4011 boot-server exchange. The same config and the
same scapy-crafted PXE packets (options 93 client arch, 94 UNDI, 97 UUID, 60
PXEClient:Arch:...) go to /usr/sbin/dnsmasq and to masqd, each in fresh network namespaces
(tests/lib/dhcpnet.py, 192.0.2.0/24), and every reply must agree: header fields (yiaddr,
siaddr, ciaddr, flags, file, sname), the options in order with their bytes (53, 54, 51, 43,
60, 97, ...), and the log lines. Every case runs twice: as it is, and with --log-dhcp (then
dnsmasq's extra lines for proxy and port-4011 replies must agree too: "available DHCP
subnet", the tags after the PXE line, no request list, every option sent). Needs root and
scapy."""
from __future__ import annotations

import os

import pytest

from lib.dhcpnet import DhcpNet
from test_dhcp4_compat import dnsmasq_path, relay_setup, summary  # noqa: F401

scapy_all = pytest.importorskip("scapy.all")
BOOTP, DHCP, mac2str = scapy_all.BOOTP, scapy_all.DHCP, scapy_all.mac2str

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root")

SRV = "192.0.2.1"
A, B = "02:00:00:00:00:0a", "02:00:00:00:00:0b"
UUID = bytes(range(1, 17))
# What a PXE ROM asks for (Intel UNDI 2.1).
PXE_PRL = [1, 2, 3, 5, 6, 11, 12, 13, 15, 16, 17, 18, 43, 54, 60, 66, 67, 128, 129, 130, 131,
           132, 133, 134, 135]


def pxe_options(kind="discover", arch=0, vendor=None, prl=PXE_PRL, uuid=True, item=None, extra=()):
    vendor = vendor if vendor is not None else f"PXEClient:Arch:{arch or 0:05d}:UNDI:002001".encode()
    o = [("message-type", kind), ("max_dhcp_size", 1464)]
    if prl is not None:
        o.append(("param_req_list", prl))
    if arch is not None:
        o.append((93, arch.to_bytes(2, "big")))
    o.append((94, b"\x01\x02\x01"))
    if uuid:
        o.append((97, b"\x00" + UUID))
    o.append(("vendor_class_id", vendor))
    if item is not None:
        o.append((43, bytes([71, 4]) + item + b"\xff"))
    return o + list(extra)


class Client:
    def __init__(self, net: DhcpNet, port: int = 68):
        self.sock = net.client_socket(port)
        self.xid = 0x7000

    def send(self, options, mac=A, ciaddr="0.0.0.0", flags=0x8000, dst="255.255.255.255", port=67,
             timeout=1.2, giaddr="0.0.0.0", hops=0):
        self.xid += 1
        pkt = BOOTP(chaddr=mac2str(mac), xid=self.xid, flags=flags, ciaddr=ciaddr, giaddr=giaddr,
                    hops=hops) / DHCP(options=list(options) + ["end"])
        self.sock.send(bytes(pkt), dst=dst, port=port)
        data = self.sock.recv_xid(self.xid, timeout=timeout)
        if not data:
            return None
        d = summary(data)
        b = BOOTP(data)
        d["file"], d["sname"] = bytes(b.file).rstrip(b"\0"), bytes(b.sname).rstrip(b"\0")
        return d


def to_4011(c, options, ciaddr="192.0.2.140", flags=0):
    """A request to the boot server, unicast to port 4011 from the client's address."""
    return c.send(options, ciaddr=ciaddr, flags=flags, dst=SRV, port=4011)


def give_address(n):
    n.cx("ip", "addr", "add", "192.0.2.140/24", "dev", n.client_if)


# Each step: (name, callable(client, net) -> reply summary or None).
STEPS_NORMAL = [
    ("discover x86", lambda c, n: c.send(pxe_options())),
    ("discover x86-64 EFI (one EFI service)", lambda c, n: c.send(pxe_options(arch=7))),
    ("discover BC EFI (no service)", lambda c, n: c.send(pxe_options(arch=9))),
    ("discover, 43 not requested", lambda c, n: c.send(pxe_options(prl=[1, 3, 6]))),
    ("discover, no option 93", lambda c, n: c.send(pxe_options(arch=None))),
    ("discover, no UUID", lambda c, n: c.send(pxe_options(uuid=False))),
    ("discover, other vendor", lambda c, n: c.send(pxe_options(vendor=b"MSFT 5.0"), mac=B)),
    ("request", lambda c, n: c.send(pxe_options("request", extra=[("requested_addr", "192.0.2.140"),
                                                                   ("server_id", SRV)]))),
    ("4011 boot item 0x8000 layer 0", lambda c, n: (give_address(n), to_4011(c, pxe_options("request", item=b"\x80\x00\x00\x00")))[1]),
    ("4011 boot item 0x8001 layer 3", lambda c, n: to_4011(c, pxe_options("request", item=b"\x80\x01\x00\x03"))),
    ("4011 boot item layer 1", lambda c, n: to_4011(c, pxe_options("request", item=b"\x80\x00\x00\x01"))),
    ("4011 local boot item", lambda c, n: to_4011(c, pxe_options("request", item=b"\x00\x00\x00\x00"))),
    ("4011 INFORM with item", lambda c, n: to_4011(c, pxe_options("inform", item=b"\x80\x00\x00\x00"))),
    ("4011 request, no item, no proxy", lambda c, n: to_4011(c, pxe_options("request"))),
]

STEPS_PROXY = [
    ("proxy discover x86", lambda c, n: c.send(pxe_options())),
    ("proxy discover x86, flags 0", lambda c, n: c.send(pxe_options(), flags=0)),
    ("proxy discover x86-64 EFI", lambda c, n: c.send(pxe_options(arch=7))),
    ("proxy discover BC EFI (two services)", lambda c, n: c.send(pxe_options(arch=9))),
    ("proxy discover, no option 93", lambda c, n: c.send(pxe_options(arch=None))),
    ("proxy discover, no UUID", lambda c, n: c.send(pxe_options(uuid=False))),
    ("proxy discover, not PXE", lambda c, n: c.send(pxe_options(vendor=b"MSFT 5.0"), mac=B)),
    ("proxy request on 67", lambda c, n: c.send(pxe_options("request", extra=[("requested_addr", "192.0.2.140"),
                                                                               ("server_id", SRV)]))),
    ("4011 boot item", lambda c, n: (give_address(n), to_4011(c, pxe_options("request", item=b"\x80\x00\x00\x00")))[1]),
    ("4011 boot item EFI file", lambda c, n: to_4011(c, pxe_options("request", item=b"\x80\x01\x00\x03"))),
    ("4011 EFI request (single service)", lambda c, n: to_4011(c, pxe_options("request", arch=7))),
    ("4011 x86 request (menu)", lambda c, n: to_4011(c, pxe_options("request"))),
    ("4011 BC EFI request (menu)", lambda c, n: to_4011(c, pxe_options("request", arch=9))),
]

# Through a relay agent (the client namespace plays one for 198.51.100.0/24 and listens on
# port 67): the proxy range is the relay's subnet; replies go to giaddr:67.
RELAY = dict(giaddr="198.51.100.1", dst=SRV, hops=1)
STEPS_RELAY_PROXY = [
    ("relayed proxy discover x86", lambda c, n: c.send(pxe_options(), **RELAY)),
    ("relayed proxy discover x86-64 EFI", lambda c, n: c.send(pxe_options(arch=7), **RELAY)),
    ("relayed proxy discover, flags 0", lambda c, n: c.send(pxe_options(), flags=0, **RELAY)),
    ("relayed proxy discover, not PXE", lambda c, n: c.send(pxe_options(vendor=b"MSFT 5.0"), mac=B, **RELAY)),
    ("relayed proxy request on 67", lambda c, n: c.send(pxe_options("request", extra=[
        ("requested_addr", "198.51.100.140"), ("server_id", SRV)]), **RELAY)),
    ("relayed from a subnet with no range", lambda c, n: c.send(pxe_options(), giaddr="203.0.113.1", dst=SRV,
                                                                 hops=1, timeout=0.7)),
]

NORMAL = ["--dhcp-range=192.0.2.100,192.0.2.150,1h", "--pxe-prompt=Press F8,5",
          "--pxe-service=x86PC,Boot from network,pxelinux", "--pxe-service=x86PC,Local disk,0",
          "--pxe-service=x86-64_EFI,EFI boot,bootx64.efi"]
PROXY = ["--dhcp-range=192.0.2.0,proxy", "--pxe-service=x86PC,Boot from network,pxelinux",
         "--pxe-service=x86-64_EFI,EFI boot,bootx64.efi", "--pxe-service=BC_EFI,A,a",
         "--pxe-service=BC_EFI,B,b"]

CASES = {
    "normal": (NORMAL, STEPS_NORMAL),
    # Configured options, --dhcp-boot (66/67 and siaddr) and the PXE options after them.
    "normal-options-boot": (["--dhcp-range=192.0.2.100,192.0.2.150,1h", "--dhcp-option=42,192.0.2.5",
                             "--dhcp-option=option:domain-name,example.org",
                             "--pxe-service=x86PC,Boot from network,pxelinux",
                             "--dhcp-boot=boot.0,bsrv,192.0.2.9"],
                            STEPS_NORMAL + [("discover asking for 42, 66, 67", lambda c, n: c.send(
                                pxe_options(prl=[1, 3, 6, 15, 42, 43, 60, 66, 67]), mac=B))]),
    "proxy": (PROXY, STEPS_PROXY),
    # Tags from --dhcp-match on the architecture select services, prompts and dhcp-boot.
    "tagged": (["--dhcp-range=192.0.2.100,192.0.2.150,1h", "--dhcp-match=set:efi64,option:client-arch,7",
                "--pxe-service=tag:efi64,x86-64_EFI,EFI boot,bootx64.efi",
                "--pxe-service=tag:!efi64,x86-64_EFI,Never,never",
                "--pxe-service=tag:efi64,x86-64_EFI,EFI shell,shell.efi,192.0.2.66",
                "--pxe-service=x86PC,Boot,pxelinux", "--pxe-prompt=tag:efi64,EFI prompt,0",
                "--pxe-prompt=Plain prompt", "--dhcp-boot=tag:efi64,efi.boot", "--dhcp-boot=plain.boot"],
               [("discover x86-64 EFI", lambda c, n: c.send(pxe_options(arch=7))),
                ("discover x86", lambda c, n: c.send(pxe_options(arch=0), mac=B)),
                ("4011 item shell", lambda c, n: (give_address(n), to_4011(c, pxe_options(
                    "request", arch=7, item=b"\x80\x02\x00\x00")))[1]),
                ("4011 item never", lambda c, n: to_4011(c, pxe_options("request", arch=7, item=b"\x80\x01\x00\x00"))),
                ]),
    # Service addresses, a discovery type with and without a server, local boot, tags, a
    # prompt whose tag does not match, --dhcp-boot in proxy mode, --dhcp-pxe-vendor.
    "proxy-servers-vendor": (["--dhcp-range=192.0.2.0,proxy,255.255.255.0",
                              "--dhcp-pxe-vendor=HW-Client,Foo",
                              "--pxe-service=x86PC,Boot,pxelinux,192.0.2.77",
                              "--pxe-service=x86PC,Net,5", "--pxe-service=x86PC,Far,6,192.0.2.78",
                              "--pxe-service=x86PC,Disk,0", "--pxe-service=tag:nomatch,x86PC,Hidden,h",
                              "--pxe-service=x86-64_EFI,EFI,efi,192.0.2.79",
                              "--pxe-prompt=tag:nomatch,Never,3", "--dhcp-boot=boot.0,bsrv,192.0.2.9"],
                             [("PXEClient is not a vendor now", lambda c, n: c.send(pxe_options())),
                              ("HW-Client", lambda c, n: c.send(pxe_options(vendor=b"HW-Client:Arch:00000"))),
                              ("Foo EFI", lambda c, n: c.send(pxe_options(arch=7, vendor=b"Foo"))),
                              ("4011 item", lambda c, n: (give_address(n), to_4011(c, pxe_options(
                                  "request", vendor=b"HW-Client", item=b"\x80\x00\x00\x00")))[1]),
                              ("4011 EFI", lambda c, n: to_4011(c, pxe_options("request", arch=7, vendor=b"Foo"))),
                              ("4011 EFI discover", lambda c, n: to_4011(c, pxe_options(arch=7, vendor=b"Foo"))),
                              ]),
    "relay-proxy": (["--dhcp-range=198.51.100.0,proxy,255.255.255.0",
                     "--pxe-service=x86PC,Boot from network,pxelinux",
                     "--pxe-service=x86-64_EFI,EFI boot,bootx64.efi"], STEPS_RELAY_PROXY, relay_setup),
}


def run_case(tmp_path, binary, extra, steps, setup=None):
    tmp = tmp_path / os.path.basename(binary)
    tmp.mkdir()
    net = DhcpNet(tmp, client_mac=A)
    try:
        port = setup(net) if setup else 68
        server = net.server(binary, *extra, lease_file=tmp / "leases")
        c = Client(net, port)
        try:
            results = [(name, step(c, net)) for name, step in steps]
        finally:
            c.sock.close()
        server.stop()
        skip = ("started, version", "compile time options", "exiting on receipt")
        log = [line.replace(net.server_if, "IF") for line in server.log_lines() if not line.startswith(skip)]
        return results, log
    finally:
        net.close()


@pytest.mark.parametrize("log_dhcp", [False, True], ids=["", "log-dhcp"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_pxe_matches_dnsmasq(case, log_dhcp, tmp_path, masqd_bin, dnsmasq_path):  # noqa: F811
    extra, steps, *setup = CASES[case]
    if log_dhcp:
        extra = ["--log-dhcp", *extra]
    want, want_log = run_case(tmp_path, dnsmasq_path, extra, steps, *setup)
    got, got_log = run_case(tmp_path, masqd_bin, extra, steps, *setup)
    answered = [w for _, w in want if w]
    assert len(answered) >= 3, f"dnsmasq answered too little: the set-up is broken: {want}"
    # The comparison covers PXE content: option 43 and a boot file or server were sent.
    assert any(43 in dict(w["options"]) for w in answered)
    assert any(w["file"] or w["siaddr"] != "0.0.0.0" for w in answered)
    for (name, w), (_, g) in zip(want, got):
        assert g == w, f"{name}: masqd {g} != dnsmasq {w}"
    assert got_log == want_log
