#!/usr/bin/python3
"""dnsmasq's side of the blocklist benchmark: N synthetic `address=/name/` lines (the same
shape of names as bench/domain_set_bench.cc makes), then how long dnsmasq 2.90 takes until
it answers and how much memory it holds. Loopback only; the dnsmasq started here is always
stopped.

    /usr/bin/python3 bench/blocklist_dnsmasq.py [N]
"""
import os
import random
import socket
import struct
import subprocess
import sys
import tempfile
import time

PORT = 5399


def label(rng, lo, hi):
    chars = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(rng.choice(chars) for _ in range(rng.randint(lo, hi)))


def names(n):
    rng = random.Random(12345)
    tlds = ["com", "net", "org", "io", "co.uk", "de", "info", "xyz"]
    sites = [label(rng, 4, 14) + "." + rng.choice(tlds) for _ in range(20000)]
    for i in range(n):
        name = label(rng, 3, 12)
        if i % 4 == 0:
            name += "." + label(rng, 2, 8)
        yield name + "." + rng.choice(sites)


def query(name):
    q = struct.pack(">HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0)
    for part in name.split("."):
        q += bytes([len(part)]) + part.encode()
    q += b"\0" + struct.pack(">HH", 1, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.2)
        s.sendto(q, ("127.0.0.1", PORT))
        try:
            reply = s.recv(512)
        except socket.timeout:
            return None
        return reply[3] & 0xF  # rcode


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000000
    with tempfile.TemporaryDirectory() as tmp:
        conf = os.path.join(tmp, "block.conf")
        last = None
        with open(conf, "w") as f:
            for name in names(n):
                f.write(f"address=/{name}/\n")
                last = name
        start = time.monotonic()
        proc = subprocess.Popen(
            ["/usr/sbin/dnsmasq", "-d", "-k", "-p", str(PORT), "--no-resolv", "-h",
             "--listen-address=127.0.0.1", "--bind-interfaces", "-C", conf,
             "--pid-file=" + os.path.join(tmp, "pid"), "--log-facility=" + os.path.join(tmp, "log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            rcode = None
            deadline = start + 300
            while rcode is None and time.monotonic() < deadline and proc.poll() is None:
                rcode = query("www." + last)
            loaded = time.monotonic() - start
            if rcode is None:
                print("dnsmasq did not answer")
                return 1
            rss = rss_kib(proc.pid)
            t0 = time.monotonic()
            for _ in range(2000):
                query("www." + last)
            per_query = (time.monotonic() - t0) / 2000
            print(f"names            {n}")
            print(f"dnsmasq ready    {loaded * 1000:.0f} ms (first answer rcode {rcode})")
            print(f"dnsmasq VmRSS    {rss} KiB ({rss * 1024 / n:.1f} bytes per name)")
            print(f"round trip       {per_query * 1e6:.0f} us per query (python client, for scale only)")
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
