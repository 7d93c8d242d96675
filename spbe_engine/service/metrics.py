"""Prometheus metrics of one service process: requests and latencies by route and status, rows, errors.

Kept in the process (no global registry: each app has its own
:class:`Metrics`), rendered in the Prometheus text format by
:meth:`Metrics.render`. With several workers each process counts its own
requests; a scrape reads the worker that answered it.
"""

from __future__ import annotations

import bisect
import threading
from collections import defaultdict

__all__ = ["BUCKETS", "Metrics"]

#: Latency histogram bucket bounds, in seconds.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

Labels = tuple[tuple[str, str], ...]


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(labels: Labels, extra: str = "") -> str:
    parts = [f'{name}="{_escape(value)}"' for name, value in labels]
    if extra:
        parts.append(extra)
    return "{" + ",".join(parts) + "}" if parts else ""


class Metrics:
    """Counters and a latency histogram, safe to update from the event loop and worker threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: defaultdict[Labels, int] = defaultdict(int)
        self._latency: dict[Labels, list[int]] = {}
        self._latency_sum: defaultdict[Labels, float] = defaultdict(float)
        self._rows: defaultdict[Labels, int] = defaultdict(int)
        self._errors: defaultdict[Labels, int] = defaultdict(int)

    def request(self, route: str, method: str, status: int, seconds: float) -> None:
        """Count one answered request and its latency."""
        labels = (("route", route), ("method", method), ("status", str(status)))
        with self._lock:
            self._requests[labels] += 1
            counts = self._latency.get(labels)
            if counts is None:
                counts = self._latency[labels] = [0] * (len(BUCKETS) + 1)
            counts[bisect.bisect_left(BUCKETS, seconds)] += 1
            self._latency_sum[labels] += seconds

    def rows(self, endpoint: str, rubric: str, status: str, count: int = 1) -> None:
        """Count rows (or single assessments) scored, by endpoint, rubric and row status."""
        with self._lock:
            self._rows[(("endpoint", endpoint), ("rubric", rubric), ("status", status))] += count

    def error(self, kind: str, route: str) -> None:
        """Count one error answer by its kind (the engine's exception class, or the service's own)."""
        with self._lock:
            self._errors[(("kind", kind), ("route", route))] += 1

    def render(self) -> str:
        """Return every metric in the Prometheus text exposition format (version 0.0.4)."""
        lines: list[str] = []
        with self._lock:
            self._counter(lines, "spbe_http_requests_total", "HTTP requests answered.", self._requests)
            lines.append("# HELP spbe_http_request_duration_seconds Time to answer a request, by route and status.")
            lines.append("# TYPE spbe_http_request_duration_seconds histogram")
            for labels, counts in sorted(self._latency.items()):
                running = 0
                for bound, count in zip((*BUCKETS, float("inf")), counts, strict=True):
                    running += count
                    le = "+Inf" if bound == float("inf") else repr(bound)
                    bucket = _labels(labels, 'le="' + le + '"')
                    lines.append(f"spbe_http_request_duration_seconds_bucket{bucket} {running}")
                lines.append(f"spbe_http_request_duration_seconds_sum{_labels(labels)} {self._latency_sum[labels]!r}")
                lines.append(f"spbe_http_request_duration_seconds_count{_labels(labels)} {running}")
            self._counter(
                lines, "spbe_rows_scored_total", "Assessments scored, by endpoint, rubric and status.", self._rows
            )
            self._counter(lines, "spbe_errors_total", "Error answers, by kind and route.", self._errors)
        return "\n".join(lines) + "\n"

    @staticmethod
    def _counter(lines: list[str], name: str, help_text: str, values: dict[Labels, int]) -> None:
        lines.append(f"# HELP {name} {help_text}")
        lines.append(f"# TYPE {name} counter")
        lines.extend(f"{name}{_labels(labels)} {value}" for labels, value in sorted(values.items()))
