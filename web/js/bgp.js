// bgp.js -- communities, AS paths and AS names as the UI shows them.
// Pure functions: no DOM.

// Well-known communities (IANA registry, RFC 1997, 3765, 7999, 8326, 7611...).
export const WELL_KNOWN = Object.freeze({
  '65535:0': 'GRACEFUL_SHUTDOWN',
  '65535:1': 'ACCEPT_OWN',
  '65535:2': 'ROUTE_FILTER_TRANSLATED_v4',
  '65535:3': 'ROUTE_FILTER_v4',
  '65535:4': 'ROUTE_FILTER_TRANSLATED_v6',
  '65535:5': 'ROUTE_FILTER_v6',
  '65535:6': 'LLGR_STALE',
  '65535:7': 'NO_LLGR',
  '65535:8': 'ACCEPT_OWN_NEXTHOP',
  '65535:666': 'BLACKHOLE',
  '65535:65281': 'NO_EXPORT',
  '65535:65282': 'NO_ADVERTISE',
  '65535:65283': 'NO_EXPORT_SUBCONFED',
  '65535:65284': 'NOPEER',
});

// Those worth a warning colour: they change where a route goes.
const NOTABLE = new Set(['BLACKHOLE', 'NO_EXPORT', 'NO_ADVERTISE', 'NO_EXPORT_SUBCONFED',
  'GRACEFUL_SHUTDOWN', 'NOPEER', 'LLGR_STALE']);

// "a:b" -> { value, name (well-known or null), notable, asn, reserved }
export function communityInfo(c) {
  const value = String(c);
  const name = WELL_KNOWN[value] ?? null;
  const [hi] = value.split(':').map(Number);
  return {
    value,
    name,
    notable: name !== null && NOTABLE.has(name),
    asn: Number.isFinite(hi) ? hi : null,
    reserved: hi === 0 || hi === 65535,
  };
}

// "a:b:c" -> { value, asn }
export function largeCommunityInfo(c) {
  const value = String(c);
  const a = Number(value.split(':')[0]);
  return { value, asn: Number.isFinite(a) ? a : null };
}

// Extended community as 16 hex digits -> { value, label }: route targets
// and sites of origin decoded (RFC 4360, 5668), anything else as hex.
export function extCommunityInfo(hex) {
  const value = String(hex).toLowerCase();
  if (!/^[0-9a-f]{16}$/.test(value)) return { value, label: value };
  const b = value.match(/../g).map((x) => parseInt(x, 16));
  const type = b[0] & 0x3f, sub = b[1];
  const kinds = { 0x02: 'rt', 0x03: 'soo' };
  const kind = kinds[sub];
  if (kind && type === 0x00) {
    const asn = (b[2] << 8) | b[3];
    const v = ((b[4] << 24) >>> 0) + (b[5] << 16) + (b[6] << 8) + b[7];
    return { value, label: `${kind} ${asn}:${v}` };
  }
  if (kind && type === 0x01) {
    return { value, label: `${kind} ${b[2]}.${b[3]}.${b[4]}.${b[5]}:${(b[6] << 8) | b[7]}` };
  }
  if (kind && type === 0x02) {
    const asn = ((b[2] << 24) >>> 0) + (b[3] << 16) + (b[4] << 8) + b[5];
    return { value, label: `${kind} ${asn}:${(b[6] << 8) | b[7]}` };
  }
  return { value, label: value };
}

// Private, documentation and otherwise special ASNs (RFC 6996, 5398, 7300, 6793).
export function asnKind(n) {
  if (n === 0) return 'reserved';
  if (n === 23456) return 'AS_TRANS';
  if ((n >= 64496 && n <= 64511) || (n >= 65536 && n <= 65551)) return 'documentation';
  if ((n >= 64512 && n <= 65534) || (n >= 4200000000 && n <= 4294967294)) return 'private';
  if (n === 65535 || n === 4294967295) return 'reserved';
  return null;
}

