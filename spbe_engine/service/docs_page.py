"""The API's documentation page, rendered on the server from the generated OpenAPI document: no script, no CDN.

Served at ``/docs`` by the app itself (``/`` is the workbench page), so it works offline and
always shows the document ``/openapi.json`` serves.
"""

from __future__ import annotations

import html
import json
from typing import Any

from litestar import Request
from litestar.openapi.plugins import OpenAPIRenderPlugin

__all__ = ["DocsPage"]

_STYLE = """
body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:64rem;padding:0 1rem;color:#222}
h2{border-bottom:1px solid #ccc;margin-top:2rem} code,pre{font:13px ui-monospace,monospace}
pre{background:#f6f6f6;padding:.6rem;overflow-x:auto;max-height:24rem} .m{font-weight:bold;padding:0 .4rem}
details{margin:.3rem 0 .8rem 1rem} section{margin-bottom:1.5rem}
"""


def _esc(value: Any) -> str:
    return html.escape(str(value))


def _json(value: Any) -> str:
    return _esc(json.dumps(value, indent=2, ensure_ascii=False))


class DocsPage(OpenAPIRenderPlugin):
    """An HTML page listing every operation with its parameters, body and answers, from the document itself."""

    def __init__(self) -> None:
        super().__init__(path=["/docs"])

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        """Render the page."""
        info = openapi_schema.get("info", {})
        parts = [
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
            f"<title>{_esc(info.get('title', 'API'))}</title><style>{_STYLE}</style></head><body>",
            f"<h1>{_esc(info.get('title', ''))} <small>{_esc(info.get('version', ''))}</small></h1>",
            f"<p>{_esc(info.get('description', ''))}</p>",
            "<p>The machine-readable document: <a href='/openapi.json'>/openapi.json</a> (OpenAPI "
            f"{_esc(openapi_schema.get('openapi', ''))}).</p>",
        ]
        for path, item in openapi_schema.get("paths", {}).items():
            for method, op in item.items():
                if not isinstance(op, dict) or "responses" not in op:
                    continue
                parts.append(
                    f"<section><h2><span class='m'>{_esc(method.upper())}</span><code>{_esc(path)}</code></h2>"
                )
                parts.append(f"<p><b>{_esc(op.get('summary', ''))}</b></p><p>{_esc(op.get('description', ''))}</p>")
                for param in op.get("parameters", []):
                    parts.append(
                        f"<div><code>{_esc(param.get('name'))}</code> ({_esc(param.get('in'))}"
                        f"{', required' if param.get('required') else ''}): {_esc(param.get('description', ''))}</div>"
                    )
                body = op.get("requestBody")
                if body:
                    for media, content in body.get("content", {}).items():
                        parts.append(f"<details><summary>request body {_esc(media)}</summary>")
                        parts.append(f"<pre>{_json(content.get('schema', {}))}</pre></details>")
                for status, answer in op.get("responses", {}).items():
                    media = ", ".join(answer.get("content", {}))
                    parts.append(
                        f"<details><summary>{_esc(status)} {_esc(answer.get('description', ''))} "
                        f"<small>{_esc(media)}</small></summary>"
                    )
                    for content in answer.get("content", {}).values():
                        parts.append(f"<pre>{_json(content.get('schema', {}))}</pre>")
                    parts.append("</details>")
                parts.append("</section>")
        schemas = openapi_schema.get("components", {}).get("schemas", {})
        if schemas:
            parts.append("<h2>Schemas</h2>")
            for name, schema in schemas.items():
                parts.append(
                    f"<details id='{_esc(name)}'><summary>{_esc(name)}</summary><pre>{_json(schema)}</pre></details>"
                )
        parts.append("</body></html>")
        return "".join(parts).encode("utf-8")
