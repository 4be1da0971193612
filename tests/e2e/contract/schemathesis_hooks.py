"""schemathesis hooks for the contract guard (tests/e2e/test_schemathesis.py), loaded through
SCHEMATHESIS_HOOKS.

positive_data_acceptance is configured (schemathesis.toml) to let 422 and 428 through, and this
check takes over for them: a request the document allows may be refused only for what no
document can say, because it depends on what the database holds:
- 422 `invalid_reference`: a relation names a row that does not exist (a random UUID);
- 422 on `cursor`: a cursor the API did not give out;
- 428 `precondition_required`: a versioned update without its version (If-Match or `version`
  in the body are both optional in the document, one of them is needed);
- 422 `idempotency_key_reused`: an Idempotency-Key an earlier request of the run used for
  another request (schemathesis draws the same short keys again).
Any other 422 or 428 to a schema-valid request is a failure.
"""

from __future__ import annotations

import json

import schemathesis

STATE_DEPENDENT = {
    (422, "invalid_reference"),
    (428, "precondition_required"),
    (422, "idempotency_key_reused"),
}


@schemathesis.check
def positive_data_refused_only_for_state(ctx, response, case):
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return
    if response.status_code not in (422, 428):
        return
    try:
        body = json.loads(response.content)
    except ValueError:
        body = {}
    code, field = body.get("error_code"), body.get("field")
    if (response.status_code, code) in STATE_DEPENDENT or (response.status_code, field) == (
        422,
        "cursor",
    ):
        return
    raise AssertionError(
        f"A request the document allows was refused: {response.status_code} {body}"
    )
