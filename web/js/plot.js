// plot.js -- the visibility timeline of a prefix: which source had a route
// for it when, drawn as SVG from /api/v1/history events.
//
// computeLanes() is pure (node tests it); renderTimeline() builds the SVG.

const UP_TYPES = new Set(['announce', 'replace']);

function sourceKey(src) {
  if (!src || typeof src !== 'object') return 'unknown';
  return `${src.peer ?? src.id ?? '?'}|${src.table ?? ''}`;
}

function sourceLabel(src) {
  if (!src || typeof src !== 'object') return 'unknown source';
  const as = src.peer_as !== undefined ? ` AS${src.peer_as}` : '';
  return `${src.peer ?? `source ${src.id ?? '?'}`}${as}`;
}

// events: as /api/v1/history gives them (any order).
// opts: { start, end, current: [routes now], multiPrefix: bool }
// -> { start, end, lanes: [{ key, label, description, source, prefix,
//        segments: [{ from, to, asPath, pathIds }], marks: [{ t, type, ... }] }],
//      steps: [{ t, n }], times: [event times ascending] }
export function computeLanes(events, opts = {}) {
  const evs = (Array.isArray(events) ? events : [])
    .filter((e) => e && typeof e.time === 'number')
    .slice()
    .sort((a, b) => a.time - b.time);
  const times = evs.map((e) => e.time);
  let start = opts.start ?? (times.length ? times[0] : Date.now() / 1000 - 3600);
  let end = opts.end ?? Date.now() / 1000;
  if (times.length) {
    start = Math.min(start, times[0]);
    end = Math.max(end, times[times.length - 1]);
  }
  if (!(end > start)) { start -= 30; end += 30; }

  const lanes = new Map();
  const laneOf = (prefix, src) => {
    const k = (opts.multiPrefix ? `${prefix}|` : '') + sourceKey(src);
    if (!lanes.has(k)) {
      lanes.set(k, {
        key: k, prefix, source: src ?? null, label: sourceLabel(src),
        description: src?.description ?? '',
        segments: [], marks: [], _paths: null, _open: null,
      });
    }
    return lanes.get(k);
  };

  for (const e of evs) {
    const lane = laneOf(e.prefix, e.source);
    const pid = e.path_id ?? 0;
    if (lane._paths === null) {
      // The state before the first event we know of.
      lane._paths = new Map();
      if (e.type !== 'announce') {
        lane._paths.set(pid, e.before?.as_path ?? e.after?.as_path ?? '');
      }
      if (lane._paths.size) {
        lane._open = { from: start, asPath: [...lane._paths.values()][0], before: true };
      }
    }
    if (UP_TYPES.has(e.type)) lane._paths.set(pid, e.after?.as_path ?? '');
    else if (e.type === 'source-down') lane._paths.clear();
    else lane._paths.delete(pid);
    // Close the open segment at every change; open another while up.
    if (lane._open) {
      lane.segments.push({ from: lane._open.from, to: e.time, asPath: lane._open.asPath,
        pathIds: lane._open.pathIds ?? [pid], fromStart: !!lane._open.before });
      lane._open = null;
    }
    if (lane._paths.size) {
      lane._open = { from: e.time, asPath: [...lane._paths.values()].join(' | '),
        pathIds: [...lane._paths.keys()] };
    }
    lane.marks.push({
      t: e.time, type: e.type, pathId: pid,
      before: e.before?.as_path ?? null, after: e.after?.as_path ?? null,
    });
  }
  for (const lane of lanes.values()) {
    if (lane._open) {
      lane.segments.push({ from: lane._open.from, to: end, asPath: lane._open.asPath,
        pathIds: lane._open.pathIds ?? [], open: true, fromStart: !!lane._open.before });
    }
  }
  // Sources with a route now but no event kept: up the whole window.
  for (const r of Array.isArray(opts.current) ? opts.current : []) {
    const k = (opts.multiPrefix ? `${r.prefix}|` : '') + sourceKey(r.source);
    if (lanes.has(k)) continue;
    const lane = laneOf(r.prefix, r.source);
    lane.segments.push({ from: start, to: end, asPath: r.as_path ?? '', pathIds: [r.path_id ?? 0],
      open: true, fromStart: true });
  }

  const out = [...lanes.values()].map(({ _paths, _open, ...l }) => l);
  out.sort((a, b) => (a.prefix === b.prefix ? 0 : String(a.prefix) < String(b.prefix) ? -1 : 1) ||
    cmpAddr(a.source?.peer, b.source?.peer) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { start, end, lanes: out, steps: countSteps(out, start), times };
}

function cmpAddr(a, b) {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  const pa = String(a).split(/[.:]/).map((x) => parseInt(x || '0', 16));
  const pb = String(b).split(/[.:]/).map((x) => parseInt(x || '0', 16));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? -1) - (pb[i] ?? -1);
    if (d) return d;
  }
  return 0;
}

