// app.js -- the shell of the looking glass: hash routing, the search box,
// the live status in the header, and an error boundary so that no view
// ever leaves a blank page.
//
// Routes (every view has its own shareable URL):
//   #/                               overview: totals and peers, live
//   #/prefix/PREFIX-OR-ADDRESS?match=exact|longest|more|less
//   #/history/PREFIX?at=UNIX&from=UNIX&to=UNIX&more=true
//   #/asn/ASN
//   #/routes?aspath=RE&origin=&community=&large-community=&source=&best=only&afi=
//   #/peer/ADDRESS
//   #/alerts

import { h, replace, focusQuiet } from './dom.js';
import { classify, describe, hashFor } from './query.js';
import { errorPanel, pageHeader, loading, asNames } from './components.js';
import { collectAsNames } from './bgp.js';
import { poller } from './poller.js';
import * as api from './api.js';
import * as fmt from './fmt.js';
import { parseHash, hashWith, navigate, setRenderer } from './nav.js';
import { overviewView } from './views/overview.js';
import { prefixView } from './views/prefix.js';
import { historyView } from './views/history.js';
import { asnView } from './views/asn.js';
import { routesView } from './views/routes.js';
import { peerView } from './views/peer.js';
import { alertsView } from './views/alerts.js';

const ROUTES = [
  { re: /^\/(?:overview)?\/?$/, view: overviewView, nav: 'overview' },
  { re: /^\/prefix\/(.+)$/, view: prefixView },
  { re: /^\/history\/(.+)$/, view: historyView },
  { re: /^\/asn\/(.+)$/, view: asnView },
  { re: /^\/routes\/?$/, view: routesView },
  { re: /^\/peer\/(.+)$/, view: peerView },
  { re: /^\/alerts\/?$/, view: alertsView, nav: 'alerts' },
  { re: /^\/search\/(.+)$/, view: searchRedirect },
];

let current = null;       // { ctl, cleanup }
let renderSeq = 0;
let firstRender = true;
const main = () => document.getElementById('main');

function searchRedirect(ctx) {
  const c = classify(ctx.params[0]);
  navigate(c.kind === 'empty' ? '#/' : hashFor(c), { replace: true });
}

function notFound(ctx) {
  ctx.head('Page not found', { sub: `Nothing here at #${ctx.path}.` });
  ctx.el.append(h('p', null, 'Try the search box, or go to the ', h('a', { href: '#/' }, 'overview'), '.'));
}

async function render() {
  const seq = ++renderSeq;
  if (current) {
    current.ctl.abort();
    try { current.cleanup?.(); } catch { /* ignore */ }
    current = null;
  }
  const { path, query } = parseHash();
  let route = null, m = null;
  for (const r of ROUTES) {
    m = r.re.exec(path);
    if (m) { route = r; break; }
  }
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (route && a.dataset.nav === route.nav) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  syncSearch(path, query);
  const ctl = new AbortController();
  current = { ctl, cleanup: null };
  const el = h('div', { class: 'view' });
  const focusHead = !firstRender;
  firstRender = false;
  const ctx = {
    el, path, query, signal: ctl.signal,
    params: m ? m.slice(1).map((x) => (x === undefined ? x : x)) : [],
    title(t) { document.title = t ? `${t} · bgplens` : 'bgplens looking glass'; },
    head(title, opts) {
      const hd = pageHeader(title, opts);
      el.prepend(hd);
      ctx.title(typeof title === 'string' ? title : hd.querySelector('h1').textContent);
      if (focusHead) focusQuiet(hd.querySelector('h1'));
      return hd;
    },
    navigate,
    // Replace the query of this view's URL without a new history entry.
    setQuery(params, { push = false } = {}) {
      const hsh = hashWith(path, params);
      if (hsh === location.hash) return;
      if (push) history.pushState(null, '', hsh);
      else history.replaceState(null, '', hsh);
    },
    learn(obj) { collectAsNames(obj, asNames); return obj; },
    get: (p, params, opts) => api.get(p, params, { signal: ctl.signal, ...opts }),
  };
  const m0 = main();
  m0.setAttribute('aria-busy', 'true');
  replace(m0, el);
  el.append(loading());
  const stopLoading = () => el.querySelector(':scope > .loading')?.remove();
  try {
    const out = await (route ? route.view(ctx) : notFound(ctx));
    if (seq !== renderSeq) { if (typeof out === 'function') out(); return; }
    current.cleanup = typeof out === 'function' ? out : null;
  } catch (err) {
    if (ctl.signal.aborted || seq !== renderSeq) return;
    if (!(err instanceof api.ApiError)) console.error(err);
    showError(el, err, render);
  } finally {
    if (seq === renderSeq) {
      stopLoading();
      m0.removeAttribute('aria-busy');
      if (!el.firstChild) notFound(ctx);
    }
  }
}

