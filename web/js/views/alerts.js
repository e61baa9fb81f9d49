// Alerts: /api/v1/alerts (hijacks, leaks, RPKI, visibility loss) with the
// engine's counters from /api/v1/alerts/status.  A calm "no alerts" when
// there are none, and when the daemon has no detection (404) or does not
// run it (503).
//
// The list then follows /api/v1/alerts/stream (Server-Sent Events, with
// the view's type and prefix filters): an alert opened, updated or
// resolved shows at once.  An indicator says whether the view is live;
// while it is not (the stream failed, or cannot carry a bearer token),
// the list is polled instead, and the stream is retried, less often each
// time.

import { h, replace } from '../dom.js';
import * as fmt from '../fmt.js';
import { ApiError, url as apiUrl } from '../api.js';
import { empty, errorPanel, asnLink, moreButton, asPath } from '../components.js';
import { hashWith, navigate } from '../nav.js';
import { serverNow } from '../poller.js';

const SEVERITY = ['critical', 'high', 'error', 'warning', 'warn', 'medium', 'low', 'info', 'notice'];
const STATES = [['open', 'Open'], ['pending', 'Pending'], ['resolved', 'Resolved'], ['all', 'All']];
const TYPES = [['', 'Every type'], ['exact_prefix_hijack', 'Exact-prefix hijack'], ['sub_prefix_hijack', 'Sub-prefix hijack'],
  ['new_more_specific', 'New more-specific'], ['path_anomaly', 'Path anomaly'], ['route_leak', 'Route leak'],
  ['rpki_invalid', 'RPKI invalid'], ['visibility_loss', 'Visibility loss']];
const PAGE = 50;
const RETRY_MIN_MS = 2000;
const RETRY_MAX_MS = 30000;
const POLL_MS = 15000;

function timeOf(a) {
  for (const k of ['last_seen', 'opened_at', 'first_seen', 'time', 'timestamp', 'ts', 'since', 'created']) {
    const v = a[k];
    if (typeof v === 'number' && v > 0) return v > 1e12 ? v / 1000 : v;
    if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return Date.parse(v) / 1000;
  }
  return null;
}

function words(s) {
  return String(s ?? '').replace(/_/g, ' ');
}

const KNOWN = new Set(['id', 'type', 'severity', 'level', 'state', 'prefix', 'summary', 'message', 'description',
  'origin_as', 'offender_as', 'asn', 'rpki', 'as_paths', 'sources', 'sources_now', 'peer_ases_now', 'visibility',
  'first_seen', 'last_seen', 'opened_at', 'resolved_at', 'time', 'links', 'rule', 'group', 'artemis', 'revision']);

