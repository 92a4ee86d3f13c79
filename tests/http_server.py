"""A small programmable HTTP server on 127.0.0.1 for tests: routes to handlers, every request recorded.

Usage (the ``http_server`` fixture in ``tests/conftest.py`` starts and stops one per test)::

    http_server.route("/feed.xml", Response(body=b"<rss/>", headers={"ETag": '"v1"'}))
    http_server.route("/flaky", sequence(Response(status=500), Response(body=b"ok")))
    http_server.route("/echo", lambda request: Response(body=request.headers["user-agent"].encode()))
    fetch(http_server.url("/feed.xml"))
    assert http_server.requests_to("/flaky")[1].received_at - ... >= 1.0

A body is bytes (sent with Content-Length) or a zero-argument callable returning an iterable of chunks
(streamed, connection closed at the end, Content-Length only if the headers set one, true or not), so
endless, trickling or huge bodies cost nothing until a client reads them. The server records how many
bytes it managed to send and whether the client hung up, and counts requests in flight.
"""

from __future__ import annotations

import dataclasses
import http.server
import itertools
import sys
import threading
import time
import urllib.parse
import zlib
from collections.abc import Callable, Iterable, Iterator

BodyFactory = Callable[[], Iterable[bytes]]


@dataclasses.dataclass
class Response:
    """What a route answers; ``delay_s`` before the headers, ``chunk_delay_s`` between body chunks."""

    status: int = 200
    body: bytes | BodyFactory = b""
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    delay_s: float = 0.0
    chunk_delay_s: float = 0.0


@dataclasses.dataclass
class RecordedRequest:
    """One request as the server saw it; times are ``time.monotonic()``."""

    method: str
    path: str
    query: str
    headers: dict[str, str]  # lower-case names
    received_at: float
    finished_at: float | None = None
    bytes_sent: int = 0
    client_disconnected: bool = False


Handler = Callable[[RecordedRequest], Response]


def sequence(*responses: Response) -> Handler:
    """A handler answering with ``responses`` in turn, repeating the last one."""
    lock = threading.Lock()
    position = itertools.count()

    def handler(request: RecordedRequest) -> Response:
        with lock:
            index = next(position)
        return responses[min(index, len(responses) - 1)]

    return handler


class LocalHTTPServer:
    """A threaded HTTP/1.1 server on 127.0.0.1 with programmable routes."""

    def __init__(self, address: str = "127.0.0.1") -> None:
        self.address = address  # any 127.0.0.x works on Linux: one more "host" for per-host limits
        self.routes: dict[str, Response | Handler] = {}
        self.requests: list[RecordedRequest] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._server = _ThreadingServer((address, 0), _RequestHandler)
        self._server.owner = self
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return self._server.server_address[1]

    def url(self, path: str, host: str | None = None) -> str:
        """Absolute URL of ``path`` on this server (``host="localhost"`` for a second host name)."""
        return f"http://{host or self.address}:{self.port}{path}"

    def route(self, path: str, answer: Response | Handler) -> None:
        """Answer requests to ``path`` (query ignored) with a fixed response or a handler."""
        self.routes[path] = answer

    def requests_to(self, path: str) -> list[RecordedRequest]:
        """The recorded requests to ``path``, in arrival order."""
        with self._lock:
            return [request for request in self.requests if request.path == path]

    def start(self) -> LocalHTTPServer:
        """Start serving in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; streaming handlers notice and end."""
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _finish(self, request: RecordedRequest) -> None:
        with self._lock:
            self.in_flight -= 1
            request.finished_at = time.monotonic()


class _ThreadingServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: LocalHTTPServer

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients that hang up (cut downloads, timeouts) are part of the tests, not errors."""
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class _RequestHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _ThreadingServer

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._handle()

    do_HEAD = do_POST = do_GET

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return None  # quiet tests

    def _handle(self) -> None:
        owner = self.server.owner
        parts = urllib.parse.urlsplit(self.path)
        request = RecordedRequest(
            method=self.command, path=parts.path, query=parts.query,
            headers={name.lower(): value for name, value in self.headers.items()},
            received_at=time.monotonic(),
        )
        owner._record(request)
        try:
            if self.headers.get("content-length", "").isdigit():
                self.rfile.read(int(self.headers["content-length"]))
            answer = owner.routes.get(parts.path, Response(status=404, body=b"not found"))
            response = answer if isinstance(answer, Response) else answer(request)
            if response.delay_s and owner.stopping.wait(response.delay_s):
                return
            self._send(response, request)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            request.client_disconnected = True
            self.close_connection = True
        finally:
            owner._finish(request)

    def _send(self, response: Response, request: RecordedRequest) -> None:
        streamed = not isinstance(response.body, bytes)
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if not streamed and "content-length" not in {name.lower() for name in response.headers}:
            self.send_header("Content-Length", str(len(response.body)))
        if streamed:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command == "HEAD":
            return
        chunks = [response.body] if isinstance(response.body, bytes) else response.body()
        for chunk in chunks:
            if self.server.owner.stopping.is_set():
                return
            self.wfile.write(chunk)
            request.bytes_sent += len(chunk)
            if response.chunk_delay_s:
                time.sleep(response.chunk_delay_s)


# --- bodies for hostile-input tests: generated lazily, never held in memory ---------------------------


def zeros(total_bytes: int, chunk_bytes: int = 64 * 1024) -> BodyFactory:
    """A body of ``total_bytes`` zero bytes, sent in chunks."""

    def chunks() -> Iterator[bytes]:
        block = bytes(chunk_bytes)
        for start in range(0, total_bytes, chunk_bytes):
            yield block[: min(chunk_bytes, total_bytes - start)]

    return chunks


def endless(chunk: bytes = b"<", total_bytes: int | None = None) -> BodyFactory:
    """A body repeating ``chunk`` forever (or up to ``total_bytes``); pair with ``chunk_delay_s``."""

    def chunks() -> Iterator[bytes]:
        sent = 0
        while total_bytes is None or sent < total_bytes:
            yield chunk
            sent += len(chunk)

    return chunks


def gzip_bomb(inflated_bytes: int, block_bytes: int = 1024 * 1024) -> BodyFactory:
    """A gzip stream that inflates to ``inflated_bytes`` zeros, compressed block by block as it is sent.

    Serve with ``Content-Encoding: gzip``; 1 GB of zeros is about 1 MB compressed.
    """

    def chunks() -> Iterator[bytes]:
        compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        block = bytes(block_bytes)
        for start in range(0, inflated_bytes, block_bytes):
            piece = compressor.compress(block[: min(block_bytes, inflated_bytes - start)])
            yield piece + compressor.flush(zlib.Z_SYNC_FLUSH)
        yield compressor.flush()

    return chunks
