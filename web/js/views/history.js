// Prefix history: the visibility timeline from /api/v1/history, the list of
// events, and the table as it was at a chosen time (history?at=).

import { h, replace } from '../dom.js';
import * as fmt from '../fmt.js';
import { parsePrefix } from '../query.js';
import { computeLanes, renderTimeline } from '../plot.js';
import { routeTable, empty, notice, errorPanel, loading, sourceCell } from '../components.js';
import { hashWith, navigate } from '../nav.js';
import { serverNow } from '../poller.js';

const EVENT_LIMIT = 2000;
const EVENTS_SHOWN = 300;

const WINDOWS = [
  ['', 'Everything kept'],
  ['900', 'Last 15 minutes'],
  ['3600', 'Last hour'],
  ['21600', 'Last 6 hours'],
  ['86400', 'Last 24 hours'],
  ['604800', 'Last 7 days'],
];

const TYPE_LABEL = { announce: 'announce', withdraw: 'withdraw', replace: 'change', 'source-down': 'source down' };

function num(v) {
  if (v === undefined || v === null || v === '') return null;
  const t = fmt.parseTime(v);
  return t === null ? NaN : t;
}

// What changed between two attribute sets of an event.
function changeCell(e) {
  const b = e.before, a = e.after;
  const path = (x) => h('code', { class: 'wrap' }, x?.as_path || '(empty)');
  if (e.type === 'announce' && a) return h('span', null, path(a));
  if ((e.type === 'withdraw' || e.type === 'source-down') && b) return h('span', { class: 'gone' }, h('del', null, path(b)));
  if (e.type === 'replace' && a && b) {
    const diffs = [];
    if (a.as_path !== b.as_path) diffs.push('path');
    if (a.next_hop !== b.next_hop) diffs.push('next hop');
    if (a.origin !== b.origin) diffs.push('origin');
    if (JSON.stringify(a.communities ?? []) !== JSON.stringify(b.communities ?? [])) diffs.push('communities');
    return h('span', { class: 'change' },
      a.as_path !== b.as_path ? [h('del', null, path(b)), h('span', { 'aria-hidden': 'true' }, ' → '), h('span', { class: 'sr-only' }, ' became '), path(a)] : path(a),
      diffs.length ? h('span', { class: 'tag' }, `${diffs.join(', ')} changed`) : h('span', { class: 'tag' }, 'attributes refreshed'));
  }
  return h('span', { class: 'muted' }, '—');
}