function alertItem(a, now) {
  if (!a || typeof a !== 'object') return h('li', { class: 'alert-item' }, String(a));
  const sev = String(a.severity ?? a.level ?? 'info').toLowerCase();
  const t = timeOf(a);
  const prefix = a.prefix;
  const kv = (rows) => h('dl', { class: 'kv' }, rows.filter((r) => r[1] !== undefined && r[1] !== null && r[1] !== '')
    .map(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
  const sources = Array.isArray(a.sources) ? a.sources : [];
  const paths = Array.isArray(a.as_paths) ? a.as_paths : [];
  const rest = Object.entries(a).filter(([k, v]) => !KNOWN.has(k) && v !== null && v !== undefined && v !== '');
  return h('li', { class: ['alert-item', `sev-${SEVERITY.includes(sev) ? sev : 'info'}`, a.state && `state-${a.state}`],
    dataset: { id: a.id ?? '' } },
    h('div', { class: 'alert-head' },
      h('span', { class: 'badge sev' }, sev),
      h('strong', null, words(a.type ?? a.kind ?? 'alert')),
      prefix ? h('a', { class: 'mono', href: `#/prefix/${prefix}` }, String(prefix)) : null,
      a.state ? h('span', { class: `badge state-${a.state}` }, a.state) : null,
      t ? h('span', { class: 'muted', title: fmt.time(t) }, fmt.ago(t, now)) : null),
    a.summary || a.message || a.description ? h('p', null, String(a.summary ?? a.message ?? a.description)) : null,
    h('details', null, h('summary', null, 'Details'),
      h('div', { class: 'details-grid' },
        h('section', null, kv([
          ['Origin AS', typeof a.origin_as === 'number' && a.origin_as ? asnLink(a.origin_as) : null],
          ['Offender AS', typeof a.offender_as === 'number' && a.offender_as ? asnLink(a.offender_as) : null],
          ['RPKI', a.rpki],
          ['Rule', a.rule?.prefix ? h('span', null, h('span', { class: 'mono' }, a.rule.prefix),
            Array.isArray(a.rule.origins) && a.rule.origins.length ? [' origins ', a.rule.origins.map((o, i) => [i ? ', ' : '', asnLink(o)])] : null,
            a.rule.description ? ` (${a.rule.description})` : null) : null],
          ['Group', a.group],
          ['Seen by', typeof a.sources_now === 'number' ? `${fmt.plural(a.sources_now, 'source')} now` +
            (typeof a.peer_ases_now === 'number' ? `, ${fmt.plural(a.peer_ases_now, 'neighbour AS', 'neighbour ASes')}` : '') : null],
          ['Visibility', a.visibility ? `${fmt.int(a.visibility.now)} of ${fmt.int(a.visibility.had)} sources` : null],
          ['ARTEMIS', a.artemis ? h('code', null, a.artemis) : null],
        ])),
        h('section', null, kv([
          ['First seen', a.first_seen ? fmt.time(a.first_seen) : null],
          ['Last seen', a.last_seen ? fmt.time(a.last_seen) : null],
          ['Opened', a.opened_at ? fmt.time(a.opened_at) : null],
          ['Resolved', a.resolved_at ? fmt.time(a.resolved_at) : null],
          ['Id', a.id ? h('code', null, String(a.id)) : null],
          ...rest.map(([k, v]) => [words(k), typeof v === 'object' ? h('code', { class: 'json-inline' }, JSON.stringify(v)) : String(v)]),
        ]))),
      paths.length ? h('section', null, h('h4', null, 'Offending AS paths'),
        h('ul', { class: 'plist col' }, paths.map((p) => h('li', null, asPath({ as_path: p }))))) : null,
      sources.length ? h('section', null, h('h4', null, 'Sources'),
        h('ul', { class: 'plist' }, sources.map((s) => h('li', { class: s.active === false ? 'muted' : null },
          h('a', { class: 'mono', href: `#/peer/${s.peer}` }, s.peer), ' AS', asnLink(s.peer_as, { showName: false }),
          s.active === false ? ' (no longer)' : null)))) : null),
    prefix ? h('p', { class: 'details-links' },
      h('a', { href: `#/history/${prefix}` }, 'History of the prefix'),
      h('a', { href: `#/prefix/${prefix}` }, 'Its routes now')) : null);
}

function statusCards(st) {
  if (!st || typeof st !== 'object') return null;
  const c = (label, value, sub) => h('div', { class: 'card' }, h('p', { class: 'card-label' }, label),
    h('p', { class: 'card-value' }, value), sub ? h('p', { class: 'card-sub' }, sub) : null);
  const hooks = Array.isArray(st.webhooks) ? st.webhooks : [];
  const queued = hooks.reduce((n, w) => n + (w.pending ?? 0), 0);
  return h('section', { class: 'cards alert-cards', 'aria-label': 'Detection' },
    c('Open', fmt.int(st.open), st.pending ? `${fmt.int(st.pending)} pending` : null),
    c('Resolved', fmt.int(st.resolved), null),
    c('Monitored', fmt.int(st.monitored_prefixes), st.enabled === false ? 'no monitor file' : 'prefixes'),
    c('Changes judged', fmt.compact(st.route_changes_judged), st.findings !== undefined ? `${fmt.int(st.findings)} findings` : null),
    hooks.length ? c('Webhooks', fmt.int(hooks.length), queued ? `${fmt.int(queued)} queued` : 'all delivered') : null);
}

function liveIndicator() {
  const label = h('span', { class: 'alerts-live-label' }, 'Connecting');
  const el = h('span', { class: 'alerts-live', role: 'status', title: 'Live updates from /api/v1/alerts/stream',
    dataset: { live: 'connecting' } }, h('span', { class: 'alerts-live-dot', 'aria-hidden': 'true' }), label);
  el.set = (state, text) => {
    el.dataset.live = state;
    label.textContent = text;
  };
  return el;
}

// Follow the alert stream until the view goes; poll while it is down.
function follow(ctx, params, { onAlert, indicator, poll }) {
  let es = null, retry = RETRY_MIN_MS, timer = null, pollTimer = null;
  const startPoll = () => { pollTimer ??= setInterval(poll, POLL_MS); };
  const stopPoll = () => { clearInterval(pollTimer); pollTimer = null; };
  if (typeof EventSource === 'undefined') {
    indicator.set('off', 'Not live: refreshed every 15 s');
    startPoll();
    return;
  }
  const open = () => {
    if (ctx.signal.aborted) return;
    es = new EventSource(apiUrl('/alerts/stream', params));
    es.onopen = () => {
      retry = RETRY_MIN_MS;
      indicator.set('live', 'Live');
      stopPoll();
      poll();   // what happened while we were not listening
    };
    es.onmessage = (ev) => {
      let m;
      try { m = JSON.parse(ev.data); } catch { return; }
      if (m?.type === 'alert' && m.data?.alert) onAlert(m.data.event, m.data.alert);
    };
    es.onerror = () => {
      startPoll();
      if (es.readyState === EventSource.CLOSED) {
        // The browser gave up (an HTTP error such as 503): retry later.
        es.close();
        indicator.set('reconnecting', `Not live: retrying in ${Math.round(retry / 1000)} s`);
        timer = setTimeout(open, retry);
        retry = Math.min(retry * 2, RETRY_MAX_MS);
      } else {
        indicator.set('reconnecting', 'Reconnecting');
      }
    };
  };
  ctx.signal.addEventListener('abort', () => {
    es?.close();
    clearTimeout(timer);
    stopPoll();
  });
  open();
}

// Does an alert in this state belong in a list showing `view`?
function inView(view, alertState) {
  if (view === 'all') return alertState === 'open' || alertState === 'resolved';
  return alertState === view;
}

export async function alertsView(ctx) {
  const state = ctx.query.get('state') || 'open';
  const type = ctx.query.get('type') || '';
  const prefix = ctx.query.get('prefix') || '';
  ctx.head('Alerts', { sub: 'Hijacks, leaks, RPKI-invalid routes and visibility loss the collector detects' });
  const statusBox = h('div');
  const box = h('div', { class: 'alerts' });
  ctx.el.append(statusBox, box);

  let body;
  const [st] = await Promise.all([
    ctx.get('/alerts/status').catch(() => null),
    ctx.get('/alerts', { state: state === 'open' ? null : state, type: type || null, prefix: prefix || null, limit: PAGE })
      .then((b) => { body = b; }, (e) => { body = e; }),
  ]);
  if (body instanceof Error) {
    const e = body;
    if (ctx.signal.aborted) throw e;
    if (e instanceof ApiError && (e.status === 404 || e.status === 503) && !e.parameter) {
      box.dataset.state = 'unavailable';
      box.append(empty('No alerts.', h('p', { class: 'muted' }, e.status === 404
        ? 'This collector does not run alert detection; when it does, alerts appear here.'
        : `Alert detection is not running on this collector (${e.message}).`)));
      return;
    }
    box.dataset.state = 'error';
    box.append(errorPanel(e, { retry: () => ctx.navigate(location.hash) }));
    return;
  }
  replace(statusBox, statusCards(st));

  // Filters: state, type, prefix; each a URL.
  const stateSel = h('select', { name: 'state', 'aria-label': 'State' },
    STATES.map(([v, l]) => h('option', { value: v, selected: v === state }, l)));
  const typeSel = h('select', { name: 'type', 'aria-label': 'Type' },
    TYPES.map(([v, l]) => h('option', { value: v, selected: v === type }, l)));
  const pfx = h('input', { name: 'prefix', value: prefix, placeholder: 'Prefix', 'aria-label': 'Prefix', spellcheck: 'false' });
  const form = h('form', { class: 'alert-filters' },
    h('label', { class: 'field' }, h('span', null, 'State'), stateSel),
    h('label', { class: 'field' }, h('span', null, 'Type'), typeSel),
    h('label', { class: 'field' }, h('span', null, 'Prefix'), pfx),
    h('div', { class: 'field actions' }, h('button', { type: 'submit', class: 'btn' }, 'Show')));
  const go = () => navigate(hashWith('/alerts', { state: stateSel.value === 'open' ? '' : stateSel.value, type: typeSel.value, prefix: pfx.value.trim() }));
  form.addEventListener('submit', (ev) => { ev.preventDefault(); go(); });
  stateSel.addEventListener('change', go);
  typeSel.addEventListener('change', go);
  box.before(form);

  const list = Array.isArray(body) ? body : Array.isArray(body?.alerts) ? body.alerts : [];
  ctx.learn(body);
  const indicator = liveIndicator();
  form.append(h('div', { class: 'field alerts-live-field' }, indicator));
  const ul = h('ul', { class: 'alert-list' });
  const count = h('p', { class: 'result-count' });
  const none = empty('No alerts.', h('p', { class: 'muted' }, state === 'open' && !type && !prefix
    ? 'Nothing unusual is going on.' : 'None matches the filter.'));
  let more = false;
  const showState = () => {
    const n = ul.children.length;
    box.dataset.state = n ? 'some' : 'none';
    if (n) {
      none.remove();
      if (!count.isConnected) box.prepend(count, ul);
      count.textContent = `${fmt.plural(n, 'alert')}${more ? ' so far: there are more' : ''}`;
    } else {
      count.remove();
      if (!none.isConnected) box.prepend(none);
    }
  };
  // An event from the stream: the alert joins, changes in or leaves the list.
  const onAlert = (event, a) => {
    const old = [...ul.children].find((li) => li.dataset.id === String(a.id));
    const item = inView(state, a.state) ? alertItem(a, serverNow()) : null;
    if (item) {
      item.classList.add('live-new');
      item.dataset.liveAt = String(Date.now());
    }
    if (old && item) old.replaceWith(item);
    else if (old) old.remove();
    else if (item) ul.prepend(item);
    showState();
    ctx.get('/alerts/status', {}, { noRetry: true })
      .then((st2) => { if (!ctx.signal.aborted) replace(statusBox, statusCards(st2)); }, () => {});
  };
  // The fallback: the first page again, every POLL_MS while not live.
  const poll = async () => {
    const asked = Date.now();
    try {
      const b = await ctx.get('/alerts', { state: state === 'open' ? null : state, type: type || null,
        prefix: prefix || null, limit: PAGE }, { noRetry: true });
      if (ctx.signal.aborted) return;
      const fresh = Array.isArray(b?.alerts) ? b.alerts : [];
      const ids = new Set(fresh.map((a) => String(a.id)));
      // An item the stream brought after this page was asked for stays.
      for (const li of [...ul.children]) {
        if (!ids.has(li.dataset.id) && !(Number(li.dataset.liveAt) >= asked)) li.remove();
      }
      for (const a of [...fresh].reverse()) {
        const old = [...ul.children].find((li) => li.dataset.id === String(a.id));
        if (!old) ul.prepend(alertItem(a, serverNow()));
      }
      showState();
    } catch { /* the next poll, or the stream, will do */ }
  };
  follow(ctx, { type: type || null, prefix: prefix || null }, { onAlert, indicator, poll });
  const now = serverNow();
  if (!list.length) {
    showState();
    return;
  }
  const add = (alerts, next) => {
    const sorted = [...alerts].sort((a, b) => (timeOf(b) ?? 0) - (timeOf(a) ?? 0));
    ul.append(...sorted.map((a) => alertItem(a, now)));
    more = Boolean(next);
    showState();
    box.querySelector('.more-btn')?.remove();
    if (next) {
      box.append(moreButton(`Show ${PAGE} more`, async () => {
        const b = await ctx.get('/alerts', { state: state === 'open' ? null : state, type: type || null,
          prefix: prefix || null, limit: PAGE, cursor: next });
        ctx.learn(b);
        add(Array.isArray(b?.alerts) ? b.alerts : [], b?.next_cursor);
      }));
    }
  };
  add(list, body?.next_cursor);
}
