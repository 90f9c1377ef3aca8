"""The "tftp" action of --dhcp-script: after each completed TFTP transfer the script runs as
`<script> tftp <size> <client address> <full path>` (dnsmasq's man page). A shell script
appends its arguments and DNSMASQ_* environment to a file; tftp-hpa fetches files from
the client namespace (tests/lib/dhcpnet.py, 192.0.2.0/24). MASQD_DHCP_BIN=/usr/sbin/dnsmasq
runs the same test against the reference. Needs root and tftp (tftp-hpa)."""
from __future__ import annotations

import os
import shutil
import time

import pytest

from lib.dhcpnet import SERVER_ADDR

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root"),
    pytest.mark.skipif(not shutil.which("tftp"), reason="tftp (tftp-hpa) is needed"),
]

CLIENT_ADDR = "192.0.2.2"


def read_calls(out, count, timeout=5.0):
    """The script calls recorded so far, once at least `count` are complete (bounded wait)."""
    deadline = time.monotonic() + timeout
    while True:
        text = out.read_text() if out.exists() else ""
        complete = text[:text.rfind("\n\n") + 2] if "\n\n" in text else ""
        blocks = [b.strip().splitlines() for b in complete.split("\n\n") if b.strip()]
        if len(blocks) >= count or time.monotonic() > deadline:
            return [(lines[0].split(" ")[1:], dict(x.split("=", 1) for x in lines[1:])) for lines in blocks]
        time.sleep(0.05)


def test_tftp_event_after_each_completed_transfer(net, dhcp_bin, tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (root / "small.txt").write_bytes(b"hello\n")
    (root / "multi.bin").write_bytes(os.urandom(100_000))
    for p in (tmp_path, root):
        os.chmod(p, 0o755)
    out = tmp_path / "calls"
    script = tmp_path / "script.sh"
    script.write_text("#!/bin/sh\n"
                      f'{{ echo "ARGS $*"; env | grep ^DNSMASQ_ | sort; echo; }} >> {out}\n')
    script.chmod(0o755)
    net.cx("ip", "addr", "add", f"{CLIENT_ADDR}/24", "dev", net.client_if)
    net.cx("ping", "-c", "1", "-W", "2", SERVER_ADDR, check=False)
    net.server(dhcp_bin, "--dhcp-range=192.0.2.100,192.0.2.150,1h", "--enable-tftp",
               f"--tftp-root={root}", f"--dhcp-script={script}")

    def fetch(name):
        dest = tmp_path / ("got-" + name)
        r = net.cx("tftp", "-m", "binary", SERVER_ADDR, "-c", "get", name, str(dest), timeout=60, check=False)
        return dest if dest.exists() else None, r

    got, _ = fetch("small.txt")
    assert got and got.read_bytes() == b"hello\n"
    calls = read_calls(out, 1)
    assert calls[0][0] == ["tftp", "6", CLIENT_ADDR, f"{root}/small.txt"]

    got, _ = fetch("multi.bin")
    assert got and got.read_bytes() == (root / "multi.bin").read_bytes()
    calls = read_calls(out, 2)
    assert calls[1][0] == ["tftp", "100000", CLIENT_ADDR, f"{root}/multi.bin"]

    # A refused transfer (missing file) runs nothing.
    fetch("missing.bin")
    time.sleep(1.0)
    calls = read_calls(out, 2, timeout=0.1)
    assert len(calls) == 2, calls
    # Only the two transfers were reported, with no DNSMASQ_* variables (dnsmasq 2.90).
    assert [env for _, env in calls] == [{}, {}]
