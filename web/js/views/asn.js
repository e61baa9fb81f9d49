// An AS: what the API knows of it (/api/v1/asn/N when the daemon has it),
// the peers in it, the prefixes it originates and the paths it is on.

import { h } from '../dom.js';
import * as fmt from '../fmt.js';
import { ApiError } from '../api.js';
import { parseAsn, asnRegex } from '../query.js';
import { asnKind } from '../bgp.js';
import { routeTable, stateBadge, empty, errorPanel, loading, moreButton, asNames, asnLink } from '../components.js';
import { hashWith } from '../nav.js';
import { poller, serverNow } from '../poller.js';

const PAGE = 25;

// Show an AS record of unknown shape: the well-known fields first, then the rest.
function asRecord(rec) {
  if (!rec || typeof rec !== 'object') return null;
  const inner = rec.as && typeof rec.as === 'object' ? { ...rec, ...rec.as } : rec;
  const skip = new Set(['asn', 'as', 'routes', 'prefixes', 'peers', 'error']);
  const rows = [];
  const pick = (label, ...keys) => {
    for (const k of keys) {
      const v = inner[k];
      if (v !== undefined && v !== null && v !== '' && typeof v !== 'object') {
        rows.push([label, String(v)]);
        keys.forEach((x) => skip.add(x));
        return;
      }
    }
  };
  pick('Name', 'name', 'as_name', 'holder', 'org', 'organization');
  pick('Country', 'country', 'country_code', 'cc');
  pick('Registry', 'rir', 'registry', 'source');
  for (const [k, v] of Object.entries(inner)) {
    if (skip.has(k) || v === null || v === undefined) continue;
    if (typeof v === 'object') {
      if (Array.isArray(v) && v.length > 20) continue;
      rows.push([k.replace(/_/g, ' '), h('code', { class: 'json-inline' }, JSON.stringify(v))]);
    } else {
      rows.push([k.replace(/_/g, ' '), typeof v === 'number' ? fmt.int(v) : String(v)]);
    }
  }
  if (!rows.length) return null;
  return h('dl', { class: 'kv as-record' }, rows.map(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
}

// The answer of /api/v1/asn/N: name, counts, neighbours (upstream: just
// before it in paths, nearer the collector; downstream: just after it).
function aboutAs(rec) {
  if (!rec || typeof rec !== 'object') return [];
  const out = [];
  const nbs = Array.isArray(rec.neighbours) ? rec.neighbours : null;
  const pfx = Array.isArray(rec.prefixes) ? rec.prefixes : null;
  if (!nbs && !pfx) {
    const dl = asRecord(rec);
    return dl ? [h('h2', null, 'About'), dl] : [];
  }
  const countries = new Map();
  for (const p of pfx ?? []) if (p.country) countries.set(p.country, (countries.get(p.country) ?? 0) + 1);
  const up = (nbs ?? []).filter((n) => n.left > 0).length;
  const down = (nbs ?? []).filter((n) => n.right > 0).length;
  const more = rec.complete === false || rec.next_cursor;
  out.push(h('div', { class: 'cards as-cards' },
    h('div', { class: 'card' }, h('p', { class: 'card-label' }, 'Originated'),
      h('p', { class: 'card-value' }, `${fmt.int(rec.count ?? pfx?.length)}${more ? '+' : ''}`),
      h('p', { class: 'card-sub' }, countries.size ? [...countries.entries()].sort((a, b) => b[1] - a[1]).slice(0, 4)
        .map(([c, n]) => `${c} ${n}`).join(' · ') : more ? 'prefixes; the walk stopped early' : 'prefixes')),
    h('div', { class: 'card' }, h('p', { class: 'card-label' }, 'Upstreams'), h('p', { class: 'card-value' }, fmt.int(up)),
      h('p', { class: 'card-sub' }, 'ASes just before it in paths')),
    h('div', { class: 'card' }, h('p', { class: 'card-label' }, 'Downstreams'), h('p', { class: 'card-value' }, fmt.int(down)),
      h('p', { class: 'card-sub' }, 'ASes just after it in paths')),
    rec.routes_scanned !== undefined ? h('div', { class: 'card' }, h('p', { class: 'card-label' }, 'Routes examined'),
      h('p', { class: 'card-value' }, fmt.compact(rec.routes_scanned)),
      h('p', { class: 'card-sub' }, rec.complete ? 'the whole table' : 'part of the table')) : null));
  if (nbs && nbs.length) {
    const SHOW = window.matchMedia?.('(max-width: 760px)').matches ? 10 : 25;
    const table = (list) => h('div', { class: 'table-wrap nb-wrap' }, h('table', { class: 'nb-table' },
      h('caption', { class: 'sr-only' }, 'Neighbouring ASes'),
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'AS'), h('th', { scope: 'col', class: 'hide-narrow' }, 'Relation'),
        h('th', { scope: 'col', class: 'num' }, 'As upstream'), h('th', { scope: 'col', class: 'num' }, 'As downstream'),
        h('th', { scope: 'col', class: 'num' }, 'Routes'))),
      h('tbody', null, list.map((n) => h('tr', null,
        h('td', { 'data-label': 'AS' }, 'AS', asnLink(n.asn)),
        h('td', { 'data-label': 'Relation', class: 'hide-narrow' }, n.left > 0 && n.right > 0 ? 'both ways' : n.left > 0 ? 'upstream' : 'downstream'),
        h('td', { 'data-label': 'Upstream in', class: 'num' }, fmt.int(n.left)),
        h('td', { 'data-label': 'Downstream in', class: 'num' }, fmt.int(n.right)),
        h('td', { 'data-label': 'Routes', class: 'num' }, fmt.int(n.routes)))))));
    const sec = h('section', { class: 'as-neighbours' }, h('h2', null, 'Neighbours in AS paths'),
      h('p', { class: 'muted small' }, 'Upstream: just before this AS in a path (nearer the collector). ' +
        'Downstream: just after it (nearer the origin).'),
      table(nbs.slice(0, SHOW)));
    if (nbs.length > SHOW) {
      const b = h('button', { type: 'button', class: 'btn more-btn' }, `Show all ${fmt.int(nbs.length)}`);
      b.addEventListener('click', () => { sec.querySelector('.table-wrap').replaceWith(table(nbs)); b.remove(); });
      sec.append(b);
    }
    if (rec.neighbours_truncated) sec.append(h('p', { class: 'muted small' }, 'Only the 10,000 busiest neighbours are listed.'));
    out.push(sec);
  }
  return out;
}

