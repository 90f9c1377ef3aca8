"""Runs inside a test's network namespace (ip netns exec NS python3 local_ns_runner.py SPEC):
starts each server of the spec in turn with the same flags, runs the same steps against it
(a query, or an `ip` command changing the namespace's interfaces) and prints, as JSON, each
server's answers (repr of their summaries) and --log-queries blocks. `reset` commands run after each server so the
next one starts from the same interfaces."""
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lib.dnscompat import ask, query_log, start, stop, summary  # noqa: E402


def main() -> None:
    spec = json.loads(sys.argv[1])
    tmp = Path(spec["tmp"])
    out = {}
    for label, binary in spec["servers"].items():
        log = tmp / f"{label}.log"
        proc, port = start(binary, spec["flags"], log)
        answers = []
        try:
            for step in spec["steps"]:
                if step[0] == "ip":
                    subprocess.run(step, check=True, timeout=10)
                    time.sleep(0.5)  # dnsmasq hears of the change through netlink
                else:
                    answers.append(repr(summary(ask(port, *step))))  # EDNS options are bytes
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
