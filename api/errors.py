"""The API's one error shape and the handlers that produce it.

Every error answers ``{"error": {"code", "message", "request_id"}}`` (validation errors
add ``fields``): tool failures with their own status (404 for a missing or foreign
record, 422 otherwise), request validation with 422 naming each field, HTTP errors with
their status. Unexpected errors become a 500 in :mod:`api.middleware`.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from tools.errors import ToolError

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
}


class FieldError(BaseModel):
    """One invalid field of a request."""

    field: str = Field(description="Where the field is, e.g. 'body.question' or 'account_id'.")
    message: str = Field(description="What is wrong with it.")


class ApiError(Exception):
    """An error the API reports as-is: ``status``, a stable ``code`` and a message."""

    def __init__(
        self, status: int, code: str, message: str, fields: list[FieldError] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields


class ErrorBody(BaseModel):
    """The error itself."""

    code: str = Field(description="Stable machine-readable code, e.g. 'not_found'.")
    message: str = Field(description="Human-readable explanation.")
    request_id: str = Field(description="Id of the request (also in the X-Request-ID header).")
    fields: list[FieldError] | None = Field(default=None, description="Invalid fields, if any.")


class ErrorResponse(BaseModel):
    """Every error response of the API."""

    error: ErrorBody


def request_id(request: Request) -> str:
    """The id the request-id middleware gave this request."""
    return str(getattr(request.state, "request_id", "-"))


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    fields: list[FieldError] | None = None,
) -> JSONResponse:
    """A JSON error in the API's shape."""
    body = ErrorBody(code=code, message=message, request_id=request_id(request), fields=fields)
    return JSONResponse(
        ErrorResponse(error=body).model_dump(exclude_none=True),
        status_code=status,
    )


def field_errors(errors: list[Any], prefix: tuple[str | int, ...] = ()) -> list[FieldError]:
    """Pydantic error dicts as :class:`FieldError` (location joined with dots)."""
    return [
        FieldError(
            field=".".join(str(part) for part in (*prefix, *err.get("loc", ()))) or "-",
            message=str(err.get("msg", "invalid")),
        )
        for err in errors
    ]


def invalid(fields: list[FieldError]) -> ApiError:
    """A 422 naming every invalid field."""
    message = "; ".join(f"{f.field}: {f.message}" for f in fields)
    return ApiError(422, "validation_error", message, fields)


def validation_response(request: Request, fields: list[FieldError]) -> JSONResponse:
    """422 naming every invalid field."""
    exc = invalid(fields)
    return error_response(request, exc.status, exc.code, exc.message, fields)


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(request, exc.status, exc.code, exc.message, exc.fields)


async def _tool_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ToolError)
    return error_response(request, exc.status, exc.code, str(exc))


async def _request_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return validation_response(request, field_errors(list(exc.errors())))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    return error_response(request, exc.status_code, code, str(exc.detail))


def install_handlers(app: FastAPI) -> None:
    """Register every handler on ``app``."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(ToolError, _tool_error)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(StarletteHTTPException, _http_error)
