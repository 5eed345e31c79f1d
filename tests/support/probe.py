"""A probe app: the real app plus test-only routes that exercise platform primitives.

The routes stand in for domain endpoints until those exist, and keep exercising
the primitives directly afterwards. They are never part of the contract.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, FastAPI, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from victim_api.app import create_app
from victim_api.platform.audit import Operation, record
from victim_api.platform.dependencies import DbSession
from victim_api.platform.idempotency import IdempotencyKeyHeader, fingerprint, run_idempotent
from victim_api.platform.jsonutil import JSONResponse
from victim_api.platform.policy import requires, requires_victim_session, sign_victim_session
from victim_api.platform.principal import Caller, Channel
from victim_api.settings import Settings

Staff = Annotated[Caller, requires(Channel.STAFF, purpose="TESTING")]
Phone = Annotated[Caller, requires(Channel.PHONE, purpose="TESTING")]
Victim = Annotated[Caller, requires_victim_session(Channel.PHONE, purpose="TESTING")]


class ThingCreate(BaseModel):
    label: str = Field(max_length=40)


def probe_app(settings: Settings) -> FastAPI:
    app = create_app(settings)
    router = APIRouter(prefix="/v1/_probe", include_in_schema=False)

    @router.post("/things", status_code=201)
    def create_thing(
        request: Request,
        body: ThingCreate,
        caller: Staff,
        session: DbSession,
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> Response:
        def produce() -> Response:
            thing_id = str(uuid.uuid4())
            record(
                session,
                caller,
                operation=Operation.COLLECTION,
                resource_type="probe_thing",
                resource_id=thing_id,
                case_ids=[body.label],
            )
            return JSONResponse(
                {"id": thing_id, "label": body.label},
                status_code=201,
                headers={"Location": f"/v1/_probe/things/{thing_id}"},
            )

        return run_idempotent(
            app.state.database,
            session,
            client_id=caller.principal.client_id,
            key=idempotency_key,
            request_fingerprint=fingerprint("POST", request.url.path, body.model_dump()),
            produce=produce,
        )

    @router.get("/personal")
    def read_personal(caller: Staff, session: DbSession) -> dict[str, str]:
        record(session, caller, operation=Operation.CONSULTATION, resource_type="probe_person")
        return {"given_name": "Synthetic-Person-Name", "phone": "+447700900999"}

    @router.post("/victim-session")
    def start_victim_session(request: Request, caller: Phone) -> dict[str, str]:
        # Stands in for verification: signs a session for a fixed synthetic victim.
        signed = sign_victim_session(
            request,
            client_id=caller.principal.client_id,
            channel=caller.channel,
            victim_id="victim-probe",
            case_id="case-probe",
        )
        return {"token": signed.token}

    @router.get("/me")
    def read_me(caller: Victim) -> dict[str, str | None]:
        principal = caller.principal
        return {"victim_id": principal.victim_id, "case_id": principal.case_id}

    app.include_router(router)
    return app
