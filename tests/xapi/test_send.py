"""Sending to an LRS that misbehaves on cue: a scripted HTTP server on loopback answers each request."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from game.commands.report import LrsError, LrsSender


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class ScriptedLrs:
    """Answers request N with script[N] (status, headers); 200 with the ids once the script runs out."""

    script: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def scripted() -> Iterator[ScriptedLrs]:
    lrs = ScriptedLrs()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length)) if length else None
            headers = {name.lower(): value for name, value in self.headers.items()}  # names are case-blind
            lrs.seen.append(Seen(self.command, self.path, headers, body))
            status, headers = lrs.script.pop(0) if lrs.script else (200, {})
            payload = b""
            if status == 200 and isinstance(body, list):
                payload = json.dumps([s["id"] for s in body]).encode()
            elif status >= 400:
                payload = json.dumps({"detail": f"scripted {status}"}).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_POST = do_PUT = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    lrs.url = f"http://127.0.0.1:{server.server_address[1]}/xAPI/"
    try:
        yield lrs
    finally:
        server.shutdown()
        server.server_close()


def make(count: int) -> list[dict[str, Any]]:
    return [{"id": f"00000000-0000-0000-0000-{n:012d}", "n": n} for n in range(count)]


def sender(url: str, waits: list[float], **options: Any) -> LrsSender:
    return LrsSender(url, "ann:secret", backoff=0.5, sleep=waits.append, **options)


def test_statements_go_in_batches_of_fifty_with_the_xapi_version_and_credentials(
    scripted: ScriptedLrs,
) -> None:
    waits: list[float] = []
    delivery = sender(scripted.url, waits).send(make(120))
    assert (delivery.batches, delivery.conflicts) == (3, 0)
    assert [len(seen.body) for seen in scripted.seen] == [50, 50, 20]
    assert [s["n"] for seen in scripted.seen for s in seen.body] == list(range(120))
    first = scripted.seen[0]
    assert (first.method, first.path) == ("POST", "/xAPI/statements")
    assert first.headers["x-experience-api-version"] == "1.0.3"
    assert first.headers["authorization"] == "Basic YW5uOnNlY3JldA=="  # ann:secret
    assert first.headers["content-type"] == "application/json"
    assert waits == []


def test_a_busy_lrs_is_retried_with_exponential_backoff(scripted: ScriptedLrs) -> None:
    scripted.script = [(503, {}), (502, {}), (500, {})]
    waits: list[float] = []
    sender(scripted.url, waits).send(make(3))
    assert len(scripted.seen) == 4
    assert waits == [0.5, 1.0, 2.0]


def test_retry_after_is_honoured_up_to_the_longest_wait(scripted: ScriptedLrs) -> None:
    scripted.script = [(429, {"Retry-After": "7"}), (429, {"Retry-After": "600"})]
    waits: list[float] = []
    sender(scripted.url, waits, max_wait=30.0).send(make(1))
    assert waits == [7.0, 30.0]


def test_an_lrs_that_stays_busy_fails_after_the_last_attempt_saying_how_many_were_sent(
    scripted: ScriptedLrs,
) -> None:
    busy: list[tuple[int, dict[str, str]]] = [(503, {})] * 5
    scripted.script = [(200, {}), *busy]
    waits: list[float] = []
    with pytest.raises(LrsError) as raised:
        sender(scripted.url, waits, batch=2, attempts=5).send(make(3))
    assert raised.value.sent == 2
    assert "answered 503" in str(raised.value) and "tried 5 times" in str(raised.value)
    assert waits == [0.5, 1.0, 2.0, 4.0]


def test_an_lrs_that_cannot_be_reached_is_retried_then_reported() -> None:
    from tests.serve.harness import free_port

    waits: list[float] = []
    url = f"http://127.0.0.1:{free_port()}/xAPI/"  # nothing listens there
    with pytest.raises(LrsError, match="cannot reach the LRS") as raised:
        sender(url, waits, attempts=3).send(make(1))
    assert raised.value.sent == 0
    assert waits == [0.5, 1.0]


def test_a_refused_batch_is_not_retried(scripted: ScriptedLrs) -> None:
    scripted.script = [(400, {})]
    waits: list[float] = []
    with pytest.raises(LrsError, match=r"answered 400: .*scripted 400"):
        sender(scripted.url, waits).send(make(2))
    assert len(scripted.seen) == 1 and waits == []


def test_a_batch_with_a_conflict_is_sent_one_by_one_and_the_conflict_counts_as_there(
    scripted: ScriptedLrs,
) -> None:
    scripted.script = [(409, {}), (204, {}), (409, {}), (204, {})]
    statements = make(3)
    delivery = sender(scripted.url, []).send(statements)
    assert (delivery.batches, delivery.conflicts) == (1, 1)
    puts = scripted.seen[1:]
    assert [seen.method for seen in puts] == ["PUT"] * 3
    assert [seen.path for seen in puts] == [f"/xAPI/statements?statementId={s['id']}" for s in statements]
    assert [seen.body for seen in puts] == statements


def test_a_redirect_is_an_error_not_a_success(scripted: ScriptedLrs) -> None:
    scripted.script = [(302, {"Location": "/elsewhere"})]
    with pytest.raises(LrsError, match="answered 302"):
        sender(scripted.url, []).send(make(1))


def test_the_statements_resource_is_found_from_the_endpoint() -> None:
    assert LrsSender("https://lrs.example.org/xAPI", None).statements_url == (
        "https://lrs.example.org/xAPI/statements"
    )
    assert LrsSender("https://lrs.example.org/xAPI/statements/", None).statements_url == (
        "https://lrs.example.org/xAPI/statements"
    )
    assert "Authorization" not in LrsSender("https://lrs.example.org/xAPI/", None).headers
