"""Schemathesis hooks (SCHEMATHESIS_HOOKS=hooks, loaded by schemathesis.sh).

The one rule of the producer that JSON Schema cannot state: on POST /v1/activities, an
Idempotency-Key header and a body eventId must be equal (else 400 IDEMPOTENCY_KEY_MISMATCH).
Generated independently they almost never are, so when both are there the header takes the
body's value; either one alone is still generated and checked as the document says.
"""
import re

import schemathesis

HEADER = "idempotency-key"
EVENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{7,63}")  # EVENT_ID_PATTERN of libs/contracts


@schemathesis.hook
def map_case(context, case):
    headers = case.headers or {}
    body = case.body
    if (
        HEADER in headers
        and isinstance(body, dict)
        and isinstance(body.get("eventId"), str)
        and EVENT_ID.fullmatch(body["eventId"])
        and isinstance(headers[HEADER], str)
        and EVENT_ID.fullmatch(headers[HEADER].strip('"'))
    ):
        headers[HEADER] = body["eventId"]
    return case
