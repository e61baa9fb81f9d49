// components.js -- pieces the views share: routes tables, AS paths,
// communities, error and empty states.

import { h, newId } from './dom.js';
import * as fmt from './fmt.js';
import { ApiError, setToken, getToken } from './api.js';
import { asPathTokens, communityInfo, largeCommunityInfo, extCommunityInfo, asnKind,
  compareRoutes, asNames } from './bgp.js';
import { serverNow } from './poller.js';

export { asNames };

export function asnLink(asn, { names = asNames, showName = true } = {}) {
  const name = names.get(Number(asn));
  const kind = asnKind(Number(asn));
  return h('a', {
    class: ['asn', kind && 'asn-special'], href: `#/asn/${asn}`,
    title: [name ? `AS${asn} ${name}` : `AS${asn}`, kind].filter(Boolean).join(' — '),
  }, h('span', { class: 'asn-num' }, String(asn)),
  showName && name ? h('span', { class: 'asn-name' }, name) : null);
}

// An AS path: each ASN a link, prepending folded to "×N", sets in braces.
export function asPath(route, { names = asNames } = {}) {
  const toks = asPathTokens(route?.as_path ?? '');
  if (!toks.length) {
    return h('span', { class: 'aspath empty', title: 'Empty AS path: originated by the peer\'s own AS or iBGP' },
      '(empty)');
  }
  return h('span', { class: 'aspath' }, toks.map((t) => {
    if (t.t === 'sym') return h('span', { class: 'aspath-sym' }, t.text);
    return h('span', { class: 'aspath-hop' }, asnLink(t.asn, { names }),
      t.count > 1 ? h('span', { class: 'prepend', title: `prepended: ${t.count} times` }, `×${t.count}`) : null);
  }));
}

export function communityChip(c) {
  const i = communityInfo(c);
  return h('a', {
    class: ['chip', 'community', i.name && 'well-known', i.notable && 'notable'],
    href: `#/routes?community=${encodeURIComponent(i.value)}`,
    title: i.name ? `${i.value} (${i.name}): routes with it` : `${i.value}: routes with it`,
  }, i.name ? [h('span', { class: 'chip-name' }, i.name), ' ', h('span', { class: 'chip-val' }, i.value)] : i.value);
}

export function largeCommunityChip(c) {
  const i = largeCommunityInfo(c);
  return h('a', {
    class: 'chip large', href: `#/routes?large-community=${encodeURIComponent(i.value)}`,
    title: `large community ${i.value}: routes with it`,
  }, i.value);
}

export function extCommunityChip(c) {
  const i = extCommunityInfo(c);
  return h('span', { class: 'chip ext', title: `extended community ${i.value}` }, i.label);
}

// The communities of a route, at most `max` of them (then "+N").
export function communityList(route, max = Infinity) {
  const cs = Array.isArray(route?.communities) ? route.communities : [];
  const ls = Array.isArray(route?.large_communities) ? route.large_communities : [];
  const all = [...cs.map((c) => ['c', c]), ...ls.map((c) => ['l', c])];
  if (!all.length) return h('span', { class: 'muted' }, '—');
  // Well-known ones first: they matter most.
  all.sort((a, b) => (communityInfo(b[1]).name && b[0] === 'c' ? 1 : 0) - (communityInfo(a[1]).name && a[0] === 'c' ? 1 : 0));
  const shown = all.slice(0, max);
  return h('span', { class: 'chips' }, shown.map(([k, c]) => (k === 'c' ? communityChip(c) : largeCommunityChip(c))),
    all.length > shown.length ? h('span', { class: 'chip more', title: 'all of them are in the details' },
      `+${all.length - shown.length}`) : null);
}

export function sourceCell(src) {
  if (!src || typeof src !== 'object') return h('span', { class: 'muted' }, 'unknown');
  return h('span', { class: 'source' },
    h('a', { class: 'mono', href: `#/peer/${src.peer}` }, src.peer ?? `source ${src.id}`),
    src.peer_as !== undefined ? [' ', h('span', { class: 'muted' }, 'AS'), asnLink(src.peer_as, { showName: false })] : null,
    typeof src.country === 'string' && src.country ? h('span', { class: 'cc', title: `peer address in ${src.country}` }, src.country) : null,
    src.description ? h('span', { class: 'source-desc' }, src.description) : null,
    src.table && src.table !== 'peer' ? h('span', { class: 'tag' }, src.table) : null);
}