// How many lanes are up, as a step function: [{ t, n }] from start.
export function countSteps(lanes, start) {
  const deltas = [];
  for (const l of lanes) {
    for (const s of l.segments) {
      deltas.push([s.from, +1]);
      if (!s.open) deltas.push([s.to, -1]);
    }
  }
  deltas.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const steps = [{ t: start, n: 0 }];
  let n = 0;
  for (const [t, d] of deltas) {
    n += d;
    if (steps[steps.length - 1].t === t) steps[steps.length - 1].n = n;
    else steps.push({ t, n });
  }
  return steps;
}

// Tick positions for a time axis: round numbers of seconds, minutes, hours or days.
export function timeTicks(start, end, maxTicks) {
  const span = end - start;
  const steps = [0.001, 0.01, 0.1, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600,
    7200, 10800, 21600, 43200, 86400, 172800, 604800, 2592000, 31536000];
  const step = steps.find((s) => span / s <= Math.max(2, maxTicks)) ?? 31536000;
  const out = [];
  for (let t = Math.ceil(start / step) * step; t <= end + 1e-9 && out.length < 200; t += step) {
    out.push(Math.round(t * 1000) / 1000);
  }
  return { step, ticks: out };
}

// ---- SVG ------------------------------------------------------------------

const NS = 'http://www.w3.org/2000/svg';

function el(name, attrs = {}, text) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

function tickLabel(t, step) {
  const iso = new Date(t * 1000).toISOString();
  if (step >= 86400) return iso.slice(0, 10);
  if (step < 1) return iso.slice(17, 23);
  if (step < 60) return iso.slice(11, 19);
  return iso.slice(11, 16);
}

const MARK_LABEL = { announce: 'announce', withdraw: 'withdraw', replace: 'path change',
  'source-down': 'source down' };

