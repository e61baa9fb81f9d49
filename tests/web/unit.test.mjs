// Unit tests of the web UI's pure modules (no browser): node --test unit.test.mjs
import test from 'node:test';
import assert from 'node:assert/strict';

import { classify, hashFor, parsePrefix, parseAsn, parseIPv6, formatIPv6 } from '../../web/js/query.js';
import { communityInfo, asPathTokens, extCommunityInfo, collectAsNames, pathAsns, groupByPrefix } from '../../web/js/bgp.js';
import * as fmt from '../../web/js/fmt.js';
import { computeLanes, timeTicks } from '../../web/js/plot.js';
import { rates } from '../../web/js/poller.js';
import { url, ApiError } from '../../web/js/api.js';

test('search: prefixes and addresses', () => {
  assert.deepEqual(classify('1.0.4.0/24'), { kind: 'prefix', value: '1.0.4.0/24', afi: 4, changed: false });
  assert.equal(classify(' 1.0.4.1 ').kind, 'address');
  assert.equal(classify('10/8').value, '10.0.0.0/8');
  assert.equal(classify('10.1.2.3/8').value, '10.0.0.0/8');
  assert.equal(classify('2001:DB8:0:0:1::/32').value, '2001:db8::/32');
  assert.equal(classify('2001:db8::1').kind, 'address');
  assert.equal(classify('1.2.3.256').kind, 'aspath');
  assert.equal(classify('1.2.3.4/33').kind, 'aspath');
});

test('search: ASNs, communities, regexes', () => {
  assert.deepEqual(classify('AS64600'), { kind: 'asn', value: 64600 });
  assert.deepEqual(classify('as 64600'), { kind: 'asn', value: 64600 });
  assert.deepEqual(classify('64600'), { kind: 'asn', value: 64600 });
  assert.deepEqual(classify('4294967295'), { kind: 'asn', value: 4294967295 });
  assert.equal(classify('4294967296').kind, 'aspath');
  assert.equal(parseAsn('AS1.10'), 65546);
  assert.deepEqual(classify('65535:666'), { kind: 'community', value: '65535:666' });
  assert.deepEqual(classify('64600:1:2'), { kind: 'large-community', value: '64600:1:2' });
  assert.deepEqual(classify('^64600 3356$'), { kind: 'aspath', value: '^64600 3356$' });
  assert.equal(classify('^64600 ').value, '^64600 ', 'a trailing space in a regex is kept');
  assert.deepEqual(classify('('), { kind: 'aspath', value: '(' });
  assert.deepEqual(classify('   '), { kind: 'empty' });
});

test('search: hash routes', () => {
  assert.equal(hashFor(classify('1.0.4.0/24')), '#/prefix/1.0.4.0/24');
  assert.equal(hashFor(classify('AS64600')), '#/asn/64600');
  assert.equal(hashFor(classify('_64600_')), '#/routes?aspath=_64600_');
  assert.equal(hashFor(classify('^1 2+$')), '#/routes?aspath=%5E1%202%2B%24');
  assert.equal(hashFor(classify('65535:0')), '#/routes?community=65535%3A0');
});

