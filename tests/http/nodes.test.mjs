// Issue 6, several nodes: two `carnet serve` nodes on one PostgreSQL database
// behind HAProxy (Debian's, on loopback: round robin, health check on
// /healthz, a failed connection retried on the other node). A person signs in
// through one node and goes on through the other (sessions live in the
// database). Staff send a few hundred messages to parents through HAProxy —
// half at once, half scheduled for 10:15 — while both nodes' e-mail jobs run
// every second; node 2 is killed (SIGKILL) in the middle, then restarted.
// At 10:15 both nodes' jobs wake at the same instant on everything due then.
// Every message acknowledged (201) is in the database, and every e-mail
// reaches the SMTP server (Debian's python3-aiosmtpd) once: the jobs take
// work with row locks (FOR UPDATE SKIP LOCKED), never the same notification
// or e-mail. The one exception is the documented lease: an e-mail node 2 had
// sent but not yet marked sent when it was killed goes again, with the same
// Message-ID.
//
// PostgreSQL only: a SQLite file is one node's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BIN, Client, PG_URL, freshDb, dropDb, sqlOn } from '../lib/carnet.mjs';
import { startSmtp, freePort } from '../lib/smtp.mjs';

const NOW = '2026-03-10T10:00';         // a Tuesday morning: messages to families are delivered at once
const LATER = '2026-03-10T10:15';       // half the messages are scheduled for then (past the lease of e-mails claimed at 10:00)
// Four streams of messages by the demo's staff accounts (a teacher twice, in
// two sessions): 300 messages, under the staff's 200 an hour each, each to
// another parent.
const WRITERS = ['prof.demo', 'prof.demo', 'direction.demo', 'cpe.demo'];
const PER_WRITER = 75;
const KILL_AFTER = 150;                 // acknowledged messages before node 2 is killed

/** `carnet serve` on db (a node; on port, or a free one): its URL, its
 * stderr, stop() and kill(). */
