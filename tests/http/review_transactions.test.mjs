// Review #12 — transactions do not nest. The head's diffusion page logged
// "cannot start a transaction within a transaction" on every load: its
// handler opened a read snapshot inside the page's own. The store now
// refuses any begin inside an open transaction, logs who asked and who
// opened it, and under --test-hooks (every test server) the request fails
// with 500: a nested begin anywhere cannot go unnoticed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client } from '../lib/carnet.mjs';

let srv, est;
const one = (q) => srv.sql(q);
const TX_ERROR = /level=error.*(transaction|snapshot)/i;
const txErrors = () => srv.stderr.split('\n').filter((l) => TX_ERROR.test(l));

before(async () => {
  srv = await startServer({ now: '2026-03-10T10:00' });
  const lucie = one("SELECT person_id FROM account WHERE login = 'eleve.demo'");
  est = one(
    `SELECT c.establishment_id FROM enrolment e JOIN class c ON c.id = e.class_id WHERE e.pupil_id = ${lucie}`,
  );
});
after(async () => {
  await srv?.stop();
});

test("Review #12: the head's diffusion page loads (200) without any transaction error, saved or not", async () => {
  const head = await srv.as('direction.demo');
  for (let i = 0; i < 3; i++) {
    const page = await head.get(`/etablissements/${est}/diffusion`);
    assert.equal(page.status, 200);
  }
  const page = await head.get(`/etablissements/${est}/diffusion`);
  const saved = await head.post(`/etablissements/${est}/diffusion`, {
    csrf: Client.csrfOf(page.text),
    soir: '20:00',
    matin: '07:00',
    delai_parents: '1',
  });
  assert.equal(saved.status, 303);
  assert.equal((await head.get(saved.location)).status, 200);
  assert.deepEqual(txErrors(), [], "no transaction error in the server's log");
});

test("Review #12: every page linked from each person's home loads without a nested transaction", async () => {
  for (const login of [
    'eleve.demo',
    'parent.demo',
    'prof.demo',
    'cpe.demo',
    'direction.demo',
    'admin.demo',
  ]) {
    const c = await srv.as(login);
    const home = await c.get('/');
    assert.equal(home.status, 200, login);
    const links = [
      ...new Set(
        [...home.text.matchAll(/href="(\/[^"#]*)"/g)].map((m) => m[1].replace(/&amp;/g, '&')),
      ),
    ].filter((h) => !h.startsWith('/static/') && !h.startsWith('/deconnexion'));
    for (const href of links.slice(0, 60)) {
      const res = await c.get(href);
      assert.notEqual(res.status, 500, `${login} ${href}: ${txErrors().join('\n')}`);
    }
  }
  assert.deepEqual(txErrors(), [], "no transaction error in the server's log");
});
