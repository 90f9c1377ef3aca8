"""The encapsulated forms of --dhcp-option / --dhcp-option-force (issue 5) compared with
dnsmasq 2.90: vendor:<class> (option 43 when the client's vendor class, option 60, holds the
class), encap:<n> (sub-options inside option n, e.g. 175 for iPXE) and vi-encap:<enterprise>
(RFC 3925 option 125), with tags, forcing, a plain option 43 beside vendor: ones, and the
same forms from --dhcp-optsfile. The same config and the same scapy-crafted packets go to
dnsmasq and to masqd in fresh network namespaces (tests/lib/dhcpnet.py, 192.0.2.0/24)
through the helpers of test_dhcp_opts_compat.py; the replies (every option, in order, byte
for byte), the log lines and the lease file must agree. Needs root and scapy."""
from __future__ import annotations

import os

import pytest

from test_dhcp4_compat import A, B, dnsmasq_path, mt, unfuzz  # noqa: F401
from test_dhcp_opts_compat import run_case

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root")

PXE = b"PXEClient:Arch:00000:UNDI:002001"


def discover(prl=(1, 3), vendor=None, extra=(), mac=A):
    opts = [mt("discover")]
    if prl is not None:
        opts.append(("param_req_list", list(prl)))
    if vendor is not None:
        opts.append(("vendor_class_id", vendor))
    opts.extend(extra)
    return lambda c, r, n, s, t: c.exchange(opts, mac=mac)


def request(addr, prl=(1, 3), vendor=None, mac=A):
    opts = [mt("request"), ("param_req_list", list(prl)), ("requested_addr", addr), ("server_id", "192.0.2.1")]
    if vendor is not None:
        opts.append(("vendor_class_id", vendor))
    return lambda c, r, n, s, t: c.exchange(opts, mac=mac)


VENDOR = ["--dhcp-option=vendor:PXEClient,1,0.0.0.0", "--dhcp-option=vendor:PXE,6,2b",
          "--dhcp-option=vendor:MSFT,2,1i", "--dhcp-option=vendor:PXEClient,3,\"quoted text\""]
ENCAP = ["--dhcp-option=encap:175,1,5", "--dhcp-option=encap:175,190,abc", "--dhcp-option=encap:175,8,192.0.2.9",
         "--dhcp-option=encap:176,1,0.0.0.0"]
VI = ["--dhcp-option=vi-encap:3561,1,hello", "--dhcp-option=vi-encap:3561,2,192.0.2.9",
      "--dhcp-option=vi-encap:9,4,01:02:03"]

