// query.js -- what the search box was given, and addresses and prefixes in
// their canonical text form.  Pure functions: no DOM, so node can test them.

const MAX_ASN = 4294967295;

// "192.0.2.1" -> [192, 0, 2, 1]; null unless four decimal octets.
export function parseIPv4(s) {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const o = m.slice(1).map(Number);
  return o.every((x) => x <= 255) ? o : null;
}

// "2001:db8::1" -> eight 16-bit numbers; null if not an IPv6 address.
// A dotted IPv4 tail ("::ffff:192.0.2.1") is accepted.
export function parseIPv6(s) {
  if (typeof s !== 'string' || s.length < 2 || s.length > 45 || !s.includes(':')) return null;
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    const v4 = parseIPv4(s.slice(lastColon + 1));
    if (!v4) return null;
    s = s.slice(0, lastColon + 1) + ((v4[0] << 8) | v4[1]).toString(16) + ':' +
      ((v4[2] << 8) | v4[3]).toString(16);
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const part = (x) => (x === '' ? [] : x.split(':'));
  const head = part(halves[0]);
  const rest = halves.length === 2 ? part(halves[1]) : [];
  const groups = [...head, ...rest];
  if (!groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return null;
  const have = groups.length;
  if (halves.length === 2) {
    if (have > 7) return null;
  } else if (have !== 8) {
    return null;
  }
  const fill = new Array(8 - have).fill(0);
  const out = [...head.map((g) => parseInt(g, 16)), ...(halves.length === 2 ? fill : []),
    ...rest.map((g) => parseInt(g, 16))];
  return out.length === 8 ? out : null;
}

// RFC 5952 text: lower case, the longest run (2+) of zero groups as "::".
export function formatIPv6(g) {
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = (a) => a.map((x) => x.toString(16)).join(':');
  if (best < 0) return hex(g);
  return hex(g.slice(0, best)) + '::' + hex(g.slice(best + bestLen));
}

function maskGroups(vals, bitsPer, len) {
  return vals.map((v, i) => {
    const start = i * bitsPer;
    if (len >= start + bitsPer) return v;
    if (len <= start) return 0;
    const keep = len - start;
    const m = ((1 << keep) - 1) << (bitsPer - keep);
    return v & m;
  });
}

// A prefix or an address as text -> { afi: 4|6, addr, len, text, isAddress,
// changed }: host bits cleared, IPv4 shorthand ("10/8", "10.1/16")
// completed, IPv6 in RFC 5952 form.  null when it is neither.
export function parsePrefix(input) {
  if (typeof input !== 'string') return null;
  const s = input.trim();
  const slash = s.indexOf('/');
  const addrPart = slash < 0 ? s : s.slice(0, slash);
  const lenPart = slash < 0 ? null : s.slice(slash + 1);
  if (lenPart !== null && !/^\d{1,3}$/.test(lenPart)) return null;
  let afi, groups;
  if (addrPart.includes(':')) {
    groups = parseIPv6(addrPart);
    afi = 6;
  } else {
    groups = parseIPv4(addrPart);
    if (!groups && lenPart !== null && /^\d{1,3}(\.\d{1,3}){0,2}$/.test(addrPart)) {
      const o = addrPart.split('.').map(Number);
      if (o.every((x) => x <= 255)) groups = [...o, 0, 0, 0].slice(0, 4);
    }
    afi = 4;
  }
  if (!groups) return null;
  const max = afi === 4 ? 32 : 128;
  const isAddress = lenPart === null;
  const len = isAddress ? max : Number(lenPart);
  if (len > max) return null;
  const masked = afi === 4 ? maskGroups(groups, 8, len) : maskGroups(groups, 16, len);
  const addr = afi === 4 ? masked.join('.') : formatIPv6(masked);
  const text = isAddress ? addr : `${addr}/${len}`;
  return { afi, addr, len, text, isAddress, changed: text !== s };
}

// "AS64600", "as 64600", "64600", "AS1.10" (asdot) -> 64600; else null.
export function parseAsn(input) {
  if (typeof input !== 'string') return null;
  const s = input.trim();
  let m = /^(?:AS\s*)?(\d{1,10})$/i.exec(s);
  if (m) {
    const n = Number(m[1]);
    return n <= MAX_ASN ? n : null;
  }
  m = /^(?:AS\s*)?(\d{1,5})\.(\d{1,5})$/i.exec(s);
  if (m) {
    const hi = Number(m[1]), lo = Number(m[2]);
    if (hi <= 65535 && lo <= 65535) return hi * 65536 + lo;
  }
  return null;
}

// What the search box was given:
//   { kind: 'empty' }
//   { kind: 'prefix' | 'address', value, afi, changed }
//   { kind: 'asn', value: number }
//   { kind: 'community', value: 'a:b' }      (each part 0..65535)
//   { kind: 'large-community', value: 'a:b:c' }
//   { kind: 'aspath', value }                anything else: an AS path regex
export function classify(input) {
  const s = (input ?? '').trim();
  if (s === '') return { kind: 'empty' };
  const asn = parseAsn(s);
  if (asn !== null) return { kind: 'asn', value: asn };
  let m = /^(\d{1,5}):(\d{1,5})$/.exec(s);
  if (m && Number(m[1]) <= 65535 && Number(m[2]) <= 65535) {
    return { kind: 'community', value: `${Number(m[1])}:${Number(m[2])}` };
  }
  m = /^(\d{1,10}):(\d{1,10}):(\d{1,10})$/.exec(s);
  if (m && [m[1], m[2], m[3]].every((x) => Number(x) <= MAX_ASN)) {
    return { kind: 'large-community', value: `${Number(m[1])}:${Number(m[2])}:${Number(m[3])}` };
  }
  const p = parsePrefix(s);
  if (p) return { kind: p.isAddress ? 'address' : 'prefix', value: p.text, afi: p.afi, changed: p.changed };
  // Keep trailing spaces: in a regex they mean something ("^64600 ").
  return { kind: 'aspath', value: String(input).trimStart() };
}

// The hash route for a classified query.
export function hashFor(c) {
  switch (c.kind) {
    case 'prefix':
    case 'address':
      return `#/prefix/${c.value}`;
    case 'asn':
      return `#/asn/${c.value}`;
    case 'community':
      return `#/routes?community=${encodeURIComponent(c.value)}`;
    case 'large-community':
      return `#/routes?large-community=${encodeURIComponent(c.value)}`;
    case 'aspath':
      return `#/routes?aspath=${encodeURIComponent(c.value)}`;
    default:
      return '#/';
  }
}

// Words for the hint under the search box.
export function describe(c) {
  switch (c.kind) {
    case 'prefix': return `prefix ${c.value}`;
    case 'address': return `address ${c.value}: longest match`;
    case 'asn': return `AS${c.value}`;
    case 'community': return `routes with community ${c.value}`;
    case 'large-community': return `routes with large community ${c.value}`;
    case 'aspath': return 'AS path regular expression';
    default: return '';
  }
}

// An AS path regex that matches one ASN anywhere in a path.
export function asnRegex(asn) {
  return `(^| )${asn}( |$)`;
}
