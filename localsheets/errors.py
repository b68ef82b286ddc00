"""Google-style API errors.

Every failure the model or the HTTP layer reports is an :class:`ApiError`; its
:meth:`ApiError.body` is the JSON body Google sends for the same failure
(``{"error": {"code", "message", "status", "details"?}}``).
"""

from __future__ import annotations

from typing import Any

STATUS_NAMES: dict[int, str] = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    501: "NOT_IMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}

DEFAULT_MESSAGES: dict[int, str] = {
    400: "Request contains an invalid argument.",
    401: "Request had invalid authentication credentials. Expected OAuth 2 access token, "
    "login cookie or other valid authentication credential. "
    "See https://developers.google.com/identity/sign-in/web/devconsole-project.",
    403: "The caller does not have permission",
    404: "Requested entity was not found.",
    409: "The operation was aborted.",
    429: "Resource has been exhausted (e.g. check quota).",
    500: "Internal error encountered.",
    502: "Bad Gateway",
    503: "The service is currently unavailable.",
    504: "The request timed out. Please try again.",
}


class ApiError(Exception):
    """An error answered to the client as ``status`` with a Google error body."""

    def __init__(
        self,
        status: int,
        message: str | None = None,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        self.status = status
        self.message = message or DEFAULT_MESSAGES.get(status, "Error")
        self.details = details
        super().__init__(f"{status}: {self.message}")

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {
            "code": self.status,
            "message": self.message,
            "status": STATUS_NAMES.get(self.status, "UNKNOWN"),
        }
        if self.details:
            error["details"] = self.details
        return {"error": error}


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)


def cell_limit_message(limit: int) -> str:
    """Google's words when a request would grow the spreadsheet past its cell cap."""
    return (
        "This action would increase the number of cells in the workbook above the limit "
        f"of {limit} cells."
    )


def not_found() -> ApiError:
    return ApiError(404)


def invalid_value(field: str, type_name: str, value_repr: str) -> ApiError:
    """Google's answer when a JSON value has the wrong protobuf type."""
    message = f"Invalid value at '{field}' ({type_name}), {value_repr}"
    return ApiError(
        400,
        message,
        [
            {
                "@type": "type.googleapis.com/google.rpc.BadRequest",
                "fieldViolations": [{"field": field, "description": message}],
            }
        ],
    )


def unknown_field(name: str, where: str | None = None) -> ApiError:
    """Google's answer to a JSON body naming a field the API does not have."""
    at = f" at '{where}'" if where else ""
    message = f'Invalid JSON payload received. Unknown name "{name}"{at}: Cannot find field.'
    violation: dict[str, Any] = {"description": message}
    if where:
        violation = {"field": where, "description": message}
    return ApiError(
        400,
        message,
        [{"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [violation]}],
    )


def unauthenticated(missing: bool) -> ApiError:
    if missing:
        message = (
            "Request is missing required authentication credential. Expected OAuth 2 access "
            "token, login cookie or other valid authentication credential. "
            "See https://developers.google.com/identity/sign-in/web/devconsole-project."
        )
        reason = "CREDENTIALS_MISSING"
    else:
        message = DEFAULT_MESSAGES[401]
        reason = "ACCESS_TOKEN_TYPE_UNSUPPORTED"
    return ApiError(
        401,
        message,
        [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": reason,
                "domain": "googleapis.com",
                "metadata": {"service": "sheets.googleapis.com"},
            }
        ],
    )


def quota_exceeded(kind: str, limit: int) -> ApiError:
    """429 RESOURCE_EXHAUSTED as Google sends it; ``kind`` is ``"Read"`` or ``"Write"``."""
    message = (
        f"Quota exceeded for quota metric '{kind} requests' and limit "
        f"'{kind} requests per minute per user' of service 'sheets.googleapis.com' "
        "for consumer 'project_number:0'."
    )
    return ApiError(
        429,
        message,
        [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "RATE_LIMIT_EXCEEDED",
                "domain": "googleapis.com",
                "metadata": {
                    "quota_metric": f"sheets.googleapis.com/{kind.lower()}_requests",
                    "quota_limit": f"{kind}RequestsPerMinutePerUser",
                    "quota_location": "global",
                    "quota_limit_value": str(limit),
                    "service": "sheets.googleapis.com",
                    "consumer": "projects/0",
                },
            },
            {
                "@type": "type.googleapis.com/google.rpc.Help",
                "links": [
                    {
                        "description": "Request a higher quota limit.",
                        "url": "https://cloud.google.com/docs/quota#requesting_higher_quota",
                    }
                ],
            },
        ],
    )
