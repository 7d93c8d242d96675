"""Routes that score one assessment: ``POST /v1/score`` and ``POST /v1/gap``."""

from __future__ import annotations

from typing import Any

import attrs
from litestar import Request, Response, post
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody

from ..report import card_to_json, explanation, gap_to_json
from . import responses as out
from .replies import check_pin, json_response, problems
from .requests import GapRequest, ScoreRequest, assessment_of, known_fields
from .state import ServiceState

__all__ = ["scoring_routes"]


def scoring_routes(state: ServiceState) -> list[HTTPRouteHandler]:
    """Return the single-assessment routes of one app."""
    engine = state.engine

    @post(
        "/score",
        summary="Score one assessment",
        tags=["scoring"],
        status_code=200,
        responses={
            200: ResponseSpec(
                generate_examples=False,
                data_container=out.Card,
                description="The score card, as `spbe score --json` prints it.",
            ),
            **problems(400, 409, 413, 422),
        },
    )
    async def score(request: Request[Any, Any, Any], data: JSONBody[ScoreRequest]) -> Response[bytes]:
        """Score indicator levels or published domain values under a rubric (named, or the year's).

        The answer is the object ``spbe score --json`` prints: index and predikat
        (or every candidate the published values admit), exact values,
        domains, groups, indicators and provenance; ``explain`` adds the
        steps of ``--explain``.
        """
        await known_fields(request, ScoreRequest)
        assessment = assessment_of(attrs.asdict(data, recurse=False))
        rubric_id = engine.resolve_rubric_id(assessment)
        check_pin(engine, rubric_id, data.rubric_sha256)
        card = engine.score(assessment, rubric_id, partial=data.partial)
        body = card_to_json(card)
        if data.explain:
            body["explanation"] = explanation(card, engine.plan(card.rubric_id))
        state.metrics.rows("score", card.rubric_id, "scored")
        return json_response(body)

    @post(
        "/gap",
        summary="Plan the fewest raises to a predikat",
        tags=["scoring"],
        status_code=200,
        responses={
            200: ResponseSpec(
                generate_examples=False, data_container=out.Gap, description="The plan, as `spbe gap --json` prints it."
            ),
            **problems(400, 409, 413, 422),
        },
    )
    async def plan_gap(request: Request[Any, Any, Any], data: JSONBody[GapRequest]) -> Response[bytes]:
        """The smallest set of improvements (fewest steps, then largest gain) that reaches ``target``."""
        await known_fields(request, GapRequest)
        fields = attrs.asdict(data, recurse=False)
        assessment = assessment_of(fields)
        rubric_id = engine.resolve_rubric_id(assessment)
        check_pin(engine, rubric_id, data.rubric_sha256)
        plan = engine.gap(assessment, data.target, rubric_id)
        state.metrics.rows("gap", plan.rubric_id, "scored")
        return json_response(gap_to_json(plan))

    return [score, plan_gap]
