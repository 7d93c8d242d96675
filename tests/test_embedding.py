"""The embedding guide's examples run as written (the Dask one on a local synchronous scheduler)."""

from __future__ import annotations

import re

import pytest

from .conftest import ROOT

GUIDE = ROOT / "docs" / "embedding.md"
BLOCKS = re.findall(r"```python\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.DOTALL)
NEEDS = {"numpy": "numpy", "pandas": "pandas", "dask": "dask.dataframe"}


def test_guide_has_examples() -> None:
    """The guide shows the API, pinning, provenance, score_many, pandas and Dask."""
    text = "\n".join(BLOCKS)
    for needle in (
        "engine.score(",
        "sha256=",
        "provenance",
        "score_many(",
        "pd.DataFrame",
        "map_partitions",
    ):
        assert needle in text, needle


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{n}" for n in range(1, len(BLOCKS) + 1)])
def test_guide_example_runs(code: str) -> None:
    """Each example runs in a fresh namespace and its assertions hold."""
    for word, module in NEEDS.items():
        if re.search(rf"^import {word}|^from {word}|^import {re.escape(module)}", code, flags=re.MULTILINE):
            pytest.importorskip(module)
    exec(compile(code, str(GUIDE), "exec"), {"__name__": "guide_example"})


def test_dask_threads_scheduler() -> None:
    """The Dask example also gives the same results on the local threaded scheduler (engines in threads)."""
    pytest.importorskip("dask.dataframe")
    code = next(block for block in BLOCKS if "map_partitions" in block)
    namespace: dict[str, object] = {"__name__": "guide_example"}
    exec(compile(code, str(GUIDE), "exec"), namespace)
    threaded = (
        namespace["archive"]
        .map_partitions(  # type: ignore[attr-defined]
            namespace["score_partition"], meta=namespace["meta"]
        )
        .compute(scheduler="threads")
    )
    assert threaded.equals(namespace["scored"])
