// Operations (issue 6, part 4): /healthz for load balancers, /metrics in
// Prometheus' text format — requests by route and status, the latency
// histogram, the e-mail queues — readable from loopback or with the
// operator's token only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, SQLITE_ONLY } from '../lib/carnet.mjs';

let srv;
before(async () => { srv = await startServer({ now: '2026-03-10T10:00' }); });
after(async () => { await srv.stop(); });

test('ops: /healthz says ok when the database answers and is migrated, 503 when it is behind', async () => {
  const c = srv.client();
  const ok = await c.get('/healthz');
  assert.equal(ok.status, 200);
  const body = ok.json();
  assert.equal(body.status, 'ok');
  assert.equal(body.database, 'ok');
  assert.equal(body.migrations, body.expected);
  assert.match(ok.headers.get('cache-control'), /no-store/);
  const last = srv.sql('SELECT max(version) FROM schema_migration');
  const row = srv.sql(`SELECT version || '|' || name || '|' || applied_at FROM schema_migration WHERE version = ${last}`).split('|');
  srv.sql(`DELETE FROM schema_migration WHERE version = ${last}`);
  try {
    const behind = await c.get('/healthz');
    assert.equal(behind.status, 503);
    assert.equal(behind.json().database, 'not migrated');
  } finally {
    srv.sql(`INSERT INTO schema_migration (version, name, applied_at) VALUES (${row[0]}, '${row[1]}', ${row[2]})`);
  }
  assert.equal((await c.get('/healthz')).status, 200);
});

test('ops: /metrics counts requests by route pattern and status, with a latency histogram and the e-mail queues', async () => {
  const c = srv.client();
  await c.get('/connexion');
  await c.get('/connexion');
  await c.get('/nulle-part');
  const p = await srv.as('parent.demo');
  await p.get('/messagerie');
  const m = await c.get('/metrics');
  assert.equal(m.status, 200);
  assert.match(m.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  const text = m.text;
  const count = (re) => Number((text.match(re) || [])[1] || 0);
  assert.ok(count(/^carnet_http_requests_total\{route="\/connexion",status="200"\} (\d+)$/m) >= 2);
  assert.ok(count(/^carnet_http_requests_total\{route="\(none\)",status="404"\} (\d+)$/m) >= 1, 'unmatched paths in one series');
  assert.ok(count(/^carnet_http_requests_total\{route="\/messagerie",status="200"\} (\d+)$/m) >= 1);
  assert.doesNotMatch(text, /nulle-part/, 'no raw path as a label');
  const inf = count(/^carnet_http_request_duration_seconds_bucket\{le="\+Inf"\} (\d+)$/m);
  assert.ok(inf >= 4);
  assert.equal(count(/^carnet_http_request_duration_seconds_count (\d+)$/m), inf);
  const buckets = [...text.matchAll(/^carnet_http_request_duration_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm)].map((x) => Number(x[2]));
  assert.deepEqual(buckets, [...buckets].sort((a, b) => a - b), 'cumulative buckets');
  assert.match(text, /^carnet_mail_outbox\{state="queued"\} \d+$/m);
  assert.match(text, /^carnet_notifications_due \d+$/m);
});

test('ops: /metrics is not for the public — through a proxy 404; with a token set, only with that token', async () => {
  const c = srv.client();
  assert.equal((await c.get('/metrics', { headers: { 'X-Forwarded-For': '203.0.113.9' } })).status, 404);
  const guarded = await startServer({ now: '2026-03-10T10:00', env: { CARNET_METRICS_TOKEN: 's3cret-token-for-tests' } });
  try {
    const g = guarded.client();
    assert.equal((await g.get('/metrics')).status, 404, 'no token');
    assert.equal((await g.get('/metrics', { headers: { Authorization: 'Bearer wrong' } })).status, 404);
    const ok = await g.get('/metrics', { headers: { Authorization: 'Bearer s3cret-token-for-tests' } });
    assert.equal(ok.status, 200);
    assert.match(ok.text, /carnet_http_requests_total/);
  } finally {
    await guarded.stop();
  }
});

test('ops: carnet backup then restore puts the data back; a missing, foreign or damaged backup is refused and the database is untouched', { skip: SQLITE_ONLY }, async () => {
  const { execFileSync, spawnSync } = await import('node:child_process');
  const { writeFileSync, readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { BIN } = await import('../lib/carnet.mjs');
  const backup = join(srv.dir, 'backup.db'), db = join(srv.dir, 'other.db');
  execFileSync(BIN, ['backup', '--db', srv.db, '--to', backup]);
  execFileSync(BIN, ['backup', '--db', srv.db, '--to', db]);
  const q = (file, sql) => execFileSync('sqlite3', [file, sql], { encoding: 'utf8' }).trim();
  const before = q(db, 'SELECT count(*) FROM person');
  q(db, 'DELETE FROM notification; DELETE FROM audit');
  const run = (from) => spawnSync(BIN, ['restore', '--db', db, '--from', from], { encoding: 'utf8' });
  // Refused: nothing changes.
  const foreign = join(srv.dir, 'notes.txt');
  writeFileSync(foreign, 'Ceci n\'est pas une base de données.\n'.repeat(200));
  const other = join(srv.dir, 'other-app.db');
  q(other, 'CREATE TABLE t (x); INSERT INTO t VALUES (1)');
  const damaged = join(srv.dir, 'damaged.db');
  const bytes = readFileSync(backup);
  bytes.fill(0x41, 4096, 4096 * 40);
  writeFileSync(damaged, bytes);
  for (const [from, why] of [[join(srv.dir, 'absent.db'), /cannot read/], [foreign, /not an intact SQLite database/],
    [other, /not a Carnet database/], [damaged, /not an intact SQLite database/]]) {
    const r = run(from);
    assert.equal(r.status, 1, from);
    assert.match(r.stderr, why);
    assert.equal(q(db, 'SELECT count(*) FROM notification'), '0', 'untouched');
  }
  const ok = run(backup);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /^Restored /);
  assert.equal(q(db, 'SELECT count(*) FROM person'), before);
  assert.ok(Number(q(db, 'SELECT count(*) FROM notification')) > 0, 'the data is back');
});

test('ops: --access-log writes one structured line per request — method, route pattern, status, duration; never the path or who asked', async () => {
  const logged = await startServer({ now: '2026-03-10T10:00', extra: ['--access-log'] });
  let stderr;
  try {
    const p = await logged.as('parent.demo');
    assert.equal((await p.get('/messagerie/fils/123456')).status, 404);
    assert.equal((await p.get('/no/such/page')).status, 404);
    assert.equal((await p.get('/')).status, 200);
    stderr = logged.stderr;
  } finally {
    await logged.stop();
  }
  const lines = stderr.split('\n').filter((l) => l.includes('fn=access'));
  assert.ok(lines.length >= 4, stderr);
  for (const l of lines) assert.match(l, /^ts=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ level=info fn=access method=[A-Z]+ route="[^"]+" status=\d{3} ms=\d+\.\d{3}$/);
  assert.ok(lines.some((l) => /method=POST route="\/connexion" status=303/.test(l)), 'the sign-in');
  assert.ok(lines.some((l) => /method=GET route="\/messagerie\/fils\/\{id\}" status=404/.test(l)), 'a pattern, not the path');
  assert.ok(lines.some((l) => /method=GET route="\(none\)" status=404/.test(l)), 'an unknown path is not written');
  assert.doesNotMatch(stderr, /123456|no\/such|parent\.demo|carnet_session/);
  // Without the option, nothing per request.
  assert.doesNotMatch(srv.stderr, /fn=access/);
});