export async function historyView(ctx) {
  const raw = ctx.params[0];
  const p = parsePrefix(raw);
  const q = Object.fromEntries(ctx.query);
  if (p && p.changed) {
    navigate(hashWith(`/history/${p.text}`, q), { replace: true });
    return;
  }
  let prefix = p ? p.text : raw;
  if (p && p.isAddress) {
    // History is kept per prefix: take the one that covers the address now.
    const r = await ctx.get('/routes', { prefix, limit: 1 });
    const found = r?.routes?.[0]?.prefix;
    if (found) {
      navigate(hashWith(`/history/${found}`, q), { replace: true });
      return;
    }
  }
  const more = q.more === 'true';
  const from = num(q.from), to = num(q.to);
  let at = num(q.at);
  const bad = [['from', from], ['to', to], ['at', at]].find(([, v]) => Number.isNaN(v));

  const nowS = serverNow();
  const winSel = h('select', { id: 'hist-window', 'aria-label': 'Time window' }, WINDOWS.map(([v, l]) => {
    const sel = v === '' ? from === null : from !== null && Math.abs(nowS - from - Number(v)) < Number(v) * 0.05;
    return h('option', { value: v, selected: sel }, l);
  }));
  winSel.addEventListener('change', () => {
    const v = winSel.value;
    navigate(hashWith(`/history/${prefix}`, { ...q, from: v ? fmt.apiTime(Math.floor(serverNow() - Number(v))) : '', to: '', at: '' }));
  });
  ctx.head(prefix, {
    kicker: 'History',
    sub: more ? 'This prefix and every more specific one' : 'Visibility of this prefix from every source, over time',
    actions: [
      h('label', { class: 'inline-field' }, h('span', null, 'Window'), winSel),
      h('a', { class: 'btn', href: hashWith(`/history/${prefix}`, { ...q, more: more ? '' : 'true', at: '' }) },
        more ? 'This prefix only' : 'With more specifics'),
      h('a', { class: 'btn', href: `#/prefix/${prefix}` }, 'Current routes'),
    ],
  });
  if (bad) {
    ctx.el.append(errorPanel(new Error(`"${q[bad[0]]}" is not a time: use unix seconds or YYYY-MM-DD HH:MM:SS (UTC).`),
      { context: `the ${bad[0]} of the URL` }));
    return;
  }

  const plotBox = h('figure', { class: 'plot' }, loading('Reading the history'));
  const atBox = h('section', { class: 'at-section', 'aria-labelledby': 'at-h' });
  const evBox = h('section', { class: 'events-section', 'aria-labelledby': 'ev-h' });
  const notes = h('div');
  ctx.el.append(notes, plotBox, atBox, evBox);

  const params = { prefix, from: from !== null ? fmt.apiTime(from) : null, to: to !== null ? fmt.apiTime(to) : null,
    more: more ? 'true' : null, limit: EVENT_LIMIT };
  const [hist, cur] = await Promise.all([
    ctx.get('/history', params),
    ctx.get('/routes', { prefix, match: more ? 'more' : 'exact', limit: 1000 }).catch((e) => {
      if (ctx.signal.aborted) throw e;
      return { routes: [] };
    }),
  ]);
  ctx.learn(hist);
  ctx.learn(cur);
  const events = Array.isArray(hist?.events) ? hist.events : [];
  const current = Array.isArray(cur?.routes) ? cur.routes : [];
  const end = to ?? Math.max(serverNow(), ...events.map((e) => e.time));
  const model = computeLanes(events, { start: from ?? undefined, end, current, multiPrefix: more });

  if (hist?.truncated) {
    notes.append(notice('warn', h('strong', null, 'Partial history. '),
      'Older events of this window have left the history (retention), so it starts later than asked.'));
  }
  if (hist?.limited) {
    notes.append(notice('warn', h('strong', null, `Only ${fmt.int(events.length)} events. `),
      'There are more: pick a shorter window to see them all.'));
  }

  // ---- the plot --------------------------------------------------------------
  const sources = new Set(model.lanes.map((l) => l.key));
  const caption = h('figcaption', null,
    h('span', null, `${fmt.plural(events.length, 'event')} from ${fmt.plural(sources.size, 'source')}, `,
      `${fmt.time(model.start)} to ${fmt.time(model.end)}.`),
    h('span', { class: 'legend', 'aria-hidden': 'true' },
      h('span', { class: 'lg lg-bar' }, 'visible'),
      h('span', { class: 'lg lg-announce' }, 'announce'),
      h('span', { class: 'lg lg-replace' }, 'change'),
      h('span', { class: 'lg lg-withdraw' }, 'withdraw'),
      h('span', { class: 'lg lg-down' }, 'source down')));
  const svgHolder = h('div', { class: 'plot-svg' });
  if (!model.lanes.length) {
    plotBox.replaceChildren(empty(`No event and no route for ${prefix}.`,
      h('p', { class: 'muted' }, 'The collector has not seen this prefix in the history it keeps.')));
  } else {
    plotBox.replaceChildren(svgHolder, caption);
  }
  let svg = null;
  const drawPlot = () => {
    if (!model.lanes.length) return;
    const w = svgHolder.clientWidth || plotBox.clientWidth || 800;
    svg = renderTimeline(model, { width: w, at: at ?? model.end, onPick: pick, fmtTime: (t) => fmt.time(t, true) });
    svgHolder.replaceChildren(svg);
  };

  // ---- the table at a time --------------------------------------------------
  const atInput = h('input', { id: 'at-input', type: 'text', inputmode: 'numeric', spellcheck: 'false',
    autocomplete: 'off', placeholder: 'YYYY-MM-DD HH:MM:SS', 'aria-describedby': 'at-help' });
  const slider = h('input', { type: 'range', id: 'at-slider', min: String(model.start), max: String(model.end),
    step: 'any', 'aria-label': 'Time of the table' });
  const prevBtn = h('button', { type: 'button', class: 'btn', title: 'Previous event (←)' }, '◀ Previous event');
  const nextBtn = h('button', { type: 'button', class: 'btn', title: 'Next event (→)' }, 'Next event ▶');
  const nowBtn = h('button', { type: 'button', class: 'btn' }, 'Now');
  const atTitle = h('span', { id: 'at-title' });
  const atTable = h('div', { class: 'at-table', 'aria-live': 'polite' });
  const atForm = h('form', { class: 'at-controls' },
    h('label', { class: 'field' }, h('span', null, 'Time (UTC)'), atInput),
    h('button', { type: 'submit', class: 'btn primary' }, 'Show'),
    prevBtn, nextBtn, nowBtn,
    h('p', { id: 'at-help', class: 'muted small' }, 'Unix seconds or a UTC date and time. Click the plot, or focus it and use ← →.'));
  atBox.replaceChildren(h('h2', { id: 'at-h' }, 'Table as it was at ', atTitle), atForm, slider, atTable);

  let atSeq = 0;
  const loadAt = async () => {
    const seq = ++atSeq;
    const t = at ?? end;
    atTitle.textContent = at === null ? `${fmt.time(t)} (now)` : fmt.time(t, true);
    if (document.activeElement !== atInput) atInput.value = fmt.time(t, true).replace(' UTC', '');
    slider.value = String(Math.min(Math.max(t, model.start), model.end));
    svg?.placeCursor?.(t);
    atTable.setAttribute('aria-busy', 'true');
    try {
      // The event at exactly t is part of the table at t.
      const r = await ctx.get('/history', { prefix, at: fmt.apiTime(t + 1e-6) });
      if (seq !== atSeq) return;
      ctx.learn(r);
      const rs = Array.isArray(r?.routes) ? r.routes : [];
      replace(atTable,
        r?.truncated ? notice('warn', 'Some history before this time is gone: the table may be incomplete.') : null,
        rs.length ? routeTable(rs, { now: t, caption: `Paths for ${prefix} at ${fmt.time(t)}` })
          : empty(`No source had a route for ${prefix} at this time.`));
    } catch (e) {
      if (ctx.signal.aborted || seq !== atSeq) return;
      atTable.replaceChildren(errorPanel(e, { context: 'the table at that time' }));
    } finally {
      if (seq === atSeq) atTable.removeAttribute('aria-busy');
    }
  };
  const setAt = (t, { load = true } = {}) => {
    at = t;
    ctx.setQuery({ ...q, at: t === null ? '' : fmt.apiTime(t) });
    if (load) loadAt();
  };
  function pick(t) {
    setAt(t);
  }
  atForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const t = fmt.parseTime(atInput.value);
    if (t === null) {
      atTable.replaceChildren(errorPanel(new Error(`"${atInput.value}" is not a time: use unix seconds or YYYY-MM-DD HH:MM:SS (UTC).`)));
      return;
    }
    setAt(t);
  });
  let slideTimer = null;
  slider.addEventListener('input', () => {
    const t = Number(slider.value);
    svg?.placeCursor?.(t);
    atTitle.textContent = fmt.time(t, true);
    clearTimeout(slideTimer);
    slideTimer = setTimeout(() => setAt(t), 250);
  });
  const times = model.times;
  prevBtn.addEventListener('click', () => {
    const c = at ?? end;
    const t = [...times].reverse().find((x) => x < c - 1e-6);
    if (t !== undefined) setAt(t);
  });
  nextBtn.addEventListener('click', () => {
    const c = at ?? end;
    const t = times.find((x) => x > c + 1e-6);
    if (t !== undefined) setAt(t);
  });
  nowBtn.addEventListener('click', () => setAt(null));

  drawPlot();
  let ro = null;
  if (typeof ResizeObserver === 'function') {
    let lastW = svgHolder.clientWidth;
    let tm = null;
    ro = new ResizeObserver(() => {
      const w = svgHolder.clientWidth;
      if (Math.abs(w - lastW) < 8) return;
      lastW = w;
      clearTimeout(tm);
      tm = setTimeout(drawPlot, 120);
    });
    ro.observe(svgHolder);
  }
  loadAt();

  // ---- the events -----------------------------------------------------------
  const sorted = [...events].sort((a, b) => b.time - a.time);
  const evTable = (list) => h('div', { class: 'table-wrap' }, h('table', { class: 'events responsive' },
    h('caption', { class: 'sr-only' }, `Events of ${prefix}, newest first`),
    h('thead', null, h('tr', null, ['Time (UTC)', 'Event', more ? 'Prefix' : null, 'Source', 'AS path', 'Next hop', '']
      .filter((c) => c !== null).map((c) => h('th', { scope: 'col' }, c || h('span', { class: 'sr-only' }, 'Actions'))))),
    h('tbody', null, list.map((e) => {
      const attrs = e.after ?? e.before ?? {};
      return h('tr', { class: `ev ev-${e.type}` },
        h('td', { 'data-label': 'Time', class: 'mono nowrap' }, fmt.time(e.time, true).replace(' UTC', '')),
        h('td', { 'data-label': 'Event' }, h('span', { class: `badge ev-${e.type}` }, TYPE_LABEL[e.type] ?? e.type)),
        more ? h('td', { 'data-label': 'Prefix' }, h('a', { class: 'mono', href: `#/history/${e.prefix}` }, e.prefix)) : null,
        h('td', { 'data-label': 'Source' }, sourceCell(e.source)),
        h('td', { 'data-label': 'AS path' }, changeCell(e)),
        h('td', { 'data-label': 'Next hop', class: 'mono wrap' }, attrs.next_hop || '—'),
        h('td', { class: 'c-act' }, h('button', { type: 'button', class: 'btn small', onclick: () => { setAt(e.time); atBox.scrollIntoView({ block: 'start' }); } },
          'Table at this time')));
    }))));
  evBox.replaceChildren(h('h2', { id: 'ev-h' }, 'Events ', h('span', { class: 'count' }, fmt.int(events.length))));
  if (!sorted.length) {
    evBox.append(h('p', { class: 'muted' }, 'No change of this prefix is in the history window.'));
  } else {
    evBox.append(evTable(sorted.slice(0, EVENTS_SHOWN)));
    if (sorted.length > EVENTS_SHOWN) {
      const b = h('button', { type: 'button', class: 'btn more-btn' }, `Show all ${fmt.int(sorted.length)} events`);
      b.addEventListener('click', () => { evBox.querySelector('.table-wrap').replaceWith(evTable(sorted)); b.remove(); });
      evBox.append(b);
    }
  }
  return () => { ro?.disconnect(); clearTimeout(slideTimer); };
}
