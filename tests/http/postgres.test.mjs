// PostgreSQL as an operator meets it (issue 6): wrong connection strings,
// a server that is down or drops its connections under load, migrations run
// twice or by two nodes at once, the two drivers' schemas, and backup and
// restore through pg_dump. Runs only when the suite runs on PostgreSQL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer, BIN, DEMO_DB, PG_URL, PG_TEMPLATE, sqlOn, pgDatabaseUrl } from '../lib/carnet.mjs';

const skip = !PG_URL && 'PostgreSQL only (CARNET_TEST_PG_URL)';

/** A new empty database on the test cluster: its URL, and how to drop it. */
function emptyDb() {
  const name = `e_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  sqlOn(PG_URL, `CREATE DATABASE ${name}`);
  return { url: pgDatabaseUrl(name), drop: () => sqlOn(PG_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

const run = (args) => spawnSync(BIN, args, { encoding: 'utf8', timeout: 60000 });
const exited = (child) => new Promise((resolve) => child.on('exit', (code) => resolve(code)));

test('PostgreSQL bad input: a wrong connection string, a database that does not exist, a server that is down — a clear error, exit 1, nothing created', { skip }, () => {
  const missing = pgDatabaseUrl('no_such_database');
  const m = run(['migrate', '--db', missing]);
  assert.equal(m.status, 1);
  assert.match(m.stderr, /cannot connect to PostgreSQL: .*database "no_such_database" does not exist/);
  assert.equal(sqlOn(PG_URL, "SELECT count(*) FROM pg_database WHERE datname = 'no_such_database'"), '0');
  const down = run(['serve', '--db', 'postgresql://carnet@127.0.0.1:1/carnet', '--port', '0']);
  assert.equal(down.status, 1, 'a node whose database is down at start does not pretend to serve');
  assert.match(down.stderr, /cannot connect to PostgreSQL: .*Connection refused/);
  const garbled = run(['migrate', '--db', 'postgresql://carnet@127.0.0.1:notaport/x']);
  assert.equal(garbled.status, 1);
  assert.match(garbled.stderr, /cannot connect to PostgreSQL: .*invalid/);
});

test('PostgreSQL: migrations apply once — run twice, the second applies none; two nodes migrating at once, one waits for the other', { skip }, async () => {
  const total = Number(sqlOn(pgDatabaseUrl(PG_TEMPLATE),
    'SELECT (SELECT count(*) FROM schema_migration) + (SELECT count(*) FROM schema_driver_migration)'));
  assert.ok(total >= 10);
  const once = emptyDb();
  try {
    const first = run(['migrate', '--db', once.url]);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, new RegExp(`^${total} migration\\(s\\) applied`));
    const again = run(['migrate', '--db', once.url]);
    assert.equal(again.status, 0);
    assert.match(again.stdout, /^0 migration\(s\) applied/);
  } finally {
    once.drop();
  }
  const both = emptyDb();
  try {
    const out = ['', ''];
    const nodes = [0, 1].map((i) => {
      const c = spawn(BIN, ['migrate', '--db', both.url], { stdio: ['ignore', 'pipe', 'pipe'] });
      c.stdout.on('data', (d) => { out[i] += d; });
      c.stderr.on('data', (d) => { out[i] += d; });
      return c;
    });
    assert.deepEqual(await Promise.all(nodes.map(exited)), [0, 0], out.join('\n'));
    const applied = out.map((o) => Number(o.match(/^(\d+) migration\(s\) applied/m)[1]));
    assert.equal(applied[0] + applied[1], total, 'each migration applied by one node only');
    assert.ok(applied.includes(0), 'the second node found nothing left to do');
    assert.equal(sqlOn(both.url, 'SELECT (SELECT count(*) FROM schema_migration) + (SELECT count(*) FROM schema_driver_migration)'), String(total));
  } finally {
    both.drop();
  }
});

test('PostgreSQL: the database drops every connection under load (a restart) — requests fail cleanly or succeed, the node stays up and serves again, acknowledged writes are kept', { skip }, async () => {
  const srv = await startServer({ now: '2026-03-10T10:00' });
  try {
    const name = new URL(srv.db).pathname.slice(1);
    const p = await srv.as('parent.demo');
    const me = (await p.get('/api/v1/me')).json();
    const prof = srv.sql("SELECT person_id FROM account WHERE login = 'prof.demo'");
    const send = (i) => p.request('POST', '/api/v1/threads', {
      json: { [`to_${prof}`]: true, subject: `Coupure ${i}`, body: 'Un message pendant la coupure.' },
      headers: { 'X-CSRF-Token': me.csrf_token, Origin: srv.url } });
    // A bounded load: pages and writes, with every connection cut in the middle.
    const answers = [];
    const one = (i) => (i % 10 === 0 ? send(i) : p.get(i % 2 ? '/' : '/api/v1/dashboard')).then((r) => { answers.push({ i, status: r.status }); });
    const worker = async (w) => { for (let i = w; i < 120; i += 4) await one(i); };
    const cut = (async () => {
      while (answers.length < 30) await sleep(5);
      sqlOn(PG_URL, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}' AND pid <> pg_backend_pid()`);
    })();
    await Promise.all([0, 1, 2, 3].map(worker).concat(cut));
    assert.equal(answers.length, 120);
    for (const a of answers) assert.ok([200, 201, 500, 503].includes(a.status), `request ${a.i}: ${a.status}`);
    if (process.env.CARNET_TEST_VERBOSE) console.log(answers.map((a) => a.status).join(' '));
    assert.equal(srv.child.exitCode, null, 'the node is still running');
    // Afterwards every thread's connection is opened again: pages and writes work.
    for (let i = 0; i < 6; i++) assert.equal((await p.get('/api/v1/dashboard')).status, 200);
    assert.equal((await send(99)).status, 201);
    assert.equal((await srv.client().get('/healthz')).status, 200);
    // Every message the server acknowledged is there, once.
    for (const a of answers.filter((x) => x.status === 201)) {
      assert.equal(srv.sql(`SELECT count(*) FROM thread WHERE subject = 'Coupure ${a.i}'`), '1', `acknowledged message ${a.i}`);
    }
    assert.equal(srv.sql("SELECT count(*) FROM thread WHERE subject = 'Coupure 99'"), '1');
  } finally {
    await srv.stop();
  }
});