async function pagedRoutes(ctx, box, params, emptyText) {
  const now = serverNow();
  let shown = 0;
  const count = h('p', { class: 'result-count' });
  box.replaceChildren(count);
  const page = async (cursor) => {
    const r = await ctx.get('/routes', { ...params, limit: PAGE, cursor });
    ctx.learn(r);
    const rs = Array.isArray(r?.routes) ? r.routes : [];
    shown += rs.length;
    box.querySelector('.more-btn')?.remove();
    if (rs.length) box.append(routeTable(rs, { showPrefix: true, now, keepOrder: true, compact: true }));
    if (r?.next_cursor) box.append(moreButton(`Show ${PAGE} more`, () => page(r.next_cursor)));
    count.textContent = shown ? `${fmt.plural(shown, 'prefix', 'prefixes')}${r?.next_cursor ? ' so far: there are more' : ''}` : '';
    if (!shown) box.replaceChildren(h('p', { class: 'muted' }, emptyText));
  };
  await page();
}

export async function asnView(ctx) {
  const asn = parseAsn(ctx.params[0]);
  if (asn === null) {
    ctx.head('Not an AS number');
    ctx.el.append(errorPanel(new Error(`"${ctx.params[0]}" is not an AS number (AS64600, 64600 or asdot 1.10).`)));
    return;
  }
  const kind = asnKind(asn);
  const hd = ctx.head(`AS${asn}`, {
    kicker: 'Autonomous system',
    sub: h('span', { id: 'as-sub' }, asNames.get(asn) ?? (kind ? `${kind} AS number` : '')),
    actions: [
      h('a', { class: 'btn', href: hashWith('/routes', { origin: asn }) }, 'All routes it originates'),
      h('a', { class: 'btn', href: hashWith('/routes', { aspath: asnRegex(asn) }) }, 'All paths through it'),
    ],
  });
  const info = h('section', { class: 'as-info', 'aria-label': 'About this AS' });
  const peersBox = h('section', { class: 'as-peers' });
  const origBox = h('div', null, loading('Looking for prefixes it originates'));
  const transitBox = h('div', null, loading('Looking for paths through it'));
  ctx.el.append(peersBox, info,
    h('section', { class: 'as-section' }, h('h2', null, 'Prefixes it originates'),
      h('p', { class: 'muted small' }, 'Best path of each prefix whose origin is this AS.'), origBox),
    h('section', { class: 'as-section' }, h('h2', null, 'Seen on the path'),
      h('p', { class: 'muted small' }, 'Best paths with this AS anywhere in the AS path.'), transitBox));

  // What the daemon knows of the AS: optional endpoint, feature-detected.
  const loadAbout = () => ctx.get(`/asn/${asn}`, {}, { timeout: 45000 }).then((rec) => {
    ctx.learn(rec);
    const name = asNames.get(asn) ?? (typeof rec?.name === 'string' ? rec.name : null);
    if (name) hd.querySelector('#as-sub').textContent = name;
    info.replaceChildren(...aboutAs(rec));
  }).catch((e) => {
    if (ctx.signal.aborted) return;
    if (e instanceof ApiError && e.missingEndpoint) { info.replaceChildren(); return; }   // not in this daemon
    if (e instanceof ApiError && e.status === 404) {
      info.replaceChildren(h('p', { class: 'muted' }, e.message));
      return;
    }
    // 503: another AS walk is running; let the person ask again.
    info.replaceChildren(errorPanel(e, { context: 'the overview of the AS', retry: () => {
      info.replaceChildren(loading('Asking again'));
      loadAbout();
    } }));
  });
  info.append(loading('Walking the table for this AS'));
  const about = loadAbout();

  // Peers in this AS, from the live peer list.
  const drawPeers = (s) => {
    const ps = (s.peers ?? []).filter((p) => Number(p.remote_as) === asn);
    if (!ps.length) { peersBox.replaceChildren(); return; }
    peersBox.replaceChildren(h('h2', null, ps.length === 1 ? 'Peer in this AS' : 'Peers in this AS'),
      h('ul', { class: 'peer-list' }, ps.map((p) => h('li', null, stateBadge(p.state), ' ',
        h('a', { class: 'mono', href: `#/peer/${p.address}` }, p.address),
        p.description ? h('span', { class: 'muted' }, ` ${p.description}`) : null,
        ` · ${fmt.int(p.prefixes?.ipv4)} IPv4, ${fmt.int(p.prefixes?.ipv6)} IPv6 prefixes`))));
  };
  const unsub = poller.subscribe(drawPeers);

  const run = (box, params, emptyText) => pagedRoutes(ctx, box, params, emptyText).catch((e) => {
    if (!ctx.signal.aborted) box.replaceChildren(errorPanel(e));
  });
  await Promise.all([
    about,
    run(origBox, { origin: asn, best: 'only' }, `No prefix originated by AS${asn} is in the table.`),
    run(transitBox, { aspath: asnRegex(asn), best: 'only' }, `AS${asn} is on no best path.`),
  ]);
  if (!ctx.el.querySelector('.rt, .peer-list, .as-record')) {
    ctx.el.append(empty(`The collector has no route with AS${asn}.`));
  }
  return unsub;
}
