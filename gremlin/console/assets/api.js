// The console's only way to the server: the public HTTP API, with the
// session cookie (same origin). Errors come back as problem+json and are
// thrown as ApiError, keeping the fields that name what went wrong.

/** A refused request: HTTP status, Better Auth code or problem type, and the problem's text and field errors. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.message || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.code = problem?.code ?? null;
    this.problem = problem ?? {};
    // Validation problems name their fields: [{field, message}] or {field: message}.
    const errors = problem?.errors ?? problem?.invalid_params ?? [];
    this.fields = Array.isArray(errors)
      ? Object.fromEntries(errors.filter((e) => e && (e.field || e.name)).map((e) => [e.field ?? e.name, e.message ?? e.reason ?? e.detail]))
      : errors;
  }

  /** A write refused because the record changed since it was read (If-Match). */
  get isConflict() {
    return this.status === 412 || this.status === 409;
  }
}

/**
 * Calls the API: `method` on `path` (with `query` parameters), JSON `body`, extra `headers`.
 * Answers the parsed JSON body and the response (for ETag), or throws ApiError.
 */
export async function call(method, path, { query, body, headers } = {}) {
  const url = new URL(path, window.location.origin);
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, value);
  }
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json", ...headers } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(url, init);
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) throw new ApiError(response.status, data);
  return { data, response };
}

export const get = (path, options) => call("GET", path, options);
export const post = (path, body, options = {}) => call("POST", path, { ...options, body });
