// Defects of the outside review (issue 14) in operations: what a proxy in
// front of Carnet may reach, and what a shared cache may keep.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client } from '../lib/carnet.mjs';

let srv;
before(async () => {
  srv = await startServer({ now: '2026-03-10T10:00' });
});
after(async () => {
  await srv.stop();
});

test('Review #6: /metrics through a proxy that says so with any forwarding header is not answered', async () => {
  const c = srv.client();
  assert.equal((await c.get('/metrics')).status, 200, 'loopback without a proxy reads the metrics');
  const forwarded = [
    { Forwarded: 'for=203.0.113.9;proto=https' },
    { Forwarded: 'for="[2001:db8::1]"' },
    { 'X-Forwarded-For': '203.0.113.9' },
    { 'X-Forwarded-Host': 'ent.example.fr' },
    { 'X-Forwarded-Proto': 'https' },
    { 'X-Real-IP': '203.0.113.9' },
    { Via: '1.1 haproxy' },
  ];
  for (const headers of forwarded) {
    const res = await c.get('/metrics', { headers });
    assert.equal(res.status, 404, `through a proxy (${Object.keys(headers)[0]}): not found`);
    assert.doesNotMatch(res.text, /carnet_http_requests_total/);
  }
});

test("Review #7: a child's calendar feed is never kept by a shared cache; no dynamic page is", async () => {
  const e = srv.client();
  await e.login('eleve.demo');
  const page = await e.get('/emploi-du-temps/agenda');
  const created = await e.post('/emploi-du-temps/agenda', { csrf: Client.csrfOf(page.text) });
  assert.equal(created.status, 200);
  const url = new URL(created.text.match(/value="(http[^"]+\/ical\/[^"]+)"/)[1]);
  const feed = await fetch(srv.url + url.pathname);
  assert.equal(feed.status, 200);
  const cc = feed.headers.get('cache-control') || '';
  assert.match(cc, /\bprivate\b/, 'the feed is private');
  assert.match(cc, /\bno-store\b/, 'and not stored');
  // The sign-in page carries a token of its own: no shared cache keeps it either.
  const login = await fetch(srv.url + '/connexion');
  assert.match(login.headers.get('cache-control') || '', /no-store/);
  const missing = await fetch(srv.url + '/ical/not-a-real-token');
  assert.match(missing.headers.get('cache-control') || '', /no-store/);
  // Static files stay cacheable for a year.
  const css = await fetch(srv.url + '/static/carnet.css');
  assert.equal(css.status, 200);
  assert.match(css.headers.get('cache-control'), /immutable/);
});