export function bestBadge(route) {
  if (route.best) return h('span', { class: 'badge best', title: 'best path' }, '★ best');
  return null;
}

export function stateBadge(state) {
  const s = String(state ?? 'unknown');
  const cls = s === 'Established' ? 'ok' : s === 'Idle' ? 'bad' : 'warn';
  return h('span', { class: `badge state ${cls}` }, s);
}

function kv(rows) {
  return h('dl', { class: 'kv' }, rows.filter((r) => r && r[1] !== undefined && r[1] !== null && r[1] !== '')
    .map(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
}

const KNOWN_ROUTE_KEYS = new Set(['prefix', 'source', 'path_id', 'best', 'since', 'origin', 'as_path',
  'as_path_list', 'origin_as', 'next_hop', 'next_hop_link_local', 'med', 'local_pref',
  'atomic_aggregate', 'communities', 'large_communities', 'ext_communities', 'stale', 'as_names',
  'as_path_names', 'origin_as_name', 'country']);

function valueText(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'object') return h('code', { class: 'json-inline' }, JSON.stringify(v));
  return String(v);
}

// Everything about one route.
export function routeDetails(r, { now } = {}) {
  const src = r.source ?? {};
  const ext = Array.isArray(r.ext_communities) ? r.ext_communities : [];
  const extra = Object.keys(r).filter((k) => !KNOWN_ROUTE_KEYS.has(k));
  const hops = Array.isArray(r.as_path_list) ? r.as_path_list.length : null;
  return h('div', { class: 'route-details' },
    h('div', { class: 'details-grid' },
      h('section', null, h('h4', null, 'Path'), kv([
        ['Prefix', r.prefix ? h('a', { class: 'mono', href: `#/prefix/${r.prefix}` }, r.prefix) : null],
        ['Best', r.best ? 'yes' : 'no'],
        ['Path id', r.path_id !== undefined ? String(r.path_id) : null],
        ['AS path', h('code', { class: 'wrap' }, r.as_path || '(empty)')],
        ['Length', hops !== null ? String(hops) : null],
        ['Origin AS', r.origin_as !== undefined ? asnLink(r.origin_as) : null],
        ['Origin', r.origin],
        ['Country', typeof r.country === 'string' && r.country ? `${r.country} (of its first address)` : null],
        ['Stale', r.stale ? 'yes (graceful restart)' : null],
      ])),
      h('section', null, h('h4', null, 'Attributes'), kv([
        ['Next hop', r.next_hop ? h('span', { class: 'mono wrap' }, r.next_hop) : null],
        ['Link-local', r.next_hop_link_local ? h('span', { class: 'mono wrap' }, r.next_hop_link_local) : null],
        ['MED', r.med !== undefined ? String(r.med) : null],
        ['Local pref', r.local_pref !== undefined ? String(r.local_pref) : null],
        ['Atomic aggregate', r.atomic_aggregate ? 'yes' : null],
        ['Since', r.since ? `${fmt.time(r.since)} (${fmt.ago(r.since, now)})` : 'unknown'],
      ])),
      h('section', null, h('h4', null, 'Source'), kv([
        ['Peer', src.peer ? h('a', { class: 'mono', href: `#/peer/${src.peer}` }, src.peer) : null],
        ['Peer AS', src.peer_as !== undefined ? asnLink(src.peer_as) : null],
        ['Description', src.description],
        ['Country', src.country],
        ['Table', src.table],
        ['Router', src.router],
        ['Source id', src.id !== undefined ? String(src.id) : null],
      ]))),
    h('section', { class: 'details-comms' }, h('h4', null, 'Communities'),
      kv([
        ['Standard', (r.communities ?? []).length ? h('span', { class: 'chips' }, r.communities.map(communityChip)) : 'none'],
        ['Large', (r.large_communities ?? []).length ? h('span', { class: 'chips' }, r.large_communities.map(largeCommunityChip)) : 'none'],
        ['Extended', ext.length ? h('span', { class: 'chips' }, ext.map(extCommunityChip)) : 'none'],
      ])),
    extra.length ? h('section', null, h('h4', null, 'More'), kv(extra.map((k) => [k, valueText(r[k])]))) : null,
    h('div', { class: 'details-links' },
      r.prefix ? h('a', { href: `#/history/${r.prefix}` }, 'History of this prefix') : null,
      r.origin_as !== undefined ? h('a', { href: `#/asn/${r.origin_as}` }, `AS${r.origin_as}`) : null,
      h('details', { class: 'raw' }, h('summary', null, 'JSON'),
        h('pre', { class: 'json' }, JSON.stringify(r, null, 2)))));
}

// A table of routes; each row opens its details.
// opts: { showPrefix, now, caption }
export function routeTable(routes, opts = {}) {
  const now = opts.now ?? serverNow();
  const sorted = opts.keepOrder ? routes : [...routes].sort(compareRoutes);
  // compact: prefix lists (an AS, a peer): no next hop, origin or communities
  // in the row; the details still have everything.
  const full = !opts.compact;
  // A list of best paths only: no need to mark each one best.
  const allBest = opts.showPrefix && routes.length > 0 && routes.every((r) => r.best);
  const cols = [opts.showPrefix && 'Prefix', !allBest && 'Best', !opts.noSource && 'Source', 'AS path', full && 'Next hop', full && 'Origin',
    full && 'Communities', 'Age', ''].filter((c) => c !== false && c !== undefined);
  const tbody = h('tbody');
  for (const r of sorted) {
    const did = newId('rd');
    const btn = h('button', {
      type: 'button', class: 'btn-details', 'aria-expanded': 'false', 'aria-controls': did,
      title: 'Show every attribute of this route',
    }, h('span', { class: 'chev', 'aria-hidden': 'true' }, '▸'), ' Details');
    const row = h('tr', { class: ['route', r.best && !allBest && 'is-best', r.stale && 'is-stale'] },
      opts.showPrefix ? h('td', { 'data-label': 'Prefix', class: 'c-prefix' },
        h('a', { class: 'mono', href: `#/prefix/${r.prefix}` }, r.prefix)) : null,
      allBest ? null : h('td', { 'data-label': 'Best', class: 'c-best' }, bestBadge(r) ?? h('span', { class: 'muted', 'aria-label': 'not best' }, '')),
      opts.noSource ? null : h('td', { 'data-label': 'Source', class: 'c-source' }, sourceCell(r.source)),
      h('td', { 'data-label': 'AS path', class: 'c-path' }, asPath(r)),
      full ? h('td', { 'data-label': 'Next hop', class: 'c-nh mono wrap' }, r.next_hop ?? '—') : null,
      full ? h('td', { 'data-label': 'Origin', class: 'c-origin' }, r.origin ?? '—') : null,
      full ? h('td', { 'data-label': 'Communities', class: 'c-comm' }, communityList(r, 4)) : null,
      h('td', { 'data-label': 'Age', class: 'c-age', title: r.since ? fmt.time(r.since) : 'unknown' },
        r.since ? fmt.duration(now - r.since) : '—'),
      h('td', { class: 'c-act' }, btn));
    const drow = h('tr', { class: 'details-row', id: did, hidden: true },
      h('td', { colspan: cols.length }));
    btn.addEventListener('click', () => {
      const open = btn.getAttribute('aria-expanded') !== 'true';
      btn.setAttribute('aria-expanded', String(open));
      row.classList.toggle('open', open);
      if (open && !drow.firstChild.firstChild) drow.firstChild.append(routeDetails(r, { now }));
      drow.hidden = !open;
    });
    tbody.append(row, drow);
  }
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'rt responsive' },
      opts.caption ? h('caption', { class: 'sr-only' }, opts.caption) : null,
      h('thead', null, h('tr', null, cols.map((c) => h('th', { scope: 'col' }, c === '' ? h('span', { class: 'sr-only' }, 'Details') : c)))),
      tbody));
}

