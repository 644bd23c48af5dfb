// Attachments scanned by ClamAV when clamd runs (optional): a real clamd
// from Debian, started here on a private socket with a test signature, so
// that no virus database needs downloading. A file it flags is refused with
// a clear message and nothing is stored; without clamd, files still go.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer, Client, visibleText } from '../lib/carnet.mjs';

const SIGNATURE = 'CARNET-CLAMAV-TEST-SIGNATURE';
let srv, clamd, dir, sock;
const one = (q) => srv.sql(q);

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'carnet-clamd-'));
  sock = join(dir, 'clamd.sock');
  mkdirSync(join(dir, 'db'));
  writeFileSync(join(dir, 'db', 'carnet.ndb'), `Carnet.Test.Signature:0:*:${Buffer.from(SIGNATURE).toString('hex')}\n`);
  writeFileSync(join(dir, 'clamd.conf'), [`LocalSocket ${sock}`, `DatabaseDirectory ${join(dir, 'db')}`, 'Foreground yes',
    `PidFile ${join(dir, 'clamd.pid')}`, ''].join('\n'));
  clamd = spawn('/usr/sbin/clamd', ['-c', join(dir, 'clamd.conf')], { stdio: 'ignore' });
  for (let i = 0; i < 300 && !existsSync(sock); i++) await sleep(100);
  assert.ok(existsSync(sock), 'clamd started');
  srv = await startServer({ now: '2026-03-10T17:30', env: { CARNET_CLAMD: sock } });
});
after(async () => {
  await srv?.stop();
  clamd?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

async function send(c, to, name, data) {
  const page = await c.get('/messagerie/nouveau');
  const form = new FormData();
  form.set('csrf', Client.csrfOf(page.text));
  form.set(`to_${to}`, '1');
  form.set('subject', 'Pièce jointe');
  form.set('body', 'Voici le document.');
  form.append('piece', new Blob([data]), name);
  return c.request('POST', '/messagerie/nouveau', { body: form });
}

test('S-MESSAGES attachments: a file clamd flags is refused, nothing stored; clean files pass', async () => {
  const prof = one("SELECT person_id FROM account WHERE login = 'prof.demo'");
  const p = await srv.as('parent.demo');
  const before = one('SELECT count(*) FROM message') + '/' + one('SELECT count(*) FROM attachment');
  const bad = await send(p, prof, 'notes.txt', `Bonjour\n${SIGNATURE}\n`);
  assert.equal(bad.status, 400);
  assert.match(visibleText(bad.text), /L'antivirus a détecté un logiciel malveillant/);
  assert.equal(one('SELECT count(*) FROM message') + '/' + one('SELECT count(*) FROM attachment'), before, 'nothing stored');
  const good = await send(p, prof, 'notes.txt', 'Bonjour, voici mes notes.\n');
  assert.equal(good.status, 303, visibleText(good.text));
  clamd.kill('SIGTERM');
  for (let i = 0; i < 100 && existsSync(sock); i++) await sleep(50);
  const unscanned = await send(p, prof, 'notes2.txt', 'Sans antivirus.\n');
  assert.equal(unscanned.status, 303, 'without clamd the scan is skipped (logged), files still go');
  assert.match(srv.stderr, /clamd at .* unreachable/);
});

test('Review #5: the head\'s settings page says when clamd is not there, the log says it once', async () => {
  const lucie = one("SELECT person_id FROM account WHERE login = 'eleve.demo'");
  const est = one(`SELECT c.establishment_id FROM enrolment e JOIN class c ON c.id = e.class_id WHERE e.pupil_id = ${lucie}`);
  const notice = /L'antivirus \(clamd\) n'est pas joignable/;
  const head = await srv.as('direction.demo');
  // The first test stopped clamd, and an upload found it gone: said on the page.
  const page = await head.get(`/etablissements/${est}/diffusion`);
  assert.equal(page.status, 200);
  assert.match(visibleText(page.text), notice);
  // clamd back: the next upload is scanned, the notice goes.
  clamd = spawn('/usr/sbin/clamd', ['-c', join(dir, 'clamd.conf')], { stdio: 'ignore' });
  for (let i = 0; i < 300 && !existsSync(sock); i++) await sleep(100);
  const p = await srv.as('parent.demo');
  const prof = one("SELECT person_id FROM account WHERE login = 'prof.demo'");
  assert.equal((await send(p, prof, 'bad.txt', `${SIGNATURE}\n`)).status, 400, 'scanned again');
  assert.doesNotMatch(visibleText((await head.get(`/etablissements/${est}/diffusion`)).text), notice);
  assert.equal(srv.stderr.split('\n').filter((l) => /clamd at .* unreachable/.test(l)).length, 1, 'said once while it was away');
});
