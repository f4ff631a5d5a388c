"""What every HTTP backend shares: the careful client.

A `ServiceBackend` talks to one web service through `httpx`, and does what a careful client
does, so that each service's module is only its protocol:

- **Retries.** A connection that fails, a timeout, `408` and any `5xx` are tried again after
  an exponential backoff with full jitter (`backoff_s`, doubling, at most a minute), up to
  `retries` times. A request that may have been carried out already (a `POST` that creates a
  job, with no idempotency key) is not sent twice after its answer was lost: the task fails
  with a message saying so, because paying twice is worse than asking again.
- **Throttling.** `429` waits as long as the service's `Retry-After` says (seconds or a date),
  else the backoff, and tries again, for as long as `max_wait_s` allows; a service's own
  throttled or queued states are waited out by the polling loop the same way.
- **Pacing.** `requests_per_minute` spaces the requests of all the backend's tasks evenly.
- **Downloads.** A size cap (`max_download_mb`), a `Content-Type` check and a check of the
  first bytes against what the task makes; a body shorter than its `Content-Length` (a
  dropped connection) is fetched again. A download is written to the task's folder under a
  temporary name and renamed only when whole, so nothing partial reaches the cache.
- **Cancellation.** When a build is interrupted (Ctrl-C), a job already submitted is
  cancelled at the service (`remote`), so it stops costing money.
- **Secrets.** Credentials come only from the environment (`CREDENTIALS`); every message a
  backend raises has their values blanked, whatever a service echoes back.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import os
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import httpx

from ..base import Backend, BackendError, Job, Price
from .files import MAKES, content_type_fits, sniff

T = TypeVar("T")

# Answers worth asking again: the request timed out, or the service failed on its side.
RETRYABLE = frozenset({408, 500, 502, 503, 504, 520, 521, 522, 523, 524, 529})
_BACKOFF_CAP_S = 60.0
_REDACTED = "[redacted]"


class ServiceBackend(Backend):
    """Base class of the HTTP backends. A subclass names its service (`title`), its default
    address (`DEFAULT_URL`), its credentials (`CREDENTIALS`), how to authenticate
    (`auth_headers`) and how to read an error (`explain`), and implements `make(job)`."""

    title: ClassVar[str] = "the service"
    DEFAULT_URL: ClassVar[str] = ""
    # The settings of every HTTP backend that say how to run, not what to make.
    SCHEDULING = Backend.SCHEDULING | {
        "base_url", "poll_s", "max_wait_s", "backoff_s", "max_download_mb", "prices",
    }
    # Defaults of the common settings (film.toml's [backend.NAME] overrides each).
    DEFAULTS: ClassVar[dict[str, float]] = {
        "timeout_s": 120.0, "retries": 5, "poll_s": 2.0, "max_wait_s": 1800.0, "backoff_s": 1.0,
        "max_download_mb": 500.0,
    }

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        super().__init__(settings)
        for name, default in self.DEFAULTS.items():
            value = self.settings.get(name, default)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"[backend.{self.name}] `{name}` must be a number of 0 or more, not {value!r}")
        rpm = self.settings.get("requests_per_minute")
        if rpm is not None and (isinstance(rpm, bool) or not isinstance(rpm, int | float) or rpm <= 0):
            raise ValueError(f"[backend.{self.name}] `requests_per_minute` must be a number above 0, not {rpm!r}")
        base = self.settings.get("base_url", self.DEFAULT_URL)
        if not isinstance(base, str) or not base.startswith(("http://", "https://")):
            raise ValueError(f"[backend.{self.name}] `base_url` must be an http:// or https:// address, not {base!r}")
        self.base_url = base.rstrip("/")
        prices = self.settings.get("prices", {})
        if not isinstance(prices, dict):
            raise ValueError(f"[backend.{self.name}] `prices` must be a table of task kinds, like "
                             "`prices.clip = { per_second = 0.1 }`")
        try:
            self.own_prices = {kind: Price.model_validate(p) for kind, p in prices.items()}
        except Exception as exc:  # noqa: BLE001 - pydantic's message names the field
            raise ValueError(f"[backend.{self.name}] `prices`: {exc}") from None
        self._client: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pace_lock: asyncio.Lock | None = None
        self._next_request = 0.0
        self._random = random.Random()

    # ---- settings ------------------------------------------------------------------------

    def setting(self, name: str) -> float:
        return float(self.settings.get(name, self.DEFAULTS[name]))

    def price(self, kind: str, params: Mapping[str, Any]) -> float:
        """The declared price, unless film.toml's `prices` table gives this kind its own (a
        plan tier, a negotiated rate)."""
        own = self.own_prices.get(kind)
        if own is None:
            return super().price(kind, params)
        return own.per_task + own.per_second * float(params.get("duration_s", 0.0))

    def unavailable(self) -> str | None:
        missing = [name for name in self.CREDENTIALS if not os.environ.get(name)]
        if missing:
            return f"set {' and '.join(missing)} in the environment (docs/BACKENDS.md#{self.name})"
        return None

    def secret(self, name: str) -> str:
        value = os.environ.get(name, "")
        if not value:
            raise BackendError(f"{name} is not set")
        return value

    def redact(self, text: str) -> str:
        """`text` with the value of every credential blanked."""
        for name in self.CREDENTIALS:
            value = os.environ.get(name, "")
            if len(value) >= 4:
                text = text.replace(value, _REDACTED)
        for value in self.extra_secrets():
            if len(value) >= 4:
                text = text.replace(value, _REDACTED)
        return text

    def extra_secrets(self) -> list[str]:
        """Secrets made from the credentials (a signed token), blanked like them."""
        return []

    # ---- the protocol a subclass writes ----------------------------------------------------

    def auth_headers(self) -> dict[str, str]:
        return {}

    def explain(self, response: httpx.Response) -> str:
        """The service's own words for an error answer: its envelope's message, else the body."""
        try:
            body = response.json()
        except ValueError:
            return shorten(response.text) or response.reason_phrase
        return shorten(str(_message_in(body) or body))

    async def make(self, job: Job) -> Path:
        raise NotImplementedError

    # ---- the one call filmc makes -------------------------------------------------------

    async def generate(self, job: Job) -> Path:
        if job.kind not in self.kinds():
            raise BackendError(f"{self.title} is not set up to make `{job.kind}` tasks (docs/BACKENDS.md#{self.name})")
        try:
            return await self.make(job)
        except BackendError as exc:
            raise BackendError(self.redact(str(exc))) from None
        except httpx.HTTPError as exc:
            raise BackendError(self.redact(f"{self.title}: {_describe(exc)}")) from None

    def kinds(self) -> frozenset[str]:
        """The task kinds this instance makes (by default every kind of what it produces)."""
        from ...compiler.plan.tasks import CAPABILITY

        return frozenset(kind for kind, capability in CAPABILITY.items() if capability in self.capabilities.produces)

    async def close(self) -> None:
        client, self._client, self._loop = self._client, None, None
        if client is not None:
            with contextlib.suppress(Exception):
                await client.aclose()

    # ---- requests ------------------------------------------------------------------------

    def client(self) -> httpx.AsyncClient:
        """The backend's connection pool, one per event loop (each build runs its own)."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            timeout = self.setting("timeout_s") or None
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(timeout, connect=min(timeout or 30.0, 30.0)),
                limits=httpx.Limits(max_connections=64, max_keepalive_connections=16),
                headers={"User-Agent": "filmc"}, follow_redirects=True,
            )
            self._loop = loop
            self._pace_lock = asyncio.Lock()
        return self._client

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else f"{self.base_url}/{path.lstrip('/')}"

    async def request(self, method: str, path: str, *, what: str, idempotent: bool | None = None,
                      ok: Callable[[httpx.Response], bool] | None = None, auth: bool = True,
                      **kwargs: Any) -> httpx.Response:
        """Send a request, retrying what is worth retrying; the answer when its status is
        2xx (or `ok` says it is fine), else a BackendError in the service's words.

        `what` names the request in messages ("submit the clip"). `idempotent` says whether
        sending it twice is harmless (default: true for GET, HEAD, PUT, DELETE; pass True
        for a POST that carries an idempotency key).
        """
        idempotent = method.upper() in {"GET", "HEAD", "PUT", "DELETE", "OPTIONS"} if idempotent is None else idempotent
        headers = {**(self.auth_headers() if auth else {}), **kwargs.pop("headers", {})}
        retries = int(self.setting("retries"))
        deadline = time.monotonic() + self.setting("max_wait_s")
        failures = 0
        while True:
            await self.pace()
            try:
                response = await self.client().request(method, self.url(path), headers=headers, **kwargs)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                # Never reached the service: always safe to try again.
                failures += 1
                if failures > retries:
                    raise BackendError(f"{self.title} could not be reached to {what} "
                                       f"({_describe(exc)}, {failures} tries)") from None
                await self.backoff(failures, deadline, what)
                continue
            except httpx.TransportError as exc:
                # Sent, but the answer was lost: only safe to repeat when idempotent.
                failures += 1
                if not idempotent:
                    raise BackendError(f"{self.title} did not answer the request to {what} ({_describe(exc)}); "
                                       "it may have been carried out, so filmc did not send it again "
                                       "(the next build asks again)") from None
                if failures > retries:
                    raise BackendError(f"{self.title} failed to answer the request to {what} "
                                       f"({_describe(exc)}, {failures} tries)") from None
                await self.backoff(failures, deadline, what)
                continue
            if response.status_code == 429:
                wait = retry_after(response)
                await self.wait_throttled(wait, failures, deadline, what, response)
                continue
            if response.status_code in RETRYABLE:
                failures += 1
                if failures > retries:
                    raise BackendError(f"{self.title} failed to {what}: {response.status_code} "
                                       f"{self.explain(response)} ({failures} tries)")
                await self.backoff(failures, deadline, what, retry_after(response))
                continue
            if (ok(response) if ok is not None else response.is_success):
                return response
            raise BackendError(f"{self.title} refused to {what}: {response.status_code} {self.explain(response)}"
                               + _hint(response.status_code, self))

    async def pace(self) -> None:
        """Wait for this backend's turn under `requests_per_minute`."""
        rpm = self.settings.get("requests_per_minute")
        if not rpm:
            return
        self.client()
        assert self._pace_lock is not None
        async with self._pace_lock:
            now = time.monotonic()
            start = max(now, self._next_request)
            self._next_request = start + 60.0 / float(rpm)
        if start > now:
            await asyncio.sleep(start - now)

    async def backoff(self, failures: int, deadline: float, what: str, at_least: float | None = None) -> None:
        """Sleep before try number `failures + 1`: full jitter over an exponential ceiling."""
        ceiling = min(_BACKOFF_CAP_S, self.setting("backoff_s") * 2 ** (failures - 1))
        delay = max(self._random.uniform(0, ceiling), at_least or 0.0)
        if time.monotonic() + delay > deadline:
            raise BackendError(f"{self.title} kept failing to {what} for {self.setting('max_wait_s'):g}s (max_wait_s)")
        await asyncio.sleep(delay)

    async def wait_throttled(self, wait: float | None, failures: int, deadline: float, what: str,
                             response: httpx.Response | None = None) -> None:
        """Wait out a throttled answer: the service's Retry-After, else a backoff."""
        if wait is None:
            wait = min(_BACKOFF_CAP_S, self.setting("backoff_s") * 2 ** min(failures, 6)) * self._random.uniform(0.5, 1)
        if time.monotonic() + wait > deadline:
            said = f": {self.explain(response)}" if response is not None else ""
            raise BackendError(f"{self.title} kept throttling the request to {what} for more than "
                               f"{self.setting('max_wait_s'):g}s (max_wait_s){said}")
        await asyncio.sleep(wait)

    async def poll(self, check: Callable[[], Awaitable[T | None]], what: str) -> T:
        """Call `check` until it returns something; a BackendError after `max_wait_s`.

        It asks every tenth of the time waited so far, at least `poll_s` apart and at most four
        times that: a job is seen done at most about 10% after it is (5% on average), and a
        long one is not asked after every two seconds."""
        poll_s = self.setting("poll_s")
        started = time.monotonic()
        deadline = started + self.setting("max_wait_s")
        while True:
            found = await check()
            if found is not None:
                return found
            now = time.monotonic()
            if now > deadline:
                raise BackendError(f"{self.title} did not finish the {what} within {self.setting('max_wait_s'):g}s "
                                   "(max_wait_s); it may still finish there, and the next build asks again")
            await asyncio.sleep(min(max(poll_s, (now - started) / 10), poll_s * 4))

    @contextlib.asynccontextmanager
    async def remote(self, cancel: Callable[[], Awaitable[Any]] | None):
        """Around the wait for a submitted job: when the build is interrupted, ask the
        service to cancel the job (within 10 s) before giving up."""
        try:
            yield
        except asyncio.CancelledError:
            if cancel is not None:
                await _finish(asyncio.ensure_future(asyncio.wait_for(cancel(), 10)))
            raise

    # ---- outputs -------------------------------------------------------------------------

    async def download(self, url: str, job: Job, *, auth: bool = False, name: str = "output") -> Path:
        """Fetch what the service made into the task's folder: checked for size, type and
        completeness, written whole or not at all."""
        want = MAKES.get(job.kind, "")
        cap = int(self.setting("max_download_mb") * 1024 * 1024)
        retries = int(self.setting("retries"))
        deadline = time.monotonic() + self.setting("max_wait_s")
        part = job.workdir / f".{name}.part"
        failures = 0
        while True:
            try:
                return await self._download_once(url, job, want, cap, part, name, auth)
            except _Truncated as exc:
                part.unlink(missing_ok=True)
                failures += 1
                if failures > retries:
                    raise BackendError(f"{self.title}: the download of the {_kind_name(job.kind)} kept breaking off "
                                       f"({exc}, {failures} tries)") from None
                await self.backoff(failures, deadline, "download the result")
            except BaseException:
                part.unlink(missing_ok=True)
                raise

    async def _download_once(self, url: str, job: Job, want: str, cap: int, part: Path, name: str,
                             auth: bool) -> Path:
        what = f"download the {_kind_name(job.kind)}"
        await self.pace()
        headers = self.auth_headers() if auth else {}
        try:
            async with self.client().stream("GET", self.url(url), headers=headers) as response:
                if response.status_code in RETRYABLE or response.status_code == 429:
                    raise _Truncated(f"{response.status_code} from the server")
                if not response.is_success:
                    await response.aread()
                    raise BackendError(f"{self.title} refused to {what}: {response.status_code} {self.explain(response)}")
                content_type = response.headers.get("content-type")
                if want and not content_type_fits(content_type, want):
                    raise BackendError(f"{self.title} sent {content_type} where a {_kind_name(job.kind)} was due")
                declared = response.headers.get("content-length")
                if declared is not None and declared.isdigit() and int(declared) > cap:
                    raise BackendError(f"{self.title} offered a {_kind_name(job.kind)} of {int(declared) / 2**20:.0f} MB, "
                                       f"over the cap of {self.setting('max_download_mb'):g} MB (max_download_mb)")
                size = 0
                with part.open("wb") as handle:
                    async for chunk in response.aiter_raw():
                        size += len(chunk)
                        if size > cap:
                            raise BackendError(f"{self.title} sent more than {self.setting('max_download_mb'):g} MB "
                                               f"for a {_kind_name(job.kind)} (max_download_mb)")
                        handle.write(chunk)
                if declared is not None and declared.isdigit() and size != int(declared) \
                        and "content-encoding" not in response.headers:
                    raise _Truncated(f"{size} of {declared} bytes")
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ReadError,
                httpx.RemoteProtocolError, httpx.ReadTimeout) as exc:
            raise _Truncated(_describe(exc)) from None
        return self.accept(part, job, name)

    def save(self, data: bytes, job: Job, name: str = "output") -> Path:
        """Keep bytes the service sent inline (base64 in JSON, an audio body), with the same
        checks as a download."""
        cap = int(self.setting("max_download_mb") * 1024 * 1024)
        if len(data) > cap:
            raise BackendError(f"{self.title} sent more than {self.setting('max_download_mb'):g} MB "
                               f"for a {_kind_name(job.kind)} (max_download_mb)")
        part = job.workdir / f".{name}.part"
        part.write_bytes(data)
        try:
            return self.accept(part, job, name)
        except BaseException:
            part.unlink(missing_ok=True)
            raise

    def accept(self, part: Path, job: Job, name: str) -> Path:
        """Name a finished download by what its bytes are, or refuse it."""
        with part.open("rb") as handle:
            head = handle.read(16)
        found = sniff(head)
        want = MAKES.get(job.kind)
        if found is None or (want and found[0] != want):
            seen = f"a {found[0]}" if found else ("nothing" if not head else "something that is not a picture, video or sound")
            part.unlink(missing_ok=True)
            raise BackendError(f"{self.title} sent {seen} where a {_kind_name(job.kind)} was due")
        final = job.workdir / f"{name}{found[1]}"
        part.replace(final)
        return final


