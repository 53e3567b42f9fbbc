// What a TypeScript front end does with the generated client: sign up,
// create an organization, get a service JWT, then create (idempotently),
// read, list and update an order with If-Match, and read a problem body.
// Every call is type-checked against the committed spec by `tsc --strict`.
import { test } from "node:test";
import assert from "node:assert/strict";
import createClient from "openapi-fetch";
import type { paths } from "./schema.js";

const baseUrl = process.env.GREMLIN_URL ?? "http://127.0.0.1:8080";
const client = createClient<paths>({ baseUrl });

test("sign up, organization, orders with If-Match and Idempotency-Key, problems, an invoice to paid, CRM, leave", async () => {
  const email = `ts-${Date.now()}@example.com`;
  const signedUp = await client.POST("/api/auth/sign-up/email", {
    body: { name: "TypeScript", email, password: "correct-horse-battery-1" },
  });
  assert.equal(signedUp.response.status, 200);
  const sessionToken = signedUp.response.headers.get("set-auth-token");
  assert.ok(sessionToken && signedUp.data?.user.email === email);
  const asUser = { Authorization: `Bearer ${sessionToken}` };

  const org = await client.POST("/api/auth/organization/create", {
    headers: asUser,
    body: { name: "Acme", slug: `acme-${Date.now()}` },
  });
  assert.equal(org.response.status, 200);
  const organizationId = org.data?.id;
  assert.ok(organizationId);

  const token = await client.GET("/api/auth/token", { headers: asUser });
  assert.ok(token.data?.token);
  const asService = { Authorization: `Bearer ${token.data.token}`, "X-Organization-Id": organizationId };

  const order = {
    currency: "EUR",
    lines: [{ sku: "A-1", quantity: "2", unit_price: "19.99", tax_rate: "20" }],
  };
  const created = await client.POST("/api/orders", {
    params: { header: { ...asService, "Idempotency-Key": "ts-smoke-1" } },
    body: order,
  });
  assert.equal(created.response.status, 201);
  const id = created.data?.id;
  assert.ok(id);
  assert.equal(created.data?.grand_total, "47.98");
  const replayed = await client.POST("/api/orders", {
    params: { header: { ...asService, "Idempotency-Key": "ts-smoke-1" } },
    body: order,
  });
  assert.equal(replayed.data?.id, id, "the same key and body return the first order");

  const got = await client.GET("/api/orders/{id}", { params: { path: { id }, header: asService } });
  const etag = got.response.headers.get("etag");
  assert.ok(etag && got.data?.status === "draft");

  const listed = await client.GET("/api/orders", {
    params: { query: { status: "draft", sort: "number", direction: "asc", limit: 10 }, header: asService },
  });
  assert.deepEqual(listed.data?.items.map((o) => o.id), [id]);
  assert.equal(listed.data?.has_more, false);

  const updated = await client.PATCH("/api/orders/{id}", {
    params: { path: { id }, header: { ...asService, "If-Match": etag } },
    body: { notes: "rush" },
  });
  assert.equal(updated.data?.notes, "rush");

  const stale = await client.PATCH("/api/orders/{id}", {
    params: { path: { id }, header: { ...asService, "If-Match": etag } },
    body: { notes: "late" },
  });
  assert.equal(stale.response.status, 412);
  assert.equal(stale.response.headers.get("content-type"), "application/problem+json");
  assert.equal(stale.error?.status, 412);
  assert.ok(stale.error?.title);

  // An invoice from draft to paid: finalized (numbered) and paid in full.
  const draft = await client.POST("/api/invoices", {
    params: { header: { ...asService, "Idempotency-Key": "ts-invoice-1" } },
    body: {
      currency: "EUR",
      customer: { name: "Acme Trading" },
      lines: [{ description: "Consulting", quantity: "2", unit_price: "50", tax_rate: "20" }],
    },
  });
  assert.equal(draft.response.status, 201);
  const invoiceId = draft.data?.id;
  assert.ok(invoiceId && draft.data?.total === "120" && draft.data.number === null);
  const opened = await client.POST("/api/invoices/{id}/finalize", {
    params: {
      path: { id: invoiceId },
      header: { ...asService, "If-Match": draft.response.headers.get("etag") ?? "", "Idempotency-Key": "ts-invoice-2" },
    },
  });
  assert.equal(opened.data?.status, "open", JSON.stringify(opened.error));
  const paid = await client.POST("/api/invoices/{id}/payments", {
    params: {
      path: { id: invoiceId },
      header: { ...asService, "If-Match": opened.response.headers.get("etag") ?? "", "Idempotency-Key": "ts-invoice-3" },
    },
    body: { amount: "120", method: "bank_transfer" },
  });
  assert.equal(paid.data?.status, "paid", JSON.stringify(paid.error));
  assert.equal(paid.data?.amount_due, "0");
  const pdf = await client.GET("/api/invoices/{id}/pdf", {
    params: { path: { id: invoiceId }, header: asService },
    parseAs: "arrayBuffer",
  });
  assert.equal(pdf.response.headers.get("content-type"), "application/pdf");
  assert.equal(new TextDecoder().decode((pdf.data as ArrayBuffer).slice(0, 5)), "%PDF-");

  // CRM: a company, its duplicate refused with the match, a field cleared
  // with null, a deal moved on its board, a search and the timeline.
  const company = await client.POST("/api/crm/companies", {
    params: { header: { ...asService, "Idempotency-Key": "ts-crm-1" } },
    body: { name: "Acme Trading", domain: "https://www.acme-trading.example/", employees: 40 },
  });
  assert.equal(company.response.status, 201, JSON.stringify(company.error));
  const companyId = company.data?.id;
  assert.ok(companyId && company.data?.domain === "acme-trading.example");
  const duplicate = await client.POST("/api/crm/companies", {
    params: { header: { ...asService, "Idempotency-Key": "ts-crm-2" } },
    body: { name: "ACME trading" },
  });
  assert.equal(duplicate.response.status, 409);
  assert.deepEqual(duplicate.error?.existing_ids, [companyId]);
  const cleared = await client.PATCH("/api/crm/companies/{id}", {
    params: { path: { id: companyId }, header: { ...asService, "If-Match": company.response.headers.get("etag") ?? "" } },
    body: { employees: null, tags: ["vip"] },
  });
  assert.equal(cleared.data?.employees, null, JSON.stringify(cleared.error));
  const deal = await client.POST("/api/crm/deals", {
    params: { header: { ...asService, "Idempotency-Key": "ts-crm-3" } },
    body: { name: "Fleet", company_id: companyId, amount: { amount: "25000", currency: "EUR" } },
  });
  assert.equal(deal.data?.status, "open", JSON.stringify(deal.error));
  const pipelines = await client.GET("/api/crm/pipelines", { params: { header: asService } });
  const won = pipelines.data?.items[0]?.stages.find((s) => s.kind === "won");
  assert.ok(deal.data && won);
  const moved = await client.POST("/api/crm/deals/{id}/move", {
    params: {
      path: { id: deal.data.id },
      header: { ...asService, "If-Match": deal.response.headers.get("etag") ?? "", "Idempotency-Key": "ts-crm-4" },
    },
    body: { stage_id: won.id },
  });
  assert.equal(moved.data?.status, "won", JSON.stringify(moved.error));
  const found = await client.POST("/api/crm/companies/search", {
    params: { header: asService },
    body: { filter_groups: [{ filters: [{ property: "tags", operator: "eq", value: "vip" }] }] },
  });
  assert.equal(found.response.status, 200, JSON.stringify(found.error));
  assert.deepEqual(found.data?.items.map((c) => c.id), [companyId], "tags are a set searched without case");
  const unsortable = await client.POST("/api/crm/companies/search", {
    params: { header: asService },
    body: { sort: { property: "city" } },
  });
  assert.equal(unsortable.response.status, 422, "only indexed properties sort");
  const byName = await client.POST("/api/crm/companies/search", {
    params: { header: asService },
    body: { query: "acme", sort: { property: "name", direction: "asc" } },
  });
  assert.deepEqual(byName.data?.items.map((c) => c.id), [companyId]);
  const timeline = await client.GET("/api/crm/companies/{id}/timeline", {
    params: { path: { id: companyId }, header: asService },
  });
  assert.deepEqual(timeline.data?.items.map((i) => i.kind), ["updated", "created"]);

  // Leave: a type approved at once, 10 days next year, a request with a
  // half day, the balance, and a broken rule named in the problem.
  const year = new Date().getUTCFullYear() + 1;
  const leaveType = await client.POST("/api/leave/types", {
    params: { header: { ...asService, "Idempotency-Key": "ts-leave-1" } },
    body: { name: "Annual", requires_approval: false },
  });
  assert.equal(leaveType.response.status, 201, JSON.stringify(leaveType.error));
  const me = await client.GET("/api/leave/members/{user_id}/profile", {
    params: { path: { user_id: "me" }, header: asService },
  });
  assert.ok(me.data?.user_id && leaveType.data);
  const granted = await client.POST("/api/leave/allocations", {
    params: { header: { ...asService, "Idempotency-Key": "ts-leave-2" } },
    body: { user_id: me.data.user_id, leave_type_id: leaveType.data.id, from: `${year}-01-01`, to: `${year}-12-31`, days: "10" },
  });
  assert.equal(granted.response.status, 201, JSON.stringify(granted.error));
  const ask = { leave_type_id: leaveType.data.id, from: `${year}-03-01`, to: `${year}-03-05`, starts: "afternoon" as const };
  const asked = await client.POST("/api/leave/requests", {
    params: { header: { ...asService, "Idempotency-Key": "ts-leave-3" } },
    body: ask,
  });
  assert.equal(asked.data?.status, "approved", JSON.stringify(asked.error));
  const balances = await client.GET("/api/leave/members/{user_id}/balances", {
    params: { path: { user_id: "me" }, query: { as_of: `${year}-01-01` }, header: asService },
  });
  const annual = balances.data?.items.find((b) => b.leave_type_id === leaveType.data?.id);
  assert.equal(annual?.available, String(10 - Number(asked.data?.days)));
  const overlapping = await client.POST("/api/leave/requests", {
    params: { header: { ...asService, "Idempotency-Key": "ts-leave-4" } },
    body: ask,
  });
  assert.equal(overlapping.response.status, 422);
  assert.equal(overlapping.error?.rule, "overlap");
});