function showError(el, err, retry) {
  stopLoadingIn(el);
  if (!el.querySelector('h1')) {
    const hd = pageHeader('Error');
    el.prepend(hd);
  }
  el.append(errorPanel(err, { retry }));
}

function stopLoadingIn(el) {
  for (const x of el.querySelectorAll('.loading')) x.remove();
}

// ---- search box -----------------------------------------------------------

function syncSearch(path, query) {
  const q = document.getElementById('q');
  if (!q || document.activeElement === q) return;
  let v = '';
  let mm;
  if ((mm = /^\/prefix\/(.+)$/.exec(path)) || (mm = /^\/history\/(.+)$/.exec(path))) v = mm[1];
  else if ((mm = /^\/asn\/(.+)$/.exec(path))) v = `AS${mm[1]}`;
  else if (path.startsWith('/routes')) {
    v = query.get('aspath') ?? query.get('community') ?? query.get('large-community') ??
      (query.get('prefix') ?? '');
  }
  q.value = v;
  updateHint();
}

function updateHint() {
  const q = document.getElementById('q');
  const hint = document.getElementById('q-hint');
  const c = classify(q.value);
  if (c.kind === 'empty') replace(hint, 'Press ', h('kbd', null, '/'), ' to search');
  else replace(hint, '→ ', describe(c));
  hint.dataset.kind = c.kind;
}

function setupSearch() {
  const form = document.getElementById('search-form');
  const q = document.getElementById('q');
  q.addEventListener('input', updateHint);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const c = classify(q.value);
    if (c.kind === 'empty') { q.focus(); return; }
    q.blur();
    navigate(hashFor(c));
  });
  q.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') { q.value = ''; updateHint(); }
  });
  document.addEventListener('keydown', (ev) => {
    if (ev.defaultPrevented || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const t = ev.target;
    const typing = t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
    if (ev.key === '/' && !typing) {
      ev.preventDefault();
      q.focus();
      q.select();
    }
  });
  document.getElementById('skip').addEventListener('click', () => {
    const h1 = document.getElementById('page-h1') ?? main();
    focusQuiet(h1);
    h1.scrollIntoView({ block: 'start' });
  });
}

// ---- live status in the header -------------------------------------------

function setupLive() {
  const live = document.getElementById('live');
  const text = live.querySelector('.live-text');
  const ver = document.getElementById('version');
  poller.subscribe((s) => {
    const badge = document.getElementById('alert-count');
    const open = s.alerts?.open ?? 0;
    badge.hidden = !(open > 0);
    badge.textContent = open > 99 ? '99+' : String(open);
    badge.parentElement.setAttribute('aria-label', open > 0 ? `Alerts: ${open} open` : 'Alerts');
    if (s.error && !s.status) {
      live.dataset.state = 'bad';
      text.textContent = s.error.status === 401 ? 'access token needed' : 'collector unreachable';
      live.title = s.error.message;
      return;
    }
    const st = s.status ?? {};
    const up = st.peers?.established, all = st.peers?.configured;
    live.dataset.state = s.error ? 'bad' : up === all ? 'ok' : 'warn';
    text.textContent = s.error ? `${up ?? '?'}/${all ?? '?'} up · not answering` :
      `${up ?? '?'}/${all ?? '?'} up · ${fmt.rateText(s.rate)} upd/s`;
    live.title = s.error ? `Last refresh failed: ${s.error.message}` :
      `Refreshed ${fmt.time(s.t / 1000)}; ${fmt.int(st.routes?.total)} routes`;
    if (st.version && ver.textContent !== st.version) ver.textContent = st.version;
  });
}

// ---- the error boundary ---------------------------------------------------

function lastResort(err) {
  const m0 = main();
  if (!m0) return;
  console.error(err);
  // Keep what is shown; add the error once, never leave the page empty.
  if (m0.querySelector('.error-banner[data-kind="js"]')) return;
  const view = m0.querySelector('.view') ?? m0;
  stopLoadingIn(view);
  if (!view.querySelector('h1')) view.prepend(pageHeader('Error'));
  view.append(errorPanel(err instanceof Error ? err : new Error(String(err)), { retry: () => render() }));
  m0.removeAttribute('aria-busy');
}

function start() {
  window.bgplensStarted = true;
  window.addEventListener('error', (ev) => lastResort(ev.error ?? ev.message));
  window.addEventListener('unhandledrejection', (ev) => {
    const r = ev.reason;
    if (r?.name === 'AbortError') return;
    lastResort(r);
  });
  setupSearch();
  setupLive();
  poller.start();
  setRenderer(render);
  window.addEventListener('hashchange', render);
  api.has('/openapi.json').then((ok) => {
    if (ok) document.getElementById('openapi-link').hidden = false;
  });
  render();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
