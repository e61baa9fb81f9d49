// poller.js -- /api/v1/status and /api/v1/peers every few seconds while the
// page is visible, with update rates worked out from the counters.

import * as api from './api.js';
import { collectAsNames, asNames } from './bgp.js';

const INTERVAL_MS = 5000;
const KEEP = 60;   // rate samples kept for the sparkline (5 minutes)

function updatesIn(p) {
  const u = p?.messages?.update?.in;
  return typeof u === 'number' ? u : null;
}

function prefixChanges(p) {
  const c = p?.counters;
  if (!c) return null;
  const a = c.prefixes_announced, w = c.prefixes_withdrawn;
  return typeof a === 'number' && typeof w === 'number' ? a + w : null;
}

// Per-peer and total rates between two snapshots.  A counter that went
// down (the session restarted) counts from zero.
export function rates(prev, cur, dt) {
  const per = new Map();
  let total = 0, totalPfx = 0, any = false;
  if (!prev || !(dt > 0)) return { per, total: null, prefixes: null };
  const before = new Map(prev.map((p) => [p.address, p]));
  for (const p of cur) {
    const b = before.get(p.address);
    const u1 = updatesIn(p), u0 = updatesIn(b);
    const c1 = prefixChanges(p), c0 = prefixChanges(b);
    if (u1 === null) continue;
    const du = u0 === null || u1 < u0 ? u1 : u1 - u0;
    const dc = c1 === null ? 0 : c0 === null || c1 < c0 ? c1 : c1 - c0;
    per.set(p.address, { updates: du / dt, prefixes: dc / dt });
    total += du;
    totalPfx += dc;
    any = true;
  }
  return { per, total: any ? total / dt : null, prefixes: any ? totalPfx / dt : null };
}

class Poller {
  constructor(interval = INTERVAL_MS) {
    this.interval = interval;
    this.subs = new Set();
    this.state = null;       // { t, status, peers, error, rate, prefixRate, peerRates, history }
    this.timer = null;
    this.running = false;
    this.busy = false;
    this.ticks = 0;
    this.alerts = undefined;  // { open, pending } from /alerts/status; null when there is none
  }

  // Open alerts, every sixth poll, while the daemon has detection.
  async alertCounts() {
    if (this.alerts === null || this.ticks++ % 6 !== 0) return;
    try {
      const st = await api.get('/alerts/status', {}, { timeout: 8000, noRetry: true });
      this.alerts = { open: st?.open ?? 0, pending: st?.pending ?? 0 };
    } catch (e) {
      if (e instanceof api.ApiError && (e.status === 404 || e.status === 503)) this.alerts = null;
    }
  }

  subscribe(fn) {
    this.subs.add(fn);
    if (this.state) fn(this.state);
    return () => this.subs.delete(fn);
  }

  start() {
    if (this.running) return;
    this.running = true;
    document.addEventListener('visibilitychange', () => {
      if (document.hidden) this.pause();
      else if (this.running) this.tick();
    });
    this.tick();
  }

  pause() {
    clearTimeout(this.timer);
    this.timer = null;
  }

  // Poll now (and go on from here).
  refresh() {
    return this.tick();
  }

  async tick() {
    this.pause();
    if (this.busy) return;
    this.busy = true;
    const t = Date.now();
    const prev = this.state;
    let next;
    try {
      const [status, peersBody] = await Promise.all([
        api.get('/status', {}, { timeout: 8000 }),
        api.get('/peers', {}, { timeout: 8000 }),
        this.alertCounts(),
      ]);
      const peers = Array.isArray(peersBody?.peers) ? peersBody.peers : [];
      const bmpRouters = Array.isArray(peersBody?.bmp_routers) ? peersBody.bmp_routers : [];
      collectAsNames(peersBody, asNames);
      const dt = prev?.peers ? (t - prev.t) / 1000 : 0;
      const r = rates(prev?.peers ?? null, peers, dt);
      const history = [...(prev?.history ?? [])];
      if (r.total !== null) history.push({ t: t / 1000, v: r.total });
      while (history.length > KEEP) history.shift();
      next = {
        t, status, peers, bmpRouters, error: null,
        rate: r.total ?? prev?.rate ?? null,
        prefixRate: r.prefixes ?? prev?.prefixRate ?? null,
        peerRates: r.total !== null ? r.per : prev?.peerRates ?? new Map(),
        history,
        alerts: this.alerts ?? null,
      };
    } catch (e) {
      next = { ...(prev ?? { history: [], peerRates: new Map() }), error: e, errorAt: t };
    } finally {
      this.busy = false;
    }
    this.state = next;
    for (const fn of this.subs) {
      try { fn(next); } catch (e) { console.error(e); }
    }
    if (this.running && !document.hidden) {
      this.timer = setTimeout(() => this.tick(), next.error ? this.interval * 2 : this.interval);
    }
  }
}

export const poller = new Poller();

// The collector's clock, as far as the last status tells (whole seconds):
// ages and "now" follow it, not a browser clock that may be off.
let skew = 0;
poller.subscribe((s) => {
  const st = s.status;
  if (s.error || !st || typeof st.started !== 'number' || typeof st.uptime !== 'number') return;
  const d = st.started + st.uptime - s.t / 1000;
  skew = Math.abs(d) > 2 ? d : 0;
});
export function serverNow() {
  return Date.now() / 1000 + skew;
}
