#!/usr/bin/python3
"""DNS benchmark: dnsmasq and masqd side by side in one run, same flags.

--mode forward (default): both run with --cache-size=0 and forward every query (100,000
distinct names) to the same upstream, a dnsmasq on 127.0.0.1 that answers every name itself
(--address=/#/192.0.2.1, TTL 3600).
--mode hit: both run with --cache-size=10000; the query file has 1,000 names, asked once
beforehand (warm-up, not measured), so every measured query is a cache hit.

The server is pinned to CPU 0; dnsperf and the upstream share CPU 1. dnsperf offers the
same fixed rate to both. Reported per server: server CPU time per answered query (from
/proc/<pid>/stat), answered QPS, latency (dnsperf's average; the median and 99th percentile
of the per-answer latencies `dnsperf -v` prints), lost queries, and RSS idle and after the
run; then masqd/dnsmasq ratios.

Usage: bench/dns_bench.py [--mode forward|hit] [--seconds 10] [--qps 20000]
                            [--masqd build/release/masqd]
Loopback only; every process is stopped at the end.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """CPU time of pid's threads so far. The scheduler's exact run time (se.sum_exec_runtime,
    in /proc/<pid>/task/*/sched when the kernel has CONFIG_SCHED_DEBUG) when there is one:
    utime + stime from /proc/<pid>/stat count in 10 ms ticks, which at a few percent of one CPU
    is several percent of a run's total."""
    total, found = 0.0, False
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            m = re.search(r"se\.sum_exec_runtime\s*:\s*([0-9.]+)", (task / "sched").read_text())
        except OSError:
            continue  # the thread has just exited, or no CONFIG_SCHED_DEBUG
        if m:
            total += float(m.group(1)) / 1000  # milliseconds
            found = True
    if found:
        return total
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK  # utime + stime


def rss_kib(pid):
    m = re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text())
    return int(m.group(1)) if m else 0


def wait_port(port, timeout=5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = subprocess.run(["dig", "@127.0.0.1", "-p", str(port), "+time=1", "+tries=1",
                            "+short", "ready.bench.test"], capture_output=True, text=True)
        # dig prints ";; communications error ..." on stdout too: wait for an address.
        if re.fullmatch(r"\d+\.\d+\.\d+\.\d+", r.stdout.strip()):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing answers on port {port}")


def start(cmd, cpu):
    return subprocess.Popen(["taskset", "-c", str(cpu), *cmd], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def stop(p):
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=5)


def percentile(sorted_values, q):
    """The q-quantile (0..1) of an ascending list, nearest rank; 0 for an empty list."""
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def run_dnsperf(port, datafile, seconds, qps):
    # -v prints one "> RCODE name type latency-in-seconds" line per answer: the percentiles.
    r = subprocess.run(["taskset", "-c", "1", "dnsperf", "-s", "127.0.0.1", "-p", str(port),
                        "-d", datafile, "-l", str(seconds), "-Q", str(qps), "-t", "2", "-v"],
                       capture_output=True, text=True, timeout=seconds + 60)
    out = r.stdout
    def num(pattern):
        m = re.search(pattern, out)
        return float(m.group(1)) if m else 0.0
    lat = sorted(float(line.rsplit(None, 1)[1]) for line in out.splitlines()
                 if line.startswith("> ") and len(line.split()) >= 5)
    return {"sent": num(r"Queries sent:\s+(\d+)"), "completed": num(r"Queries completed:\s+(\d+)"),
            "lost": num(r"Queries lost:\s+(\d+)"), "qps": num(r"Queries per second:\s+([\d.]+)"),
            "latency_avg_us": num(r"Average Latency \(s\):\s+([\d.]+)") * 1e6,
            "latency_p50_us": percentile(lat, 0.50) * 1e6,
            "latency_p99_us": percentile(lat, 0.99) * 1e6}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--qps", type=int, default=20000)
    ap.add_argument("--masqd", default=str(ROOT / "build" / "release" / "masqd"))
    ap.add_argument("--mode", choices=("forward", "hit"), default="forward")
    args = ap.parse_args()
    names = 100000 if args.mode == "forward" else 1000
    for tool in ("dnsperf", "dnsmasq", "taskset", "dig"):
        if not shutil.which(tool):
            sys.exit(f"needs {tool} (tools/install-deps.sh bench)")

    tmp = tempfile.mkdtemp(prefix="masqd-bench-")
    datafile = os.path.join(tmp, "queries.txt")
    with open(datafile, "w") as f:
        for i in range(names):
            f.write(f"n{i}.bench.test A\n")
    up_port, port = 5360, 5361
    common = ["-C", "/dev/null", "-k", "--pid-file=", "--user=", f"--port={port}",
              "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv",
              f"--server=127.0.0.1#{up_port}", "--log-facility=/dev/null",
              "--cache-size=0" if args.mode == "forward" else "--cache-size=10000"]
    upstream = start(["dnsmasq", "-C", "/dev/null", "-k", "--pid-file=", "--user=",
                      f"--port={up_port}", "--listen-address=127.0.0.1", "--bind-interfaces",
                      "--no-resolv", "--address=/#/192.0.2.1", "--cache-size=0",
                      "--local-ttl=3600", "--log-facility=/dev/null"], 1)
    results = {}
    try:
        wait_port(up_port)
        for name, cmd in (("dnsmasq", ["dnsmasq", *common]), ("masqd", [args.masqd, *common])):
            p = start(cmd, 0)
            try:
                wait_port(port)
                if args.mode == "hit":
                    subprocess.run(["dnsperf", "-s", "127.0.0.1", "-p", str(port), "-d", datafile,
                                    "-n", "1", "-t", "2"], capture_output=True, timeout=60)
                idle = rss_kib(p.pid)
                c0 = cpu_seconds(p.pid)
                r = run_dnsperf(port, datafile, args.seconds, args.qps)
                r["cpu_us_per_query"] = (cpu_seconds(p.pid) - c0) / max(r["completed"], 1) * 1e6
                r["rss_idle_kib"] = idle
                r["rss_after_kib"] = rss_kib(p.pid)
                results[name] = r
            finally:
                stop(p)
    finally:
        stop(upstream)
        shutil.rmtree(tmp, ignore_errors=True)

    keys = ["cpu_us_per_query", "qps", "latency_avg_us", "latency_p50_us", "latency_p99_us",
            "lost", "rss_idle_kib", "rss_after_kib"]
    what = "forwarding (no cache)" if args.mode == "forward" else "cache hits"
    print(f"{what}, offered {args.qps} qps for {args.seconds} s, server pinned to CPU 0")
    print(f"{'metric':<18}{'dnsmasq':>12}{'masqd':>12}{'masqd/dnsmasq':>15}")
    for k in keys:
        a, b = results["dnsmasq"][k], results["masqd"][k]
        ratio = f"{b / a:.2f}" if a else "-"
        print(f"{k:<18}{a:>12.1f}{b:>12.1f}{ratio:>15}")


if __name__ == "__main__":
    main()