// ---- states ---------------------------------------------------------------

export function loading(what = 'Loading') {
  return h('div', { class: 'loading', role: 'status', 'aria-live': 'polite' },
    h('span', { class: 'spinner', 'aria-hidden': 'true' }), `${what}…`);
}

export function empty(title, ...body) {
  return h('div', { class: 'empty' }, h('p', { class: 'empty-title' }, title), body.length ? h('div', null, body) : null);
}

// An error, said plainly: what failed, why, and what can be done.
export function errorPanel(err, { retry, context, hint } = {}) {
  let title = 'Something went wrong';
  const lines = [];
  if (err instanceof ApiError) {
    if (err.kind === 'network') title = 'Cannot reach the collector';
    else if (err.kind === 'timeout') title = 'The collector is not answering';
    else if (err.status === 400) title = 'The collector rejected the request';
    else if (err.status === 401) title = 'This collector needs an access token';
    else if (err.status === 429) title = 'Too many requests';
    else if (err.status === 503) title = 'The collector is busy or this feature is off';
    else if (err.status === 404) title = 'Not found';
    else if (err.status >= 500) title = 'The collector failed to answer';
    else if (err.kind === 'parse') title = 'Unexpected answer from the collector';
    lines.push(h('p', { class: 'error-msg' }, err.message));
    if (err.parameter) {
      lines.push(h('p', { class: 'error-param' }, 'Parameter: ', h('code', null, err.parameter)));
    }
    if (err.status === 429 && err.retryAfter) lines.push(h('p', null, `Try again in ${err.retryAfter} s.`));
    if (err.path) {
      let shown = err.path;
      try { shown = decodeURIComponent(shown); } catch { /* as it is */ }
      lines.push(h('p', { class: 'error-path' }, 'Request: ', h('code', { class: 'wrap' }, shown.startsWith('/') ? shown : `/${shown}`)));
    }
  } else {
    lines.push(h('p', { class: 'error-msg' }, String(err?.message ?? err)));
  }
  const tokenForm = err instanceof ApiError && err.needsToken ? tokenPrompt(retry) : null;
  return h('div', { class: 'error-banner', role: 'alert', dataset: { kind: err?.kind ?? 'js', status: String(err?.status ?? '') } },
    h('p', { class: 'error-title' }, context ? `${title}: ${context}` : title), lines,
    hint ? h('p', { class: 'error-hint' }, hint) : null,
    tokenForm,
    retry && !tokenForm ? h('p', null, h('button', { type: 'button', class: 'btn', onclick: retry }, 'Try again')) : null);
}