test('PostgreSQL: both drivers build the same schema — every table and column of SQLite exists on PostgreSQL and no other', { skip }, () => {
  const pg = sqlOn(pgDatabaseUrl(PG_TEMPLATE), `SELECT table_name || '.' || column_name FROM information_schema.columns
    WHERE table_schema = 'public' ORDER BY 1`).split('\n');
  const lite = execFileSync('sqlite3', [DEMO_DB, `SELECT m.name || '.' || p.name FROM sqlite_schema m, pragma_table_info(m.name) p
    WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE 'message_fts%' ORDER BY 1`], { encoding: 'utf8' }).trim().split('\n');
  // Each driver's own full-text index: FTS5 tables on SQLite, a tsvector column on PostgreSQL.
  const pgShared = pg.filter((c) => c !== 'message.fts');
  assert.ok(lite.length > 300, `${lite.length} columns`);
  assert.deepEqual(pgShared.filter((c) => !lite.includes(c)), [], 'only on PostgreSQL');
  assert.deepEqual(lite.filter((c) => !pgShared.includes(c)), [], 'only on SQLite');
});

test('ops on PostgreSQL: carnet backup (pg_dump) then restore puts the data back; a missing, foreign or other application\'s archive is refused and the database is untouched', { skip }, async () => {
  const srv = await startServer({ now: '2026-03-10T10:00' });
  const dir = mkdtempSync(join(tmpdir(), 'carnet-pgdump-'));
  const other = emptyDb();
  try {
    const backup = join(dir, 'carnet.dump');
    // A password in the URL is handed to pg_dump apart (the cluster of the tests trusts anyone: it is accepted).
    const withPassword = srv.db.replace('postgresql://carnet@', 'postgresql://carnet:s3cret@');
    const b = run(['backup', '--db', withPassword, '--to', backup]);
    assert.equal(b.status, 0, b.stderr);
    const people = srv.sql('SELECT count(*) FROM person');
    const notices = srv.sql('SELECT count(*) FROM notification');
    assert.ok(Number(notices) > 0);
    srv.sql('DELETE FROM notification');
    // Refused: nothing changes.
    const foreign = join(dir, 'notes.txt');
    writeFileSync(foreign, 'Ceci n\'est pas une sauvegarde.\n'.repeat(200));
    sqlOn(other.url, 'CREATE TABLE t (x integer); INSERT INTO t VALUES (1)');
    const otherApp = join(dir, 'other.dump');
    execFileSync('pg_dump', ['--format=custom', `--file=${otherApp}`, `--dbname=${other.url}`]);
    for (const [from, why] of [[join(dir, 'absent.dump'), /cannot read/], [foreign, /not a PostgreSQL archive made by carnet backup/],
      [otherApp, /not a Carnet database/]]) {
      const r = run(['restore', '--db', srv.db, '--from', from]);
      assert.equal(r.status, 1, from);
      assert.match(r.stderr, why);
      assert.equal(srv.sql('SELECT count(*) FROM notification'), '0', 'untouched');
    }
    // Put back while the node runs; the node then serves the restored data.
    const ok = run(['restore', '--db', srv.db, '--from', backup]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /^Restored the PostgreSQL database from .* \(\d+ migrations, 0 applied now\)/);
    assert.equal(srv.sql('SELECT count(*) FROM person'), people);
    assert.equal(srv.sql('SELECT count(*) FROM notification'), notices, 'the data is back');
    const p = await srv.as('parent.demo');
    assert.equal((await p.get('/')).status, 200);
  } finally {
    other.drop();
    rmSync(dir, { recursive: true, force: true });
    await srv.stop();
  }
});
