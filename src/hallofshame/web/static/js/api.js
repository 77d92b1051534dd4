// The only way the dashboard reads data: the public JSON API under /api.
// Every figure is shown as the API sends it; nothing here computes one.

export class ApiError extends Error {
  constructor(status, message, code) {
    super(message);
    this.status = status;
    this.code = code || "";
    // An analytics endpoint that is not deployed answers 404 for its path; a view
    // then says "not available" instead of failing.
    this.unavailable = status === 404 || status === 405 || status === 501;
  }
}

export function query(params) {
  const qs = new URLSearchParams();
  for (const [key, value] of Object.entries(params || {})) {
    if (value !== undefined && value !== null && value !== "") qs.set(key, String(value));
  }
  const text = qs.toString();
  return text ? `?${text}` : "";
}

export async function getJSON(path, params, { signal } = {}) {
  let response;
  try {
    response = await fetch(`/api${path}${query(params)}`, {
      headers: { Accept: "application/json" },
      signal,
    });
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new ApiError(0, "The server could not be reached.", "network");
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) {
    const error = body && body.error ? body.error : {};
    throw new ApiError(response.status, error.message || response.statusText, error.code);
  }
  if (!body || !("data" in body)) throw new ApiError(500, "Unexpected answer", "internal");
  return body;
}
