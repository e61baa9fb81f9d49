// nav.js -- hash URLs: reading them, making them, going to them.

let renderer = null;

export function setRenderer(fn) {
  renderer = fn;
}

function safeDecode(s) {
  try { return decodeURIComponent(s); } catch { return s; }
}

// The hash as { path, query }; query is a Map, and '+' stays '+' (AS path
// regular expressions use it), unlike URLSearchParams.
export function parseHash(hash = location.hash) {
  let raw = String(hash).replace(/^#/, '');
  if (!raw.startsWith('/')) raw = `/${raw}`;
  const qi = raw.indexOf('?');
  const path = safeDecode(qi < 0 ? raw : raw.slice(0, qi));
  const query = new Map();
  if (qi >= 0) {
    for (const part of raw.slice(qi + 1).split('&')) {
      if (!part) continue;
      const eq = part.indexOf('=');
      const k = safeDecode(eq < 0 ? part : part.slice(0, eq));
      const v = eq < 0 ? '' : safeDecode(part.slice(eq + 1));
      if (!query.has(k)) query.set(k, v);
    }
  }
  return { path, query };
}

// ('/routes', { aspath: '^64600 ' }) -> '#/routes?aspath=%5E64600%20'
export function hashWith(path, params = {}) {
  const q = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null && v !== '' && v !== false)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
  return `#${path}${q ? `?${q}` : ''}`;
}

// Go to a hash; the same hash again renders the view anew.
export function navigate(hash, { replace = false } = {}) {
  if (hash === location.hash) {
    renderer?.();
  } else if (replace) {
    history.replaceState(null, '', hash);
    renderer?.();
  } else {
    location.hash = hash;
  }
}
