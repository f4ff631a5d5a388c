"""A loopback HTTP server for faking a generation service in tests.

`FakeService` runs a real HTTP/1.1 server on 127.0.0.1 in a thread; a subclass routes each
request (`route`) to a `Reply`. The base injects the faults every service throws, so one
contract suite can drive them all the same way:

- `fail(status, times, path=..., body=..., headers=...)`: the next `times` requests (to paths
  starting with `path`) get that answer instead (500s, 429 with Retry-After, 401...);
- `drop(times, path=...)`: the connection is closed without an answer;
- `delay_s`: every answer waits this long (a slow service);
- `truncate(times)`: the next `times` downloads send half their body, then hang up;
- `download_type`: downloads are served with this Content-Type instead (an HTML error page).

Every request is recorded in `requests` (method, path, query, headers, body, time).
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    at: float

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class Reply:
    status: int = 200
    body: bytes | str | dict | list | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # A file download (truncation and content-type faults apply to these only).
    download: bool = False

    def encoded(self) -> tuple[bytes, str]:
        if isinstance(self.body, dict | list):
            return json.dumps(self.body).encode(), "application/json"
        if isinstance(self.body, str):
            return self.body.encode(), "text/plain; charset=utf-8"
        return self.body or b"", "application/octet-stream"


def json_reply(body: Any, status: int = 200, **headers: str) -> Reply:
    return Reply(status=status, body=body, headers=dict(headers))


@dataclass
class _Fault:
    path: str
    times: int
    reply: Reply | None  # None: drop the connection


class FakeService:
    """A fake service; subclasses implement `route(request) -> Reply`."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.faults: list[_Fault] = []
        self.delay_s = 0.0
        self.truncations = 0
        self.download_type: str | None = None
        self.lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- the server ----------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None, "start the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeService:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else small answers wait on delayed ACKs (40 ms each)

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _any(self) -> None:
                fake._serve(self)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _any

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        server = self._server
        self._thread = threading.Thread(target=lambda: server.serve_forever(poll_interval=0.05), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeService:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # ---- faults --------------------------------------------------------------------------

    def fail(self, status: int, times: int = 1, path: str = "", body: Any = None, **headers: str) -> None:
        with self.lock:
            self.faults.append(_Fault(path, times, Reply(status, body if body is not None else self.error_body(status),
                                                         headers)))

    def drop(self, times: int = 1, path: str = "") -> None:
        with self.lock:
            self.faults.append(_Fault(path, times, None))

    def truncate(self, times: int = 1) -> None:
        with self.lock:
            self.truncations += times

    def error_body(self, status: int) -> Any:
        """The service's own error envelope for a status (subclasses give theirs)."""
        return {"error": {"message": f"fake error {status}"}}

    # ---- what tests look at --------------------------------------------------------------

    def seen(self, method: str | None = None, path: str = "") -> list[Request]:
        with self.lock:
            return [r for r in self.requests if (method is None or r.method == method) and r.path.startswith(path)]

    # ---- routing -------------------------------------------------------------------------

    def route(self, request: Request) -> Reply:
        raise NotImplementedError

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        parsed = urllib.parse.urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        request = Request(handler.command, parsed.path, urllib.parse.parse_qs(parsed.query),
                          {k.lower(): v for k, v in handler.headers.items()}, body, time.monotonic())
        with self.lock:
            self.requests.append(request)
            fault = next((f for f in self.faults if f.times > 0 and request.path.startswith(f.path)), None)
            if fault is not None:
                fault.times -= 1
        if self.delay_s:
            time.sleep(self.delay_s)
        if fault is not None and fault.reply is None:
            handler.close_connection = True
            handler.connection.shutdown(2)
            return
        try:
            reply = fault.reply if fault is not None else self.route(request)
        except Exception as exc:  # noqa: BLE001 - a bug in a fake shows as a 500 with its message
            reply = Reply(599, f"fake crashed: {type(exc).__name__}: {exc}")
        data, default_type = reply.encoded()
        headers = {"Content-Type": default_type, **reply.headers}
        truncate = False
        if reply.download:
            with self.lock:
                if self.download_type:
                    headers["Content-Type"] = self.download_type
                if self.truncations > 0:
                    self.truncations -= 1
                    truncate = True
        handler.send_response(reply.status)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(data)))
        if truncate:
            handler.send_header("Connection", "close")
        handler.end_headers()
        if handler.command == "HEAD":
            return
        if truncate:
            handler.wfile.write(data[: len(data) // 2])
            handler.wfile.flush()
            handler.close_connection = True
            handler.connection.shutdown(2)
            return
        handler.wfile.write(data)


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        """A client that hangs up (a cancelled request, a closed pool) is not news."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class Jobs:
    """Jobs of a queue-and-poll service: each finishes after `polls` status checks, with
    `outcome(job)` deciding success or failure; `hold` keeps every job running (to cancel it)."""

    def __init__(self, polls: int = 2) -> None:
        self.polls = polls
        self.hold = False
        self.items: dict[str, dict[str, Any]] = {}
        self.cancelled: list[str] = []
        self.counter = 0
        self.lock = threading.Lock()

    def add(self, data: dict[str, Any], job_id: str | None = None) -> str:
        with self.lock:
            self.counter += 1
            job_id = job_id or f"job-{self.counter:04d}"
            self.items[job_id] = {"id": job_id, "checks": 0, "state": "queued", **data}
            return job_id

    def check(self, job_id: str, finish: Callable[[dict[str, Any]], None]) -> dict[str, Any] | None:
        """Count a status check of a job; call `finish(job)` once it is done."""
        with self.lock:
            job = self.items.get(job_id)
            if job is None:
                return None
            if job["state"] in ("queued", "running") and not self.hold:
                job["checks"] += 1
                job["state"] = "running"
                if job["checks"] >= self.polls:
                    finish(job)
            return job

    def cancel(self, job_id: str) -> bool:
        with self.lock:
            job = self.items.get(job_id)
            if job is None:
                return False
            self.cancelled.append(job_id)
            job["state"] = "cancelled"
            return True


@dataclass
class Case:
    """How the shared contract suite (tests/contract/) drives one backend against its fake.

    A fake module sets `CASE = Case(...)`; the suite finds every one. `kinds` maps each task
    kind the backend makes (as the contract test sets it up) to extra params for its job, and
    `settings(url)` gives the backend's film.toml table pointing at the fake. `submit` is the
    path prefix of the request that creates work (faults are injected there), `download` that
    of result downloads (None when results come inline). `idempotent_submit` says whether a
    submit whose answer was lost is sent again (it carries an idempotency key); `cancels`
    whether a held job can be cancelled at the service. `hold()` makes the fake keep new jobs
    running; `cancelled()` lists what it was asked to cancel; `refuse_word` in a prompt makes
    the service refuse it, with `refusal` among its words; `throttle(n)` makes the next job
    wait n polls in the service's own throttled or queued state (None: it has none);
    `echo_secret()` makes error answers repeat the credentials sent.
    """

    name: str
    fake: Callable[[], FakeService]
    env: dict[str, str]
    settings: Callable[[str], dict[str, Any]]
    kinds: dict[str, dict[str, Any]]
    submit: str
    download: str | None
    refuse_word: str
    refusal: str
    idempotent_submit: bool = False
    cancels: bool = True
    hold: Callable[[FakeService], None] | None = None
    cancelled: Callable[[FakeService], list[str]] | None = None
    throttle: Callable[[FakeService, int], None] | None = None
    echo_secret: Callable[[FakeService], None] | None = None
    # Inputs (role → "png" | "mp4") each kind's job gets, beyond what the suite gives by default.
    inputs: dict[str, dict[str, str]] = field(default_factory=dict)
    # The param the refusal word goes into: the prompt, or a voice line's `text` for a service
    # that reads no prompt.
    refuse_in: str = "prompt"
