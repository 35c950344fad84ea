"""The address the commands build links with (--base-url): anything but an http(s) address of a host is refused
with a message naming it, before anything is made or sent, by every command that takes one."""

import pytest

COMMANDS = [["units", "links"], ["reminders", "send", "--dry-run"], ["demo-site"]]
NOT_ADDRESSES = ["javascript:alert(1)", "not a url", "", "http://[::1", "https://x.vn/path?q=1", "https://x.vn/#top",
                 "http://x.vn:99999", "ftp://x.vn", "https://", "//x.vn"]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda args: " ".join(args[:2]))
@pytest.mark.parametrize("address", NOT_ADDRESSES)
def test_an_address_that_is_not_one_is_refused_by_name(runner, units, command, address):
    result = runner.invoke(args=[*command, "--base-url", address])
    assert result.exit_code == 2, "a usage error, not a traceback"
    assert "--base-url" in result.output and repr(address) in result.output, result.output


@pytest.mark.parametrize("address", ["https://tongket.example.vn", "http://127.0.0.1:8000/tongket"])
def test_an_address_with_a_port_or_a_path_is_taken(runner, units, address):
    result = runner.invoke(args=["units", "links", "--base-url", address, "--limit", "1"])
    assert result.exit_code == 0 and f"{address}/s/" in result.output
