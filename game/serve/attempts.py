"""Wrong join codes counted per client address, so that reconnecting does not start a guesser afresh.

A session locks its join form for longer after each wrong code (game.screens.join.slowdown), but a new
connection is a new session. The server keeps the count instead: a session reports each wrong code and
each admission, and a new session from the same address starts with the lock its count calls for.

An IPv6 address is counted by its /64 prefix: that is the block one home or one host is given, and
stepping through the addresses inside it must not start a guesser afresh.

A guesser with many addresses is slowed down by the room's count instead: beyond `ROOM_ALLOWANCE`
wrong codes in the last `ROOM_WINDOW` seconds, from whichever addresses, every new session starts
locked, for as long as the wrong codes beyond the allowance call for. Everyone waits a little while the
room is being guessed at; nobody is refused.

An admission clears the address's count. In a classroom everyone may share one address (a NAT, or a
proxy), and the others' typos must not keep locking the form for the next student. A quiet address is
forgotten after `FORGET_AFTER` seconds.
"""

from __future__ import annotations

import ipaddress
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

# What a session tells its server about joining, as a `tightrope-server:EVENT` link it asks to open
# (game.serve.session.ServedApp._tell_server): the server keeps such links for itself.
SERVER_EVENT = "tightrope-server"
JOIN_REFUSED = "join-refused"
JOIN_ADMITTED = "join-admitted"

FORGET_AFTER = 15 * 60
ROOM_WINDOW = 60.0
ROOM_ALLOWANCE = 30
"""Wrong codes a minute the whole room makes before every new session starts locked. A room of forty
typing a code makes a handful; a guesser stepping through a word list from many addresses, far more."""
MOST_ADDRESSES = 10_000  # beyond this the quietest are forgotten first: the table cannot be grown without end


def counted_as(address: str) -> str:
    """The key `address` is counted under: an IPv6 address's /64, an IPv4 address (also one written as
    IPv6) as itself, and anything that is not an address as it is."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


@dataclass
class _Refusals:
    count: int
    last: float


class JoinAttempts:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._by_address: dict[str, _Refusals] = {}
        # When the room's latest wrong codes came; only so many are needed to know the lock is at its
        # longest, so the queue is bounded however fast the guessing.
        self._recent: deque[float] = deque(maxlen=2 * ROOM_ALLOWANCE)

    def refused_before(self, address: str) -> int:
        """How many wrong codes came from `address` since its last admission, unless it has been quiet."""
        key = counted_as(address)
        found = self._by_address.get(key)
        if found is None:
            return 0
        if self._clock() - found.last >= FORGET_AFTER:
            del self._by_address[key]
            return 0
        return found.count

    def refused(self, address: str) -> None:
        count = self.refused_before(address) + 1
        key = counted_as(address)
        self._by_address.pop(key, None)  # re-inserted last: the dict stays ordered by last refusal
        self._by_address[key] = _Refusals(count, self._clock())
        self._recent.append(self._clock())
        while len(self._by_address) > MOST_ADDRESSES:
            del self._by_address[next(iter(self._by_address))]

    def admitted(self, address: str) -> None:
        self._by_address.pop(counted_as(address), None)

    def room_beyond_allowance(self) -> int:
        """Wrong codes from the whole room in the last `ROOM_WINDOW` seconds beyond `ROOM_ALLOWANCE`."""
        since = self._clock() - ROOM_WINDOW
        while self._recent and self._recent[0] <= since:
            self._recent.popleft()
        return max(0, len(self._recent) - ROOM_ALLOWANCE)
