// The overview: totals, the update rate and every peer, refreshed live.

import { h, replace, focusQuiet } from '../dom.js';
import * as fmt from '../fmt.js';
import { poller } from '../poller.js';
import { asnLink, stateBadge, errorPanel, loading } from '../components.js';

const NS = 'http://www.w3.org/2000/svg';

// A small line of the last few minutes of update rates.
function sparkline(points, w = 120, hgt = 28) {
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${w} ${hgt}`);
  svg.setAttribute('class', 'spark');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('preserveAspectRatio', 'none');
  if (points.length < 2) return svg;
  const max = Math.max(1, ...points.map((p) => p.v));
  const t0 = points[0].t, t1 = points[points.length - 1].t;
  const x = (t) => ((t - t0) / Math.max(1e-9, t1 - t0)) * (w - 2) + 1;
  const y = (v) => hgt - 2 - (v / max) * (hgt - 4);
  const d = points.map((p, i) => `${i ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join('');
  const area = document.createElementNS(NS, 'path');
  area.setAttribute('d', `${d}L${x(t1)},${hgt}L${x(t0)},${hgt}Z`);
  area.setAttribute('class', 'spark-area');
  const line = document.createElementNS(NS, 'path');
  line.setAttribute('d', d);
  line.setAttribute('class', 'spark-line');
  svg.append(area, line);
  return svg;
}

function card(label, value, sub, extra, cls) {
  return h('div', { class: ['card', cls] },
    h('p', { class: 'card-label' }, label),
    h('p', { class: 'card-value' }, value),
    sub ? h('p', { class: 'card-sub' }, sub) : null,
    extra ?? null);
}

function totals(s) {
  const st = s.status ?? {};
  const r = st.routes ?? {};
  const mem = st.memory ?? {};
  const hist = st.history ?? {};
  const peers = st.peers ?? {};
  const up = peers.established, all = peers.configured;
  const down = typeof up === 'number' && typeof all === 'number' ? all - up : null;
  const dropped = (hist.dropped_age ?? 0) + (hist.dropped_memory ?? 0);
  return h('section', { class: 'cards', 'aria-label': 'Totals' },
    card('Peers up', h('span', null, fmt.int(up), h('span', { class: 'of' }, ` / ${fmt.int(all)}`)),
      down ? `${fmt.plural(down, 'peer')} not established` : 'all established',
      null, down ? 'warn' : 'ok'),
    card('Routes', fmt.int(r.total), st.sources !== undefined ? `from ${fmt.plural(st.sources, 'source')}` : null),
    card('IPv4 prefixes', fmt.int(r.prefixes_ipv4), null),
    card('IPv6 prefixes', fmt.int(r.prefixes_ipv6), null),
    card('Updates / s', h('span', { class: 'rate', 'data-rate': s.rate ?? '' }, fmt.rateText(s.rate)),
      s.prefixRate !== null && s.prefixRate !== undefined ? `${fmt.rateText(s.prefixRate)} prefix changes / s` : 'measuring…',
      sparkline(s.history ?? []), 'rate-card'),
    card('Memory', fmt.bytes(mem.rss_bytes), [
      mem.rib_bytes !== undefined ? `RIB ${fmt.bytes(mem.rib_bytes)}` : null,
      mem.rib_bytes_per_route ? ` · ${fmt.int(mem.rib_bytes_per_route)} B/route` : null,
    ]),
    card('History', fmt.int(hist.events), dropped ? `${fmt.int(dropped)} events aged out or dropped` :
      mem.history_bytes !== undefined ? `${fmt.bytes(mem.history_bytes)} kept` : 'events kept'),
    st.attribute_sets !== undefined ? card('Attr. sets', fmt.int(st.attribute_sets),
      r.total ? `${(r.total / Math.max(1, st.attribute_sets)).toFixed(1)} routes per set` : null) : null);
}

const COLS = [
  { key: 'state', label: 'State', get: (p) => `${p.state === 'Established' ? 1 : 0}${p.state}` },
  { key: 'address', label: 'Peer', get: (p) => addrKey(p.address) },
  { key: 'as', label: 'AS', get: (p) => p.remote_as ?? 0, num: true },
  { key: 'description', label: 'Description', get: (p) => p.description ?? '' },
  { key: 'uptime', label: 'Up / down for', get: (p) => p.uptime ?? 0, num: true },
  { key: 'v4', label: 'IPv4', get: (p) => p.prefixes?.ipv4 ?? -1, num: true },
  { key: 'v6', label: 'IPv6', get: (p) => p.prefixes?.ipv6 ?? -1, num: true },
  { key: 'updates', label: 'Updates in', get: (p) => p.messages?.update?.in ?? -1, num: true },
  { key: 'rate', label: 'Upd/s', get: (p, s) => s.peerRates?.get(p.address)?.updates ?? -1, num: true },
  { key: 'flaps', label: 'Flaps', get: (p) => p.counters?.flaps ?? 0, num: true },
];

function addrKey(a) {
  const s = String(a ?? '');
  if (s.includes(':')) return `6${s}`;
  return `4${s.split('.').map((x) => x.padStart(3, '0')).join('.')}`;
}

const KNOWN_PEER_KEYS = new Set(['address', 'remote_as', 'description', 'state', 'dynamic', 'hold_time',
  'state_since', 'uptime', 'bgp_id', 'source', 'prefixes', 'messages', 'counters', 'capabilities', 'last_error',
  'last_notification_received', 'last_notification_sent', 'country']);

// Fields the API may add later (GeoIP, names...): shown as they come.
function extraFields(p) {
  const extra = Object.entries(p).filter(([k, v]) => !KNOWN_PEER_KEYS.has(k) && v !== null && v !== undefined && v !== '');
  if (!extra.length) return null;
  return h('section', { class: 'details-extra' }, h('h4', null, 'More'),
    h('dl', { class: 'kv' }, extra.map(([k, v]) => [h('dt', null, k.replace(/_/g, ' ')),
      h('dd', null, typeof v === 'object' ? h('code', { class: 'json-inline' }, JSON.stringify(v)) : String(v))])));
}

function peerDetails(p) {
  const c = p.counters ?? {};
  const m = p.messages ?? {};
  const kv = (rows) => h('dl', { class: 'kv' }, rows.filter((r) => r[1] !== undefined && r[1] !== null && r[1] !== '')
    .map(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
  return h('div', { class: 'peer-details' },
    h('div', { class: 'details-grid' },
      h('section', null, h('h4', null, 'Session'), kv([
        ['BGP id', p.bgp_id],
        ['Hold time', p.hold_time !== undefined ? `${p.hold_time} s` : null],
        ['State since', p.state_since ? fmt.time(p.state_since) : null],
        ['Dynamic', p.dynamic ? 'yes (from a range)' : null],
        ['Capabilities', p.capabilities || null],
        ['Last error', p.last_error || null],
        ['Notification in', p.last_notification_received || null],
        ['Notification out', p.last_notification_sent || null],
      ])),
      h('section', null, h('h4', null, 'Counters'), kv([
        ['Bytes in', c.bytes_in !== undefined ? fmt.bytes(c.bytes_in) : null],
        ['Announced', fmt.int(c.prefixes_announced)],
        ['Withdrawn', fmt.int(c.prefixes_withdrawn)],
        ['Treat-as-withdraw', fmt.int(c.treat_as_withdraw)],
        ['Attributes discarded', fmt.int(c.attribute_discard)],
        ['Max-prefix hits', fmt.int(c.max_prefix_hits)],
      ])),
      h('section', null, h('h4', null, 'Messages'),
        h('table', { class: 'mini' },
          h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Type'), h('th', { scope: 'col' }, 'In'), h('th', { scope: 'col' }, 'Out'))),
          h('tbody', null, Object.entries(m).map(([k, v]) => h('tr', null,
            h('th', { scope: 'row' }, k.replace('_', ' ')), h('td', null, fmt.int(v?.in)), h('td', null, fmt.int(v?.out)))))))),
    extraFields(p),
    h('p', { class: 'details-links' },
      h('a', { href: `#/peer/${p.address}` }, 'Peer page'),
      p.source !== undefined ? h('a', { href: `#/routes?source=${p.source}` }, 'Routes from this peer') : null,
      p.remote_as !== undefined ? h('a', { href: `#/asn/${p.remote_as}` }, `AS${p.remote_as}`) : null));
}

// BMP routers and the peers each monitors: a row for the router's own
// session, then one per monitored peer with its state and routes (the
// largest of its tables: pre-policy holds the most).
function upBadge(up) {
  return h('span', { class: `badge state ${up ? 'ok' : 'bad'}` }, up ? 'up' : 'down');
}

function bmpSection(routers) {
  if (!routers.length) return null;
  const most = (p, fam) => (p.tables ?? []).reduce((n, t) => Math.max(n, t.prefixes?.[fam] ?? 0), 0);
  const rows = [];
  for (const r of routers) {
    const peers = r.peers ?? [];
    const up = peers.filter((p) => p.state === 'up').length;
    rows.push(h('tr', { class: ['bmp-router', !r.connected && 'down'], dataset: { router: r.address } },
      h('td', { 'data-label': 'State' }, upBadge(r.connected)),
      h('td', { 'data-label': 'Router', class: 'mono' }, r.address,
        r.sysname ? h('span', { class: 'muted' }, ` ${r.sysname}`) : null),
      h('td', { 'data-label': 'AS', class: 'num' }, '—'),
      h('td', { 'data-label': 'Tables' }, `${fmt.plural(peers.length, 'peer')}, ${up} up`),
      h('td', { 'data-label': 'IPv4', class: 'num' }, ''),
      h('td', { 'data-label': 'IPv6', class: 'num' }, ''),
      h('td', { 'data-label': 'Messages', class: 'num' }, fmt.int(r.counters?.messages))));
    for (const p of peers) {
      rows.push(h('tr', { class: ['bmp-peer', p.state !== 'up' && 'down'], dataset: { router: r.address, peer: p.address } },
        h('td', { 'data-label': 'State' }, upBadge(p.state === 'up')),
        h('td', { 'data-label': 'Peer', class: 'mono' }, `\u21b3 ${p.address}`,
          p.peer_type && p.peer_type !== 'global' ? h('span', { class: 'muted' }, ` ${p.peer_type}`) : null),
        h('td', { 'data-label': 'AS', class: 'num' }, p.remote_as !== undefined ? asnLink(p.remote_as) : '—'),
        h('td', { 'data-label': 'Tables' }, (p.tables ?? []).map((t) => t.table).join(', ') || '—'),
        h('td', { 'data-label': 'IPv4', class: 'num' }, fmt.int(most(p, 'ipv4'))),
        h('td', { 'data-label': 'IPv6', class: 'num' }, fmt.int(most(p, 'ipv6'))),
        h('td', { 'data-label': 'Messages', class: 'num' }, fmt.int(p.counters?.updates))));
    }
  }
  return h('section', { class: 'peers bmp', 'aria-labelledby': 'bmp-h' },
    h('div', { class: 'section-head' }, h('h2', { id: 'bmp-h' }, 'BMP routers')),
    h('div', { class: 'table-wrap' }, h('table', { class: 'peers-table responsive', id: 'bmp-table' },
      h('caption', { class: 'sr-only' }, 'BMP routers and the peers they monitor'),
      h('thead', null, h('tr', null, ['State', 'Router / peer', 'AS', 'Tables', 'IPv4', 'IPv6', 'Messages']
        .map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', null, rows))));
}

export function overviewView(ctx) {
  ctx.head('Overview', { sub: h('span', { id: 'ov-sub' }, 'Collector status and peers, refreshed every 5 seconds') });
  const body = h('div', { class: 'ov-body' }, loading('Asking the collector'));
  ctx.el.append(body);

  const ui = { sort: 'address', dir: 1, filter: '', open: new Set() };
  let last = null;
  let filterInput = null;
  const tableBox = h('div', { class: 'peers-box' });
  const cardsBox = h('div');
  const bmpBox = h('div');
  const errBox = h('div');
  let built = false;

  const build = () => {
    filterInput = h('input', {
      type: 'search', id: 'peer-filter', placeholder: 'Filter: address, AS, description, state',
      'aria-label': 'Filter peers', spellcheck: 'false', autocomplete: 'off',
    });
    filterInput.addEventListener('input', () => { ui.filter = filterInput.value.trim().toLowerCase(); draw(); });
    replace(body, errBox, cardsBox,
      h('section', { class: 'peers', 'aria-labelledby': 'peers-h' },
        h('div', { class: 'section-head' },
          h('h2', { id: 'peers-h' }, 'Peers'),
          h('div', { class: 'section-tools' }, filterInput)),
        tableBox),
      bmpBox);
    built = true;
  };

  const draw = () => {
    const s = last;
    if (!s) return;
    const active = document.activeElement;
    const fk = active && tableBox.contains(active) ? active.dataset.fk : null;
    const col = COLS.find((c) => c.key === ui.sort) ?? COLS[1];
    let peers = [...(s.peers ?? [])];
    if (ui.filter) {
      peers = peers.filter((p) => [p.address, `as${p.remote_as}`, String(p.remote_as), p.description, p.state, p.bgp_id]
        .some((v) => String(v ?? '').toLowerCase().includes(ui.filter)));
    }
    peers.sort((a, b) => {
      const va = col.get(a, s), vb = col.get(b, s);
      const d = col.num ? va - vb : String(va).localeCompare(String(vb));
      return d * ui.dir || addrKey(a.address).localeCompare(addrKey(b.address));
    });
    const head = h('tr', null, COLS.map((c) => {
      const sorted = c.key === ui.sort;
      return h('th', { scope: 'col', class: c.num ? 'num' : null, 'aria-sort': sorted ? (ui.dir > 0 ? 'ascending' : 'descending') : null },
        h('button', {
          type: 'button', class: 'th-sort', dataset: { fk: `sort:${c.key}` },
          onclick: () => { if (ui.sort === c.key) ui.dir = -ui.dir; else { ui.sort = c.key; ui.dir = c.num ? -1 : 1; } draw(); },
        }, c.label, h('span', { class: 'sort-ind', 'aria-hidden': 'true' }, sorted ? (ui.dir > 0 ? ' ▲' : ' ▼') : '')));
    }), h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Details')));
    const rows = [];
    for (const p of peers) {
      const open = ui.open.has(p.address);
      const est = p.state === 'Established';
      const pr = s.peerRates?.get(p.address);
      const did = `pd-${String(p.address).replace(/[^0-9a-zA-Z]/g, '-')}`;
      rows.push(h('tr', { class: ['peer', !est && 'down', open && 'open'], dataset: { peer: p.address } },
        h('td', { 'data-label': 'State' }, stateBadge(p.state)),
        h('td', { 'data-label': 'Peer', class: 'mono' }, h('a', { href: `#/peer/${p.address}`, dataset: { fk: `peer:${p.address}` } }, p.address),
          typeof p.country === 'string' && p.country ? h('span', { class: 'cc', title: `address in ${p.country}` }, p.country) : null),
        h('td', { 'data-label': 'AS', class: 'num' }, p.remote_as !== undefined ? asnLink(p.remote_as) : '—'),
        h('td', { 'data-label': 'Description', class: 'desc' }, p.description || h('span', { class: 'muted' }, '—')),
        h('td', { 'data-label': est ? 'Up for' : 'Down for', class: 'num', title: p.state_since ? `since ${fmt.time(p.state_since)}` : null },
          est ? fmt.duration(p.uptime) : p.state_since ? fmt.duration(s.t / 1000 - p.state_since) : '—'),
        h('td', { 'data-label': 'IPv4', class: 'num' }, fmt.int(p.prefixes?.ipv4)),
        h('td', { 'data-label': 'IPv6', class: 'num' }, fmt.int(p.prefixes?.ipv6)),
        h('td', { 'data-label': 'Updates in', class: 'num' }, fmt.int(p.messages?.update?.in)),
        h('td', { 'data-label': 'Upd/s', class: 'num' }, pr ? fmt.rateText(pr.updates) : '—'),
        h('td', { 'data-label': 'Flaps', class: 'num' }, fmt.int(p.counters?.flaps)),
        h('td', { class: 'c-act' }, h('button', {
          type: 'button', class: 'btn-details', 'aria-expanded': String(open), 'aria-controls': did,
          dataset: { fk: `details:${p.address}` },
          onclick: () => { if (ui.open.has(p.address)) ui.open.delete(p.address); else ui.open.add(p.address); draw(); },
        }, h('span', { class: 'chev', 'aria-hidden': 'true' }, '▸'), ' Details'))));
      rows.push(h('tr', { class: 'details-row', id: did, hidden: !open },
        h('td', { colspan: COLS.length + 1 }, open ? peerDetails(p) : null)));
    }
    const down = (s.peers ?? []).filter((p) => p.state !== 'Established');
    replace(tableBox,
      !s.peers?.length ? h('p', { class: 'empty-title' }, 'No peers configured.') : null,
      s.peers?.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'peers-table responsive' },
        h('caption', { class: 'sr-only' }, 'BGP peers'),
        h('thead', null, head), h('tbody', null, rows))) : null,
      s.peers?.length && !peers.length ? h('p', { class: 'muted' }, 'No peer matches the filter.') : null,
      down.length ? h('p', { class: 'muted small' }, `${fmt.plural(down.length, 'peer')} not established.`) : null);
    if (fk) {
      const again = [...tableBox.querySelectorAll('[data-fk]')].find((e) => e.dataset.fk === fk);
      if (again) focusQuiet(again);
    }
  };

  const onState = (s) => {
    if (!built) build();
    if (s.error) {
      replace(errBox, errorPanel(s.error, { context: s.status ? 'showing the last answer' : null, retry: () => poller.refresh() }));
    } else {
      replace(errBox);
    }
    if (!s.status && !s.peers) return;
    last = s;
    replace(cardsBox, totals(s));
    replace(bmpBox, bmpSection(s.bmpRouters ?? []));
    const sub = document.getElementById('ov-sub');
    if (sub) {
      const st = s.status ?? {};
      replace(sub, [
        st.version ? `bgplens ${st.version}` : null,
        st.uptime !== undefined ? `up ${fmt.duration(st.uptime)}` : null,
        `refreshed ${fmt.clock(s.t / 1000)} UTC`,
      ].filter(Boolean).join(' · '));
    }
    draw();
  };
  const unsub = poller.subscribe(onState);
  poller.refresh();
  return () => unsub();
}
