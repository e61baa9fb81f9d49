// Routes by any filter of /api/v1/routes: an AS path regex, an origin, a
// community..., one page at a time.

import { h } from '../dom.js';
import * as fmt from '../fmt.js';
import { routeTable, empty, moreButton, communityChip, largeCommunityChip, errorPanel } from '../components.js';
import { ApiError } from '../api.js';
import { hashWith, navigate } from '../nav.js';
import { serverNow } from '../poller.js';

const PAGE = 100;

const HINTS = {
  aspath: () => ['AS path regular expressions are POSIX extended, matched against the path as text: ',
    h('code', null, '^64600 '), ' learnt from AS64600, ', h('code', null, ' 3356$'), ' originated by AS3356, ',
    h('code', null, '(^| )174( |$)'), ' AS174 anywhere.'],
  community: 'A community is two numbers up to 65535: 65535:666.',
  'large-community': 'A large community is three numbers: 64600:1:2.',
  origin: 'The origin is an AS number: 64600.',
};
const FIELDS = ['aspath', 'origin', 'community', 'large-community', 'prefix', 'match', 'source', 'afi', 'best'];

function describeFilter(q) {
  const parts = [];
  if (q.aspath) parts.push(['AS path matches ', h('code', null, q.aspath)]);
  if (q.origin) parts.push(['originated by ', h('a', { href: `#/asn/${q.origin}` }, `AS${q.origin}`)]);
  if (q.community) parts.push(['with community ', communityChip(q.community)]);
  if (q['large-community']) parts.push(['with large community ', largeCommunityChip(q['large-community'])]);
  if (q.prefix) parts.push([`${q.match ?? ''} `.trimStart(), 'prefix ', h('a', { class: 'mono', href: `#/prefix/${q.prefix}` }, q.prefix)]);
  if (q.source) parts.push(['from source ', h('span', { class: 'mono' }, q.source)]);
  if (q.afi) parts.push([q.afi === 'ipv6' ? 'IPv6 only' : 'IPv4 only']);
  if (q.best === 'only') parts.push(['best paths only']);
  if (!parts.length) return 'every route';
  return parts.map((p, i) => [i ? '; ' : '', p]);
}

function filterForm(q) {
  const field = (name, label, attrs = {}) => h('label', { class: 'field' }, h('span', null, label),
    h('input', { name, value: q[name] ?? '', spellcheck: 'false', autocomplete: 'off', ...attrs }));
  const form = h('form', { class: 'filters', 'aria-label': 'Route filters' },
    field('aspath', 'AS path regex', { placeholder: '^64600 | 3356$' }),
    field('origin', 'Origin AS', { inputmode: 'numeric', placeholder: '64600' }),
    field('community', 'Community', { placeholder: '65535:666' }),
    field('large-community', 'Large community', { placeholder: '64600:1:2' }),
    h('label', { class: 'field' }, h('span', null, 'Family'),
      h('select', { name: 'afi' }, [['', 'Both'], ['ipv4', 'IPv4'], ['ipv6', 'IPv6']].map(([v, l]) =>
        h('option', { value: v, selected: (q.afi ?? '') === v }, l)))),
    h('label', { class: 'field check' }, h('input', { type: 'checkbox', name: 'best', value: 'only', checked: q.best === 'only' }),
      h('span', null, 'Best paths only')),
    h('div', { class: 'field actions' }, h('button', { type: 'submit', class: 'btn primary' }, 'Apply')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const fd = new FormData(form);
    const next = { ...q };
    for (const k of ['aspath', 'origin', 'community', 'large-community', 'afi']) next[k] = String(fd.get(k) ?? '').trim();
    next.origin = next.origin.replace(/^as\s*/i, '');
    next.best = fd.get('best') ? 'only' : '';
    navigate(hashWith('/routes', next));
  });
  return form;
}

export async function routesView(ctx) {
  const q = {};
  for (const k of FIELDS) if (ctx.query.get(k)) q[k] = ctx.query.get(k);
  const title = q.aspath ? 'AS path search' : q.community || q['large-community'] ? 'Community search' :
    q.origin ? `Routes of AS${q.origin}` : q.source ? 'Routes from a source' : 'Routes';
  ctx.head(title, { sub: h('span', null, 'Routes where ', describeFilter(q)) });
  ctx.el.append(h('details', { class: 'filter-box', open: !Object.keys(q).length },
    h('summary', null, 'Filters'), filterForm(q)));
  const status = h('p', { class: 'result-count', role: 'status' });
  const list = h('div', { class: 'results' });
  ctx.el.append(status, list);

  const now = serverNow();
  let shown = 0;
  const page = async (cursor) => {
    const r = await ctx.get('/routes', { ...q, limit: PAGE, cursor });
    ctx.learn(r);
    const routes = Array.isArray(r?.routes) ? r.routes : [];
    shown += routes.length;
    if (routes.length) list.append(routeTable(routes, { showPrefix: true, now, keepOrder: true, caption: 'Routes' }));
    list.querySelector('.more-btn')?.remove();
    if (r?.next_cursor) {
      list.append(moreButton(`Show ${PAGE} more`, () => page(r.next_cursor)));
    }
    status.textContent = shown ? `${fmt.plural(shown, 'route')}${r?.next_cursor ? ' so far: there are more' : ''}` : '';
    if (!shown) list.replaceChildren(empty('No route matches.', h('p', { class: 'muted' }, 'Check the filter, or widen it.')));
  };
  try {
    await page();
  } catch (e) {
    if (ctx.signal.aborted || !(e instanceof ApiError) || e.status !== 400) throw e;
    // Say what was wrong with the filter, and open the filters to fix it.
    const box = ctx.el.querySelector('.filter-box');
    box.open = true;
    const hint = HINTS[e.parameter];
    box.before(errorPanel(e, { hint: typeof hint === 'function' ? hint() : hint }));
    ctx.el.querySelector(`.filters [name="${e.parameter}"]`)?.setAttribute('aria-invalid', 'true');
  }
}