async def _finish(pending: asyncio.Future) -> None:
    """Wait for `pending` (a cancellation at the service) even when asked again to stop: it
    is bounded, and it is what keeps an interrupted job from running on at the service."""
    while not pending.done():
        try:
            await asyncio.shield(pending)
        except asyncio.CancelledError:
            continue
        except Exception:  # noqa: BLE001 - a cancellation that fails leaves the job to time out there
            break
    if not pending.cancelled():
        pending.exception()


class _Truncated(Exception):
    """A download that ended early or failed on the server's side: worth fetching again."""


def retry_after(response: httpx.Response) -> float | None:
    """The wait a `Retry-After` header asks for, in seconds (it may be a number or a date)."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _message_in(body: Any) -> str | None:
    """The message in the usual error envelopes: {"error": {"message"}}, {"error": "..."},
    {"detail": ...}, {"message"}."""
    if isinstance(body, dict):
        for key in ("error", "detail", "message", "msg", "failure", "ErrMsg"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
            if isinstance(value, dict):
                inner = _message_in(value)
                if inner:
                    return inner
            if isinstance(value, list) and value:
                return "; ".join(str(_message_in(v) or v) for v in value)
    return None


def shorten(text: str, limit: int = 300) -> str:
    """A service's words on one line, at most `limit` characters, for a message."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe(exc: Exception) -> str:
    name = {
        httpx.ConnectError: "the connection failed", httpx.ConnectTimeout: "the connection timed out",
        httpx.ReadTimeout: "no answer in time", httpx.WriteTimeout: "the request could not be sent in time",
        httpx.PoolTimeout: "too many requests at once", httpx.RemoteProtocolError: "the connection broke off",
        httpx.ReadError: "the connection broke off",
    }.get(type(exc))
    detail = str(exc).strip()
    return f"{name}: {detail}" if name and detail else (name or f"{type(exc).__name__}: {detail}")


def _hint(status: int, backend: ServiceBackend) -> str:
    if status in (401, 403) and backend.CREDENTIALS:
        return f" (check {' and '.join(backend.CREDENTIALS)})"
    return ""


def _kind_name(kind: str) -> str:
    return {"character_sheet": "character sheet", "set_plate": "set plate", "voice_line": "voice line",
            "music_cue": "music cue"}.get(kind, kind)
