// The one request client of both apps: JSON over fetch, the session cookie with its CSRF token,
// and the API's single error shape {code, message, field} surfaced as ApiError.

export interface ApiErrorBody {
  code: string;
  message: string;
  field: string | null;
}

export class ApiError extends Error {
  readonly code: string;
  readonly field: string | null;
  readonly status: number;

  constructor(status: number, body: ApiErrorBody) {
    super(body.message);
    this.status = status;
    this.code = body.code;
    this.field = body.field;
  }
}

/** Names an API field path (`username`, `items.0.price_fen`) by its form label, or null when unknown. */
export type FieldLabeler = (field: string) => string | null;
let fieldLabeler: FieldLabeler | null = null;

/** Each app registers its labels once (console: field-labels.ts); every form's errors then name the field. */
export function setFieldLabeler(labeler: FieldLabeler | null): void {
  fieldLabeler = labeler;
}

/** "username：必填" -> "用户名：必填": a message that starts with the raw field path gets the label instead. */
export function labelMessage(
  message: string,
  field: string | null,
  labeler: FieldLabeler | null = fieldLabeler,
): string {
  if (!field || !labeler) return message;
  for (const separator of ["：", ": "]) {
    if (!message.startsWith(`${field}${separator}`)) continue;
    const label = labeler(field);
    return label ? `${label}${separator}${message.slice(field.length + separator.length)}` : message;
  }
  return message;
}

let language = "zh-CN";
export function setRequestLanguage(value: string): void {
  language = value;
}

function cookie(name: string): string | null {
  const found = document.cookie.split("; ").find((part) => part.startsWith(`${name}=`));
  return found ? decodeURIComponent(found.slice(name.length + 1)) : null;
}

async function csrfToken(): Promise<string> {
  const existing = cookie("csrftoken");
  if (existing) return existing;
  const response = await fetch("/api/auth/csrf", { credentials: "same-origin" });
  const body = (await response.json()) as { csrf_token: string };
  return body.csrf_token;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** How long a request may keep waiting on 503s in all: a database failover takes ~20 s. */
export const RETRY_503_BUDGET_MS = 30_000;
let sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** Tests wait for no one. */
export function setRetrySleep(fn: typeof sleep): void {
  sleep = fn;
}

/** A 503 (the database failing over) is sent again after its Retry-After, for as long as the
 * budget lasts — but only a read, or a write carrying an Idempotency-Key, which the server
 * answers once whatever the number of sends (an order placed before the break is answered). */
async function fetchRetrying503(url: string, init: RequestInit, resendable: boolean): Promise<Response> {
  let waited = 0;
  for (;;) {
    const response = await fetch(url, init);
    if (response.status !== 503 || !resendable) return response;
    const seconds = Number(response.headers.get("Retry-After"));
    const wait = (Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 10) : 5) * 1000;
    if (waited + wait > RETRY_503_BUDGET_MS) return response;
    await sleep(wait);
    waited += wait;
  }
}

export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  extraHeaders: Record<string, string> = {},
): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json", "Accept-Language": language, ...extraHeaders };
  const init: RequestInit = { method, headers, credentials: "same-origin" };
  if (method !== "GET") {
    headers["X-CSRFToken"] = await csrfToken();
    if (body instanceof FormData) {
      init.body = body;
    } else {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body ?? {});
    }
  }
  const url = path.startsWith("/") ? path : `/api/${path}`;
  const response = await fetchRetrying503(url, init, method === "GET" || "Idempotency-Key" in headers);
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const error =
      data && typeof data === "object" && "code" in data
        ? (data as ApiErrorBody)
        : { code: "http_error", message: `HTTP ${response.status}`, field: null };
    throw new ApiError(response.status, { ...error, message: labelMessage(error.message, error.field) });
  }
  return data as T;
}

export const http = {
  get: <T>(path: string, query?: Query) => request<T>("GET", withQuery(path, query)),
  post: <T>(path: string, body?: unknown, headers?: Record<string, string>) => request<T>("POST", path, body, headers),
  put: <T>(path: string, body?: unknown) => request<T>("PUT", path, body),
  patch: <T>(path: string, body?: unknown) => request<T>("PATCH", path, body),
  delete: <T>(path: string) => request<T>("DELETE", path),
};

export interface Page<T> {
  items: T[];
  count: number;
}
