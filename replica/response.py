"""What the portal answers: status, body, content type and extra headers (transport-free)."""

from __future__ import annotations

from dataclasses import dataclass

HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    content_type: str = HTML
    headers: tuple[tuple[str, str], ...] = ()

    def header(self, name: str) -> str | None:
        """The first header called `name` (case-insensitive), or None."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    def with_headers(self, *headers: tuple[str, str]) -> Response:
        return Response(self.status, self.body, self.content_type, (*self.headers, *headers))
