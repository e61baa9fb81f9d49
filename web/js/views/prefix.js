// The route view: every path from every source for a prefix (or the
// longest match of an address), the best one marked.

import { h, replace } from '../dom.js';
import * as fmt from '../fmt.js';
import { parsePrefix } from '../query.js';
import { groupByPrefix, pathAsns } from '../bgp.js';
import { routesAll } from '../api.js';
import { routeTable, asnLink, empty, notice, errorPanel, loading } from '../components.js';
import { hashWith, navigate } from '../nav.js';
import { serverNow } from '../poller.js';

const MATCHES = [
  ['exact', 'Exact'],
  ['longest', 'Longest match'],
  ['more', 'More specifics'],
  ['less', 'Less specifics'],
];

export function matchSwitch(path, current, extra = {}) {
  return h('nav', { class: 'seg', 'aria-label': 'Match' }, MATCHES.map(([k, label]) =>
    h('a', { href: hashWith(path, { ...extra, match: k }), 'aria-current': k === current ? 'true' : null }, label)));
}

// A summary line for the paths of one prefix.
function summary(routes) {
  const sources = new Set(routes.map((r) => r.source?.peer ?? r.source?.id));
  const origins = [...new Set(routes.map((r) => r.origin_as).filter((x) => x !== undefined))];
  const best = routes.find((r) => r.best);
  const lens = routes.map((r) => pathAsns(r).length).filter((n) => n > 0);
  return h('p', { class: 'group-sum' },
    `${fmt.plural(routes.length, 'path')} from ${fmt.plural(sources.size, 'source')}`,
    origins.length ? [' · origin ', origins.map((o, i) => [i ? ', ' : '', asnLink(o)])] : null,
    lens.length ? ` · AS path length ${Math.min(...lens)}${Math.max(...lens) !== Math.min(...lens) ? `–${Math.max(...lens)}` : ''}` : null,
    best ? [' · best via ', h('span', { class: 'mono' }, best.source?.peer ?? '?')] : ' · no best path',
    typeof routes[0]?.country === 'string' && routes[0].country ? [' · ', h('span', { class: 'cc', title: 'country of its first address' }, routes[0].country)] : null);
}

export function prefixGroups(routes, { now, linkHeads = true, title = null } = {}) {
  const groups = groupByPrefix(routes);
  return groups.map((g) => {
    const same = groups.length === 1 && g.prefix === title;
    const origins = new Set(g.routes.map((r) => r.origin_as).filter((x) => x !== undefined));
    return h('section', { class: 'prefix-group', dataset: { prefix: g.prefix } },
      same ? null : h('div', { class: 'group-head' },
        h('h2', { class: 'mono' }, linkHeads ? h('a', { href: `#/prefix/${g.prefix}` }, g.prefix) : g.prefix),
        h('span', { class: 'group-links' },
          h('a', { href: `#/history/${g.prefix}` }, 'History'),
          h('a', { href: hashWith(`/prefix/${g.prefix}`, { match: 'more' }) }, 'More specifics'))),
      summary(g.routes),
      origins.size > 1 ? notice('warn', h('strong', null, 'Multiple origin ASes. '),
        'Sources disagree on who originates this prefix (MOAS): a hijack, an anycast or a migration.') : null,
      routeTable(g.routes, { now, caption: `Paths for ${g.prefix}` }));
  });
}

export async function prefixView(ctx) {
  const raw = ctx.params[0];
  const p = parsePrefix(raw);
  if (p && p.changed) {
    // Canonical form in the URL: "10/8" -> "10.0.0.0/8".
    const q = Object.fromEntries(ctx.query);
    navigate(hashWith(`/prefix/${p.text}`, q), { replace: true });
    return;
  }
  const isAddr = p ? p.isAddress : !raw.includes('/');
  const match = ctx.query.get('match') || (isAddr ? 'longest' : 'exact');
  const what = p ? p.text : raw;
  ctx.head(what, {
    kicker: isAddr ? 'Address' : 'Prefix',
    sub: h('span', { id: 'prefix-sub' }, isAddr && match === 'longest' ? 'Longest match in the table' :
      { exact: 'Every path for exactly this prefix', more: 'This prefix and every more specific one',
        less: 'This prefix and every covering one', longest: 'The most specific prefix that covers it' }[match] ?? ''),
    actions: [matchSwitch(`/prefix/${what}`, match),
      h('a', { class: 'btn', href: `#/history/${what}` }, 'History')],
  });
  const body = h('div', { class: 'prefix-body' }, loading('Looking up routes'));
  ctx.el.append(body);

  const all = await routesAll({ prefix: what, match }, { signal: ctx.signal, max: match === 'more' ? 300 : 3000 });
  ctx.learn(all);
  const { routes, more } = all;
  const now = serverNow();
  body.replaceChildren();

  if (routes.length && isAddr && match === 'longest') {
    const found = routes[0].prefix;
    const sub = document.getElementById('prefix-sub');
    if (sub) sub.replaceChildren('Longest match: ', h('a', { class: 'mono', href: `#/prefix/${found}` }, found));
  }
  if (!routes.length) {
    body.append(empty(isAddr ? `No route covers ${what}.` : `${what} is not in the table.`,
      h('p', null, 'It may have been withdrawn: its ', h('a', { href: `#/history/${what}` }, 'history'),
        ' shows what the collector saw.')));
    if (!isAddr && match === 'exact') {
      const box = h('div', { class: 'related' }, loading('Looking for covering and more specific prefixes'));
      body.append(box);
      try {
        const [less, moreR] = await Promise.all([
          routesAll({ prefix: what, match: 'less', best: 'only' }, { signal: ctx.signal, max: 50 }),
          routesAll({ prefix: what, match: 'more', best: 'only' }, { signal: ctx.signal, max: 50 }),
        ]);
        const list = (title, rs) => (rs.length ? h('div', null, h('h3', null, title),
          h('ul', { class: 'plist' }, [...new Set(rs.map((r) => r.prefix))].map((x) =>
            h('li', null, h('a', { class: 'mono', href: `#/prefix/${x}` }, x))))) : null);
        replace(box,
          list('Covering prefixes', less.routes) ?? h('p', { class: 'muted' }, 'No covering prefix either.'),
          list(moreR.more ? 'More specific prefixes (first 50)' : 'More specific prefixes', moreR.routes));
      } catch (e) {
        if (ctx.signal.aborted) return;
        box.replaceChildren(errorPanel(e));
      }
    }
    return;
  }
  const nPrefixes = new Set(routes.map((r) => r.prefix)).size;
  if (nPrefixes > 8) {
    // Many prefixes: one table, a row per path, grouped by prefix.
    const sorted = groupByPrefix(routes).flatMap((g) => g.routes);
    body.append(h('p', { class: 'result-count' }, `${fmt.plural(nPrefixes, 'prefix', 'prefixes')}, ${fmt.plural(routes.length, 'path')}`),
      routeTable(sorted, { showPrefix: true, now, keepOrder: true, caption: `Routes for ${what} (${match})` }));
  } else {
    body.append(...prefixGroups(routes, { now, title: what }));
  }
  if (more) {
    body.append(notice('warn', `Only the first ${fmt.int(routes.length)} routes are shown. `,
      h('a', { href: hashWith('/routes', { prefix: what, match }) }, 'Page through all of them'), '.'));
  }
}
