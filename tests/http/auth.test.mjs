// Identity and sessions: one login per person (R-ID-1), throttling (R-SEC),
// sign-out, expiry, "sign out everywhere", activation by one-time code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, Client, visibleText, BIN, PASSWORD } from '../lib/carnet.mjs';

let srv;
before(async () => { srv = await startServer({ now: '2026-03-10T10:00' }); });
after(async () => { await srv.stop(); });

function sql(query) {
  return srv.sql(query);
}

test('R-ID-1: a parent signs in once and sees each child, one at the école and one at the collège', async () => {
  const c = srv.client();
  const res = await c.login('parent.demo');
  assert.equal(res.status, 303);
  assert.equal(res.location, '/');
  const cookie = res.headers.getSetCookie().find((h) => h.startsWith('carnet_session='));
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Lax/);
  const home = await c.get('/');
  assert.equal(home.status, 200);
  const text = visibleText(home.text);
  assert.match(text, /Lucie Moreau/);
  assert.match(text, /Hugo Moreau/);
  assert.match(text, /École .*Collège|Collège .*École/);
  assert.match(text, /4e B/);
  assert.match(text, /CE2/);
});

test('R-ID-1: the same person has one account whatever their roles', () => {
  const dup = sql('SELECT count(*) FROM (SELECT person_id FROM account GROUP BY person_id HAVING count(*) > 1) d');
  assert.equal(dup, '0');
});

test('a wrong password says so, sets no session and keeps what was typed', async () => {
  const c = srv.client();
  const res = await c.login('parent.demo', 'not-the-password');
  assert.equal(res.status, 401);
  assert.match(visibleText(res.text), /Identifiant ou mot de passe incorrect/);
  assert.match(res.text, /value="parent.demo"/);
  assert.equal(c.cookies.has('carnet_session'), false);
  const home = await c.get('/');
  assert.equal(home.status, 303);
  assert.equal(home.location, '/connexion?suite=%2F');
});

test('R-SEC: five failures lock the login for 15 minutes with a clear message, then it works again', async () => {
  const c = srv.client();
  for (let i = 0; i < 5; i++) assert.equal((await c.login('cpe.demo', 'wrong-password-' + i)).status, 401);
  const locked = await c.login('cpe.demo', PASSWORD);
  assert.equal(locked.status, 429);
  assert.match(visibleText(locked.text), /Trop de tentatives de connexion.*réessayez dans 15 minute/);
  assert.ok(parseInt(locked.headers.get('retry-after'), 10) > 800);
  // Another account from the same address is not locked by these five.
  assert.equal((await srv.client().login('prof.demo')).status, 303);
  await srv.setClock('2026-03-10T10:20');
  assert.equal((await c.login('cpe.demo')).status, 303);
  await srv.setClock('2026-03-10T10:00');
});

test('R-SEC: the API answers 429 with a JSON error when the login is locked', async () => {
  const c = srv.client();
  for (let i = 0; i < 5; i++) {
    const r = await c.request('POST', '/api/v1/session', { json: { login: 'direction.demo', password: 'nope-' + i } });
    assert.equal(r.status, 401);
    assert.equal(r.json().error.code, 'unauthenticated');
  }
  const r = await c.request('POST', '/api/v1/session', { json: { login: 'direction.demo', password: PASSWORD } });
  assert.equal(r.status, 429);
  assert.match(r.json().error.message, /réessayez/);
  await srv.setClock('2026-03-10T10:30');
  const ok = await c.request('POST', '/api/v1/session', { json: { login: 'direction.demo', password: PASSWORD } });
  assert.equal(ok.status, 200);
  await srv.setClock('2026-03-10T10:00');
});

test('signing out ends the session on the server, not only in the browser', async () => {
  const c = srv.client();
  await c.login('eleve.demo');
  const stolen = c.cookies.get('carnet_session');
  const home = await c.get('/');
  const out = await c.post('/deconnexion', { csrf: Client.csrfOf(home.text) });
  assert.equal(out.status, 303);
  assert.equal(out.location, '/connexion?sortie=1');
  assert.match(visibleText((await c.get('/connexion?sortie=1')).text), /Vous êtes déconnecté/);
  const replay = new Client(srv.url);
  replay.cookies.set('carnet_session', stolen);
  assert.equal((await replay.get('/')).status, 303);
});

