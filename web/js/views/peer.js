// One peer: its session, counters and the routes it sends.

import { h } from '../dom.js';
import * as fmt from '../fmt.js';
import { asnLink, stateBadge, routeTable, moreButton, empty, loading } from '../components.js';
import { poller, serverNow } from '../poller.js';
import { hashWith } from '../nav.js';

const PAGE = 50;

function kv(rows) {
  return h('dl', { class: 'kv' }, rows.filter((r) => r[1] !== undefined && r[1] !== null && r[1] !== '')
    .map(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
}

export async function peerView(ctx) {
  const addr = ctx.params[0];
  ctx.head(addr, { kicker: 'Peer', sub: h('span', { id: 'peer-sub' }, '') });
  const info = h('div', { class: 'peer-info' }, loading('Asking the collector'));
  const routesBox = h('section', { class: 'peer-routes' });
  ctx.el.append(info, routesBox);

  let routesFor = null;
  const draw = (s) => {
    if (!s.peers) return;
    const p = s.peers.find((x) => x.address === addr);
    if (!p) {
      info.replaceChildren(empty(`${addr} is not a peer of this collector.`,
        h('p', null, h('a', { href: '#/' }, 'All peers'))));
      return;
    }
    const c = p.counters ?? {};
    const est = p.state === 'Established';
    const sub = document.getElementById('peer-sub');
    if (sub) sub.replaceChildren(p.description ? `${p.description} · ` : '', 'AS', asnLink(p.remote_as, { showName: true }));
    const rate = s.peerRates?.get(p.address);
    info.replaceChildren(
      h('div', { class: 'cards' },
        h('div', { class: ['card', est ? 'ok' : 'warn'] }, h('p', { class: 'card-label' }, 'State'),
          h('p', { class: 'card-value' }, stateBadge(p.state)),
          h('p', { class: 'card-sub' }, est ? `up ${fmt.duration(p.uptime)}` : p.state_since ? `since ${fmt.time(p.state_since)}` : '')),
        h('div', { class: 'card' }, h('p', { class: 'card-label' }, 'IPv4 prefixes'), h('p', { class: 'card-value' }, fmt.int(p.prefixes?.ipv4))),
        h('div', { class: 'card' }, h('p', { class: 'card-label' }, 'IPv6 prefixes'), h('p', { class: 'card-value' }, fmt.int(p.prefixes?.ipv6))),
        h('div', { class: 'card' }, h('p', { class: 'card-label' }, 'Updates in'), h('p', { class: 'card-value' }, fmt.int(p.messages?.update?.in)),
          h('p', { class: 'card-sub' }, rate ? `${fmt.rateText(rate.updates)} / s now` : ''))),
      h('div', { class: 'details-grid' },
        h('section', null, h('h2', null, 'Session'), kv([
          ['Remote AS', asnLink(p.remote_as)],
          ['BGP id', p.bgp_id],
          ['Hold time', p.hold_time !== undefined ? `${p.hold_time} s` : null],
          ['State since', p.state_since ? fmt.time(p.state_since) : null],
          ['Capabilities', p.capabilities || null],
          ['Dynamic', p.dynamic ? 'yes' : 'no'],
          ['Last error', p.last_error || 'none'],
          ['Notification in', p.last_notification_received || 'none'],
          ['Notification out', p.last_notification_sent || 'none'],
        ])),
        h('section', null, h('h2', null, 'Counters'), kv([
          ['Bytes in', fmt.bytes(c.bytes_in)],
          ['Prefixes announced', fmt.int(c.prefixes_announced)],
          ['Prefixes withdrawn', fmt.int(c.prefixes_withdrawn)],
          ['Treat-as-withdraw', fmt.int(c.treat_as_withdraw)],
          ['Attributes discarded', fmt.int(c.attribute_discard)],
          ['Flaps', fmt.int(c.flaps)],
          ['Max-prefix hits', fmt.int(c.max_prefix_hits)],
        ])),
        h('section', null, h('h2', null, 'Messages'), h('table', { class: 'mini' },
          h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Type'), h('th', { scope: 'col' }, 'In'), h('th', { scope: 'col' }, 'Out'))),
          h('tbody', null, Object.entries(p.messages ?? {}).map(([k, v]) => h('tr', null,
            h('th', { scope: 'row' }, k.replace('_', ' ')), h('td', null, fmt.int(v?.in)), h('td', null, fmt.int(v?.out))))))))
    );
    if (p.source !== undefined && routesFor !== p.source) {
      routesFor = p.source;
      loadRoutes(p.source).catch((e) => {
        if (!ctx.signal.aborted) routesBox.append(h('p', { class: 'error-msg' }, e.message));
      });
    }
  };

  const loadRoutes = async (src) => {
    const now = serverNow();
    let shown = 0;
    const count = h('p', { class: 'result-count' });
    routesBox.replaceChildren(h('div', { class: 'section-head' }, h('h2', null, 'Routes from this peer'),
      h('a', { href: hashWith('/routes', { source: src }) }, 'Search within them')), count);
    const page = async (cursor) => {
      const r = await ctx.get('/routes', { source: src, limit: PAGE, cursor });
      ctx.learn(r);
      const rs = Array.isArray(r?.routes) ? r.routes : [];
      shown += rs.length;
      routesBox.querySelector('.more-btn')?.remove();
      if (rs.length) routesBox.append(routeTable(rs, { showPrefix: true, now, keepOrder: true, compact: true, noSource: true }));
      if (r?.next_cursor) routesBox.append(moreButton(`Show ${PAGE} more`, () => page(r.next_cursor)));
      count.textContent = shown ? `${fmt.plural(shown, 'route')}${r?.next_cursor ? ' so far: there are more' : ''}` : 'No routes.';
    };
    await page();
  };

  return poller.subscribe(draw);
}
