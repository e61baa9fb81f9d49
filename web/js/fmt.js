// fmt.js -- numbers, sizes, durations and times as text.  Pure functions.

const nf = new Intl.NumberFormat('en-US');

export function int(n) {
  return typeof n === 'number' && Number.isFinite(n) ? nf.format(Math.round(n)) : '—';
}

// 1234567 -> "1.2 M"; small numbers as they are.
export function compact(n) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '—';
  const a = Math.abs(n);
  if (a < 10000) return int(n);
  if (a < 1e6) return `${(n / 1e3).toFixed(a < 1e5 ? 1 : 0)} k`;
  if (a < 1e9) return `${(n / 1e6).toFixed(a < 1e7 ? 2 : 1)} M`;
  return `${(n / 1e9).toFixed(2)} G`;
}

export function bytes(n) {
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) return '—';
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0, v = n;
  while (v >= 1024 && i < u.length - 1) { v /= 1024; i++; }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${u[i]}`;
}

// Seconds -> "3d 4h", "2h 5m", "4m 12s", "9s".
export function duration(s) {
  if (typeof s !== 'number' || !Number.isFinite(s)) return '—';
  s = Math.max(0, Math.floor(s));
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60), sec = s % 60;
  if (d > 0) return h ? `${d}d ${h}h` : `${d}d`;
  if (h > 0) return m ? `${h}h ${m}m` : `${h}h`;
  if (m > 0) return sec ? `${m}m ${sec}s` : `${m}m`;
  return `${sec}s`;
}

// Unix seconds -> "2024-05-23 06:00:00 UTC" (fractions with frac = true).
export function time(t, frac = false) {
  if (typeof t !== 'number' || !Number.isFinite(t) || t <= 0) return '—';
  const d = new Date(t * 1000);
  const iso = d.toISOString(); // 2024-05-23T06:00:00.123Z
  return `${iso.slice(0, 10)} ${iso.slice(11, frac ? 23 : 19)} UTC`;
}

// Unix seconds -> "06:00:00" (UTC), for axis labels.
export function clock(t, withSeconds = true) {
  const iso = new Date(t * 1000).toISOString();
  return iso.slice(11, withSeconds ? 19 : 16);
}

export function day(t) {
  return new Date(t * 1000).toISOString().slice(0, 10);
}

// How long ago: "5m 2s ago"; "in the future" for clocks that disagree.
export function ago(t, now = Date.now() / 1000) {
  if (typeof t !== 'number' || !Number.isFinite(t) || t <= 0) return '—';
  const d = now - t;
  if (d < -2) return 'in the future';
  return `${duration(Math.max(0, d))} ago`;
}

// What a person may type for a time, as unix seconds, or null:
// unix seconds ("1700000000", "1700000000.25"), "YYYY-MM-DD HH:MM[:SS[.fff]]"
// (UTC unless a zone is given), "YYYY-MM-DDTHH:MM:SSZ", "+01:00" offsets.
export function parseTime(input) {
  const s = String(input ?? '').trim();
  if (s === '') return null;
  if (/^\d{9,11}(\.\d+)?$/.test(s)) return Number(s);
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?$/i.exec(s);
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', sec = '0', fr = '', zone = 'Z'] = m;
  let ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +sec);
  if (Number.isNaN(ms)) return null;
  const check = new Date(ms);
  if (check.getUTCMonth() !== +mo - 1 || check.getUTCDate() !== +d) return null;
  const z = zone.toUpperCase();
  if (z !== 'Z' && z !== 'UTC' && z !== 'GMT') {
    const zm = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
    const off = (Number(zm[2]) * 60 + Number(zm[3])) * 60000;
    ms -= zm[1] === '+' ? off : -off;
  }
  return ms / 1000 + (fr ? Number(fr) : 0);
}

// A time for the API: unix seconds with at most microseconds.
export function apiTime(t) {
  const s = (Math.round(t * 1e6) / 1e6).toFixed(6);
  return s.replace(/\.?0+$/, '');
}

// Per second, from two samples of a counter; null when it cannot be told.
export function rate(prev, cur) {
  if (!prev || !cur) return null;
  const dt = cur.t - prev.t, dv = cur.v - prev.v;
  if (!(dt > 0) || dv < 0) return null;
  return dv / dt;
}

export function rateText(r) {
  if (r === null || r === undefined || !Number.isFinite(r)) return '—';
  if (r === 0) return '0';
  if (r < 10) return r.toFixed(1);
  return int(r);
}

export function plural(n, one, many = `${one}s`) {
  return `${int(n)} ${n === 1 ? one : many}`;
}