test('an idle session expires after 2 hours and the sign-in page says why', async () => {
  const c = srv.client();
  await c.login('prof.demo');
  assert.equal((await c.get('/')).status, 200);
  await srv.setClock('2026-03-10T12:05');
  const res = await c.get('/');
  assert.equal(res.status, 303);
  const page = await c.get(res.location);
  assert.match(visibleText(page.text), /Votre session a expiré/);
  await srv.setClock('2026-03-10T10:00');
});

test('a session in use still ends after 12 hours', async () => {
  const c = srv.client();
  await c.login('admin.demo');
  for (let h = 11; h <= 21; h++) {
    await srv.setClock(`2026-03-10T${String(h).padStart(2, '0')}:30`);
    assert.equal((await c.get('/')).status, 200, `still signed in at ${h}:30`);
  }
  await srv.setClock('2026-03-10T22:05');
  assert.equal((await c.get('/')).status, 303);
  await srv.setClock('2026-03-10T10:00');
});

test('my account lists my devices; "sign out everywhere" ends them all', async () => {
  const phone = srv.client(), laptop = srv.client();
  await phone.login('parent.demo');
  await laptop.login('parent.demo');
  const page = await laptop.get('/compte');
  assert.equal(page.status, 200);
  const text = visibleText(page.text);
  assert.match(text, /Appareils connectés/);
  assert.match(text, /cet appareil/);
  // End the phone's session from the laptop.
  const ids = [...page.text.matchAll(/action="\/compte\/sessions\/(\d+)\/fin"/g)].map((m) => m[1]);
  assert.ok(ids.length >= 1);
  const all = await laptop.submit('/compte', '/compte/sessions/fin', {});
  assert.equal(all.status, 303);
  assert.equal((await phone.get('/')).status, 303);
  assert.equal((await laptop.get('/')).status, 303);
});

test('ending one other device leaves this one signed in', async () => {
  const phone = srv.client(), laptop = srv.client();
  await phone.login('cpe.demo');
  await laptop.login('cpe.demo');
  const page = await laptop.get('/compte');
  const id = page.text.match(/action="\/compte\/sessions\/(\d+)\/fin"/)[1];
  const res = await laptop.post(`/compte/sessions/${id}/fin`, { csrf: Client.csrfOf(page.text) });
  assert.equal(res.status, 303);
  assert.equal((await laptop.get('/')).status, 200);
  // Someone else's session cannot be ended: 404, nothing changes.
  const other = await srv.client();
  await other.login('prof.demo');
  const op = await other.get('/compte');
  const laptopId = sql("SELECT max(s.id) FROM session s JOIN account a ON a.id = s.account_id WHERE a.login = 'cpe.demo' AND s.revoked_at IS NULL");
  const r = await other.post(`/compte/sessions/${laptopId}/fin`, { csrf: Client.csrfOf(op.text) });
  assert.equal(r.status, 404);
  assert.equal((await laptop.get('/')).status, 200);
});