// An AS path string as the API gives it ("64600 64601 {1,2} (3 4)") ->
// tokens: { t: 'asn', asn, count } with repeated ASNs folded (prepending),
// and { t: 'sym', text } for the brackets of sets and confederation segments.
export function asPathTokens(path) {
  const out = [];
  const s = String(path ?? '');
  const re = /(\d+)|([{}(),\[\]])/g;
  let m, inSet = 0;
  while ((m = re.exec(s)) !== null) {
    if (m[1] !== undefined) {
      const asn = Number(m[1]);
      const prev = out[out.length - 1];
      if (!inSet && prev && prev.t === 'asn' && prev.asn === asn && !prev.inSet) prev.count++;
      else out.push({ t: 'asn', asn, count: 1, inSet: inSet > 0 });
    } else {
      const c = m[2];
      if (c === '{' || c === '[') inSet++;
      if ((c === '}' || c === ']') && inSet > 0) inSet--;
      out.push({ t: 'sym', text: c });
    }
  }
  return out;
}

// The ASNs of a route in order: its as_path_list when the API gives one
// (numbers or {asn, name} objects), else the numbers of its as_path text.
export function pathAsns(route) {
  const l = route?.as_path_list;
  if (Array.isArray(l)) {
    return l.map((x) => (typeof x === 'object' && x !== null ? Number(x.asn ?? x.as) : Number(x)))
      .filter((x) => Number.isFinite(x));
  }
  return asPathTokens(route?.as_path).filter((t) => t.t === 'asn').map((t) => t.asn);
}

// AS names wherever an answer carries them; the API may add them in any of
// these shapes, and none is required:
//   as_names: { "64600": "Example" } or [ { asn, name } ]
//   as_path_list: [ { asn, name } ]        as_path_names: [ name, ... ]
//   origin_as_name, peer_as_name (in source), name + asn (an AS record)
// Fills and returns a Map asn -> name.
export function collectAsNames(obj, into = new Map(), depth = 0) {
  if (obj === null || typeof obj !== 'object' || depth > 6) return into;
  const put = (asn, name) => {
    const n = Number(asn);
    if (Number.isFinite(n) && typeof name === 'string' && name.trim() !== '') into.set(n, name.trim());
  };
  if (Array.isArray(obj)) {
    for (const x of obj) collectAsNames(x, into, depth + 1);
    return into;
  }
  const names = obj.as_names;
  if (Array.isArray(names)) {
    for (const x of names) if (x && typeof x === 'object') put(x.asn ?? x.as, x.name ?? x.as_name);
  } else if (names && typeof names === 'object') {
    for (const [k, v] of Object.entries(names)) {
      put(k, typeof v === 'string' ? v : v?.name);
    }
  }
  if (Array.isArray(obj.as_path_list)) {
    obj.as_path_list.forEach((x, i) => {
      if (x && typeof x === 'object') put(x.asn ?? x.as, x.name ?? x.as_name);
      else if (Array.isArray(obj.as_path_names)) put(x, obj.as_path_names[i]);
    });
  }
  if (obj.origin_as !== undefined) put(obj.origin_as, obj.origin_as_name ?? obj.origin_name);
  if (obj.peer_as !== undefined) put(obj.peer_as, obj.peer_as_name);
  if (obj.remote_as !== undefined) put(obj.remote_as, obj.remote_as_name ?? obj.as_name);
  if (obj.asn !== undefined && (typeof obj.name === 'string' || typeof obj.as_name === 'string')) {
    put(obj.asn, obj.as_name ?? obj.name);
  }
  for (const k of ['routes', 'source', 'events', 'before', 'after', 'peers', 'as', 'alerts']) {
    if (obj[k] && typeof obj[k] === 'object') collectAsNames(obj[k], into, depth + 1);
  }
  return into;
}

// AS names learnt from any answer, for the whole page.
export const asNames = new Map();

// Route order in a table: best first, then by peer address, then path id.
export function compareRoutes(a, b) {
  if (!!a.best !== !!b.best) return a.best ? -1 : 1;
  const pa = a.source?.peer ?? '', pb = b.source?.peer ?? '';
  if (pa !== pb) return pa < pb ? -1 : 1;
  return (a.path_id ?? 0) - (b.path_id ?? 0);
}

// Group routes by prefix, keeping the order in which prefixes come.
export function groupByPrefix(routes) {
  const m = new Map();
  for (const r of routes) {
    const k = r.prefix ?? '';
    if (!m.has(k)) m.set(k, []);
    m.get(k).push(r);
  }
  return [...m.entries()].map(([prefix, rs]) => ({ prefix, routes: rs.sort(compareRoutes) }));
}
