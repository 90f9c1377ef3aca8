"""The TFTP server through the real binary and real clients (tftp-hpa, curl tftp://) plus a
small Python client for options and crafted packets (tests/lib/tftpclient.py), in private
network namespaces (tests/lib/dhcpnet.py: server 192.0.2.1/24, client 192.0.2.2/24, nothing
on host interfaces). Run the file with MASQD_TFTP_BIN=/usr/sbin/dnsmasq to check it against
the reference: the few places where masqd departs on purpose (symlinks out of the root,
timeout/windowsize acknowledged, netascii CR) say so and expect dnsmasq's behaviour there.
Needs root (network namespaces), tftp (tftp-hpa) and curl."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from lib.dhcpnet import SERVER_ADDR, DhcpNet, stop_process
from lib import tftpclient

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root"),
    pytest.mark.skipif(not shutil.which("tftp") or not shutil.which("curl"),
                       reason="tftp and curl are needed (tools/install-deps.sh test)"),
]

CLIENT_ADDR = "192.0.2.2"


@pytest.fixture
def tftp_bin(masqd_bin):
    return os.environ.get("MASQD_TFTP_BIN") or masqd_bin


@pytest.fixture
def is_reference(tftp_bin):
    return os.path.basename(tftp_bin) == "dnsmasq"


def write_random(path: Path, size: int, seed: int = 1) -> None:
    # Deterministic bytes, fast: repeat a digest-chained 1 MiB pattern with the offset mixed in.
    chunk = bytearray()
    h = hashlib.sha256(str(seed).encode()).digest()
    while len(chunk) < 1 << 20:
        h = hashlib.sha256(h).digest()
        chunk += h
    with open(path, "wb") as f:
        left, i = size, 0
        while left > 0:
            piece = bytes(chunk[: min(left, len(chunk))])
            f.write(i.to_bytes(8, "big") + piece[8:] if len(piece) > 8 else piece)
            left -= len(piece)
            i += 1


def sha(data_or_path) -> str:
    if isinstance(data_or_path, Path):
        h = hashlib.sha256()
        with open(data_or_path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        return h.hexdigest()
    return hashlib.sha256(data_or_path).hexdigest()


@pytest.fixture
def tree(tmp_path):
    """The served root, and a file outside it."""
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "small.txt").write_bytes(b"hello\n")
    (root / "text.txt").write_bytes(b"line one\nline two\r\nend\r")
    write_random(root / "multi.bin", 100_000, seed=2)
    write_random(root / "exact512.bin", 512 * 40, seed=3)
    write_random(root / "exact1468.bin", 1468 * 10, seed=4)
    (root / "Mixed.TXT").write_bytes(b"lower\n")
    (root / "mixed.txt").write_bytes(b"lower\n")
    (tmp_path / "outside").write_bytes(b"secret\n")
    os.symlink(tmp_path / "outside", root / "abs-escape")
    os.symlink("../outside", root / "rel-escape")
    os.symlink("small.txt", root / "inlink")
    (root / "private").write_bytes(b"x\n")
    os.chmod(root / "private", 0o600)
    for p in [tmp_path, root, root / "sub"]:
        os.chmod(p, 0o755)
    return root


@pytest.fixture
def net(tmp_path):
    n = DhcpNet(tmp_path)
    try:
        n.cx("ip", "addr", "add", f"{CLIENT_ADDR}/24", "dev", n.client_if)
        # A pair freshly up can take a moment before it carries packets.
        n.cx("ping", "-c", "1", "-W", "2", SERVER_ADDR, check=False)
    except Exception:
        n.close()
        raise
    yield n
    n.close()


def start(net, binary, root, *extra):
    return net.server(binary, "--enable-tftp", f"--tftp-root={root}", *extra, wait_text="TFTP ")


def get(net, name, **kw):
    return tftpclient.get(SERVER_ADDR, name, netns=net.client_ns, **kw)


def hpa_get(net, name, dest: Path, mode="binary"):
    return net.cx("tftp", "-m", mode, SERVER_ADDR, "-c", "get", name, str(dest), timeout=120, check=False)


def curl_get(net, name, dest: Path, blksize: int | None = None):
    args = ["curl", "-sS", "--max-time", "110", "-o", str(dest)]
    if blksize:
        args += ["--tftp-blksize", str(blksize)]
    return net.cx(*args, f"tftp://{SERVER_ADDR}/{name}", timeout=120, check=False)


# ---- fetching ----

def test_tftp_hpa_fetches_small_multi_block_and_exact_multiple(net, tree, tftp_bin, tmp_path):
    s = start(net, tftp_bin, tree)
    assert f"TFTP root is {tree}  " in s.log_lines()
    for name in ["small.txt", "multi.bin", "exact512.bin", "exact1468.bin", "inlink"]:
        dest = tmp_path / f"got-{name}"
        r = hpa_get(net, name, dest)
        assert r.returncode == 0 and not r.stderr.strip(), r.stderr
        assert sha(dest) == sha(tree / name if name != "inlink" else tree / "small.txt"), name
        s.wait_log(f"sent {tree}/{name} to {CLIENT_ADDR}")


def test_curl_fetches_with_several_block_sizes(net, tree, tftp_bin, tmp_path):
    start(net, tftp_bin, tree)
    for blksize in [8, 512, 1024, 1428, 1468]:
        for name in ["multi.bin", "exact1468.bin", "exact512.bin"]:
            dest = tmp_path / f"curl-{blksize}-{name}"
            r = curl_get(net, name, dest, blksize)
            assert r.returncode == 0, (blksize, name, r.stderr)
            assert sha(dest) == sha(tree / name), (blksize, name)


def test_blksize_negotiation_and_clamping(net, tree, tftp_bin):
    start(net, tftp_bin, tree)
    # Clamped to the veth MTU (1500) minus 32.
    r = get(net, "multi.bin", options={"blksize": "65536", "tsize": "0"})
    assert r.oack == {"blksize": "1468", "tsize": "100000"}
    assert r.max_block_len == 1468 and sha(r.data) == sha(tree / "multi.bin")
    # 0 becomes 1 (SEC-15), as dnsmasq.
    r = get(net, "small.txt", options={"blksize": "0"})
    assert r.oack == {"blksize": "1"} and r.data == b"hello\n" and r.blocks == 7


def test_tftp_mtu_and_no_blocksize(net, tree, tftp_bin):
    s = start(net, tftp_bin, tree, "--tftp-mtu=600")
    r = get(net, "multi.bin", options={"blksize": "1468"})
    assert r.oack == {"blksize": "568"} and sha(r.data) == sha(tree / "multi.bin")
    s.stop()
    start(net, tftp_bin, tree, "--tftp-no-blocksize")
    r = get(net, "multi.bin", options={"blksize": "1468", "tsize": "0"})
    assert r.oack == {"tsize": "100000"} and r.max_block_len == 512
    assert sha(r.data) == sha(tree / "multi.bin")


def test_windowsize_transfers(net, tree, tftp_bin, is_reference):
    start(net, tftp_bin, tree)
    for window in ["1", "2", "7", "32", "0", "33", "-1"]:
        r = get(net, "multi.bin", options={"blksize": "1024", "windowsize": window})
        assert sha(r.data) == sha(tree / "multi.bin"), window
        if is_reference:
            assert "windowsize" not in r.oack  # dnsmasq 2.90 ignores RFC 7440
        else:
            expect = str(min(max(int(window), 1), 32))
            assert r.oack == {"blksize": "1024", "windowsize": expect}, window


def test_timeout_option(net, tree, tftp_bin, is_reference):
    start(net, tftp_bin, tree)
    r = get(net, "small.txt", options={"timeout": "3", "tsize": "0"})
    assert r.data == b"hello\n"
    assert r.oack == ({"tsize": "6"} if is_reference else {"tsize": "6", "timeout": "3"})
    for bad in ["0", "256"]:
        r = get(net, "small.txt", options={"timeout": bad})
        assert r.data == b"hello\n" and r.oack == {}


def test_netascii(net, tree, tftp_bin, tmp_path, is_reference):
    start(net, tftp_bin, tree)
    r = get(net, "text.txt", mode="netascii", options={"tsize": "0"})
    assert r.oack == {}  # no tsize for netascii
    if is_reference:
        assert r.data == b"line one\r\nline two\r\r\nend\r"
    else:  # RFC 764: a bare CR goes out as CR NUL
        assert r.data == b"line one\r\nline two\r\x00\r\nend\r\x00"
    dest = tmp_path / "hpa-ascii.txt"
    res = hpa_get(net, "text.txt", dest, mode="netascii")
    assert res.returncode == 0
    assert dest.read_bytes().startswith(b"line one\nline two\r")


@pytest.mark.parametrize("size,blksize,client", [
    (33 * 1024 * 1024 + 100, 512, "hpa"),       # > 32 MiB at 512: block numbers roll over
    (100 * 1024 * 1024, 1468, "curl"),          # 100 MiB, roll-over at 1468 too
])
def test_large_file_roll_over(net, tree, tftp_bin, tmp_path, size, blksize, client):
    big = tree / "big.bin"
    write_random(big, size, seed=9)
    s = start(net, tftp_bin, tree)
    dest = tmp_path / "big-got.bin"
    t0 = time.monotonic()
    r = hpa_get(net, "big.bin", dest) if client == "hpa" else curl_get(net, "big.bin", dest, blksize)
    took = time.monotonic() - t0
    assert r.returncode == 0, r.stderr
    assert dest.stat().st_size == size
    assert sha(dest) == sha(big)
    assert took < 100
    s.wait_log(f"sent {big} to {CLIENT_ADDR}")
    dest.unlink()
    big.unlink()


def test_large_windowed_roll_over(net, tree, tftp_bin, is_reference):
    big = tree / "big.bin"
    write_random(big, 70000 * 512 + 17, seed=5)
    start(net, tftp_bin, tree)
    r = get(net, "big.bin", options={"blksize": "512", "windowsize": "16"}, timeout=100)
    assert len(r.data) == big.stat().st_size and sha(r.data) == sha(big)
    big.unlink()


def test_parallel_clients(net, tree, tftp_bin, tmp_path):
    start(net, tftp_bin, tree)
    procs = []
    for i in range(20):
        dest = tmp_path / f"par-{i}.bin"
        args = ["ip", "netns", "exec", net.client_ns, "curl", "-sS", "--max-time", "60",
                "--tftp-blksize", "1024", "-o", str(dest), f"tftp://{SERVER_ADDR}/multi.bin"]
        procs.append((subprocess.Popen(args, stderr=subprocess.PIPE), dest))
    try:
        for p, dest in procs:
            p.wait(timeout=90)
            assert p.returncode == 0
            assert sha(dest) == sha(tree / "multi.bin")
    finally:
        for p, _ in procs:
            stop_process(p)


# ---- refusals ----

def expect_error(net, name, code, message, **kw):
    r = get(net, name, **kw)
    assert r.error == (code, message), (name, r.error)
    # SEC-15: the packet is the header, the message and one NUL, nothing more.
    assert len(r.error_packet) == 4 + len(message.encode()) + 1
    return r


def test_refused_paths_get_dnsmasq_errors(net, tree, tftp_bin, tmp_path):
    s = start(net, tftp_bin, tree)
    c = CLIENT_ADDR
    denied = "Permission denied"
    expect_error(net, "../outside", 2, f"cannot access {tree}/../outside: {denied}")
    expect_error(net, "a\\..\\..\\outside", 2, f"cannot access {tree}/a/../../outside: {denied}")
    expect_error(net, str(tmp_path / "outside"), 1, f"file {tree}{tmp_path}/outside not found for {c}")
    expect_error(net, "missing", 1, f"file {tree}/missing not found for {c}")
    expect_error(net, "private", 2, f"cannot access {tree}/private: {denied}")
    expect_error(net, "sub", 0, f"cannot read {tree}/sub: Is a directory")
    expect_error(net, "MIXED.TXT", 1, f"file {tree}/MIXED.TXT not found for {c}")
    # An absolute name inside the root, and one relative to it, are both served.
    assert get(net, f"{tree}/small.txt").data == b"hello\n"
    assert get(net, "/small.txt").data == b"hello\n"
    for line in [f"cannot access {tree}/../outside: {denied}", f"file {tree}/missing not found for {c}",
                 f"cannot read {tree}/sub: Is a directory"]:
        s.wait_log(line)


def test_symlink_out_of_the_root_is_refused(net, tree, tftp_bin, is_reference):
    s = start(net, tftp_bin, tree)
    for name in ["abs-escape", "rel-escape"]:
        r = get(net, name)
        if is_reference:  # dnsmasq 2.90 follows them
            assert r.data == b"secret\n"
        else:
            assert r.error == (2, f"cannot access {tree}/{name}: Permission denied")
            s.wait_log(f"cannot access {tree}/{name}: Permission denied")


def test_write_and_bad_requests_are_unsupported(net, tree, tftp_bin):
    s = start(net, tftp_bin, tree)
    msg = f"unsupported request from {CLIENT_ADDR}"
    for raw in [b"\x00\x02small.txt\x00octet\x00", b"\x00\x01small.txt\x00mail\x00",
                b"\x00\x01\x00octet\x00", b"\x00\x05\x00\x01err\x00",
                b"\x00\x01" + b"A" * 600,                       # SEC-15: no NUL
                b"\x00\x01small.txt\x00octet"]:
        r = get(net, "", raw=raw)
        assert r.error == (4, msg), raw
        assert len(r.error_packet) == 4 + len(msg) + 1
    s.wait_log(msg)
    # tftp-hpa's put is refused the same way.
    up = tree.parent / "upload.txt"
    up.write_bytes(b"data\n")
    r = net.cx("tftp", SERVER_ADDR, "-c", "put", str(up), "upload.txt", timeout=30, check=False)
    assert "Error code 4" in (r.stdout + r.stderr)
    assert not (tree / "upload.txt").exists()


def test_crafted_sec15_packets(net, tree, tftp_bin, is_reference):
    """SEC-15: odd option values and malformed packets never crash the server; it keeps
    serving afterwards."""
    s = start(net, tftp_bin, tree)
    odd = [
        {"blksize": "0"}, {"blksize": "65536"}, {"blksize": "-7"}, {"blksize": "99999999999999999999"},
        {"windowsize": "0"}, {"windowsize": "33"}, {"windowsize": "65535"}, {"windowsize": "x"},
        {"timeout": "-1"}, {"tsize": "-5"},
    ]
    for opts in odd:
        r = get(net, "multi.bin", options=opts)
        assert sha(r.data) == sha(tree / "multi.bin"), opts
    crafted = [
        b"\x00\x01" + b"B" * 512 + b"\x00octet\x00",          # long name, terminated
        b"\x00\x01" + b"C" * 2000,                           # longer than any buffer, no NUL
        b"\x00\x01small.txt\x00octet\x00blksize\x00",         # option without a value
        b"\x00\x04\x00\x01", b"\x00\x03\x00\x01data", b"\x00", b"",
        b"\x00\x01small.txt\x00octet\x00" + b"x\x00" * 500,
    ]
    for raw in crafted:
        tftpclient.request_reply(SERVER_ADDR, raw, netns=net.client_ns, wait=0.5)
    # A client ERROR whose message has no NUL ends its transfer cleanly.
    sock = tftpclient.udp_socket(net.client_ns)
    try:
        sock.settimeout(3)
        sock.sendto(tftpclient.rrq("multi.bin"), (SERVER_ADDR, 69))
        pkt, addr = sock.recvfrom(2000)
        assert pkt[:4] == b"\x00\x03\x00\x01"
        sock.sendto(b"\x00\x05\x00\x03disk full", addr)
    finally:
        sock.close()
    # Without its NUL the message is not read at all; the transfer ends unfinished.
    s.wait_log(f"error 3  received from {CLIENT_ADDR}")
    s.wait_log(f"failed sending {tree}/multi.bin to {CLIENT_ADDR}")
    assert s.proc.poll() is None
    assert get(net, "small.txt").data == b"hello\n"


def test_unanswered_transfer_is_retransmitted_then_abandoned(net, tree, tftp_bin):
    s = start(net, tftp_bin, tree)
    sock = tftpclient.udp_socket(net.client_ns)
    got = []
    try:
        sock.sendto(tftpclient.rrq("multi.bin"), (SERVER_ADDR, 69))
        t0 = time.monotonic()
        sock.settimeout(1)
        while time.monotonic() - t0 < 40:
            try:
                pkt, _ = sock.recvfrom(2000)
                got.append((time.monotonic() - t0, pkt[:4]))
            except TimeoutError:
                if any("failed sending" in line for line in s.log_lines()):
                    break
    finally:
        sock.close()
    assert len(got) >= 5 and all(p == b"\x00\x03\x00\x01" for _, p in got)
    gaps = [b[0] - a[0] for a, b in zip(got, got[1:])]
    assert gaps == sorted(gaps, key=lambda g: round(g)) or max(gaps) > min(gaps)  # back-off
    s.wait_log(f"failed sending {tree}/multi.bin to {CLIENT_ADDR}", timeout=15)


def test_lowercase_and_quiet(net, tree, tftp_bin):
    s = start(net, tftp_bin, tree, "--tftp-lowercase", "--quiet-tftp")
    assert get(net, "MIXED.TXT").data == b"lower\n"
    r = get(net, "NOPE")
    assert r.error == (1, f"file {tree}/nope not found for {CLIENT_ADDR}")
    r = get(net, "../x")
    assert r.error[0] == 2
    s.wait_log(f"cannot access {tree}/../x")
    # --quiet-tftp leaves out only "not found" (dnsmasq 2.90 still logs "sent").
    lines = s.log_lines()
    assert f"sent {tree}/mixed.txt to {CLIENT_ADDR}" in lines
    assert not any("not found" in line for line in lines)


def test_unique_root_ip_and_interface_root(net, tree, tftp_bin, tmp_path):
    (tree / CLIENT_ADDR).mkdir()
    (tree / CLIENT_ADDR / "small.txt").write_bytes(b"mine\n")
    other = tmp_path / "other"
    other.mkdir()
    (other / "small.txt").write_bytes(b"other\n")
    os.chmod(other, 0o755)
    s = start(net, tftp_bin, tree, "--tftp-unique-root")
    assert get(net, "small.txt").data == b"mine\n"
    assert get(net, "multi.bin").error[0] == 1  # only the client's directory is looked in
    s.stop()
    # The interface's own root wins.
    s = start(net, tftp_bin, tree, f"--tftp-root={other},{net.server_if}")
    assert get(net, "small.txt").data == b"other\n"
    s.stop()
    # Another interface's root does not apply here.
    s = start(net, tftp_bin, tree, f"--tftp-root={other},lo")
    assert get(net, "small.txt").data == b"hello\n"


def test_enable_tftp_on_other_interface_only(net, tree, tftp_bin):
    start(net, tftp_bin, tree, "--enable-tftp=lo")
    with pytest.raises(TimeoutError):
        get(net, "small.txt", timeout=2)


def test_secure_mode_and_single_port_lines(net, tree, tftp_bin):
    s = start(net, tftp_bin, tree, "--tftp-secure", "--tftp-single-port")
    assert f"TFTP root is {tree} secure mode single port mode" in s.log_lines()
    r = get(net, "multi.bin", options={"blksize": "1024"})
    assert r.server_port == 69 and sha(r.data) == sha(tree / "multi.bin")


def test_port_range(net, tree, tftp_bin):
    start(net, tftp_bin, tree, "--tftp-port-range=40000,40009")
    for _ in range(5):
        r = get(net, "small.txt")
        assert r.data == b"hello\n" and 40000 <= r.server_port <= 40009


def test_missing_root_fails_start_up_unless_no_fail(net, tree, tftp_bin, tmp_path):
    missing = tmp_path / "nope"
    r = net.sx(tftp_bin, "-C", "/dev/null", "-d", "-p", "0", "--pid-file=", "--enable-tftp",
               f"--tftp-root={missing}", timeout=10, check=False)
    assert r.returncode == 3
    assert f"TFTP directory {missing} inaccessible: No such file or directory" in r.stderr
    # An interface's root is checked too.
    r = net.sx(tftp_bin, "-C", "/dev/null", "-d", "-p", "0", "--pid-file=", "--enable-tftp",
               f"--tftp-root={tree}", f"--tftp-root={missing},lo", timeout=10, check=False)
    assert r.returncode == 3
    s = start(net, tftp_bin, missing, "--tftp-no-fail")
    s.wait_log(f"warning: {missing} inaccessible")
    assert get(net, "small.txt").error[0] == 1


def test_tftp_max_limits_concurrent_transfers(net, tree, tftp_bin):
    s = start(net, tftp_bin, tree, "--tftp-max=2")
    socks = [tftpclient.udp_socket(net.client_ns) for _ in range(4)]
    try:
        # Transfers that stall (no ACK) fill the table: as dnsmasq 2.90, one more than
        # --tftp-max runs.
        for sock in socks[:3]:
            sock.settimeout(3)
            sock.sendto(tftpclient.rrq("multi.bin"), (SERVER_ADDR, 69))
            pkt, _ = sock.recvfrom(2000)
            assert pkt[:4] == b"\x00\x03\x00\x01"
        # The next one gets nothing at all while they run.
        socks[3].settimeout(0.8)
        socks[3].sendto(tftpclient.rrq("small.txt"), (SERVER_ADDR, 69))
        try:
            third = socks[3].recvfrom(2000)
        except TimeoutError:
            third = None
        assert third is None, third
        # Once one ends (the client says so), the waiting request is served: the server
        # did not read it while the table was full, so it is not lost.
        pkt, addr = socks[0].recvfrom(2000)
        socks[0].sendto(b"\x00\x05\x00\x00stop\x00", addr)
        s.wait_log(f"error 0 stop received from {CLIENT_ADDR}")
        socks[3].settimeout(3)
        pkt, addr = socks[3].recvfrom(2000)
        assert pkt == b"\x00\x03\x00\x01hello\n"
        socks[3].sendto(b"\x00\x04\x00\x01", addr)
        s.wait_log(f"sent {tree}/small.txt to {CLIENT_ADDR}")
    finally:
        for sock in socks:
            sock.close()
