"""What a Python integration does with the generated client: sign up,
create an organization, get a service JWT, then create (idempotently),
read, list and update an order with If-Match, read a problem body, and
take an invoice from draft to paid; in CRM, a company (its duplicate
refused, a field cleared with null), a deal won on its board, a search and
the company's timeline; in leave, a request with a half day approved at
once, the balance it leaves, and a broken rule named in the problem.

The client (`gremlin_client`) is generated from the committed spec by
`make clients`; GREMLIN_URL names the running server.
"""

import os
import time
from datetime import date

from gremlin_client import AuthenticatedClient, Client
from gremlin_client.api.companies import (
    crm_companies_create,
    crm_companies_search,
    crm_companies_timeline,
    crm_companies_update,
)
from gremlin_client.api.deals import crm_deals_create, crm_deals_move
from gremlin_client.api.identity import identity_sign_up_email, identity_token
from gremlin_client.api.pipelines import crm_pipelines_list
from gremlin_client.api.leave_members import leave_allocations_create, leave_balances_get, leave_profiles_get
from gremlin_client.api.leave_requests import leave_requests_create
from gremlin_client.api.leave_types import leave_types_create
from gremlin_client.api.invoices import invoices_create, invoices_finalize, invoices_get_pdf, invoices_record_payment
from gremlin_client.api.orders import orders_create, orders_get, orders_list, orders_update
from gremlin_client.api.organizations import identity_organization_create
from gremlin_client.models import (
    Company,
    CompanyPage,
    CreateCompanyBody,
    CreateDealBody,
    CreateInvoiceBody,
    CreateOrderBody,
    CreateOrganizationBody,
    CrmSearchBody,
    CrmSearchSort,
    Deal,
    MoveDealBody,
    StageKind,
    TimelinePage,
    UpdateCompanyBody,
    Invoice,
    InvoiceCustomer,
    InvoiceLineInput,
    InvoiceStatus,
    LeaveAllocationBody,
    LeaveBalances,
    LeaveDayPart,
    LeavePolicy,
    LeaveRequest,
    LeaveRequestBody,
    LeaveRequestStatus,
    LineInput,
    Order,
    OrderPage,
    OrderSort,
    OrderStatus,
    PaymentBody,
    Problem,
    SignUpEmailBody,
    SortDirection,
    UpdateOrderBody,
)

BASE_URL = os.environ.get("GREMLIN_URL", "http://127.0.0.1:8080")


