// Bad input gets a clear 4xx, nothing is written, the server stays up.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { startServer, Client, visibleText } from '../lib/carnet.mjs';

let srv, head, college;
const count = (table) => srv.sql(`SELECT count(*) FROM ${table}`);
const snapshot = () => ['service', 'session', 'account', 'person', 'throttle'].map(count).join(',');

before(async () => {
  srv = await startServer();
  head = srv.client();
  assert.equal((await head.login('direction.demo')).status, 303);
  college = srv.sql("SELECT r.establishment_id FROM role r JOIN account a ON a.person_id = r.person_id WHERE a.login = 'direction.demo'");
});
after(async () => {
  // Still alive after everything below.
  assert.equal((await fetch(srv.url + '/connexion')).status, 200);
  await srv.stop();
});

async function csrf() { return Client.csrfOf((await head.get('/')).text); }

test('an oversized body is refused with 413 before it is read, nothing stored', async () => {
  const before = snapshot();
  const big = 'x'.repeat(12 * 1024 * 1024);
  const res = await head.request('POST', `/etablissements/${college}/services`, {
    body: `csrf=${await csrf()}&title=${big}`, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  assert.equal(res.status, 413);
  assert.match(visibleText(res.text), /dépasse la taille autorisée/);
  const api = await head.request('POST', '/api/v1/session', { json: { login: 'x', password: big } });
  assert.equal(api.status, 413);
  assert.equal(api.json().error.code, 'payload_too_large');
  assert.equal(snapshot(), before);
});

test('an absurd announced length is answered 413 at once, without reading the body', async () => {
  const res = await new Promise((resolve, reject) => {
    const s = net.connect(new URL(srv.url).port, '127.0.0.1', () => {
      s.write('POST /connexion HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n' +
        'Content-Length: 104857600\r\n\r\nlogin=a');
    });
    let data = '';
    s.on('data', (d) => { data += d; if (data.includes('</html>')) { s.destroy(); resolve(data); } });
    s.on('end', () => resolve(data));
    s.on('error', reject);
  });
  assert.match(res, /^HTTP\/1.1 413/);
  assert.match(res, /dépasse la taille autorisée/);
});

test('a malformed form (bad percent escape) is a 400 that says so', async () => {
  const before = snapshot();
  const res = await head.request('POST', `/etablissements/${college}/services`, {
    body: `csrf=${await csrf()}&title=%zz&url=https%3A%2F%2Fx.org`, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  assert.equal(res.status, 400);
  assert.match(visibleText(res.text), /caractère encodé invalide/);
  assert.equal(snapshot(), before);
});

test('malformed multipart is a 400, nothing stored', async () => {
  const before = snapshot();
  const res = await head.request('POST', `/etablissements/${college}/services`, {
    body: '--XYZ\r\nContent-Disposition: form-data; name="title"\r\n\r\nno closing boundary',
    headers: { 'Content-Type': 'multipart/form-data; boundary=XYZ' } });
  assert.equal(res.status, 400);
  assert.match(visibleText(res.text), /envoi de fichier est mal formé/);
  const noBoundary = await head.request('POST', `/etablissements/${college}/services`, {
    body: 'anything', headers: { 'Content-Type': 'multipart/form-data' } });
  assert.equal(noBoundary.status, 400);
  assert.equal(snapshot(), before);
});

test('a well-formed multipart form works like an urlencoded one', async () => {
  const token = await csrf();
  const b = 'carnetBoundary42';
  const part = (n, v) => `--${b}\r\nContent-Disposition: form-data; name="${n}"\r\n\r\n${v}\r\n`;
  const body = part('csrf', token) + part('title', 'Bibliothèque (CDI)') + part('url', 'https://cdi.example.org/') +
    part('p_pupil', '1') + `--${b}--\r\n`;
  const res = await head.request('POST', `/etablissements/${college}/services`, {
    body, headers: { 'Content-Type': `multipart/form-data; boundary=${b}` } });
  assert.equal(res.status, 303);
  assert.match((await head.get(`/etablissements/${college}/services`)).text, /Bibliothèque \(CDI\)/);
});

test('invalid UTF-8 is a 400, in a form or in JSON', async () => {
  const before = snapshot();
  const res = await head.request('POST', `/etablissements/${college}/services`, {
    body: `csrf=${await csrf()}&title=%C3%28&url=https%3A%2F%2Fx.org&p_parent=1`, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  assert.equal(res.status, 400);
  assert.match(visibleText(res.text), /pas de l'UTF-8 valide/);
  const api = await srv.client().request('POST', '/api/v1/session', {
    body: Buffer.from([0x7b, 0x22, 0x6c, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]), headers: { 'Content-Type': 'application/json' } });
  assert.equal(api.status, 400);
  assert.equal(api.json().error.code, 'bad_request');
  assert.equal(snapshot(), before);
});

test('malformed JSON and a JSON array are 400 with a JSON error', async () => {
  const c = srv.client();
  const a = await c.request('POST', '/api/v1/session', { json: '{"login": "parent.demo", ' });
  assert.equal(a.status, 400);
  assert.match(a.json().error.message, /JSON envoyé est mal formé/);
  const b = await c.request('POST', '/api/v1/session', { json: '["parent.demo"]' });
  assert.equal(b.status, 400);
  assert.match(b.json().error.message, /objet JSON est attendu/);
  const missing = await c.request('POST', '/api/v1/session', { json: { login: 'parent.demo' } });
  assert.equal(missing.status, 400);
  assert.match(missing.json().error.message, /password/);
});

test('unknown parameters are dropped before the handler runs', async () => {
  const res = await head.get('/?admin=1&enfant_id=3&debug=true');
  assert.equal(res.status, 200);
  const p = await head.get('/?enfant=abc');
  assert.equal(p.status, 400);
  assert.match(visibleText(p.text), /Le champ « enfant » n'est pas valide/);
});

test('SQL injection attempts are plain data: refused by validation or stored literally', async () => {
  const before = snapshot();
  const c = srv.client();
  const login = await c.login("' OR '1'='1' --", 'x');
  assert.equal(login.status, 400);
  assert.match(visibleText(login.text), /Le champ « Identifiant » n'est pas valide/);
  const api = await c.request('POST', '/api/v1/session', { json: { login: 'parent.demo', password: "' OR 1=1 --" } });
  assert.equal(api.status, 401);
  assert.equal(snapshot().split(',').slice(0, 4).join(), before.split(',').slice(0, 4).join());
  const res = await head.submit(`/etablissements/${college}/services`, `/etablissements/${college}/services`, {
    title: "Robert'); DROP TABLE person;--", url: 'https://example.org/?q=1%27', p_parent: '1' });
  assert.equal(res.status, 303);
  assert.ok(parseInt(count('person'), 10) > 100);
  assert.match((await head.get(`/etablissements/${college}/services`)).text, /Robert&#39;\); DROP TABLE person;--/);
});

test('HTML injection is escaped on output, in pages and attributes', async () => {
  const res = await head.submit(`/etablissements/${college}/services`, `/etablissements/${college}/services`, {
    title: '<script>alert(1)</script>', url: 'https://example.org/"><img src=x onerror=alert(1)>',
    description: '<b>gras</b>', p_parent: '1' });
  // The URL carries a quote and angle brackets: refused.
  assert.equal(res.status, 400);
  const ok = await head.submit(`/etablissements/${college}/services`, `/etablissements/${college}/services`, {
    title: '<script>alert(1)</script>', url: 'https://example.org/x', description: '<b>gras</b>', p_parent: '1' });
  assert.equal(ok.status, 303);
  const page = (await head.get(`/etablissements/${college}/services`)).text;
  assert.doesNotMatch(page, /<script>alert/);
  assert.match(page, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.match(page, /&lt;b&gt;gras&lt;\/b&gt;/);
  // A login echoed back in the sign-in form stays inside its attribute.
  const c = srv.client();
  const echo = await c.get('/connexion?suite=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E');
  assert.doesNotMatch(echo.text, /<script>alert/);
});

test('path traversal in asset URLs is refused; unknown assets are 404', async () => {
  for (const p of ['/static/..%2f..%2fetc%2fpasswd', '/static/%2e%2e', '/static/../sql/0001_foundation.sql',
    '/static/carnet.css%00.png']) {
    const res = await rawGet(p);
    assert.ok(res.status === 400 || res.status === 404, `${p} → ${res.status}`);
    assert.doesNotMatch(res.body, /root:|CREATE TABLE/);
  }
  assert.equal((await rawGet('/static/..%2f..%2fetc%2fpasswd')).status, 400);
  assert.equal((await rawGet('/static/nope.css')).status, 404);
  const css = await fetch(srv.url + '/static/carnet.css');
  assert.equal(css.status, 200);
  assert.match(css.headers.get('content-type'), /text\/css/);
  assert.match(css.headers.get('cache-control'), /immutable/);
  const again = await fetch(srv.url + '/static/carnet.css', { headers: { 'If-None-Match': css.headers.get('etag') } });
  assert.equal(again.status, 304);
});

test('unknown pages are 404, wrong methods 405 with Allow, in HTML and in JSON', async () => {
  const c = srv.client();
  const nf = await c.get('/nulle-part');
  assert.equal(nf.status, 404);
  assert.match(visibleText(nf.text), /Page introuvable/);
  const api = await c.get('/api/v1/nothing');
  assert.equal(api.status, 404);
  assert.equal(api.json().error.code, 'not_found');
  const m = await c.request('PUT', '/connexion');
  assert.equal(m.status, 405);
  assert.equal(m.headers.get('allow'), 'GET, HEAD, POST');
  const unsupported = await head.request('POST', `/etablissements/${college}/services`, { body: 'x', headers: { 'Content-Type': 'text/plain' } });
  assert.equal(unsupported.status, 415);
});

test('every HTML page carries a CSP with a fresh nonce and the other security headers', async () => {
  const a = await head.get('/');
  const b = await head.get('/');
  const csp = a.headers.get('content-security-policy');
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.notEqual(csp, b.headers.get('content-security-policy'));
  assert.equal(a.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(a.headers.get('x-frame-options'), 'DENY');
  assert.equal(a.headers.get('referrer-policy'), 'same-origin');
  assert.equal(a.headers.get('cache-control'), 'no-store');
});

test('a client that sends garbage or disconnects mid-request does not take the server down', async () => {
  await new Promise((resolve) => {
    const s = net.connect(new URL(srv.url).port, '127.0.0.1', () => {
      s.write('GARBAGE \x00\x01\x02 HTTP/9.9\r\nHost: x\r\n\r\n');
      setTimeout(() => { s.destroy(); resolve(); }, 100);
    });
    s.on('error', resolve);
  });
  await new Promise((resolve) => {
    const s = net.connect(new URL(srv.url).port, '127.0.0.1', () => {
      s.write('POST /connexion HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nlogin=a');
      setTimeout(() => { s.destroy(); resolve(); }, 100);
    });
    s.on('error', resolve);
  });
  assert.equal((await fetch(srv.url + '/connexion')).status, 200);
});

/** GET without URL normalisation (fetch would resolve "..") */
function rawGet(path) {
  return new Promise((resolve, reject) => {
    const s = net.connect(new URL(srv.url).port, '127.0.0.1', () => {
      s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    });
    let data = '';
    s.on('data', (d) => { data += d; });
    s.on('end', () => resolve({ status: parseInt(data.split(' ')[1], 10), body: data }));
    s.on('error', reject);
  });
}
