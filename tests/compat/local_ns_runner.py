"""Runs inside a test's network namespace (ip netns exec NS python3 local_ns_runner.py SPEC):
starts each server of the spec in turn with the same flags, runs the same steps against it
(a query, or an `ip` command changing the namespace's interfaces) and prints, as JSON, each
server's answers (repr of their summaries) and --log-queries blocks. `reset` commands run
after each server so the next one starts from the same interfaces. With "wildcard" the
servers listen on every address and a query step may name the address it is sent to."""
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import dns.exception  # noqa: E402
import dns.message  # noqa: E402
import dns.query  # noqa: E402

from lib.dnscompat import ask, query_log, start, stop, summary  # noqa: E402


def start_wildcard(binary, flags, log: Path):
    """Like dnscompat.start, but listening on every address (wildcard socket)."""
    return start(binary, flags, log, wildcard=True)


def ask_at(port, step):
    """A query step: (name, type, how) to 127.0.0.1, or (name, type, how, address)."""
    if len(step) == 3:
        return ask(port, *step)
    name, rdtype, how, addr = step
    q = dns.message.make_query(name, rdtype, use_edns=0, payload=1232)
    try:
        if how == "tcp":
            return dns.query.tcp(q, addr, port=port, timeout=4)
        return dns.query.udp(q, addr, port=port, timeout=4)
    except dns.exception.Timeout:
        return None


def main() -> None:
    spec = json.loads(sys.argv[1])
    tmp = Path(spec["tmp"])
    out = {}
    for label, binary in spec["servers"].items():
        log = tmp / f"{label}.log"
        proc, port = (start_wildcard if spec.get("wildcard") else start)(binary, spec["flags"], log)
        answers = []
        try:
            for step in spec["steps"]:
                if step[0] == "ip":
                    subprocess.run(step, check=True, timeout=10)
                    time.sleep(0.5)  # dnsmasq hears of the change through netlink
                else:
                    answers.append(repr(summary(ask_at(port, step))))  # EDNS options are bytes
            time.sleep(0.2)
        finally:
            stop(proc)
            for cmd in spec["reset"]:
                subprocess.run(cmd, check=False, timeout=10)
        out[label] = answers
        out[label + "_log"] = query_log(log)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
