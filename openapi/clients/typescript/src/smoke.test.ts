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

test("sign up, organization, orders with If-Match and Idempotency-Key, problems, an invoice to paid", async () => {
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
});
