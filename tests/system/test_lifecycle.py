"""Daemon lifecycle as dnsmasq 2.90 does it: -d/-k/daemon modes, pid file, log file,
signals, user switch, start-up errors and exit codes, and the "dnsmasq" drop-in name.

Where dnsmasq itself can be run the same way (with -p 0, so it binds nothing), the test runs
both and compares exit status and stderr bytes (with the program name swapped).
"""
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

LINE_RE = re.compile(r"^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d (?P<ident>[a-z-]+)\[(?P<pid>\d+)\]: (?P<msg>.*)$")
WAIT = 10.0  # seconds; every wait below is bounded by this


@pytest.fixture
def workdir():
    # World-writable (sticky) so a daemon that switched to "nobody" may remove its pid file
    # and reopen its log there, as it could in /run.
    d = tempfile.mkdtemp(prefix="masqd-life-")
    os.chmod(d, 0o1777)
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def procs():
    started = []
    yield started
    for p in started:
        if isinstance(p, int):
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
        elif p.poll() is None:
            p.kill()
            p.wait(timeout=WAIT)


def wait_for(cond, timeout=WAIT, step=0.05):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = cond()
        if v:
            return v
        time.sleep(step)
    return cond()


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def log_lines(path):
    out = []
    for line in read(path).splitlines():
        m = LINE_RE.match(line)
        assert m, f"bad log line format: {line!r}"
        out.append(m)
    return out


def has_msg(path, text):
    return any(m["msg"] == text or m["msg"].startswith(text) for m in log_lines(path))


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is not alive for our purpose.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


