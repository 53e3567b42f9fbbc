// The console shell: session, organization switcher, navigation and the
// router (history API under /console). Pages are modules that render into
// <main> and read their filters from the URL, so links can be shared.
import { get, post } from "./api.js";
import { orderPage, ordersPage } from "./orders.js";
import { busy, describe, h, navigate, showError } from "./ui.js";

const main = document.getElementById("main");

let session = null;
let config = { domains: [] };
/** The signed-in user's organizations, read once per user rather than on every page. */
let organizations = null;

async function loadSession() {
  const { data } = await get("/api/auth/get-session");
  if (data?.user?.id !== session?.user?.id) organizations = null;
  session = data;
  return session;
}

function signInPage() {
  const error = h("p", { class: "error", role: "alert" });
  const email = h("input", { id: "email", name: "email", type: "email", autocomplete: "username", required: true });
  const password = h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true });
  const submit = h("button", { type: "submit" }, "Sign in");
  const form = h(
    "form",
    { class: "card", "aria-labelledby": "sign-in-title" },
    h("h1", { id: "sign-in-title" }, "Sign in"),
    error,
    h("label", { for: "email" }, "E-mail", email),
    h("label", { for: "password" }, "Password", password),
    submit,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    try {
      const { data } = await busy(submit, "Signing in…", () => post("/api/auth/sign-in/email", { email: email.value, password: password.value }));
      if (data?.twoFactorRedirect) main.replaceChildren(secondFactorForm());
      else await navigate("/console/", { replace: true });
    } catch (e) {
      showError(error, e, form);
    }
  });
  main.replaceChildren(form);
  email.focus();
}

function secondFactorForm() {
  const error = h("p", { class: "error", role: "alert" });
  const code = h("input", { id: "code", name: "code", inputmode: "numeric", autocomplete: "one-time-code", required: true });
  const trust = h("input", { id: "trust", type: "checkbox" });
  const submit = h("button", { type: "submit" }, "Verify");
  const form = h(
    "form",
    { class: "card", "aria-labelledby": "second-factor-title" },
    h("h1", { id: "second-factor-title" }, "Two-factor code"),
    h("p", {}, "Enter the six digits from your authenticator app, or a backup code."),
    error,
    h("label", { for: "code" }, "Code", code),
    h("label", { for: "trust", class: "inline" }, trust, " Trust this device for 30 days"),
    submit,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const path = /^\d{6}$/.test(code.value.trim()) ? "/api/auth/two-factor/verify-totp" : "/api/auth/two-factor/verify-backup-code";
    try {
      await busy(submit, "Verifying…", () => post(path, { code: code.value.trim(), trustDevice: trust.checked }));
      await navigate("/console/", { replace: true });
    } catch (e) {
      showError(error, e, form);
    }
  });
  setTimeout(() => code.focus());
  return form;
}

async function renderBar() {
  const bar = document.getElementById("bar");
  bar.hidden = false;
  document.getElementById("who").textContent = session.user.email;
  const nav = document.getElementById("nav");
  const pages = { orders: "Orders", invoices: "Invoices", crm: "CRM", leave: "Leave" };
  nav.replaceChildren(...config.domains.filter((d) => d === "orders").map((d) => h("a", { href: `/console/${d}` }, pages[d])));
  const switcher = document.getElementById("org-switcher");
  organizations ??= (await get("/api/auth/organization/list")).data;
  const active = session.session.activeOrganizationId;
  switcher.replaceChildren(
    h("option", { value: "", selected: !active, disabled: true }, organizations.length ? "Choose…" : "No organization"),
    ...organizations.map((o) => h("option", { value: o.id, selected: o.id === active }, o.name)),
  );
  switcher.onchange = async () => {
    await post("/api/auth/organization/set-active", { organizationId: switcher.value });
    await loadSession();
    await render();
  };
}

function home() {
  const active = session.session.activeOrganizationId;
  if (!active) {
    main.replaceChildren(h("h1", {}, "Welcome"), h("p", {}, "Choose an organization above to start."));
    return;
  }
  if (config.domains.includes("orders")) return navigate("/console/orders", { replace: true });
  main.replaceChildren(h("h1", {}, "Welcome"));
}

/** Renders the page the URL names. */
async function render() {
  const path = window.location.pathname.replace(/\/+$/, "") || "/console";
  if (!session) await loadSession();
  if (!session) {
    document.getElementById("bar").hidden = true;
    return signInPage();
  }
  await renderBar();
  const order = path.match(/^\/console\/orders\/([0-9a-f-]{36})$/);
  try {
    if (path === "/console" || path === "/console/sign-in") return await home();
    if (path === "/console/orders") return await ordersPage(main, new URLSearchParams(window.location.search));
    if (order) return await orderPage(main, order[1]);
    main.replaceChildren(h("h1", {}, "Not found"), h("p", {}, h("a", { href: "/console/" }, "Back to the start")));
  } catch (e) {
    main.replaceChildren(h("h1", {}, "Something went wrong"), h("p", { class: "error", role: "alert" }, describe(e)));
  } finally {
    main.focus();
  }
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("a[href^='/console']");
  if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
  event.preventDefault();
  navigate(link.getAttribute("href"));
});
window.addEventListener("popstate", () => render());
window.addEventListener("console:navigate", () => render());
document.getElementById("sign-out").addEventListener("click", async () => {
  await post("/api/auth/sign-out", {});
  session = null;
  organizations = null;
  navigate("/console/sign-in", { replace: true });
});

({ data: config } = await get("/console/config.json"));
await render();
