"""A bounded schemathesis run over /openapi.json: no generated input may cause a 5xx.

Every operation gets a few generated cases (``max_examples`` below), sent with an admin
key so the handlers run past authentication (the 401s are tested per endpoint). Answers
must be below 500 and every error must come in the API's JSON shape. The app runs on an
in-memory SQLite world built once for the module.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from builders_api import auth, build_world, make_assistant, settings_for
from hypothesis import HealthCheck, settings
from sqlalchemy.pool import StaticPool

from api.app import create_app
from crm.db import create_all, make_engine

_engine = make_engine("sqlite://", poolclass=StaticPool)
create_all(_engine)
KEYS = build_world(_engine)
_config = settings_for(Path(tempfile.mkdtemp(prefix="dealwise-fuzz-")))
APP = create_app(_config, engine=_engine, assistant=make_assistant(_engine, _config, None))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=4, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_generated_request_causes_a_server_error(case: schemathesis.Case[Any]) -> None:
    response = case.call(headers=auth(KEYS["admin"]))
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert set(response.json()["error"]) >= {"code", "message", "request_id"}