test('IPv6 text', () => {
  assert.deepEqual(parseIPv6('::'), [0, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(parseIPv6('::ffff:1.2.3.4'), [0, 0, 0, 0, 0, 0xffff, 0x102, 0x304]);
  assert.equal(parseIPv6('1::2::3'), null);
  assert.equal(parseIPv6('12345::'), null);
  assert.equal(formatIPv6([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]), '2001:db8::1:0:0:1');
  assert.equal(formatIPv6([0x2001, 0xdb8, 0, 1, 0, 0, 0, 1]), '2001:db8:0:1::1');
  assert.equal(formatIPv6([1, 0, 2, 0, 3, 0, 4, 0]), '1:0:2:0:3:0:4:0');
  assert.equal(parsePrefix('2001:db8:ffff::/33').text, '2001:db8:8000::/33');
});

test('well-known communities', () => {
  assert.equal(communityInfo('65535:65281').name, 'NO_EXPORT');
  assert.equal(communityInfo('65535:65282').name, 'NO_ADVERTISE');
  assert.equal(communityInfo('65535:65283').name, 'NO_EXPORT_SUBCONFED');
  assert.equal(communityInfo('65535:666').name, 'BLACKHOLE');
  assert.equal(communityInfo('65535:0').name, 'GRACEFUL_SHUTDOWN');
  assert.equal(communityInfo('64600:1').name, null);
  assert.equal(extCommunityInfo('0002fc580000000a').label, 'rt 64600:10');
  assert.equal(extCommunityInfo('01030a0000010064').label, 'soo 10.0.0.1:100');
});

test('AS paths: prepending folded, sets kept', () => {
  const t = asPathTokens('64600 64600 64600 3356 {1,2} 2');
  assert.deepEqual(t.filter((x) => x.t === 'asn').map((x) => [x.asn, x.count]),
    [[64600, 3], [3356, 1], [1, 1], [2, 1], [2, 1]]);
  assert.deepEqual(t.filter((x) => x.t === 'sym').map((x) => x.text), ['{', ',', '}']);
  assert.deepEqual(pathAsns({ as_path: '1 2 3' }), [1, 2, 3]);
  assert.deepEqual(pathAsns({ as_path_list: [{ asn: 5, name: 'x' }, 6] }), [5, 6]);
});

test('AS names in any shape the API may give', () => {
  const m = collectAsNames({
    routes: [{ as_path_list: [{ asn: 1, name: 'One' }], as_names: { 2: 'Two' }, origin_as: 3, origin_as_name: 'Three' }],
  });
  assert.equal(m.get(1), 'One');
  assert.equal(m.get(2), 'Two');
  assert.equal(m.get(3), 'Three');
  assert.equal(collectAsNames({ asn: 7, name: 'Seven' }).get(7), 'Seven');
  assert.equal(collectAsNames({ routes: [{ origin_as: 3 }] }).size, 0);
});

test('routes grouped by prefix, best first', () => {
  const g = groupByPrefix([{ prefix: 'a', best: false, source: { peer: '1' } }, { prefix: 'b' },
    { prefix: 'a', best: true, source: { peer: '2' } }]);
  assert.deepEqual(g.map((x) => x.prefix), ['a', 'b']);
  assert.equal(g[0].routes[0].best, true);
});

test('formatting', () => {
  assert.equal(fmt.int(1234567), '1,234,567');
  assert.equal(fmt.bytes(1536), '1.50 KiB');
  assert.equal(fmt.duration(93784), '1d 2h');
  assert.equal(fmt.duration(65), '1m 5s');
  assert.equal(fmt.time(1400824800), '2014-05-23 06:00:00 UTC');
  assert.equal(fmt.parseTime('2014-05-23 06:00:00'), 1400824800);
  assert.equal(fmt.parseTime('2014-05-23T08:00:00+02:00'), 1400824800);
  assert.equal(fmt.parseTime('1400824800.5'), 1400824800.5);
  assert.equal(fmt.parseTime('2014-02-30 00:00'), null);
  assert.equal(fmt.parseTime('yesterday'), null);
  assert.equal(fmt.apiTime(1400824800.1234567), '1400824800.123457');
  assert.equal(fmt.apiTime(1400824800), '1400824800');
});

const src = (peer, as) => ({ id: 0, peer, peer_as: as, table: 'peer' });

test('timeline: visibility per source from events', () => {
  const events = [
    { time: 100, type: 'announce', prefix: 'p', source: src('a', 1), path_id: 0, before: null, after: { as_path: '1 9' } },
    { time: 200, type: 'withdraw', prefix: 'p', source: src('b', 2), path_id: 0, before: { as_path: '2 9' }, after: null },
    { time: 300, type: 'replace', prefix: 'p', source: src('a', 1), path_id: 0, before: { as_path: '1 9' }, after: { as_path: '1 8 9' } },
    { time: 400, type: 'source-down', prefix: 'p', source: src('a', 1), path_id: 0, before: { as_path: '1 8 9' }, after: null },
  ];
  const m = computeLanes(events.slice().reverse(), { end: 500 });
  assert.equal(m.start, 100);
  assert.equal(m.end, 500);
  const a = m.lanes.find((l) => l.source.peer === 'a');
  const b = m.lanes.find((l) => l.source.peer === 'b');
  assert.deepEqual(a.segments.map((s) => [s.from, s.to, s.asPath]), [[100, 300, '1 9'], [300, 400, '1 8 9']]);
  assert.deepEqual(b.segments.map((s) => [s.from, s.to]), [[100, 200]], 'withdrawn first: it was up before');
  assert.deepEqual(a.marks.map((x) => x.type), ['announce', 'replace', 'source-down']);
  assert.deepEqual(m.steps.map((s) => [s.t, s.n]), [[100, 2], [200, 1], [300, 1], [400, 0]]);
  assert.deepEqual(m.times, [100, 200, 300, 400]);
});

test('timeline: a route now without events is up all along', () => {
  const m = computeLanes([], { start: 10, end: 20, current: [{ prefix: 'p', source: src('c', 3), as_path: '3' }] });
  assert.equal(m.lanes.length, 1);
  assert.deepEqual(m.lanes[0].segments.map((s) => [s.from, s.to]), [[10, 20]]);
  const t = timeTicks(0, 3600, 6);
  assert.equal(t.step, 600);
  assert.equal(t.ticks.length, 7);
});

test('update rates from two peer snapshots; a restarted session counts from zero', () => {
  const p = (address, upd, ann, wd) => ({ address, messages: { update: { in: upd } },
    counters: { prefixes_announced: ann, prefixes_withdrawn: wd } });
  const r = rates([p('a', 100, 10, 0), p('b', 50, 5, 5)], [p('a', 150, 30, 0), p('b', 10, 1, 0)], 5);
  assert.equal(r.per.get('a').updates, 10);
  assert.equal(r.per.get('b').updates, 2);
  assert.equal(r.total, 12);
  assert.equal(r.prefixes, (20 + 1) / 5);
  assert.equal(rates(null, [p('a', 1, 1, 1)], 5).total, null);
});

test('API URLs and errors', () => {
  assert.equal(url('/routes', { prefix: '1.0.0.0/8', aspath: '^1 2+', limit: 10, cursor: undefined }),
    'api/v1/routes?prefix=1.0.0.0%2F8&aspath=%5E1%202%2B&limit=10');
  const e = new ApiError('no such endpoint', { status: 404, body: { error: 'no such endpoint' } });
  assert.equal(e.missingEndpoint, true);
  assert.equal(new ApiError('unknown AS', { status: 404, body: { error: 'unknown AS' } }).missingEndpoint, false);
});
