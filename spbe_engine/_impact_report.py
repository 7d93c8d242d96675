"""Render an :class:`~spbe_engine._impact.Impact` as JSON data and as a self-contained HTML report.

The HTML report draws its charts with plotly (the ``report`` extra) and
embeds plotly.js, so the file opens offline. Charts plot floats converted
from the exact figures; every number printed in the report's tables is the
exact (or published) value.
"""

from __future__ import annotations

import html
from fractions import Fraction
from statistics import median
from typing import Any

from ._extras import install_hint
from ._impact import Impact
from ._numbers import format_exact, round_fraction
from .errors import SpbeError

__all__ = ["impact_to_html", "impact_to_json", "summary"]


def _x(value: Fraction | None) -> str | None:
    return None if value is None else format_exact(value)


def _shown(value: Fraction | None) -> str:
    """Return a value rounded to 4 decimals for reading (the JSON keeps it exact)."""
    return "–" if value is None else str(round_fraction(value, 4, "half_up"))


def summary(impact: Impact) -> dict[str, Any]:
    """Return counts and the distribution of index changes (exact strings)."""
    changes = impact.changes
    return {
        "rows": len(impact.rows),
        "determinate": impact.count("determinate"),
        "ambiguous": impact.count("ambiguous"),
        "partial": impact.count("partial"),
        "errors": impact.count("error"),
        "predikat_changed": sum(n for (a, b), n in impact.matrix.items() if a != b),
        "predikat_changed_with_same_index": impact.band_rule_moves,
        "change_min": _x(changes[0]) if changes else None,
        "change_median": _x(Fraction(median(changes))) if changes else None,
        "change_mean": _x(sum(changes, Fraction(0)) / len(changes)) if changes else None,
        "change_max": _x(changes[-1]) if changes else None,
    }


def impact_to_json(impact: Impact, top: int = 10) -> dict[str, Any]:
    """Return the impact as JSON-ready data: summary, matrix, histogram, movers, drivers, uncertain rows."""
    return {
        "from": impact.source,
        "to": impact.target,
        "missing_policy": impact.policy or None,
        "summary": summary(impact),
        "matrix": {
            "rows": list(impact.bands_before),
            "columns": list(impact.bands_after),
            "counts": [[impact.matrix.get((a, b), 0) for b in impact.bands_after] for a in impact.bands_before],
        },
        "histogram": [{"low": _x(low), "high": _x(high), "rows": n} for low, high, n in impact.histogram()],
        "movers": [_row(r) for r in impact.movers(top)],
        "drivers": [
            {
                "id": d.id,
                "name": d.name,
                "before": _x(d.before),
                "after": _x(d.after),
                "change": _x(d.change),
                "drives": _x(d.attributed),
            }
            for d in impact.drivers
        ],
        "ambiguous": [_row(r) for r in impact.rows if r.status == "ambiguous"],
        "partial": [_row(r) for r in impact.rows if r.status == "partial"],
        "errors": [
            {"row": r.number, "instansi": r.instansi, "message": r.message} for r in impact.rows if r.status == "error"
        ],
    }


