"""Run a server with private files under /etc (/etc/ethers for --read-ethers, which has no
path option) without touching the host's /etc: a wrapper script starts the server in a new
mount namespace (unshare -m, private propagation) where /etc is an overlay whose upper layer
is a temporary directory holding symlinks to the test's files. The host's /etc is only ever
the read-only lower layer, and the overlay vanishes with the process. The test edits its
own files (through the symlinks the server sees the change, e.g. after SIGHUP)."""
from __future__ import annotations

import os
import shlex
from pathlib import Path


def etc_overlay_wrapper(tmp: Path, binary: str, files: dict[str, Path], name: str = "") -> str:
    """A script that runs `binary` (with its arguments) where /etc/<key> is `files[key]`.
    Returns the script's path, to use in place of the binary (e.g. DhcpNet.server). The
    script's name ends in the binary's name, so two wrappers in one test dir stay apart."""
    base = tmp / f"etc-overlay-{name or os.path.basename(binary)}"
    upper, work = base / "upper", base / "work"
    upper.mkdir(parents=True)
    work.mkdir()
    for key, target in files.items():
        if "/" in key or key.startswith("."):
            raise ValueError(f"only files directly under /etc: {key!r}")
        os.symlink(target, upper / key)
    script = base / os.path.basename(binary)
    mount = (f"mount -t overlay overlay -o lowerdir=/etc,upperdir={shlex.quote(str(upper))},"
             f"workdir={shlex.quote(str(work))} /etc")
    # exec all the way down: the PID the caller holds is the server's.
    script.write_text("#!/bin/sh\n"
                      f"exec unshare -m --propagation private sh -c '{mount} && exec \"$0\" \"$@\"' "
                      f"{shlex.quote(binary)} \"$@\"\n")
    script.chmod(0o755)
    return str(script)
