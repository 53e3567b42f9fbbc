"""Fixtures for `make fuzz-api`: callers and real resources to fuzz with.

Usage: fixtures.py ADDR OUT.json. Creates, through the API of the server at
ADDR: the owner of organization "acme", a member of it, and the owner of
organization "globex"; in acme, orders in several states and invoices with
a payment and a credit note, CRM companies (one in the trash) and people,
a leave type, calendar, allocation and request, every customer and record
name carrying MARKER. Writes
their ids to OUT.json (see hooks.py) and prints, on one line: the owner's
JWT, acme's id, the member's JWT, globex's owner's JWT, globex's id.
"""

import json
import sys
import urllib.request

BASE = f"http://{sys.argv[1]}"
PASSWORD = "correct-horse-battery-1"
MARKER = "AcmeSecret7f3a"


def call(method, path, body=None, auth=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE + path, method=method, data=data)
    req.add_header("content-type", "application/json")
    if auth:
        req.add_header("authorization", auth)
    for name, value in (headers or {}).items():
        req.add_header(name, value)
    with urllib.request.urlopen(req) as resp:
        return resp.headers, json.loads(resp.read() or b"null")


def sign_up(email):
    headers, _ = call("POST", "/api/auth/sign-up/email", {"name": email, "email": email, "password": PASSWORD})
    return "Bearer " + headers["set-auth-token"]


def jwt(session):
    return "Bearer " + call("GET", "/api/auth/token", auth=session)[1]["token"]


def change(auth, path, resource, key, body=None):
    headers = {"if-match": f'"{resource["version"]}"', "idempotency-key": key}
    return call("POST", path, body if body is not None else {}, auth, headers)[1]


owner = sign_up("owner@example.com")
acme = call("POST", "/api/auth/organization/create", {"name": "Acme", "slug": "acme"}, owner)[1]
member = sign_up("member@example.com")
invitation = call(
    "POST",
    "/api/auth/organization/invite-member",
    {"email": "member@example.com", "role": "member", "organizationId": acme["id"]},
    owner,
)[1]
call("POST", "/api/auth/organization/accept-invitation", {"invitationId": invitation["id"]}, member)
call("POST", "/api/auth/organization/set-active", {"organizationId": acme["id"]}, member)
other = sign_up("other@example.com")
globex = call("POST", "/api/auth/organization/create", {"name": "Globex", "slug": "globex"}, other)[1]
owner_jwt, member_jwt, other_jwt = jwt(owner), jwt(member), jwt(other)

fixtures = {
    "orders": [], "invoices": [], "payments": [], "credit_notes": [], "companies": [], "people": [], "marker": MARKER
}
order_body = {
    "currency": "EUR",
    "customer": {"name": f"{MARKER} Buyer", "email": "buyer@example.com"},
    "lines": [{"sku": "A-1", "description": "Widget", "quantity": "2", "unit_price": "19.99", "tax_rate": "20"}],
}
for i in range(3):
    order = call("POST", "/api/orders", order_body, owner_jwt)[1]
    if i >= 1:
        order = change(owner_jwt, f"/api/orders/{order['id']}/place", order, f"fx-place-{i}")
    if i >= 2:
        order = change(owner_jwt, f"/api/orders/{order['id']}/confirm", order, f"fx-confirm-{i}")
    fixtures["orders"].append(order["id"])

invoice_body = {
    "currency": "EUR",
    "customer": {"name": f"{MARKER} Customer", "email": "billing@example.com", "address": ["1 Main St"]},
    "lines": [
        {"description": "Consulting", "quantity": "2", "unit_price": "50", "tax_rate": "20"},
        {"description": "Travel", "quantity": "1", "unit_price": "20"},
    ],
}
for i in range(3):
    invoice = call("POST", "/api/invoices", invoice_body, owner_jwt, {"idempotency-key": f"fx-invoice-{i}"})[1]
    if i >= 1:
        invoice = change(owner_jwt, f"/api/invoices/{invoice['id']}/finalize", invoice, f"fx-finalize-{i}")
        payment = {"amount": "10", "method": "bank_transfer"}
        invoice = change(owner_jwt, f"/api/invoices/{invoice['id']}/payments", invoice, f"fx-pay-{i}", payment)
        fixtures["payments"].append(invoice["payments"][0]["id"])
    if i >= 2:
        credit = {"amount": "5.00", "reason": "goodwill"}
        invoice = change(owner_jwt, f"/api/invoices/{invoice['id']}/credit-notes", invoice, f"fx-credit-{i}", credit)
        fixtures["credit_notes"].append(invoice["credit_notes"][0]["id"])
    fixtures["invoices"].append(invoice["id"])

for i in range(2):
    company = {"name": f"{MARKER} Company {i}", "domain": f"company{i}.example", "tags": ["fuzz"]}
    company = call("POST", "/api/crm/companies", company, owner_jwt, {"idempotency-key": f"fx-company-{i}"})[1]
    if i == 1:
        company = call("DELETE", f"/api/crm/companies/{company['id']}", None, owner_jwt,
                       {"if-match": f'"{company["version"]}"'})[1]
    fixtures["companies"].append(company["id"])
    person = {"first_name": MARKER, "last_name": f"Person {i}", "emails": [{"address": f"p{i}@example.com"}],
              "company_id": fixtures["companies"][0]}
    person = call("POST", "/api/crm/people", person, owner_jwt, {"idempotency-key": f"fx-person-{i}"})[1]
    fixtures["people"].append(person["id"])

# Leave: a type, a default calendar with a holiday, 10 days for the member
# next year and a pending request of theirs.
import datetime  # noqa: E402

year = datetime.date.today().year + 1
leave_type = call("POST", "/api/leave/types", {"name": f"{MARKER} Annual"}, owner_jwt,
                  {"idempotency-key": "fx-leave-type"})[1]
calendar = {"name": f"{MARKER} Calendar", "is_default": True,
            "holidays": [{"date": f"{year}-01-01", "name": f"{MARKER} New Year"}]}
calendar = call("POST", "/api/leave/calendars", calendar, owner_jwt, {"idempotency-key": "fx-leave-calendar"})[1]
member_id = call("GET", "/api/leave/members/me/profile", auth=member_jwt)[1]["user_id"]
grant = {"user_id": member_id, "leave_type_id": leave_type["id"], "from": f"{year}-01-01", "to": f"{year}-12-31",
         "days": "10"}
allocation = call("POST", "/api/leave/allocations", grant, owner_jwt, {"idempotency-key": "fx-leave-grant"})[1]
monday = datetime.date.fromisocalendar(year, 10, 1)
ask = {"leave_type_id": leave_type["id"], "from": monday.isoformat(), "to": monday.isoformat(), "reason": MARKER}
leave_request = call("POST", "/api/leave/requests", ask, member_jwt, {"idempotency-key": "fx-leave-request"})[1]
fixtures.update({"leave_types": [leave_type["id"]], "leave_calendars": [calendar["id"]],
                 "leave_requests": [leave_request["id"]], "leave_members": [member_id],
                 "leave_allocations": [allocation["id"]]})

fixtures["all_ids"] = sorted(
    {v for k in ("orders", "invoices", "payments", "credit_notes", "companies", "people", "leave_types",
                 "leave_calendars", "leave_requests", "leave_members", "leave_allocations") for v in fixtures[k]}
)
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump(fixtures, f, indent=2)
print(owner_jwt.removeprefix("Bearer "), acme["id"], member_jwt.removeprefix("Bearer "),
      other_jwt.removeprefix("Bearer "), globex["id"])
