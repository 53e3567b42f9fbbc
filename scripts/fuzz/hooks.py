"""Schemathesis hooks for `make fuzz-api` (loaded through SCHEMATHESIS_HOOKS).

FUZZ_FIXTURES names the JSON file scripts/fuzz/fixtures.py wrote: the ids of
real resources of the first organization ("acme") and the marker every one
of its customer names carries. FUZZ_MODE says which pass this is:

* ``owner`` / ``member``: path parameters name acme's real resources in
  about two cases of three (the rest stay random), so handlers run on
  stored data, not only on "not found";
* ``cross``: the caller is another organization's owner and every path
  parameter names one of acme's resources; the ``no_cross_tenant_access``
  check fails any answer that is a success, that tells the resource exists
  (409, 412), or that carries acme's marker.

Choices hash the generated values (never Python's per-process hash), so a
run is repeated exactly by its seed.
"""

import json
import os
import re
import zlib

import schemathesis

MODE = os.environ.get("FUZZ_MODE", "owner")
with open(os.environ["FUZZ_FIXTURES"], encoding="utf-8") as f:
    FIXTURES = json.load(f)

# Which fixture list a path parameter draws from, by path prefix and name.
SOURCES = [
    ("/api/orders/", "id", "orders"),
    ("/api/invoices/", "id", "invoices"),
    ("/api/invoices/", "payment_id", "payments"),
    ("/api/invoices/", "credit_note_id", "credit_notes"),
    ("/api/credit-notes/", "id", "credit_notes"),
    ("/api/crm/companies/", "id", "companies"),
    ("/api/crm/people/", "id", "people"),
    ("/api/leave/types/", "id", "leave_types"),
    ("/api/leave/calendars/", "id", "leave_calendars"),
    ("/api/leave/requests/", "id", "leave_requests"),
    ("/api/leave/members/", "user_id", "leave_members"),
    ("/api/leave/allocations/", "id", "leave_allocations"),
]


def _pick(values, salt):
    return values[zlib.crc32(salt.encode()) % len(values)]


@schemathesis.hook
def map_path_parameters(ctx, path_parameters):
    if not path_parameters or ctx.operation is None:
        return path_parameters
    path = ctx.operation.path
    salt = json.dumps(path_parameters, sort_keys=True, default=str)
    if MODE != "cross" and zlib.crc32(("keep" + salt).encode()) % 3 == 0:
        return path_parameters
    for prefix, name, source in SOURCES:
        if path.startswith(prefix) and name in path_parameters and FIXTURES.get(source):
            path_parameters[name] = _pick(FIXTURES[source], name + salt)
    return path_parameters


# Statuses that do not say whether the resource exists: the caller or the
# request is refused before the resource is looked up.
BLIND_STATUSES = {400, 401, 403, 404, 415, 422, 428, 429}


def _names_a_version(case):
    headers = {k.lower(): v for k, v in (case.headers or {}).items()}
    return re.fullmatch(r'\s*(W/)?"?[0-9]{1,18}"?\s*', str(headers.get("if-match", ""))) is not None


@schemathesis.check
def no_cross_tenant_access(ctx, response, case):
    """Another organization's resource is "not found" and never shown."""
    if MODE != "cross":
        return None
    marker = FIXTURES["marker"]
    if marker.encode() in response.content:  # bytes: a PDF is not text
        raise AssertionError(f"the answer shows the other organization's data ({marker})")
    names_theirs = any(str(v) in FIXTURES["all_ids"] for v in (case.path_parameters or {}).values())
    if names_theirs and response.status_code == 412 and not _names_a_version(case):
        return None  # an If-Match naming no version fails before any lookup, whatever the id
    if names_theirs and response.status_code not in BLIND_STATUSES:
        raise AssertionError(
            f"{response.status_code} for another organization's resource: only 404 (or a refusal before the "
            "lookup) keeps its existence private"
        )
    return None