CASES = {
    # vendor: only for a client whose option 60 holds the class (a substring), when it asks
    # for 43 or sends no request list; one option 43 for every matching class, then 60.
    "vendor": (VENDOR, {}, [
        discover(), discover(prl=(1, 3, 43)), discover(vendor=PXE), discover(prl=(1, 43), vendor=PXE),
        discover(prl=(1, 43), vendor=b"xxPXEClientyy"), discover(prl=(1, 43), vendor=b"pxeclient"),
        discover(prl=None, vendor=b"MSFT 5.0"), discover(prl=(43, 60), vendor=b"MSFT 5.0"),
        request("192.0.2.120", prl=(1, 43), vendor=PXE)]),
    # A plain option 43 is sent as well, in its place among the plain options.
    "vendor-and-plain-43": (VENDOR + ["--dhcp-option=43,01:02:03"], {}, [
        discover(prl=(1, 43), vendor=PXE), discover(prl=(1, 43)), discover(prl=(1, 43), vendor=b"other")]),
    # encap:<n>: one option n per number, sub-options newest first, END at the end; sent when
    # asked for (or no request list), 0.0.0.0 sent as is.
    "encap": (ENCAP, {}, [
        discover(), discover(prl=(1, 175)), discover(prl=(176, 175, 1)), discover(prl=None),
        discover(prl=(175,), vendor=PXE)]),
    # vi-encap: one option 125 per enterprise (enterprise, data-len, sub-options), when asked
    # for; the client's own 125 does not decide it.
    "vi-encap": (VI, {}, [
        discover(), discover(prl=(1, 125)), discover(extra=[(125, b"\x00\x00\x0d\xe9\x00")]),
        discover(prl=(125,), extra=[(125, b"\x00\x00\x0d\xe9\x00")]), discover(prl=None)]),
    # All three with plain options: the order of the groups (newest entry first), vendor last.
    "mixed-order": (["--dhcp-option=80,1"] + ENCAP + VI + VENDOR + ["--dhcp-option=encap:177,1,1",
                                                                   "--dhcp-option=42,192.0.2.5"], {}, [
        discover(prl=None, vendor=PXE), discover(prl=(43, 125, 175, 176, 177, 1), vendor=b"MSFT"),
        discover(prl=(177, 125))]),
    # --dhcp-option-force: the forced sub-options are sent whatever the request list says
    # (the others of the group only when asked for).
    "forced": (["--dhcp-option-force=encap:175,1,1", "--dhcp-option=encap:175,2,2",
                "--dhcp-option-force=vi-encap:3561,1,x", "--dhcp-option-force=vendor:PXEClient,9,y",
                "--dhcp-option=encap:176,1,1"], {}, [
        discover(), discover(vendor=PXE), discover(prl=(176,), vendor=b"none")]),
    # A forced vendor: sub-option takes the other matching vendor: ones along (not so for
    # encap:/vi-encap:).
    "forced-vendor": (["--dhcp-option=vendor:PXEClient,1,192.0.2.9", "--dhcp-option-force=vendor:PXE,2,1",
                       "--dhcp-option=vendor:PXE,3,1", "--dhcp-option=vendor:MSFT,4,1",
                       "--dhcp-option-force=vi-encap:5,1,1", "--dhcp-option=vi-encap:5,2,2"], {}, [
        discover(vendor=PXE), discover(prl=(1, 43), vendor=PXE), discover(vendor=b"MSFT"),
        discover(prl=(43,), vendor=b"MSFT")]),
    # Tags: entries whose tags fail are left out (a tagged sub-option does not hide an
    # untagged one with the same code); a group whose entries all fail is not sent.
    "tags": (["--dhcp-option=encap:175,1,1", "--dhcp-option=tag:known,encap:175,1,2",
              "--dhcp-option=tag:nomatch,encap:175,3,3", "--dhcp-option=encap:175,4,4",
              "--dhcp-option=tag:nomatch,encap:178,1,1", "--dhcp-option=tag:known,vendor:PXE,5,5",
              "--dhcp-option=vendor:PXE,5,6", "--dhcp-option=tag:!known,vi-encap:77,1,1",
              "--dhcp-host=02:00:00:00:00:0b,192.0.2.55"], {}, [
        discover(prl=(175, 178, 43, 125), vendor=PXE), discover(prl=(175, 178, 43, 125), vendor=PXE, mac=B)]),
    # Copies of a sub-option code: all sent, newest first.
    "duplicates": (["--dhcp-option=encap:175,1,1", "--dhcp-option=encap:175,1,2",
                    "--dhcp-option=vendor:PXE,1,1", "--dhcp-option=vendor:PXEClient,1,2",
                    "--dhcp-option=vi-encap:5,1,1", "--dhcp-option=vi-encap:5,1,2"], {}, [
        discover(prl=None, vendor=PXE)]),
    # Value encodings: numbers, strings, hex, addresses, several addresses, names.
    "values": (["--dhcp-option=encap:175,1,1500", "--dhcp-option=encap:175,2,70000", "--dhcp-option=encap:175,3,-1",
                "--dhcp-option=encap:175,4,de:ad:be:ef", "--dhcp-option=encap:175,5,192.0.2.1,192.0.2.2",
                "--dhcp-option=encap:175,6,some text", "--dhcp-option=vendor:PXE,7,2b",
                "--dhcp-option=vi-encap:3561,8,1w", "--dhcp-option=encap:175,9,",
                "--dhcp-option=encap:175,option:router,192.0.2.3"], {}, [
        discover(prl=(175, 43, 125), vendor=PXE)]),
    # Long values: groups of exactly 255 bytes (encap: 254 + END; vi-encap: 5 + 250).
    "size": (["--dhcp-option=encap:175,1," + "a" * 200, "--dhcp-option=encap:175,2," + "b" * 50,
              "--dhcp-option=vi-encap:3561,1," + "d" * 200, "--dhcp-option=vi-encap:3561,2," + "e" * 46], {}, [
        discover(prl=(175, 125), extra=[("max_dhcp_size", 1500)])]),
    # Over 255 bytes: encap:/vendor: groups go out as several copies of their option (END in
    # the last); a vi-encap: enterprise over 250 bytes of sub-options is not sent at all.
    "split": (["--dhcp-option=encap:175,1," + "a" * 200, "--dhcp-option=encap:175,2," + "b" * 60,
               "--dhcp-option=encap:175,3,c", "--dhcp-option=vi-encap:3561,1," + "d" * 240,
               "--dhcp-option=vi-encap:3561,2,eeee", "--dhcp-option=vi-encap:3561,3,ffffffffff",
               "--dhcp-option=vi-encap:7,1," + "g" * 244, "--dhcp-option=vendor:PXE,1," + "a" * 200,
               "--dhcp-option=vendor:PXE,2," + "b" * 60], {}, [
        discover(prl=(175, 125, 43), vendor=PXE, extra=[("max_dhcp_size", 1500)])]),
    # With PXE on, vendor: sub-options go in the PXE option 43: after the menu, before the
    # --pxe-prompt (here configured before them; dnsmasq interleaves them in config order).
    "pxe": (["--pxe-service=x86PC,Boot,pxelinux", "--pxe-prompt=Hi,5",
             "--dhcp-option=vendor:PXEClient,1,192.0.2.9", "--dhcp-option-force=vendor:PXE,2,1"], {}, [
        discover(prl=(1, 3, 43, 60), vendor=PXE, extra=[(93, b"\x00\x00")]), discover(prl=(1, 3, 43), vendor=PXE),
        discover(prl=(1, 3), vendor=PXE), discover(prl=(1, 43), vendor=b"other")]),
    # Odd values dnsmasq accepts: a sub-option code over 255 (its low byte is sent), an
    # empty vendor: class (matches any option 60), encap:0 (never sent).
    "odd": (["--dhcp-option=encap:175,300,1", "--dhcp-option=vendor:,1,1", "--dhcp-option=encap:0,1,1"], {}, [
        discover(prl=None, vendor=b"abc"), discover(prl=(43, 175, 1), vendor=b"abc"), discover(prl=None)]),
    # The same forms from --dhcp-optsfile.
    "optsfile": (["--dhcp-optsfile={dir}/opts"], {
        "opts": "encap:175,1,5\nvendor:PXEClient,1,192.0.2.8\nvi-encap:3561,1,abc\ntag:known,encap:175,2,1\n"}, [
        discover(prl=(175, 43, 125), vendor=PXE), discover(prl=(1, 3))]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_dhcp_encap_matches_dnsmasq(case, tmp_path, masqd_bin, dnsmasq_path):  # noqa: F811
    extra, files, steps = CASES[case]
    want, want_log, want_leases = run_case(tmp_path, dnsmasq_path, extra, steps, files)
    got, got_log, got_leases = run_case(tmp_path, masqd_bin, extra, steps, files)
    assert sum(w is not None for w in want) >= 1, "dnsmasq answered nothing: the set-up is broken"
    for i, (w, g) in enumerate(zip(want, got)):
        assert unfuzz(g) == unfuzz(w), f"step {i}: masqd {g} != dnsmasq {w}"
    assert got_log == want_log
    assert got_leases == want_leases
