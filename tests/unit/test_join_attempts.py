"""The server's count of wrong join codes by address: kept across reconnections, cleared by a join."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import make_mocked_request

from game.serve import attempts
from game.serve.attempts import FORGET_AFTER, ROOM_ALLOWANCE, ROOM_WINDOW, JoinAttempts
from game.serve.server import client_address


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_refusals_add_up_per_address_and_an_admission_clears_them() -> None:
    counted = JoinAttempts(Clock())
    counted.refused("10.0.0.7")
    counted.refused("10.0.0.7")
    counted.refused("10.0.0.8")
    assert (counted.refused_before("10.0.0.7"), counted.refused_before("10.0.0.8")) == (2, 1)
    counted.admitted("10.0.0.7")
    assert (counted.refused_before("10.0.0.7"), counted.refused_before("10.0.0.8")) == (0, 1)
    assert counted.refused_before("10.0.0.9") == 0


def test_an_ipv6_address_counts_with_its_64_and_a_mapped_ipv4_address_as_itself() -> None:
    counted = JoinAttempts(Clock())
    counted.refused("2001:db8:1:2::a")
    counted.refused("2001:db8:1:2:ffff:ffff:ffff:ffff")  # the same /64: one guesser stepping through it
    counted.refused("2001:db8:1:3::a")
    counted.refused("::ffff:192.0.2.7")
    assert counted.refused_before("2001:db8:1:2:abcd::1") == 2
    assert counted.refused_before("2001:db8:1:3::b") == 1
    assert counted.refused_before("192.0.2.7") == 1
    assert counted.refused_before("192.0.2.8") == 0
    counted.admitted("2001:db8:1:2::99")
    assert counted.refused_before("2001:db8:1:2::a") == 0


def test_the_room_counts_wrong_codes_from_every_address_in_the_last_minute() -> None:
    clock = Clock()
    counted = JoinAttempts(clock)
    for n in range(ROOM_ALLOWANCE):
        counted.refused(f"10.0.{n // 250}.{n % 250}")
    assert counted.room_beyond_allowance() == 0
    clock.now += 10
    for n in range(3):
        counted.refused(f"192.0.2.{n}")
    assert counted.room_beyond_allowance() == 3
    counted.admitted("192.0.2.0")  # a join clears its address, not what the room has seen
    assert counted.room_beyond_allowance() == 3
    clock.now += ROOM_WINDOW - 10  # the first ROOM_ALLOWANCE are a minute old now
    assert counted.room_beyond_allowance() == 0
    for _ in range(10 * ROOM_ALLOWANCE):  # however fast the guessing, the count is bounded
        counted.refused("198.51.100.1")
    assert counted.room_beyond_allowance() == ROOM_ALLOWANCE


def test_a_quiet_address_is_forgotten_and_then_counts_from_one() -> None:
    clock = Clock()
    counted = JoinAttempts(clock)
    counted.refused("10.0.0.7")
    counted.refused("10.0.0.7")
    clock.now += FORGET_AFTER - 1
    assert counted.refused_before("10.0.0.7") == 2
    counted.refused("10.0.0.7")  # a refusal keeps it remembered for another FORGET_AFTER
    clock.now += FORGET_AFTER - 1
    assert counted.refused_before("10.0.0.7") == 3
    clock.now += 1
    assert counted.refused_before("10.0.0.7") == 0
    counted.refused("10.0.0.7")
    assert counted.refused_before("10.0.0.7") == 1


def test_the_table_is_bounded_and_forgets_the_quietest_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(attempts, "MOST_ADDRESSES", 3)
    clock = Clock()
    counted = JoinAttempts(clock)
    for address in ("a", "b", "c"):
        clock.now += 1
        counted.refused(address)
    clock.now += 1
    counted.refused("a")  # now the most recent
    counted.refused("d")
    assert [counted.refused_before(address) for address in "abcd"] == [2, 0, 1, 1]


def test_the_address_is_the_peer_or_what_a_proxy_on_this_machine_saw() -> None:
    def address(peer: str, forwarded: str | None) -> str:
        headers = {"X-Forwarded-For": forwarded} if forwarded else {}
        request = make_mocked_request("GET", "/ws", headers=headers)
        return client_address(request.clone(remote=peer))

    assert address("203.0.113.5", None) == "203.0.113.5"
    # A browser cannot choose its address by sending the header itself...
    assert address("203.0.113.5", "10.9.9.9") == "203.0.113.5"
    # ...but nginx on this machine appends the address it saw, last.
    assert address("127.0.0.1", "10.9.9.9, 198.51.100.4") == "198.51.100.4"
    assert address("::1", "198.51.100.4") == "198.51.100.4"