def proc_status(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return line.split()[1:]
    return None


def base_args(workdir, log="m.log", pid="m.pid"):
    return ["-C", "/dev/null", "-p", "0", f"--log-facility={workdir}/{log}", f"--pid-file={workdir}/{pid}"]


def start(binary, args, procs):
    p = subprocess.Popen([binary, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    procs.append(p)
    return p


def run(binary, args, timeout=20):
    return subprocess.run([binary, *args], capture_output=True, timeout=timeout)


def test_debug_mode_logs_like_dnsmasq_and_exits_on_term(masqd_bin, workdir, procs):
    log = f"{workdir}/m.log"
    p = start(masqd_bin, ["-d", *base_args(workdir)], procs)
    assert wait_for(lambda: has_msg(log, "compile time options: ")), read(log)
    p.send_signal(signal.SIGTERM)
    out, err = p.communicate(timeout=WAIT)
    assert p.returncode == 0
    lines = log_lines(log)
    assert {m["ident"] for m in lines} == {"masqd"}
    assert {int(m["pid"]) for m in lines} == {p.pid}
    msgs = [m["msg"] for m in lines]
    assert re.fullmatch(r"started, version \S+ DNS disabled", msgs[0])
    assert msgs[1].startswith("compile time options: IPv6 GNU-getopt ")
    assert msgs[-1] == "exiting on receipt of SIGTERM"
    # -d echoes every line to stderr as "<name>: <msg>" and writes no pid file.
    assert err.decode().splitlines() == [f"masqd: {m}" for m in msgs]
    assert not os.path.exists(f"{workdir}/m.pid")


def test_debug_mode_matches_dnsmasq_shape(masqd_bin, dnsmasq_bin, workdir, procs):
    results = {}
    for name, binary in (("masqd", masqd_bin), ("dnsmasq", dnsmasq_bin)):
        log = f"{workdir}/{name}.log"
        p = start(binary, ["-d", *base_args(workdir, log=f"{name}.log", pid=f"{name}.pid")], procs)
        assert wait_for(lambda: has_msg(log, "compile time options: ")), read(log)
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=WAIT)
        msgs = [m["msg"] for m in log_lines(log)]
        results[name] = (p.returncode, msgs[0].split(" version ")[0], msgs[-1], err.decode().splitlines()[0].split(":")[0])
    m, d = results["masqd"], results["dnsmasq"]
    assert (m[0], m[1], m[2]) == (d[0], d[1], d[2]) == (0, "started,", "exiting on receipt of SIGTERM")
    assert (m[3], d[3]) == ("masqd", "dnsmasq")


def test_keep_in_foreground_writes_own_pid_and_switches_user(masqd_bin, workdir, procs):
    log, pidf = f"{workdir}/m.log", f"{workdir}/m.pid"
    p = start(masqd_bin, ["-k", *base_args(workdir)], procs)
    assert wait_for(lambda: has_msg(log, "compile time options: ")), read(log) + p.stderr.read1().decode()
    assert read(pidf) == f"{p.pid}\n"
    if os.geteuid() == 0:
        import pwd
        nobody = pwd.getpwnam("nobody")
        assert (os.stat(pidf).st_uid, os.stat(pidf).st_gid) == (nobody.pw_uid, nobody.pw_gid)
        assert proc_status(p.pid, "Uid") == [str(nobody.pw_uid)] * 4
        assert proc_status(p.pid, "Groups") in ([], None)
        assert proc_status(p.pid, "CapEff") == ["0000000000000000"]
        st = os.stat(log)
        assert st.st_uid == nobody.pw_uid and (st.st_mode & 0o777) == 0o660
    p.send_signal(signal.SIGTERM)
    p.communicate(timeout=WAIT)
    assert p.returncode == 0
    assert not os.path.exists(pidf)
    assert log_lines(log)[-1]["msg"] == "exiting on receipt of SIGTERM"


def test_daemon_mode_detaches_and_terminates(masqd_bin, workdir, procs):
    log, pidf = f"{workdir}/m.log", f"{workdir}/m.pid"
    r = run(masqd_bin, base_args(workdir))
    assert r.returncode == 0, r.stderr
    assert r.stderr == b""
    pid = int(wait_for(lambda: read(pidf).strip()))
    procs.append(pid)
    assert alive(pid)
    assert wait_for(lambda: has_msg(log, "compile time options: "))
    assert {int(m["pid"]) for m in log_lines(log)} == {pid}
    # New session (setsid in the first child), but not its leader (a second fork), so it can
    # never get a controlling terminal back.
    assert os.getsid(pid) not in (pid, os.getsid(0))
    if os.geteuid() == 0:
        import pwd
        assert proc_status(pid, "Uid")[0] == str(pwd.getpwnam("nobody").pw_uid)
    for fd in (0, 1, 2):
        assert os.readlink(f"/proc/{pid}/fd/{fd}") == "/dev/null"
    os.kill(pid, signal.SIGTERM)
    assert wait_for(lambda: not alive(pid))
    assert wait_for(lambda: not os.path.exists(pidf))
    assert log_lines(log)[-1]["msg"] == "exiting on receipt of SIGTERM"


def test_usr2_reopens_renamed_log(masqd_bin, workdir, procs):
    log = f"{workdir}/m.log"
    p = start(masqd_bin, ["-k", *base_args(workdir)], procs)
    assert wait_for(lambda: has_msg(log, "compile time options: "))
    os.rename(log, log + ".1")
    p.send_signal(signal.SIGUSR2)
    assert wait_for(lambda: os.path.exists(log))
    p.send_signal(signal.SIGUSR1)
    assert wait_for(lambda: has_msg(log, "time "))
    assert not has_msg(log + ".1", "time ")
    p.send_signal(signal.SIGTERM)
    p.communicate(timeout=WAIT)
    assert p.returncode == 0
    assert log_lines(log)[-1]["msg"] == "exiting on receipt of SIGTERM"


@pytest.mark.parametrize("which", ["masqd", "dnsmasq"])
def test_sigint_ignored_by_daemon_ends_debug_run(which, masqd_bin, dnsmasq_bin, workdir, procs):
    binary = masqd_bin if which == "masqd" else dnsmasq_bin
    log = f"{workdir}/m.log"
    k = start(binary, ["-k", *base_args(workdir)], procs)
    assert wait_for(lambda: has_msg(log, "compile time options: "))
    k.send_signal(signal.SIGINT)
    time.sleep(0.5)
    assert k.poll() is None, "SIGINT must not end a -k run"
    k.send_signal(signal.SIGTERM)
    k.communicate(timeout=WAIT)
    assert k.returncode == 0

    os.unlink(log)
    d = start(binary, ["-d", *base_args(workdir)], procs)
    assert wait_for(lambda: has_msg(log, "compile time options: "))
    d.send_signal(signal.SIGINT)
    d.communicate(timeout=WAIT)
    assert d.returncode == 5  # dnsmasq's EC_MISC, nothing logged
    assert not has_msg(log, "exiting")


def swap_name(b):
    return b.replace(b"dnsmasq", b"masqd")


@pytest.mark.parametrize("mode", [["-d"], ["-k"], []])
def test_unknown_user_fails_like_dnsmasq(mode, masqd_bin, dnsmasq_bin, workdir):
    args = [*mode, *base_args(workdir), "--user=nosuchuser"]
    m = run(masqd_bin, args)
    d = run(dnsmasq_bin, args)
    assert m.returncode == d.returncode == 1
    assert m.stderr == swap_name(d.stderr) == b"\nmasqd: unknown user or group: nosuchuser\n"
    assert not os.path.exists(f"{workdir}/m.pid")


def test_unknown_group_fails_like_dnsmasq(masqd_bin, dnsmasq_bin, workdir):
    args = ["-k", *base_args(workdir), "--group=nosuchgroup"]
    m, d = run(masqd_bin, args), run(dnsmasq_bin, args)
    assert m.returncode == d.returncode == 1
    assert m.stderr == swap_name(d.stderr)


@pytest.mark.skipif(os.geteuid() != 0, reason="pid file failures are fatal only for root")
@pytest.mark.parametrize("mode", [["-k"], []])
def test_pid_file_failure_reported_by_launcher(mode, masqd_bin, dnsmasq_bin, workdir):
    args = [*mode, *base_args(workdir, pid="nodir/x.pid")]
    m, d = run(masqd_bin, args), run(dnsmasq_bin, args)
    assert m.returncode == d.returncode == 3
    assert m.stderr == swap_name(d.stderr)
    assert m.stderr.startswith(b"\nmasqd: failed to open pidfile ")


@pytest.mark.parametrize("mode", [["-k"], []])
def test_log_file_failure_exit_3(mode, masqd_bin, dnsmasq_bin, workdir, procs):
    args = [*mode, *base_args(workdir, log="nodir/x.log")]
    m, d = run(masqd_bin, args), run(dnsmasq_bin, args)
    assert m.returncode == d.returncode == 3
    assert m.stderr == swap_name(d.stderr)
    assert b"cannot open log " in m.stderr


def test_config_error_bytes_match_dnsmasq(masqd_bin, dnsmasq_bin, workdir):
    bad = f"{workdir}/bad.conf"
    with open(bad, "w") as f:
        f.write("no-such-option\n")
    m, d = run(masqd_bin, ["--test", "-C", bad]), run(dnsmasq_bin, ["--test", "-C", bad])
    assert m.returncode == d.returncode == 1
    assert m.stderr == swap_name(d.stderr) == f"\nmasqd: bad option at line 1 of {bad}\n".encode()


def test_symlink_named_dnsmasq_calls_itself_dnsmasq(masqd_bin, dnsmasq_bin, workdir, procs):
    link = f"{workdir}/dnsmasq"
    os.symlink(os.path.abspath(masqd_bin), link)
    r = run(link, ["--test", "-C", "/dev/null"])
    assert r.returncode == 0
    assert r.stderr == b"dnsmasq: syntax check OK."  + b"\n"
    args = ["-d", *base_args(workdir), "--user=nosuchuser"]
    m, d = run(link, args), run(dnsmasq_bin, args)
    assert m.returncode == d.returncode and m.stderr == d.stderr
    log = f"{workdir}/m.log"
    p = start(link, ["-d", *base_args(workdir)], procs)
    assert wait_for(lambda: has_msg(log, "compile time options: "))
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=WAIT)
    assert {m["ident"] for m in log_lines(log)} == {"dnsmasq"}
    assert err.decode().startswith("dnsmasq: started, version ")