def _row(row: Any) -> dict[str, Any]:
    return {
        "row": row.number,
        "instansi": row.instansi,
        "before": list(row.before_predikat),
        "after": list(row.after_predikat),
        "index_before": None if row.before_index is None else str(row.before_index),
        "index_after": None if row.after_index is None else str(row.after_index),
        "index_candidates_before": [str(c) for c in row.before_candidates],
        "index_candidates_after": [str(c) for c in row.after_candidates],
        "change": _x(row.change),
        "change_basis": row.change_basis or None,
    }


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def impact_to_html(impact: Impact, top: int = 10) -> str:
    """Return a self-contained HTML report (plotly.js embedded); needs the ``report`` extra."""
    try:
        import plotly.graph_objects as go  # type: ignore[import-untyped]
        import plotly.io as pio  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise SpbeError(
            "the HTML report needs plotly",
            field="--html",
            allowed=install_hint("report"),
        ) from None
    facts = summary(impact)
    counts = [[impact.matrix.get((a, b), 0) for b in impact.bands_after] for a in impact.bands_before]
    heat = go.Figure(
        go.Heatmap(
            z=counts,
            x=list(impact.bands_after),
            y=list(impact.bands_before),
            text=counts,
            texttemplate="%{text}",
            colorscale="Blues",
            showscale=False,
        )
    )
    heat.update_layout(
        title=f"Predikat: {impact.source} (rows) → {impact.target} (columns)",
        xaxis_title=impact.target,
        yaxis_title=impact.source,
        height=420,
    )
    bins = impact.histogram()
    hist = go.Figure(
        go.Bar(
            x=[f"[{format_exact(low)}, {format_exact(high)})" for low, high, _ in bins],
            y=[n for _, _, n in bins],
        )
    )
    peak = max((n for _, _, n in bins), default=0)
    hist.update_layout(
        title="Index change (after − before), determinate rows",
        height=360,
        xaxis_title="change (index points)",
        yaxis={"title": "rows", "rangemode": "tozero", "dtick": max(1, -(-peak // 5))},  # whole rows only
    )
    driving = [d for d in impact.drivers if d.attributed is not None]
    if any(d.attributed for d in driving):
        drivers = go.Figure(
            go.Bar(
                x=[float(d.attributed or 0) for d in driving],
                y=[f"{d.id} {d.name}" for d in driving],
                orientation="h",
                marker_color=["#c0392b" if (d.attributed or 0) < 0 else "#2e86c1" for d in driving],
            )
        )
        drivers.update_layout(
            title=f"What drives the mean index change, by {impact.target} top-level group "
            "(the bars add up to the mean change)",
            height=120 + 40 * len(driving),
            xaxis_title="contribution to the mean index change (index points)",
            yaxis={"autorange": "reversed"},
        )
        drivers_part = pio.to_html(drivers, full_html=False, include_plotlyjs=False)
    elif driving:
        drivers_part = (
            '<p class="note">What drives the change: no top-level group\'s mean contribution changes, '
            "so the mean index change is 0.</p>"
        )
    else:
        drivers_part = '<p class="note">What drives the change: no row is determinate on both sides.</p>'
    charts = [pio.to_html(fig, full_html=False, include_plotlyjs=(n == 0)) for n, fig in enumerate((heat, hist))]
    movers = _table(
        ["instansi", "before", "after", "index before", "index after", "change"],
        [
            [
                r.instansi,
                " / ".join(r.before_predikat),
                " / ".join(r.after_predikat),
                r.shown("before"),
                r.shown("after"),
                f"{_shown(r.change)} ({r.change_basis})",
            ]
            for r in impact.movers(top)
        ],
    )
    uncertain_rows = [r for r in impact.rows if r.status in ("ambiguous", "partial")]
    uncertain = (
        _table(
            ["row", "instansi", "status", "before (candidates)", "after (candidates)"],
            [
                [
                    str(r.number),
                    r.instansi,
                    r.status,
                    f"{r.shown('before')} {' / '.join(r.before_predikat)}",
                    f"{r.shown('after')} {' / '.join(r.after_predikat)}",
                ]
                for r in uncertain_rows
            ],
        )
        if uncertain_rows
        else '<p class="note">None: every scored row has one predikat on both sides.</p>'
    )
    error_rows = [r for r in impact.rows if r.status == "error"]
    errors = (
        _table(["row", "instansi", "message"], [[str(r.number), r.instansi, r.message] for r in error_rows])
        if error_rows
        else '<p class="note">None.</p>'
    )
    facts_table = _table(
        ["figure", "value"],
        [[k.replace("_", " "), _fact(k, v)] for k, v in facts.items()],
    )
    title = f"Impact of {impact.source} → {impact.target}"
    policy = f" Missing-data policy: {html.escape(impact.policy)}." if impact.policy else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}}
table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:left}}
th{{background:#f3f3f3}}.note{{color:#444}}</style></head><body>
<h1>{html.escape(title)}</h1>
<p class="note">{facts["rows"]} rows: {facts["determinate"]} with one predikat on both sides,
{facts["ambiguous"]} with several candidate predikat (counted apart, never guessed), {facts["partial"]} partial,
{_count(facts["errors"], "error")}. {facts["predikat_changed"]} determinate rows change predikat;
{facts["predikat_changed_with_same_index"]} of them with an unchanged index (bands or band rule).{policy}
Index changes are in index points, rounded to 4 decimals here (the JSON output keeps them exact).</p>
<h2>Summary</h2>{facts_table}
{charts[0]}
{charts[1]}
<h2>Agencies that move most</h2>{movers}
{drivers_part}
<h2>Rows not in the matrix (several candidate predikat, or partial)</h2>{uncertain}
<h2>Rows with errors</h2>{errors}
</body></html>
"""


def _fact(key: str, value: object) -> str:
    """Render one summary figure for reading: index changes to 4 decimals, counts as they are."""
    if value is None:
        return "–"
    if key.startswith("change_"):
        return _shown(Fraction(str(value)))  # the exact text: a decimal or "p/q"
    return str(value)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