def test_sign_up_organization_orders_and_problems():
    stamp = str(time.time_ns())
    public = Client(base_url=BASE_URL)
    signed_up = identity_sign_up_email.sync_detailed(
        client=public,
        body=SignUpEmailBody(name="Python", email=f"py-{stamp}@example.com", password="correct-horse-battery-1"),
    )
    assert signed_up.status_code == 200, signed_up.content
    session = AuthenticatedClient(base_url=BASE_URL, token=signed_up.headers["set-auth-token"])

    org = identity_organization_create.sync(client=session, body=CreateOrganizationBody(name="Acme", slug=f"acme-{stamp}"))
    jwt = identity_token.sync(client=session)
    service = AuthenticatedClient(base_url=BASE_URL, token=jwt.token)
    in_org = {"x_organization_id": org.id}

    body = CreateOrderBody(
        currency="EUR", lines=[LineInput(sku="A-1", quantity="2", unit_price="19.99", tax_rate="20")]
    )
    created = orders_create.sync_detailed(client=service, body=body, idempotency_key="py-smoke-1", **in_org)
    assert created.status_code == 201, created.content
    order = created.parsed
    assert isinstance(order, Order) and order.grand_total == "47.98"
    replayed = orders_create.sync(client=service, body=body, idempotency_key="py-smoke-1", **in_org)
    assert isinstance(replayed, Order) and replayed.id == order.id

    got = orders_get.sync_detailed(str(order.id), client=service, **in_org)
    assert isinstance(got.parsed, Order) and got.parsed.status == OrderStatus.DRAFT
    etag = got.headers["etag"]

    page = orders_list.sync(
        client=service, status=OrderStatus.DRAFT, sort=OrderSort.NUMBER, direction=SortDirection.ASC, limit=10, **in_org
    )
    assert isinstance(page, OrderPage) and [o.id for o in page.items] == [order.id] and not page.has_more

    updated = orders_update.sync(str(order.id), client=service, body=UpdateOrderBody(notes="rush"), if_match=etag, **in_org)
    assert isinstance(updated, Order) and updated.notes == "rush"

    stale = orders_update.sync_detailed(
        str(order.id), client=service, body=UpdateOrderBody(notes="late"), if_match=etag, **in_org
    )
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    assert isinstance(stale.parsed, Problem) and stale.parsed.status == 412 and stale.parsed.title

    # An invoice from draft to paid: finalized (numbered) and paid in full.
    invoice_body = CreateInvoiceBody(
        currency="EUR",
        customer=InvoiceCustomer(name="Acme Trading"),
        lines=[InvoiceLineInput(description="Consulting", quantity="2", unit_price="50", tax_rate="20")],
    )
    draft = invoices_create.sync(client=service, body=invoice_body, idempotency_key="py-invoice-1", **in_org)
    assert isinstance(draft, Invoice) and draft.total == "120" and draft.status == InvoiceStatus.DRAFT
    opened = invoices_finalize.sync_detailed(
        str(draft.id), client=service, if_match=f'"{draft.version}"', idempotency_key="py-invoice-2", **in_org
    )
    assert isinstance(opened.parsed, Invoice) and opened.parsed.status == InvoiceStatus.OPEN, opened.content
    paid = invoices_record_payment.sync(
        str(draft.id),
        client=service,
        body=PaymentBody(amount="120", method="bank_transfer"),
        if_match=opened.headers["etag"],
        idempotency_key="py-invoice-3",
        **in_org,
    )
    assert isinstance(paid, Invoice) and paid.status == InvoiceStatus.PAID and paid.amount_due == "0"
    pdf = invoices_get_pdf.sync_detailed(str(draft.id), client=service, **in_org)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf", pdf.content
    assert pdf.content.startswith(b"%PDF-")

    # CRM: a company, its duplicate refused with the match, a field cleared
    # with null, a deal moved to a won stage, a search and the timeline.
    company = crm_companies_create.sync_detailed(
        client=service,
        body=CreateCompanyBody(name="Acme Trading", domain="https://www.acme-trading.example/", employees=40),
        idempotency_key="py-crm-1",
        **in_org,
    )
    assert company.status_code == 201 and isinstance(company.parsed, Company), company.content
    assert company.parsed.domain == "acme-trading.example"
    duplicate = crm_companies_create.sync_detailed(
        client=service, body=CreateCompanyBody(name="ACME trading"), idempotency_key="py-crm-2", **in_org
    )
    assert duplicate.status_code == 409 and isinstance(duplicate.parsed, Problem), duplicate.content
    assert duplicate.parsed.existing_ids == [str(company.parsed.id)]
    cleared = crm_companies_update.sync(
        str(company.parsed.id),
        client=service,
        body=UpdateCompanyBody(employees=None, tags=["vip"]),
        if_match=company.headers["etag"],
        **in_org,
    )
    assert isinstance(cleared, Company) and cleared.employees is None and cleared.tags == ["vip"]
    deal = crm_deals_create.sync_detailed(
        client=service, body=CreateDealBody(name="Fleet", company_id=company.parsed.id), idempotency_key="py-crm-3", **in_org
    )
    assert isinstance(deal.parsed, Deal), deal.content
    pipelines = crm_pipelines_list.sync(client=service, **in_org)
    won = next(s for s in pipelines.items[0].stages if s.kind == StageKind.WON)
    moved = crm_deals_move.sync(
        str(deal.parsed.id),
        client=service,
        body=MoveDealBody(stage_id=won.id),
        if_match=deal.headers["etag"],
        idempotency_key="py-crm-4",
        **in_org,
    )
    assert isinstance(moved, Deal) and moved.status == StageKind.WON and moved.probability == 100
    found = crm_companies_search.sync(
        client=service,
        body=CrmSearchBody(query="acme", sort=CrmSearchSort(property_="name", direction=SortDirection.ASC)),
        **in_org,
    )
    assert isinstance(found, CompanyPage) and [c.id for c in found.items] == [company.parsed.id]
    timeline = crm_companies_timeline.sync(str(company.parsed.id), client=service, **in_org)
    assert isinstance(timeline, TimelinePage) and [i.kind.value for i in timeline.items] == ["updated", "created"]

    # Leave: a type approved at once, 10 days next year, a request with a
    # half day, the balance it leaves, and a broken rule named in the problem.
    year = time.gmtime().tm_year + 1
    leave_type = leave_types_create.sync(
        client=service, body=LeavePolicy(name="Annual", requires_approval=False), idempotency_key="py-leave-1", **in_org
    )
    me = leave_profiles_get.sync("me", client=service, **in_org)
    granted = leave_allocations_create.sync_detailed(
        client=service,
        body=LeaveAllocationBody(
            user_id=me.user_id, leave_type_id=leave_type.id, from_=date(year, 1, 1), to=date(year, 12, 31), days="10"
        ),
        idempotency_key="py-leave-2",
        **in_org,
    )
    assert granted.status_code == 201, granted.content
    ask = LeaveRequestBody(
        leave_type_id=leave_type.id, from_=date(year, 3, 1), to=date(year, 3, 5), starts=LeaveDayPart.AFTERNOON
    )
    asked = leave_requests_create.sync(client=service, body=ask, idempotency_key="py-leave-3", **in_org)
    assert isinstance(asked, LeaveRequest) and asked.status == LeaveRequestStatus.APPROVED
    balances = leave_balances_get.sync("me", client=service, as_of=date(year, 1, 1), **in_org)
    assert isinstance(balances, LeaveBalances)
    annual = next(b for b in balances.items if b.leave_type_id == leave_type.id)
    assert float(annual.available) == 10 - float(asked.days)
    overlapping = leave_requests_create.sync_detailed(client=service, body=ask, idempotency_key="py-leave-4", **in_org)
    assert overlapping.status_code == 422 and isinstance(overlapping.parsed, Problem), overlapping.content
    assert overlapping.parsed.rule == "overlap"
