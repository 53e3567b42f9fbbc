// Orders: the list (filters and cursor in the URL), a draft created from a
// short form, and the detail page with lines, totals and the transitions
// the API allows, each sent with the version read (If-Match).
import { get, post } from "./api.js";
import { busy, h, navigate, showError } from "./ui.js";

const STATUSES = ["draft", "placed", "confirmed", "fulfilled", "cancelled"];
/** The transitions each status offers, as the API names them. */
const NEXT = { draft: ["place", "cancel"], placed: ["confirm", "cancel"], confirmed: ["fulfil", "cancel"] };
const LABELS = { place: "Place", confirm: "Confirm", fulfil: "Fulfil", cancel: "Cancel order" };

const money = (amount, currency) => `${amount} ${currency}`;

/** The list: `params` holds status, number, cursor (the URL's query). */
export async function ordersPage(main, params) {
  const query = { limit: 20, status: params.get("status"), number: params.get("number"), cursor: params.get("cursor") };
  const { data: page } = await get("/api/orders", { query });
  const status = h("select", { id: "status-filter", name: "status" }, h("option", { value: "" }, "Any"),
    ...STATUSES.map((s) => h("option", { value: s, selected: s === query.status }, s)));
  const number = h("input", { id: "number-filter", name: "number", value: query.number ?? "", inputmode: "numeric" });
  const filters = h("form", { class: "filters", role: "search", "aria-label": "Filter orders" },
    h("label", { for: "status-filter" }, "Status", status),
    h("label", { for: "number-filter" }, "Number", number),
    h("button", { type: "submit", class: "secondary" }, "Filter"));
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    if (status.value) next.set("status", status.value);
    if (number.value) next.set("number", number.value);
    navigate(`/console/orders${next.size ? `?${next}` : ""}`);
  });
  const rows = page.items.map((o) =>
    h("tr", {},
      h("td", {}, h("a", { href: `/console/orders/${o.id}` }, o.number ?? o.id.slice(0, 8))),
      h("td", {}, h("span", { class: "badge" }, o.status)),
      h("td", {}, o.customer?.name ?? ""),
      h("td", { class: "num" }, money(o.grand_total, o.currency)),
      h("td", {}, new Date(o.created_at).toLocaleString())));
  const table = rows.length
    ? h("div", { class: "table-wrap" }, h("table", {},
        h("caption", { class: "skip" }, "Orders"),
        h("thead", {}, h("tr", {}, ...["Number", "Status", "Customer", "Total", "Created"].map((t, i) => h("th", { scope: "col", class: i === 3 ? "num" : null }, t)))),
        h("tbody", {}, rows)))
    : h("p", {}, "No orders match.");
  const pager = h("nav", { class: "pager", "aria-label": "Pages" });
  if (query.cursor) pager.append(h("a", { href: `/console/orders${withCursor(params, null)}` }, "First page"));
  if (page.has_more && page.next_cursor) pager.append(h("a", { href: `/console/orders${withCursor(params, page.next_cursor)}`, rel: "next" }, "Next page"));
  main.replaceChildren(
    h("h1", {}, "Orders"),
    h("div", { class: "actions" }, h("button", { type: "button", onclick: () => main.replaceChildren(draftForm()) }, "New draft")),
    filters, table, pager);
}

function withCursor(params, cursor) {
  const next = new URLSearchParams(params);
  if (cursor) next.set("cursor", cursor);
  else next.delete("cursor");
  return next.size ? `?${next}` : "";
}

function draftForm() {
  const error = h("p", { class: "error", role: "alert" });
  const field = (id, label, attributes = {}) => {
    const input = h("input", { id, name: id, ...attributes });
    return [h("label", { for: id }, label, input), input];
  };
  const [currencyLabel, currency] = field("currency", "Currency", { value: "EUR", required: true, maxlength: 3 });
  const [customerLabel, customer] = field("customer", "Customer name");
  const [skuLabel, sku] = field("sku", "SKU", { required: true });
  const [descriptionLabel, description] = field("description", "Description", { required: true });
  const [quantityLabel, quantity] = field("quantity", "Quantity", { value: "1", inputmode: "decimal", required: true });
  const [priceLabel, price] = field("unit_price", "Unit price", { inputmode: "decimal", required: true });
  const submit = h("button", { type: "submit" }, "Create draft");
  const form = h("form", { "aria-labelledby": "draft-title" }, h("h1", { id: "draft-title" }, "New draft order"), error,
    currencyLabel, customerLabel, skuLabel, descriptionLabel, quantityLabel, priceLabel,
    h("div", { class: "actions" }, submit, h("a", { href: "/console/orders" }, "Back to orders")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {
      currency: currency.value.trim().toUpperCase(),
      lines: [{ sku: sku.value, description: description.value, quantity: quantity.value, unit_price: price.value }],
    };
    if (customer.value) body.customer = { name: customer.value };
    try {
      const { data } = await busy(submit, "Creating…", () => post("/api/orders", body, { headers: { "Idempotency-Key": crypto.randomUUID() } }));
      navigate(`/console/orders/${data.id}`);
    } catch (e) {
      showError(error, e, form);
    }
  });
  setTimeout(() => currency.focus());
  return form;
}

/** One order with its lines, totals and transitions. */
export async function orderPage(main, id) {
  const { data: order, response } = await get(`/api/orders/${id}`);
  const etag = response.headers.get("ETag") ?? `"${order.version}"`;
  const error = h("p", { class: "error", role: "alert" });
  const actions = h("div", { class: "actions" });
  for (const transition of NEXT[order.status] ?? []) {
    const button = h("button", { type: "button", class: transition === "cancel" ? "secondary" : null }, LABELS[transition]);
    button.addEventListener("click", async () => {
      const body = transition === "cancel" ? { reason: window.prompt("Why is the order cancelled?") ?? "" } : undefined;
      if (transition === "cancel" && !body.reason) return;
      try {
        await busy(button, `${LABELS[transition]}…`, () =>
          post(`/api/orders/${id}/${transition}`, body, { headers: { "If-Match": etag, "Idempotency-Key": crypto.randomUUID() } }));
        await orderPage(main, id);
      } catch (e) {
        showError(error, e);
      }
    });
    actions.append(button);
  }
  const lines = order.lines.map((l) => h("tr", {}, h("td", {}, l.sku), h("td", {}, l.description),
    h("td", { class: "num" }, l.quantity), h("td", { class: "num" }, l.unit_price), h("td", { class: "num" }, l.total)));
  main.replaceChildren(
    h("p", {}, h("a", { href: "/console/orders" }, "← Orders")),
    h("h1", {}, `Order ${order.number ?? order.id}`),
    h("dl", { class: "facts" },
      h("dt", {}, "Status"), h("dd", { id: "order-status" }, order.status),
      h("dt", {}, "Payment"), h("dd", {}, order.payment_status),
      h("dt", {}, "Customer"), h("dd", {}, order.customer?.name ?? "—"),
      h("dt", {}, "Subtotal"), h("dd", {}, money(order.subtotal, order.currency)),
      h("dt", {}, "Tax"), h("dd", {}, money(order.tax_total, order.currency)),
      h("dt", {}, "Total"), h("dd", {}, money(order.grand_total, order.currency))),
    error, actions,
    h("h2", {}, "Lines"),
    h("div", { class: "table-wrap" }, h("table", {},
      h("thead", {}, h("tr", {}, ...["SKU", "Description", "Quantity", "Unit price", "Total"].map((t, i) => h("th", { scope: "col", class: i > 1 ? "num" : null }, t)))),
      h("tbody", {}, lines))));
}