// model: computeLanes() output.  opts: { width, at, onPick(t), fmtTime(t) }
export function renderTimeline(model, opts = {}) {
  const W = Math.max(280, Math.floor(opts.width ?? 800));
  const narrow = W < 560;
  const labelW = narrow ? 0 : Math.min(200, Math.floor(W * 0.26));
  const left = labelW + 8, right = W - 12;
  const aggH = 44, laneH = narrow ? 34 : 24, barH = narrow ? 12 : 14, top = 8;
  const aTop = top + (narrow ? 14 : 0);     // narrow: the label sits above the area
  const lanesTop = aTop + aggH + 14;
  const axisY = lanesTop + model.lanes.length * laneH + 6;
  const H = axisY + 26;
  const span = model.end - model.start;
  const pad = span * 0.01;
  const t0 = model.start - pad, t1 = model.end + pad;
  const x = (t) => left + ((t - t0) / (t1 - t0)) * (right - left);
  const tOf = (px) => t0 + ((px - left) / (right - left)) * (t1 - t0);
  const fmt = opts.fmtTime ?? ((t) => new Date(t * 1000).toISOString());

  const svg = el('svg', {
    class: 'timeline', viewBox: `0 0 ${W} ${H}`, width: W, height: H,
    role: 'img', tabindex: 0, 'data-lanes': model.lanes.length,
    'aria-label': `Visibility of the prefix from ${model.lanes.length} source(s) between ` +
      `${fmt(model.start)} and ${fmt(model.end)}; ${model.times.length} event(s). ` +
      'Left and right arrows move the time of the table to the previous or next event.',
  });

  // Grid and axis.
  const { step, ticks } = timeTicks(t0, t1, Math.floor((right - left) / (narrow ? 70 : 95)));
  const grid = el('g', { class: 'tl-grid' });
  for (const t of ticks) {
    grid.append(el('line', { x1: x(t), x2: x(t), y1: top, y2: axisY }));
    grid.append(el('text', { x: x(t), y: axisY + 16, 'text-anchor': 'middle', class: 'tl-tick' },
      tickLabel(t, step)));
  }
  grid.append(el('line', { x1: left, x2: right, y1: axisY, y2: axisY, class: 'tl-axis' }));
  svg.append(grid);

  // Aggregate: how many sources see the prefix.
  const maxN = Math.max(1, model.lanes.length);
  const ya = (n) => aTop + aggH - (n / maxN) * (aggH - 6);
  let d = '';
  const steps = model.steps.length ? model.steps : [{ t: model.start, n: 0 }];
  steps.forEach((s, i) => {
    const xs = x(Math.max(s.t, t0));
    d += i === 0 ? `M${xs},${ya(s.n)}` : `H${xs}V${ya(s.n)}`;
  });
  d += `H${x(model.end)}`;
  const area = `${d}V${ya(0)}H${x(Math.max(steps[0].t, t0))}Z`;
  const agg = el('g', { class: 'tl-agg' });
  agg.append(el('path', { d: area, class: 'tl-agg-area' }));
  agg.append(el('path', { d, class: 'tl-agg-line' }));
  agg.append(el('text', { x: narrow ? left : labelW, y: narrow ? top + 8 : top + 12, 'text-anchor': narrow ? 'start' : 'end',
    class: 'tl-label' }, narrow ? `sources seeing it (max ${maxN})` : 'sources seeing it'));
  if (!narrow) {
    agg.append(el('text', { x: labelW, y: top + 26, 'text-anchor': 'end', class: 'tl-sub' }, `0 – ${maxN}`));
  }
  svg.append(agg);

  // One lane per source.
  model.lanes.forEach((lane, i) => {
    const y = lanesTop + i * laneH;
    const by = narrow ? y + 16 : y + (laneH - barH) / 2;
    const g = el('g', { class: 'tl-lane', 'data-key': lane.key });
    g.append(el('rect', { x: left, y: by, width: right - left, height: barH, class: 'tl-track', rx: 2 }));
    const name = (lane.prefix && lane.key.startsWith(`${lane.prefix}|`) ? `${lane.prefix} ` : '') + lane.label;
    const lab = el('text', narrow ? { x: left, y: y + 11, class: 'tl-label' }
      : { x: labelW, y: by + barH - 3, 'text-anchor': 'end', class: 'tl-label' }, name);
    lab.append(el('title', {}, lane.description ? `${name} (${lane.description})` : name));
    g.append(lab);
    lane.segments.forEach((s, j) => {
      const x0 = x(Math.max(s.from, t0)), x1 = x(Math.min(s.to, t1));
      const r = el('rect', { x: x0, y: by, width: Math.max(1.5, x1 - x0), height: barH, rx: 2,
        class: `tl-bar${j % 2 ? ' alt' : ''}` });
      r.append(el('title', {}, `${name}: visible ${s.fromStart ? 'since before ' : 'from '}${fmt(s.from)}` +
        `${s.open ? '' : ` to ${fmt(s.to)}`}\nAS path: ${s.asPath || '(empty)'}`));
      g.append(r);
    });
    for (const m of lane.marks) {
      const mx = x(m.t), my = by + barH / 2;
      const s = 5;
      let shape;
      if (m.type === 'announce') shape = el('path', { d: `M${mx},${my - s}L${mx + s},${my + s}L${mx - s},${my + s}Z` });
      else if (m.type === 'withdraw') shape = el('path', { d: `M${mx - s},${my - s}L${mx + s},${my - s}L${mx},${my + s}Z` });
      else if (m.type === 'replace') shape = el('path', { d: `M${mx},${my - s}L${mx + s},${my}L${mx},${my + s}L${mx - s},${my}Z` });
      else shape = el('path', { d: `M${mx - s},${my - s}L${mx + s},${my + s}M${mx + s},${my - s}L${mx - s},${my + s}` });
      shape.setAttribute('class', `tl-mark ${m.type in MARK_LABEL ? m.type : 'other'}`);
      shape.append(el('title', {}, `${fmt(m.t)}: ${MARK_LABEL[m.type] ?? m.type}` +
        (m.pathId ? ` (path id ${m.pathId})` : '') +
        (m.before && m.type !== 'announce' ? `\nbefore: ${m.before}` : '') +
        (m.after ? `\nafter: ${m.after}` : '')));
      g.append(shape);
    }
    svg.append(g);
  });

  // The time of the table below, and a hover line.
  const cursor = el('g', { class: 'tl-cursor' });
  const cl = el('line', { y1: top, y2: axisY });
  const ct = el('text', { y: aTop + aggH + 11, class: 'tl-cursor-label' });
  cursor.append(cl, ct);
  const hover = el('line', { y1: top, y2: axisY, class: 'tl-hover', visibility: 'hidden' });
  svg.append(hover, cursor);
  const place = (t) => {
    if (t === null || t === undefined || !Number.isFinite(t)) {
      cursor.setAttribute('visibility', 'hidden');
      return;
    }
    const cx = x(Math.min(Math.max(t, t0), t1));
    cursor.setAttribute('visibility', 'visible');
    cl.setAttribute('x1', cx); cl.setAttribute('x2', cx);
    ct.setAttribute('x', cx > (left + right) / 2 ? cx - 4 : cx + 4);
    ct.setAttribute('text-anchor', cx > (left + right) / 2 ? 'end' : 'start');
    ct.textContent = fmt(t);
  };
  place(opts.at);

  const ptToT = (ev) => {
    const r = svg.getBoundingClientRect();
    const px = ((ev.clientX - r.left) / r.width) * W;
    if (px < left - 4 || px > right + 4) return null;
    return Math.min(Math.max(tOf(px), model.start), model.end);
  };
  svg.addEventListener('pointermove', (ev) => {
    const t = ptToT(ev);
    if (t === null) { hover.setAttribute('visibility', 'hidden'); return; }
    const hx = x(t);
    hover.setAttribute('x1', hx); hover.setAttribute('x2', hx);
    hover.setAttribute('visibility', 'visible');
  });
  svg.addEventListener('pointerleave', () => hover.setAttribute('visibility', 'hidden'));
  svg.addEventListener('click', (ev) => {
    const t = ptToT(ev);
    if (t !== null && opts.onPick) opts.onPick(t);
  });
  svg.addEventListener('keydown', (ev) => {
    if (!opts.onPick || !model.times.length) return;
    const cur = opts.at ?? model.end;
    let t = null;
    if (ev.key === 'ArrowLeft') t = [...model.times].reverse().find((x2) => x2 < cur - 1e-6) ?? model.times[0];
    else if (ev.key === 'ArrowRight') t = model.times.find((x2) => x2 > cur + 1e-6) ?? null;
    else if (ev.key === 'Home') t = model.times[0];
    else if (ev.key === 'End') t = model.end;
    if (t === null) return;
    ev.preventDefault();
    opts.onPick(t);
  });
  svg.placeCursor = place;
  return svg;
}