// The bearer token form of a 401: saved for this browser session (or
// remembered), then the request is made again.
function tokenPrompt(retry) {
  const id = newId('token');
  const input = h('input', { id, type: 'password', name: 'token', autocomplete: 'off', spellcheck: 'false',
    required: true, placeholder: 'Bearer token' });
  const remember = h('input', { type: 'checkbox', name: 'remember' });
  const form = h('form', { class: 'token-form' },
    h('label', { class: 'field', for: id }, h('span', null, getToken() ? 'The token given was refused: another one' : 'Access token'), input),
    h('label', { class: 'field check' }, remember, h('span', null, 'Remember on this device')),
    h('div', { class: 'field actions' }, h('button', { type: 'submit', class: 'btn primary' }, 'Use this token')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const v = input.value.trim();
    if (!v) return;
    setToken(v, remember.checked);
    if (retry) retry();
    else location.reload();
  });
  return form;
}

export function notice(kind, ...body) {
  return h('div', { class: `notice ${kind}`, role: kind === 'warn' ? 'note' : null }, body);
}

// A "load more" button that runs fn() and disables itself while it works.
export function moreButton(label, fn) {
  const b = h('button', { type: 'button', class: 'btn more-btn' }, label);
  b.addEventListener('click', async () => {
    b.disabled = true;
    b.textContent = 'Loading…';
    try {
      await fn(b);
    } finally {
      if (b.isConnected) { b.disabled = false; b.textContent = label; }
    }
  });
  return b;
}

export function pageHeader(title, { sub, actions, kicker } = {}) {
  return h('header', { class: 'page-head' },
    h('div', { class: 'page-title' },
      kicker ? h('p', { class: 'kicker' }, kicker) : null,
      h('h1', { tabindex: '-1', id: 'page-h1' }, title),
      sub ? h('p', { class: 'sub' }, sub) : null),
    actions ? h('div', { class: 'page-actions' }, actions) : null);
}
