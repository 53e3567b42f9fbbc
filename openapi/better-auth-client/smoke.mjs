// Drives a running Gremlin with the official Better Auth client library,
// unchanged, through the flows a front end uses: sign-up, session, sign-in
// errors, organizations and their own roles, invitations, JWT, password
// reset and e-mail verification through mailed links, two-factor sign-in
// (TOTP, backup code, trusted device) with its cookies, account deletion,
// sign-out.
// Usage: GREMLIN_URL=http://127.0.0.1:8080 GREMLIN_MAILDIR=/var/tmp/gremlin-smtp/Maildir node smoke.mjs
// (the server mailing through the SMTP sink that keeps GREMLIN_MAILDIR).
import { createHmac } from "node:crypto";
import { readdirSync, readFileSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { createAuthClient } from "better-auth/client";
import { adminClient, jwtClient, organizationClient, twoFactorClient } from "better-auth/client/plugins";

const baseURL = process.env.GREMLIN_URL;
if (!baseURL) throw new Error("set GREMLIN_URL");
const maildir = process.env.GREMLIN_MAILDIR;
if (!maildir) throw new Error("set GREMLIN_MAILDIR");

/** Every readable text of a raw MIME message, decoded first: each base64 part, quoted-printable decoded, then as is. */
function texts(raw) {
  const qp = raw.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
  const base64 = [...raw.matchAll(/Content-Transfer-Encoding: base64\r?\n(?:[^\r\n]+\r?\n)*\r?\n([A-Za-z0-9+/=\r\n]+)/gi)].map((m) =>
    Buffer.from(m[1].replace(/\s/g, ""), "base64").toString("utf8"),
  );
  return [...base64, qp, raw];
}

/** Waits (10 s at most) for a mail to `address`, deletes it, and returns the first link in it starting with `prefix`. */
async function mailedLink(address, prefix) {
  const fresh = join(maildir, "new");
  for (let i = 0; i < 100; i += 1) {
    for (const name of readdirSync(fresh)) {
      const file = join(fresh, name);
      const raw = readFileSync(file, "utf8");
      if (!raw.includes(address)) continue;
      unlinkSync(file);
      for (const text of texts(raw)) {
        const found = text.match(/https?:\/\/[^\s"<>]+/g)?.find((link) => link.startsWith(prefix));
        if (found) return found.replace(/&amp;/g, "&");
      }
      return null;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return null;
}

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
    plugins: [organizationClient({ dynamicAccessControl: { enabled: true } }), adminClient(), jwtClient()],
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

/** A browser-like client: it keeps the cookies Gremlin sets (session, two_factor, trust_device) and sends its origin. */
function cookieClient(onTwoFactorRedirect) {
  const jar = new Map();
  const customFetchImpl = async (input, init) => {
    const request = new Request(input, init);
    if (jar.size > 0) request.headers.set("cookie", [...jar].map(([name, value]) => `${name}=${value}`).join("; "));
    request.headers.set("origin", baseURL);
    const response = await fetch(request);
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(";");
      const at = pair.indexOf("=");
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1);
      if (value === "" || attributes.some((a) => /^\s*max-age=0$/i.test(a))) jar.delete(name);
      else jar.set(name, value);
    }
    return response;
  };
  const auth = createAuthClient({ baseURL, plugins: [twoFactorClient({ onTwoFactorRedirect })], fetchOptions: { customFetchImpl } });
  return { auth, jar };
}

/** The RFC 6238 code of `secret` (its UTF-8 bytes are the HMAC-SHA1 key) for now. */
function totp(secret) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30)));
  const digest = createHmac("sha1", Buffer.from(secret, "utf8")).update(counter).digest();
  const offset = digest[digest.length - 1] & 0x0f;
  return String((digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

/** The secret an otpauth:// URI carries (base32 back to text). */
function secretOf(uri) {
  const encoded = new URL(uri).searchParams.get("secret") ?? "";
  let bits = "";
  for (const c of encoded) bits += "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".indexOf(c).toString(2).padStart(5, "0");
  const bytes = bits.match(/.{8}/g)?.map((b) => parseInt(b, 2)) ?? [];
  return Buffer.from(bytes).toString("utf8");
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

const role = await alice.organization.createRole({ role: "auditor", permission: { orders: ["read"] } });
check("create an organization role", role.data?.roleData?.role === "auditor", role.error);
const roles = await alice.organization.listRoles();
check("list organization roles", Array.isArray(roles.data) && roles.data.some((r) => r.role === "auditor"), roles.error);
const bobMember = full.data?.members?.find((m) => m.user?.email === bobEmail);
const given = await alice.organization.updateMemberRole({ memberId: bobMember?.id, role: "auditor" });
check("give a member the organization's role", given.data?.role === "auditor", given.error);

const jwt = await alice.token();
check("service JWT from /token", typeof jwt.data?.token === "string" && jwt.data.token.split(".").length === 3, jwt.error);

const notAdmin = await bob.admin.listUsers({ query: {} });
check("admin endpoints refuse non-admins", notAdmin.error?.status === 403, notAdmin.error);

// Password reset through the mailed link.
const carol = client();
const carolEmail = `carol.${stamp}@example.com`;
await carol.signUp.email({ name: "Carol", email: carolEmail, password });
const asked = await carol.requestPasswordReset({ email: carolEmail, redirectTo: "/reset" });
check("request a password reset", asked.data?.status === true, asked.error);
const resetLink = await mailedLink(carolEmail, `${baseURL}/api/auth/reset-password/`);
check("the reset link is mailed", resetLink !== null, resetLink);
const landed = resetLink ? await fetch(resetLink, { redirect: "manual" }) : null;
const resetToken = new URL(landed?.headers.get("location") ?? "/", baseURL).searchParams.get("token");
check("the link sends the browser on with its token", typeof resetToken === "string" && resetToken.length > 0, landed?.status);
const newPassword = "a-brand-new-passphrase-2";
const reset = await carol.resetPassword({ newPassword, token: resetToken ?? "" });
check("reset the password with the token", reset.data?.status === true, reset.error);
const again = await carol.resetPassword({ newPassword, token: resetToken ?? "" });
check("a reset token works once", again.error?.code === "INVALID_TOKEN", again.error);
const signedIn = await carol.signIn.email({ email: carolEmail, password: newPassword });
check("sign in with the new password", signedIn.data?.user?.email === carolEmail, signedIn.error);

// E-mail verification through the mailed link.
const sent = await carol.sendVerificationEmail({ email: carolEmail, callbackURL: "/verified" });
check("send a verification e-mail", sent.data?.status === true, sent.error);
const verifyLink = await mailedLink(carolEmail, `${baseURL}/api/auth/verify-email`);
const verifyToken = verifyLink ? new URL(verifyLink).searchParams.get("token") : null;
check("the verification link is mailed", typeof verifyToken === "string", verifyLink);
const verified = await carol.verifyEmail({ query: { token: verifyToken ?? "" } });
check("verify the address", verified.data?.status === true, verified.error);
const carolSession = await carol.getSession();
check("the session shows the address verified", carolSession.data?.user?.emailVerified === true, carolSession.error);

// Two-factor sign-in, as a browser does it: with cookies.
let redirected = 0;
const erin = cookieClient(() => {
  redirected += 1;
});
const erinEmail = `erin.${stamp}@example.com`;
await erin.auth.signUp.email({ name: "Erin", email: erinEmail, password });
const enabled = await erin.auth.twoFactor.enable({ password });
check("set up two-factor", enabled.data?.totpURI?.startsWith("otpauth://totp/") && enabled.data?.backupCodes?.length === 10, enabled.error);
const secret = secretOf(enabled.data?.totpURI ?? "otpauth://totp/x");
const turnedOn = await erin.auth.twoFactor.verifyTotp({ code: totp(secret) });
check("a first code turns two-factor on", turnedOn.data?.user?.twoFactorEnabled === true, turnedOn.error);
await erin.auth.signOut();
const first = await erin.auth.signIn.email({ email: erinEmail, password });
check("sign-in asks for the second factor", first.data?.twoFactorRedirect === true && redirected === 1, first);
check("no session before the second factor", (await erin.auth.getSession()).data === null);
const wrongCode = await erin.auth.twoFactor.verifyTotp({ code: totp(secret) === "000000" ? "111111" : "000000" });
check("a wrong code: 401 INVALID_CODE", wrongCode.error?.status === 401 && wrongCode.error?.code === "INVALID_CODE", wrongCode.error);
const second = await erin.auth.twoFactor.verifyTotp({ code: totp(secret), trustDevice: true });
check("the code opens the session", second.data?.user?.email === erinEmail, second.error);
check("the session is there", (await erin.auth.getSession()).data?.user?.email === erinEmail);
await erin.auth.signOut();
const trusted = await erin.auth.signIn.email({ email: erinEmail, password });
check("a trusted device signs in at once", trusted.data?.user?.email === erinEmail && redirected === 1, trusted);
await erin.auth.signOut();
erin.jar.delete("better-auth.trust_device");
await erin.auth.signIn.email({ email: erinEmail, password });
const backup = await erin.auth.twoFactor.verifyBackupCode({ code: enabled.data?.backupCodes?.[0] ?? "" });
check("a backup code opens the session", backup.data?.user?.email === erinEmail && redirected === 2, backup.error);
const disabled = await erin.auth.twoFactor.disable({ password });
check("turn two-factor off", disabled.data?.status === true, disabled.error);

// Deleting one's own account.
const dave = client();
const daveEmail = `dave.${stamp}@example.com`;
await dave.signUp.email({ name: "Dave", email: daveEmail, password });
const deleted = await dave.deleteUser({ password });
check("delete my account", deleted.data?.success === true, deleted.error);
const gone = await client().signIn.email({ email: daveEmail, password });
check("a deleted user cannot sign in", gone.error?.status === 401, gone.error);

const out = await alice.signOut();
check("sign-out", out.data?.success === true, out.error);
const after = await alice.getSession();
check("no session after sign-out", after.data === null, after);

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
