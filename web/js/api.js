// api.js -- talking to bgplensd's /api/v1.  Every failure becomes an
// ApiError that says what went wrong in words a person can act on.

// Relative to the page, so that the UI also works under a path prefix
// (a reverse proxy serving it at /lg/, say).
const BASE = 'api/v1';
const TIMEOUT_MS = 20000;

export class ApiError extends Error {
  // kind: 'http' (the API answered with an error), 'network', 'timeout', 'parse'
  constructor(message, { kind = 'http', status = 0, parameter = null, path = '', body = null } = {}) {
    super(message);
    this.name = 'ApiError';
    this.kind = kind;
    this.status = status;
    this.parameter = parameter;
    this.path = path;
    this.body = body;
  }

  // The collector wants a bearer token (http_token) that we lack or got wrong.
  get needsToken() {
    return this.kind === 'http' && this.status === 401;
  }

  // An endpoint this daemon does not have (yet): feature detection.
  get missingEndpoint() {
    return this.kind === 'http' && this.status === 404 &&
      (this.body === null || /no such endpoint/i.test(String(this.body?.error ?? '')));
  }
}

// '/routes', { prefix: '1.0.0.0/8', limit: 10 } -> '/api/v1/routes?prefix=1.0.0.0%2F8&limit=10'
// Empty values are left out.  Spaces are %20, never '+'.
export function url(path, params = {}) {
  const q = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null && v !== '' && v !== false)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
  const p = BASE + path;
  return q ? `${p}?${q}` : p;
}

// The bearer token for a collector that requires one (http_token): kept for
// the browser session, or in local storage when asked to remember it.
const TOKEN_KEY = 'bgplens-token';
function storage(kind) {
  try { return kind === 'local' ? window.localStorage : window.sessionStorage; } catch { return null; }
}
export function getToken() {
  if (typeof window === 'undefined') return null;
  return storage('session')?.getItem(TOKEN_KEY) || storage('local')?.getItem(TOKEN_KEY) || null;
}
export function setToken(token, remember = false) {
  for (const k of ['session', 'local']) storage(k)?.removeItem(TOKEN_KEY);
  if (token) storage(remember ? 'local' : 'session')?.setItem(TOKEN_KEY, token);
}

const sleep = (ms, signal) => new Promise((resolve, reject) => {
  const t = setTimeout(resolve, ms);
  signal?.addEventListener('abort', () => { clearTimeout(t); reject(signal.reason); }, { once: true });
});

// GET JSON.  opts.signal aborts (the view went away); a timeout aborts too.
// A 429 (rate limit) is retried once after its Retry-After, when short.
export async function get(path, params = {}, opts = {}) {
  try {
    return await getOnce(path, params, opts);
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 429 || opts.noRetry || !(e.retryAfter <= 10)) throw e;
    await sleep(Math.max(1, e.retryAfter) * 1000, opts.signal);
    return getOnce(path, params, opts);
  }
}

async function getOnce(path, params = {}, opts = {}) {
  const u = url(path, params);
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(new DOMException('timeout', 'TimeoutError')), opts.timeout ?? TIMEOUT_MS);
  const onAbort = () => ctl.abort(opts.signal.reason);
  if (opts.signal) {
    if (opts.signal.aborted) onAbort();
    else opts.signal.addEventListener('abort', onAbort, { once: true });
  }
  let res;
  try {
    const headers = { Accept: 'application/json' };
    const token = getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    res = await fetch(u, { signal: ctl.signal, headers, cache: 'no-store' });
  } catch (e) {
    if (opts.signal?.aborted) throw e;
    if (ctl.signal.aborted) {
      throw new ApiError(`The collector did not answer ${u} within ${Math.round((opts.timeout ?? TIMEOUT_MS) / 1000)} s.`,
        { kind: 'timeout', path: u });
    }
    throw new ApiError(`Cannot reach the collector (${e.message || e}).`, { kind: 'network', path: u });
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
  let text;
  try {
    text = await res.text();
  } catch (e) {
    if (opts.signal?.aborted) throw e;
    throw new ApiError(`The answer from ${u} was cut off.`, { kind: 'network', status: res.status, path: u });
  }
  let body = null;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    if (res.ok) throw new ApiError(`The answer from ${u} is not JSON.`, { kind: 'parse', status: res.status, path: u });
  }
  if (!res.ok) {
    const msg = body && typeof body.error === 'string' ? body.error : `HTTP ${res.status} ${res.statusText || ''}`.trim();
    const err = new ApiError(msg, {
      kind: 'http', status: res.status, path: u, body,
      parameter: body && typeof body.parameter === 'string' ? body.parameter : null,
    });
    const ra = Number(res.headers.get('Retry-After'));
    err.retryAfter = Number.isFinite(ra) && ra >= 0 ? ra : null;
    throw err;
  }
  return body;
}

// Whether an optional endpoint exists, remembered per page load:
// resolves true/false, never throws for a 404.
const probes = new Map();
export function has(path) {
  if (!probes.has(path)) {
    probes.set(path, get(path, {}, { timeout: 8000 })
      .then(() => true)
      .catch((e) => (e instanceof ApiError && e.missingEndpoint ? false : null)));
  }
  return probes.get(path);
}

// Every page of a paged /routes query, up to max routes.
export async function routesAll(params, { signal, max = 5000, page = 1000 } = {}) {
  const out = [];
  const names = {};
  let cursor;
  let more = false;
  for (;;) {
    const r = await get('/routes', { ...params, limit: Math.min(page, max - out.length), cursor }, { signal });
    out.push(...(Array.isArray(r?.routes) ? r.routes : []));
    if (r?.as_names && typeof r.as_names === 'object') Object.assign(names, r.as_names);
    cursor = r?.next_cursor;
    if (!cursor) break;
    if (out.length >= max) { more = true; break; }
  }
  return { routes: out, more, cursor: more ? cursor : null, as_names: names };
}
