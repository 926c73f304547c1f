"""What the OpenAPI document cannot say about a query, told to Schemathesis's generator.

A parameter's schema speaks of that parameter alone. Some routes refuse a combination of
parameters that are each valid: two that name the start of the same read (`from` and
`since`), two scopes at once (`plan` and `unit`), or a range that ends before it starts. The
document says so in the parameters' descriptions and the daemon answers such a request 400;
these hooks keep the generator from offering it as a valid request. Every check stays on.
A reminder cursor, likewise, carries the due-soon days it was made with; a write's
`skip_recorded` already makes it safe to repeat, so it is refused beside an Idempotency-Key;
and the changes of a decision batch cite that decision or none.
"""

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import schemathesis

# The daemon's default zone, in which a plain date is a day.
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")

# Parameters a route takes one of, never both.
EXCLUSIVE = {
    "/v1/events": [("from", "since")],
    "/v1/reminders": [("after", "since")],
    "/v1/reminders/stream": [("after", "since")],
    "/v1/reports/tasks": [("plan", "unit")],
}

# The writes whose body takes `skip_recorded`.
WRITES = {"/v1/commands", "/v1/decisions"}

# Ranges whose end may not come before their start, and how each end reads.
AUDIT_RANGES = [("recorded_from", "recorded_to", "time"), ("valid_from", "valid_to", "date")]
RANGES = {
    "/v1/committees/{id}/diff": [("from", "to", "date")],
    "/v1/audit/changes": AUDIT_RANGES,
    "/v1/history/{kind}/{id}": AUDIT_RANGES,
    "/v1/reports/tasks": [("from", "on", "date")],
}


def _day(text):
    return date.fromisoformat(text) if len(text) == 10 else None


def _instant(text, end):
    """A time bound as the daemon reads it: a date is the start (or end) of that day."""
    day = _day(text)
    if day is None:
        return datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    start = datetime.combine(day, time(0), tzinfo=ZONE)
    return start + timedelta(days=1) - timedelta(microseconds=1) if end else start


def _reversed(query, start, end, kind):
    low = query.get(start)
    high = query.get(end)
    if kind == "date" and end == "on" and high is None:
        high = datetime.now(ZONE).date().isoformat()
    if not isinstance(low, str) or not isinstance(high, str):
        return False
    try:
        if kind == "date":
            return date.fromisoformat(high) < date.fromisoformat(low)
        return _instant(high, True) < _instant(low, False)
    except (ValueError, OverflowError):
        # Not a date or a time at all: the daemon refuses it on its own, as it should.
        return False


def _cursor_days(cursor):
    """The due-soon days a reminder cursor was made with, or None for what is not one."""
    parts = cursor.split(".") if isinstance(cursor, str) else []
    return int(parts[1]) if len(parts) > 2 and parts[0] == "r1" and parts[1].isdigit() else None


def _cite_the_decision(body):
    decision = body.get("decision")
    record = decision.get("record_decision") if isinstance(decision, dict) else None
    batch = record.get("decision") if isinstance(record, dict) else None
    changes = body.get("changes")
    for change in changes if isinstance(changes, list) else []:
        for fields in change.values() if isinstance(change, dict) else []:
            cited = fields.get("decision") if isinstance(fields, dict) else None
            if isinstance(cited, str) and cited != batch:
                return False
    return True


# Filtering whole cases, not queries alone: the coverage phase applies only case filters.
@schemathesis.hook
def filter_case(context, case):
    query = case.query if isinstance(case.query, dict) else {}
    # Header names in any case; the case's headers need not be a plain dict.
    headers = case.headers if isinstance(case.headers, Mapping) else {}
    headers = {str(k).lower(): v for k, v in headers.items()}
    path = case.operation.path
    for a, b in EXCLUSIVE.get(path, []):
        if query.get(a) is not None and query.get(b) is not None:
            return False
    if any(_reversed(query, *r) for r in RANGES.get(path, [])):
        return False
    # A reminder cursor keeps the due-soon days it was made with; another number is refused.
    if path.startswith("/v1/reminders") and query.get("due_soon_days") is not None:
        cursor = headers.get("last-event-id") or query.get("after")
        days = _cursor_days(cursor)
        if days is not None and days != query.get("due_soon_days"):
            return False
    # Two ways to make a write safe to repeat; the body's field says they do not combine.
    body = case.body if isinstance(case.body, dict) else {}
    if path in WRITES and body.get("skip_recorded") is True:
        if "idempotency-key" in headers:
            return False
    # A decision's changes cite that decision or none; the field's description says so.
    if path == "/v1/decisions" and not _cite_the_decision(body):
        return False
    return True