async function startNode(db, dir, name, env, port = 0) {
  const portFile = join(dir, `${name}.port`);
  rmSync(portFile, { force: true });
  const child = spawn(BIN, ['serve', '--db', db, '--port', String(port), '--port-file', portFile, '--threads', '2', '--now', NOW,
    '--test-hooks'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  for (let i = 0; i < 1200 && !existsSync(portFile); i++) {
    if (child.exitCode !== null) throw new Error(`${name} exited: ${stderr}`);
    await sleep(50);
  }
  await sleep(20);
  port = existsSync(portFile) ? parseInt(readFileSync(portFile, 'utf8'), 10) : 0;
  if (!port) {
    child.kill('SIGKILL');
    throw new Error(`${name}: no port: ${stderr}`);
  }
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  return {
    name, port, child, url: `http://127.0.0.1:${port}`,
    get stderr() { return stderr; },
    kill() { child.kill('SIGKILL'); },
    async stop() {
      if (!gone()) {
        child.kill('SIGTERM');
        for (let i = 0; i < 100 && !gone(); i++) await sleep(50);
        if (!gone()) child.kill('SIGKILL');
      }
      if (/ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/.test(stderr)) throw new Error(`sanitizer report from ${name}:\n${stderr}`);
    },
  };
}

/** HAProxy in the foreground (-db) in front of nodes, as one would deploy it
 * (docs/postgresql.md): round robin; a connection refused is retried on the
 * other node (redispatch) — a request already sent is never sent again (POSTs
 * are not idempotent: only conn-failure is retried); a node whose connection
 * fails is marked down at once (observe layer4, on-error mark-down), without
 * waiting for its health checks; a busy node that answers /healthz slowly
 * stays up (timeout check 10s: a dead node refuses at once, a live one is
 * only slow). Each request opens its own connection to its node
 * (http-server-close), so that no request is sent on a kept connection of a
 * node that has just died. Each answer says which node made it
 * (X-Carnet-Node). Review #15: on a loaded machine the checks of the live node
 * timed out (inter 500ms was the whole check's timeout), HAProxy marked it
 * down too and answered 503. */
async function startHaproxy(dir, nodes) {
  if (spawnSync('haproxy', ['-v']).error) throw new Error('HAProxy is missing (Debian package haproxy): tools/install-deps.sh check');
  const port = await freePort();
  const cfg = join(dir, 'haproxy.cfg');
  writeFileSync(cfg, `global
  maxconn 512

defaults
  mode http
  timeout connect 5s
  timeout client 120s
  timeout server 120s
  timeout check 10s
  option http-server-close
  retries 3
  option redispatch 1
  retry-on conn-failure
  option forwardfor

frontend carnet
  bind 127.0.0.1:${port}
  default_backend nodes

backend nodes
  balance roundrobin
  option httpchk GET /healthz
  http-check expect status 200
  default-server inter 500ms fall 2 rise 2 observe layer4 error-limit 1 on-error mark-down
  http-response set-header X-Carnet-Node %s
${nodes.map((n) => `  server ${n.name} 127.0.0.1:${n.port} check`).join('\n')}
`);
  const child = spawn('haproxy', ['-db', '-f', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const url = `http://127.0.0.1:${port}`;
  // Ready when every node answers through it.
  const seen = new Set();
  for (let i = 0; i < 1200 && seen.size < nodes.length; i++) {
    if (child.exitCode !== null) throw new Error(`haproxy exited: ${stderr}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.status === 200) seen.add(r.headers.get('x-carnet-node'));
      await r.text();
    } catch { /* not listening yet */ }
    if (seen.size < nodes.length) await sleep(50);
  }
  if (seen.size < nodes.length) {
    child.kill('SIGKILL');
    throw new Error(`haproxy does not reach every node: ${[...seen]} ${stderr}`);
  }
  return {
    url,
    get stderr() { return stderr; },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      for (let i = 0; i < 100 && child.exitCode === null && child.signalCode === null; i++) await sleep(20);
    },
  };
}

/** A signed-in API caller on base: (method, path, json) → the answer. */
async function apiOn(base, c) {
  c.base = base;
  const me = await c.get('/api/v1/me');
  assert.equal(me.status, 200, `signed in on ${base}`);
  const token = me.json().csrf_token;
  return (method, path, json) => c.request(method, path, { json, headers: { 'X-CSRF-Token': token, Origin: base } });
}

test('issue 6, Review #15: two nodes behind HAProxy — a session goes on through the other node; a node killed during the load loses no acknowledged write; each e-mail is sent once', { skip: !PG_URL && 'PostgreSQL only' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'carnet-nodes-'));
  const db = freshDb(dir);
  const sql = (q) => sqlOn(db, q);
  const nodes = [];
  let smtp, proxy;
  try {
    smtp = await startSmtp();
    const env = { CARNET_SMTP_URL: smtp.url, CARNET_MAIL_FROM: 'Carnet <carnet@college.example.test>', CARNET_NOTIFY_INTERVAL: '1' };
    const n1 = await startNode(db, dir, 'n1', env);
    nodes.push(n1);
    let n2 = await startNode(db, dir, 'n2', env);
    nodes.push(n2);
    proxy = await startHaproxy(dir, [n1, n2]);

    // Signed in through node 1, on through node 2: the session is the database's.
    const parent = new Client(n1.url);
    assert.equal((await parent.login('parent.demo')).status, 303);
    const onN2 = await apiOn(n2.url, parent);
    const me = await onN2('GET', '/api/v1/me');
    assert.equal(me.json().person.login, 'parent.demo', 'node 2 knows who signed in on node 1');
    const read = await onN2('POST', '/api/v1/notifications/read-all');
    assert.equal(read.status, 200, `a write through node 2 with node 1's session and token: ${read.text}`);
    assert.equal(read.json().unread, 0);
    assert.equal(sql(`SELECT count(*) FROM session s JOIN account a ON a.id = s.account_id
      WHERE a.login = 'parent.demo' AND s.revoked_at IS NULL`), '1', 'one session, used by both nodes');

    // The streams, signed in through HAProxy, each with its own parents
    // (with an address): of the pupils a teacher teaches, of the
    // establishment for the head and the school-life officer.
    const pools = {};
    for (const login of new Set(WRITERS)) {
      pools[login] = sql(`SELECT DISTINCT g.parent_id FROM enrolment en JOIN class c ON c.id = en.class_id
        JOIN guardianship g ON g.pupil_id = en.pupil_id JOIN person p ON p.id = g.parent_id, account a
        WHERE a.login = '${login}' AND p.email IS NOT NULL
        AND (c.id IN (SELECT class_id FROM teaching WHERE teacher_id = a.person_id)
          OR c.establishment_id IN (SELECT establishment_id FROM role WHERE person_id = a.person_id AND profile IN ('head', 'staff')))
        ORDER BY 1`).split('\n').filter(Boolean);
    }
    const writers = [];
    for (const [k, login] of WRITERS.entries()) {
      const c = new Client(proxy.url);
      assert.equal((await c.login(login)).status, 303, `${login} signs in through HAProxy`);
      // Streams of one account share its parents; the last stream takes them from the end.
      const same = WRITERS.filter((w) => w === login).length, nth = WRITERS.slice(0, k).filter((w) => w === login).length;
      let parents = pools[login].filter((_, i) => i % same === nth);
      if (k === WRITERS.length - 1) parents = parents.reverse();
      assert.ok(parents.length >= 50, `${login} may write to parents with an address`);
      writers.push({ login, parents, call: await apiOn(proxy.url, c) });
    }

    // The load: the streams at once, each message after the other; node 2
    // is killed once KILL_AFTER are acknowledged.
    const acked = [], refused = [], byNode = { n1: 0, n2: 0 };
    let killedAt = 0, claimedByDead = null;
    await Promise.all(writers.map(async (w, wi) => {
      for (let i = 0; i < PER_WRITER; i++) {
        const subject = `Nœuds ${wi}-${i}`;
        const fields = { [`to_${w.parents[i % w.parents.length]}`]: true, subject, body: `Message ${i} de ${w.login}.` };
        if (i % 2) fields.envoyer_le = LATER;
        let r;
        try {
          r = await w.call('POST', '/api/v1/threads', fields);
        } catch (e) {
          refused.push({ subject, status: String(e.cause?.code || e) });
          continue;
        }
        if (r.status === 201) {
          acked.push({ subject, id: r.json().id, node: r.headers.get('x-carnet-node') });
          byNode[r.headers.get('x-carnet-node')]++;
        } else {
          refused.push({ subject, status: r.status, text: r.text.slice(0, 200) });
        }
        if (!killedAt && acked.length >= KILL_AFTER) {
          killedAt = acked.length;
          const dead = new Promise((resolve) => n2.child.once('exit', resolve));
          n2.kill();
          await dead;
          // What node 2 had claimed and not settled stays so: its lease runs.
          claimedByDead = new Set(sql("SELECT id FROM mail_outbox WHERE state = 'sending'").split('\n').filter(Boolean));
        }
      }
    }));
    t.diagnostic(`acknowledged ${acked.length} of ${WRITERS.length * PER_WRITER} (node 1 ${byNode.n1}, node 2 ${byNode.n2}); `
      + `not acknowledged ${refused.length}: ${JSON.stringify(refused)}`);
    assert.ok(killedAt, 'node 2 was killed during the load');
    assert.ok(byNode.n1 > 0 && byNode.n2 > 0, 'both nodes took writes');
    assert.ok(refused.length <= WRITERS.length, 'the load went on through node 1: only requests in flight on node 2 may fail');
    assert.ok(acked.slice(killedAt + WRITERS.length).every((a) => a.node === 'n1'), 'once node 2 is gone, node 1 answers alone');

    // No acknowledged write lost: each one's thread and message are there.
    const stored = new Map(sql(`SELECT t.id, t.subject FROM thread t JOIN message m ON m.thread_id = t.id
      WHERE t.subject LIKE 'Nœuds %' AND m.state = 'sent'`).split('\n').filter(Boolean).map((l) => l.split('|')));
    assert.deepEqual(acked.filter((a) => stored.get(String(a.id)) !== a.subject), [], 'every acknowledged message is in the database');

    // What is left to e-mail of the load's notifications (due before `until`, local time).
    const local = (at) => Date.parse(`${at}:00+01:00`) / 1000;
    const pending = (until) => Number(sql(`SELECT (SELECT count(*) FROM notification n JOIN message m ON n.item = 'message:' || m.id
      JOIN thread t ON t.id = m.thread_id WHERE t.subject LIKE 'Nœuds %' AND n.mail_done = 0 AND n.visible_at < ${local(until)})
      + (SELECT count(*) FROM mail_outbox WHERE state IN ('queued', 'sending'))`));
    const sending = () => sql("SELECT id FROM mail_outbox WHERE state = 'sending'").split('\n').filter(Boolean);
    // Waits for progress, bounded (generously: a loaded machine is slow), never for a time.
    const drained = async (until, done, seconds) => {
      for (let i = 0; i < seconds * 10 && !done(); i++) await sleep(100);
      return pending(until);
    };
    // Node 1's job goes on alone with the messages sent at once. What node
    // 2 had claimed when it was killed stays 'sending', its lease running.
    let left = await drained(LATER, () => pending(LATER) === sending().filter((id) => claimedByDead.has(id)).length, 300);
    const leased = sending();
    assert.deepEqual(leased.filter((id) => !claimedByDead.has(id)), [], "all that is 'sending' was node 2's when it died");
    assert.equal(left, leased.length, "all that is left is node 2's claim");
    assert.ok(leased.length <= 100, 'at most one batch (NOTIFY_SEND_BATCH)');

    // Node 2 comes back (on its address: HAProxy's health check takes it
    // back); at 10:15 both jobs wake at the same instant (the test moves both
    // clocks) on the scheduled messages, and node 2's lease is over.
    n2 = await startNode(db, dir, 'n2', env, n2.port);
    nodes.push(n2);
    const back = new Set();
    for (let i = 0; i < 1200 && !back.has('n2'); i++) {
      const r = await fetch(`${proxy.url}/healthz`);
      back.add(r.headers.get('x-carnet-node'));
      await r.text();
      if (!back.has('n2')) await sleep(100);
    }
    assert.ok(back.has('n2'), 'HAProxy sends requests to node 2 again');
    const due = Number(sql(`SELECT count(*) FROM notification WHERE mail_done = 0 AND visible_at <= ${local(LATER)}`));
    const moved = await Promise.all([n1, n2].map((n) => fetch(`${n.url}/__test/clock`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ now: LATER }) })));
    assert.deepEqual(moved.map((r) => r.status), [200, 200]);
    left = await drained('2026-03-10T23:59', () => pending('2026-03-10T23:59') === 0, 300);
    assert.equal(left, 0, 'every notification of the load decided and every e-mail sent');

    // Every notification of the load is in one e-mail …
    const notes = sql(`SELECT n.id, n.mail_id FROM notification n JOIN message m ON n.item = 'message:' || m.id
      JOIN thread t ON t.id = m.thread_id WHERE t.subject LIKE 'Nœuds %'`).split('\n').filter(Boolean).map((l) => l.split('|'));
    assert.equal(notes.length, stored.size, 'one notification per message (one recipient each)');
    assert.ok(notes.every(([, mail]) => mail), 'each notification is in an e-mail');
    const outbox = sql('SELECT id, state FROM mail_outbox ORDER BY id').split('\n').filter(Boolean).map((l) => l.split('|'));
    assert.deepEqual(outbox.filter(([, state]) => state !== 'sent'), [], 'every e-mail sent');
    // … and each e-mail reached the SMTP server once, known by its Message-ID.
    const mails = smtp.mails();
    const copies = new Map();
    for (const m of mails) {
      const id = /^<carnet\.mail\.(\d+)\./.exec(m.headers['message-id'])?.[1];
      copies.set(id, (copies.get(id) || 0) + 1);
    }
    assert.deepEqual([...copies.keys()].sort(), outbox.map(([id]) => id).sort(), 'the e-mails received are the outbox rows');
    const twice = [...copies].filter(([, k]) => k > 1).map(([id]) => id);
    assert.deepEqual(twice.filter((id) => !leased.includes(id)), [], 'no e-mail sent twice by two jobs');
    const inMails = new Map();
    for (const m of mails) {
      for (const [, n] of m.body.matchAll(/\/notifications\/(\d+)/g)) inMails.set(n, new Set([...(inMails.get(n) || []), m.headers['message-id']]));
    }
    assert.deepEqual(notes.filter(([n]) => inMails.get(n)?.size !== 1), [], 'each notification of the load is in exactly one e-mail received');
    const sent = (node) => [...node.stderr.matchAll(/ (\d+) sent,/g)].reduce((k, m) => k + Number(m[1]), 0);
    t.diagnostic(`${outbox.length} e-mails for ${notes.length} notifications, ${mails.length} received; ${due} notifications due at 10:15; `
      + `logged as sent by node 1: ${sent(n1)}, node 2 before it was killed: ${sent(nodes[1])}, after its restart: ${sent(n2)}; `
      + `left in node 2's lease when killed: ${leased.length} (received twice: ${twice.length})`);
  } finally {
    await proxy?.stop();
    for (const n of nodes) await n.stop();
    await smtp?.stop();
    rmSync(dir, { recursive: true, force: true });
    dropDb(db);
  }
});
