// The binary as an operator meets it: commands, --now, graceful stop,
// test-http without a socket, migrations run twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, visibleText, BIN, DEMO_DB, freshDb, dropDb, sqlOn, SQLITE_ONLY } from '../lib/carnet.mjs';

/** A fresh copy of the demo database, and how to remove it. */
function tmpDb() {
  const dir = mkdtempSync(join(tmpdir(), 'carnet-cli-'));
  const db = freshDb(dir);
  return { dir, db, remove() { rmSync(dir, { recursive: true, force: true }); dropDb(db); } };
}

test('SIGTERM lets a request in flight finish, then the server exits 0', async () => {
  const srv = await startServer();
  const port = new URL(srv.url).port;
  const page = await srv.client().get('/connexion');
  const pre = page.headers.getSetCookie().find((h) => h.startsWith('carnet_pre=')).split(';')[0];
  const csrf = pre.split('=')[1];
  const body = `csrf=${csrf}&login=parent.demo&password=carnet-demo&suite=%2F`;
  // Send the headers and half the body, stop the server, then send the rest.
  const answer = new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () => {
      sock.write(`POST /connexion HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nCookie: ${pre}\r\n` +
        `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n` +
        body.slice(0, 10));
      setTimeout(() => {
        srv.child.kill('SIGTERM');
        setTimeout(() => sock.write(body.slice(10)), 200);
      }, 100);
    });
    let data = '';
    sock.on('data', (d) => { data += d; });
    sock.on('end', () => resolve(data));
    sock.on('error', reject);
  });
  const res = await answer;
  assert.match(res, /^HTTP\/1.1 303/);
  assert.match(res, /carnet_session=/);
  assert.equal(await srv.stop(), 0);
});

test('--now starts the clock at the given local time; a malformed --now is refused clearly', async () => {
  const srv = await startServer({ now: '2026-03-10T21:00' });
  const c = srv.client();
  await c.login('parent.demo');
  const page = await c.get('/compte');
  assert.match(visibleText(page.text), /10 mars 2026 à 21:0\d/);
  await srv.stop();
  const bad = spawnSync(BIN, ['serve', '--db', DEMO_DB, '--now', '10/03/2026'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--now wants a date and time like 2026-03-10T21:00/);
});

test('test-http answers one request read from standard input, without a socket', () => {
  const tmp = tmpDb(), { db } = tmp;
  const r = spawnSync(BIN, ['test-http', '--db', db], { input: 'GET /connexion HTTP/1.1\r\nHost: x\r\n\r\n', encoding: 'utf8' });
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^HTTP\/1.1 200 OK/);
  assert.match(r.stdout, /Content-Security-Policy: default-src 'none'/);
  assert.match(r.stdout, /<h1>Connexion<\/h1>/);
  const login = spawnSync(BIN, ['test-http', '--db', db], {
    input: 'POST /api/v1/session HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 44\r\n\r\n{"login":"parent.demo","password":"wrong!!"}', encoding: 'utf8' });
  assert.match(login.stdout, /^HTTP\/1.1 401/);
  tmp.remove();
});

test('migrations run twice apply nothing the second time; the demo refuses a database with data', () => {
  const tmp = tmpDb(), { db } = tmp;
  const m = spawnSync(BIN, ['migrate', '--db', db], { encoding: 'utf8' });
  assert.equal(m.status, 0);
  assert.match(m.stdout, /^0 migration\(s\) applied/);
  const d = spawnSync(BIN, ['demo', '--db', db], { encoding: 'utf8' });
  assert.equal(d.status, 1);
  assert.match(d.stderr, /already holds data/);
  const none = spawnSync(BIN, ['serve'], { encoding: 'utf8', env: { ...process.env, CARNET_DB: '' } });
  assert.notEqual(none.status, 0);
  assert.match(none.stderr, /no database/);
  const unknown = spawnSync(BIN, ['serve', '--db', db, '--bogus'], { encoding: 'utf8' });
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown option --bogus/);
  tmp.remove();
});

test('backup makes a usable copy of a live database', { skip: SQLITE_ONLY }, async () => {
  const srv = await startServer();
  const copy = join(srv.dir, 'backup.db');
  const r = spawnSync(BIN, ['backup', '--db', srv.db, '--to', copy], { encoding: 'utf8' });
  assert.equal(r.status, 0);
  const check = spawnSync('sqlite3', [copy, "SELECT count(*) FROM account WHERE login = 'parent.demo'"], { encoding: 'utf8' });
  assert.equal(check.stdout.trim(), '1');
  await srv.stop();
});

test('behind a TLS proxy (--trust-proxy), cookies are Secure and HSTS is sent; without it, neither', async () => {
  const srv = await startServer({ extra: ['--trust-proxy'] });
  const c = srv.client();
  const page = await c.get('/connexion', { headers: { 'X-Forwarded-Proto': 'https' } });
  assert.match(page.headers.get('strict-transport-security'), /max-age=/);
  const res = await c.post('/connexion', { csrf: c.constructor.csrfOf(page.text), login: 'parent.demo', password: 'carnet-demo' },
    { headers: { 'X-Forwarded-Proto': 'https', 'X-Forwarded-For': '203.0.113.7' } });
  assert.equal(res.status, 303);
  assert.match(res.headers.getSetCookie().find((h) => h.startsWith('__Host-carnet_session=')), /; Secure/);
  await srv.stop();
  const plain = await startServer();
  const p = await plain.client().get('/connexion', { headers: { 'X-Forwarded-Proto': 'https' } });
  assert.equal(p.headers.get('strict-transport-security'), null);
  await plain.stop();
});

test('import-calendar: the shipped calendar imports again without duplicates; a bad file is refused whole', () => {
  const tmp = tmpDb(), { dir, db } = tmp;
  const before = sqlOn(db, 'SELECT count(*) FROM school_calendar');
  const ok = spawnSync(BIN, ['import-calendar', '--db', db, 'data/calendrier-scolaire-2025-2026.csv'], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /28 calendar periods imported/);
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, 'description;zones;start;end;annee_scolaire\nVacances;Zone B;2026-10-17;2026-11-02;2026-2027\nX;Zone Q;2026-01-01;2026-01-02;2026-2027\n');
  const refused = spawnSync(BIN, ['import-calendar', '--db', db, bad], { encoding: 'utf8' });
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /line 3: unknown zone/);
  assert.equal(sqlOn(db, 'SELECT count(*) FROM school_calendar'), before);
  tmp.remove();
});
