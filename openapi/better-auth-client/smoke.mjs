// Drives a running Gremlin with the official Better Auth client library,
// unchanged, through the flows a front end uses: sign-up, session, sign-in
// errors, organizations, invitations, JWT, sign-out.
// Usage: GREMLIN_URL=http://127.0.0.1:8080 node smoke.mjs
import { createAuthClient } from "better-auth/client";
import { adminClient, jwtClient, organizationClient } from "better-auth/client/plugins";

const baseURL = process.env.GREMLIN_URL;
if (!baseURL) throw new Error("set GREMLIN_URL");

let passed = 0;
let failed = 0;
function check(name, condition, detail) {
  if (condition) {
    passed += 1;
    console.log(`ok - ${name}`);
  } else {
    failed += 1;
    console.log(`FAILED - ${name}: ${JSON.stringify(detail)}`);
  }
}

/** A client that carries the bearer token Gremlin hands out (as in React Native or server use). */
function client() {
  let token = "";
  const auth = createAuthClient({
    baseURL,
    plugins: [organizationClient(), adminClient(), jwtClient()],
    fetchOptions: {
      auth: { type: "Bearer", token: () => token },
      onSuccess: (ctx) => {
        const issued = ctx.response.headers.get("set-auth-token");
        if (issued) token = issued;
      },
    },
  });
  return auth;
}

const stamp = Date.now();
const alice = client();
const bob = client();
const aliceEmail = `alice.${stamp}@example.com`;
const bobEmail = `bob.${stamp}@example.com`;
const password = "correct-horse-battery-1";

const signUp = await alice.signUp.email({ name: "Alice", email: aliceEmail, password });
check("sign-up returns the user", signUp.data?.user?.email === aliceEmail, signUp.error);
const session = await alice.getSession();
check("get-session with the issued token", session.data?.user?.email === aliceEmail, session.error);

const wrong = await bob.signIn.email({ email: aliceEmail, password: "wrong-password-1" });
check("wrong password: 401 INVALID_EMAIL_OR_PASSWORD", wrong.error?.status === 401 && wrong.error?.code === "INVALID_EMAIL_OR_PASSWORD", wrong.error);
const duplicate = await bob.signUp.email({ name: "Again", email: aliceEmail, password });
check("duplicate e-mail: USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL", duplicate.error?.code === "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL", duplicate.error);

const org = await alice.organization.create({ name: "Acme", slug: `acme-${stamp}` });
check("organization create", org.data?.slug === `acme-${stamp}` && org.data?.members?.[0]?.role === "owner", org.error);
const orgs = await alice.organization.list();
check("organization list", Array.isArray(orgs.data) && orgs.data.some((o) => o.id === org.data?.id), orgs.error);
const active = await alice.organization.setActive({ organizationId: org.data?.id });
check("set active organization", active.data?.id === org.data?.id, active.error);

await bob.signUp.email({ name: "Bob", email: bobEmail, password });
const invitation = await alice.organization.inviteMember({ email: bobEmail, role: "member" });
check("invite member", invitation.data?.status === "pending", invitation.error);
const accepted = await bob.organization.acceptInvitation({ invitationId: invitation.data?.id });
check("accept invitation", accepted.data?.member?.role === "member", accepted.error);
const full = await alice.organization.getFullOrganization({ query: { organizationId: org.data?.id } });
check("full organization lists both members", full.data?.members?.length === 2, full.error);
const members = await alice.organization.listMembers({ query: { organizationId: org.data?.id } });
check("list members with total", members.data?.total === 2, members.error);

const jwt = await alice.token();
check("service JWT from /token", typeof jwt.data?.token === "string" && jwt.data.token.split(".").length === 3, jwt.error);

const notAdmin = await bob.admin.listUsers({ query: {} });
check("admin endpoints refuse non-admins", notAdmin.error?.status === 403, notAdmin.error);

const out = await alice.signOut();
check("sign-out", out.data?.success === true, out.error);
const after = await alice.getSession();
check("no session after sign-out", after.data === null, after);

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
