"""The binary starts, checks syntax and refuses junk, as dnsmasq does."""
import subprocess


def run(binary, *args):
    return subprocess.run([binary, *args], capture_output=True, text=True, timeout=20)


def test_test_flag_on_empty_config(masqd_bin):
    r = run(masqd_bin, "--test", "-C", "/dev/null")
    assert r.returncode == 0, r.stderr
    assert "syntax check OK." in r.stderr


def test_junk_word_is_rejected(masqd_bin):
    r = run(masqd_bin, "--test", "-C", "/dev/null", "junk")
    assert r.returncode == 1
    assert "junk found in command line" in r.stderr