test('activation by one-time code: wrong code, weak password, then a password a parent can choose', async () => {
  const login = sql("SELECT a.login FROM account a JOIN role r ON r.person_id = a.person_id WHERE a.state = 'pending' AND r.profile = 'parent' ORDER BY a.id LIMIT 1");
  const code = execFileSync(BIN, ['activation-code', '--db', srv.db, '--login', login], { encoding: 'utf8' }).trim().split(' ')[1];
  assert.match(code, /^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
  const c = srv.client();
  // Not yet active: sign-in answers as for any wrong login (it must not tell
  // a pending login from an unknown one), and points everyone to activation.
  const early = await c.login(login, 'whatever-it-is-1');
  assert.equal(early.status, 401);
  assert.match(visibleText(early.text), /Identifiant ou mot de passe incorrect.*Première connexion \? Activez d'abord votre compte avec le code de votre courrier/);
  assert.match(early.text, /href="\/activer"/);
  const wrong = await c.submit('/activer', '/activer', { login, code: 'AAAA-BBBB-CCCC', password: 'un mot de passe long', password2: 'un mot de passe long' });
  assert.equal(wrong.status, 400);
  assert.match(visibleText(wrong.text), /code d'activation incorrect/);
  const weak = await c.submit('/activer', '/activer', { login, code, password: 'court1', password2: 'court1' });
  assert.equal(weak.status, 400);
  assert.match(visibleText(weak.text), /trop court/);
  const mismatch = await c.submit('/activer', '/activer', { login, code, password: 'soleil-2026!', password2: 'soleil-2027!' });
  assert.equal(mismatch.status, 400);
  assert.match(visibleText(mismatch.text), /pas identiques/);
  // Lower case and without dashes, as people type it from paper.
  const ok = await c.submit('/activer', '/activer', { login, code: code.replace(/-/g, '').toLowerCase(), password: 'les cerises de mai', password2: 'les cerises de mai' });
  assert.equal(ok.status, 303);
  assert.equal(ok.location, '/?bienvenue=1');
  assert.match(visibleText((await c.get('/?bienvenue=1')).text), /Votre compte est activé/);
  assert.equal(sql(`SELECT state FROM account WHERE login = '${login}'`), 'active');
  // The code is single-use.
  const again = await srv.client().submit('/activer', '/activer', { login, code, password: 'une autre phrase', password2: 'une autre phrase' });
  assert.equal(again.status, 400);
  assert.equal((await srv.client().login(login, 'les cerises de mai')).status, 303);
});

test('changing my password needs the current one and signs out my other devices', async () => {
  const a = srv.client(), b = srv.client();
  await a.login('eleve.demo');
  await b.login('eleve.demo');
  const bad = await a.submit('/compte', '/compte/mot-de-passe', { current: 'wrong', password: 'ma nouvelle phrase', password2: 'ma nouvelle phrase' });
  assert.equal(bad.status, 400);
  assert.match(visibleText(bad.text), /mot de passe actuel est incorrect/);
  const ok = await a.submit('/compte', '/compte/mot-de-passe', { current: PASSWORD, password: 'ma nouvelle phrase', password2: 'ma nouvelle phrase' });
  assert.equal(ok.status, 303);
  assert.equal((await a.get('/')).status, 200);
  assert.equal((await b.get('/')).status, 303);
  assert.equal((await srv.client().login('eleve.demo', 'ma nouvelle phrase')).status, 303);
  const back = await a.submit('/compte', '/compte/mot-de-passe', { current: 'ma nouvelle phrase', password: PASSWORD, password2: PASSWORD });
  assert.equal(back.status, 303);
});

test('API: sign in, read /api/v1/me with both children, sign out with the CSRF token', async () => {
  const c = srv.client();
  const bad = await c.request('POST', '/api/v1/session', { json: { login: 'parent.demo', password: 'nope' } });
  assert.equal(bad.status, 401);
  assert.deepEqual(Object.keys(bad.json().error).sort(), ['code', 'message', 'status']);
  const res = await c.request('POST', '/api/v1/session', { json: { login: 'parent.demo', password: PASSWORD } });
  assert.equal(res.status, 200);
  const { csrf_token } = res.json();
  const me = await c.get('/api/v1/me');
  assert.equal(me.status, 200);
  const body = me.json();
  assert.equal(body.person.login, 'parent.demo');
  assert.ok(body.roles.some((r) => r.profile === 'parent'));
  const types = body.children.map((k) => k.establishment.type).sort();
  assert.deepEqual(types, ['college', 'ecole']);
  const noToken = await c.request('DELETE', '/api/v1/session');
  assert.equal(noToken.status, 403);
  const out = await c.request('DELETE', '/api/v1/session', { headers: { 'X-CSRF-Token': csrf_token } });
  assert.equal(out.status, 200);
  const after = await c.get('/api/v1/me');
  assert.equal(after.status, 401);
  assert.equal(after.json().error.code, 'unauthenticated');
});

test('CSRF: a state change without the token, or from another site, is refused and changes nothing', async () => {
  const c = srv.client();
  await c.login('parent.demo');
  const sessions = sql('SELECT count(*) FROM session WHERE revoked_at IS NULL');
  assert.equal((await c.post('/deconnexion', {})).status, 403);
  assert.equal((await c.post('/deconnexion', { csrf: 'forged-token-value' })).status, 403);
  const home = await c.get('/');
  const cross = await c.post('/deconnexion', { csrf: Client.csrfOf(home.text) }, { headers: { Origin: 'https://evil.example' } });
  assert.equal(cross.status, 403);
  assert.match(visibleText(cross.text), /formulaire a expiré ou ne vient pas de Carnet/);
  assert.equal(sql('SELECT count(*) FROM session WHERE revoked_at IS NULL'), sessions);
  assert.equal((await c.get('/')).status, 200);
  // Sign-in forms need their pre-session token too (login CSRF).
  const blind = new Client(srv.url);
  assert.equal((await blind.post('/connexion', { login: 'parent.demo', password: PASSWORD })).status, 403);
  // The JSON API refuses a form-encoded sign-in (a cross-site form could send it).
  assert.equal((await blind.post('/api/v1/session', { login: 'parent.demo', password: PASSWORD })).status, 403);
});
