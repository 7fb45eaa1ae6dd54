from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from ..db import database_is_reachable
from ..schemas import HealthResponse, ReadyResponse

router = APIRouter(tags=["health"])


@router.get("/health", summary="Liveness: the process serves requests (no database access)")
async def health() -> HealthResponse:
    return HealthResponse()


@router.get(
    "/ready",
    summary="Readiness: the database answers",
    responses={status.HTTP_503_SERVICE_UNAVAILABLE: {"model": ReadyResponse, "description": "Database unreachable"}},
)
def ready(request: Request, response: Response) -> ReadyResponse:
    if database_is_reachable(request.app.state.engine):
        return ReadyResponse(status="ok", database="ok")
    response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return ReadyResponse(status="unavailable", database="unreachable")
