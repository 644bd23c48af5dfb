// Security review of sign-in and activation:
// - item 3: a login not activated yet answers exactly like an unknown login
//   or a wrong password (status, page, JSON error), after the same work, and
//   counts in the throttle like them;
// - item 9: the pre-session CSRF token is issued and signed by the server
//   (a value the client chose is refused), `Origin: null` is refused before
//   sign-in, and under TLS the cookies are `__Host-` with Secure and Path=/;
// - item 10: one activation letter per account, whatever the number of its
//   children in the class, with one code that works.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startServer, Client, visibleText, PASSWORD } from '../lib/carnet.mjs';

const THROTTLE_ACCOUNT_FAILURES = 5; // src/core/limits.h
const UNKNOWN = 'personne.inconnue';

let srv;
// --trust-proxy: requests with X-Forwarded-Proto: https are taken as TLS;
// the others are plain HTTP on loopback, as everywhere in the tests.
before(async () => {
  srv = await startServer({ now: '2026-03-10T10:00', extra: ['--trust-proxy'] });
});
after(async () => {
  await srv.stop();
});

/** A pending account's login (no password, a letter to come). */
function pendingLogin(offset = 0) {
  return srv.sql(`SELECT a.login FROM account a JOIN role r ON r.person_id = a.person_id
    WHERE a.state = 'pending' AND r.profile = 'parent' ORDER BY a.id LIMIT 1 OFFSET ${offset}`);
}

/** What differs between two answers only because they are two answers: the
 * CSRF token, the CSP nonce, and the login typed (kept in the form). */
function normalise(html, login) {
  return html
    .replace(/name="csrf" value="[^"]+"/g, 'name="csrf" value="TOKEN"')
    .replace(/nonce="[^"]+"/g, 'nonce="NONCE"')
    .split(login)
    .join('LOGIN');
}

async function signIn(login, password, headers = {}) {
  const c = srv.client();
  const page = await c.get('/connexion', { headers });
  const res = await c.post(
    '/connexion',
    { csrf: Client.csrfOf(page.text), login, password, suite: '/' },
    { headers },
  );
  return { c, res };
}

function sessionsOf(login) {
  return srv.sql(
    `SELECT count(*) FROM session s JOIN account a ON a.id = s.account_id WHERE a.login = '${login}'`,
  );
}

// ---- Item 3 ------------------------------------------------------------------

test('Review #3: a pending login, an unknown login and a wrong password get the same page, byte for byte', async () => {
  const pending = pendingLogin(0);
  const a = (await signIn(pending, 'un mot de passe au hasard')).res;
  const b = (await signIn(UNKNOWN, 'un mot de passe au hasard')).res;
  const w = (await signIn('prof.demo', 'un mot de passe au hasard')).res;
  for (const r of [a, b, w]) {
    assert.equal(r.status, 401);
    assert.equal(r.headers.getSetCookie().length, 0, 'no cookie set by a failure');
  }
  assert.equal(normalise(a.text, pending), normalise(b.text, UNKNOWN));
  assert.equal(normalise(a.text, pending), normalise(w.text, 'prof.demo'));
  assert.doesNotMatch(visibleText(a.text), /pas encore activé/);
  // Everyone is told where a letter's code goes, which says nothing of the login.
  assert.match(
    visibleText(a.text),
    /Première connexion \? Activez d'abord votre compte avec le code de votre courrier/,
  );
  assert.match(a.text, /href="\/activer"/);
});

test('Review #3: the JSON API answers a pending login exactly as an unknown one', async () => {
  const pending = pendingLogin(1);
  const api = (login) =>
    srv
      .client()
      .request('POST', '/api/v1/session', {
        json: { login, password: 'un mot de passe au hasard' },
      });
  const a = await api(pending),
    b = await api(UNKNOWN);
  assert.equal(a.status, 401);
  assert.equal(b.status, 401);
  assert.equal(a.text, b.text);
  assert.equal(a.json().error.code, 'unauthenticated');
  assert.equal(a.headers.get('content-type'), b.headers.get('content-type'));
});

test('Review #3: failures on a pending login are counted and lock it like any login', async () => {
  const pending = pendingLogin(2);
  const unknown = 'encore.personne';
  for (const login of [pending, unknown]) {
    for (let i = 0; i < THROTTLE_ACCOUNT_FAILURES; i++) {
      assert.equal(
        (await signIn(login, `essai numéro ${i}`)).res.status,
        401,
        `${login}, try ${i + 1}`,
      );
    }
    assert.equal(
      srv.sql(`SELECT failures FROM throttle WHERE key = 'login:login:${login}'`),
      String(THROTTLE_ACCOUNT_FAILURES),
    );
    const locked = (await signIn(login, 'encore un essai')).res;
    assert.equal(locked.status, 429, login);
    assert.match(visibleText(locked.text), /Trop de tentatives de connexion/);
    const api = await srv
      .client()
      .request('POST', '/api/v1/session', { json: { login, password: 'x' } });
    assert.equal(api.status, 429, `${login} on the API`);
  }
  // Both were checked the same way: the audit has a failed sign-in for each
  // try (it keeps, for staff only, that the first is not activated yet).
  assert.equal(
    srv.sql(
      `SELECT count(*) FROM audit WHERE action = 'login.failed' AND object = '${pending}' AND detail = 'pending'`,
    ),
    String(THROTTLE_ACCOUNT_FAILURES),
  );
  assert.equal(
    srv.sql(`SELECT count(*) FROM audit WHERE action = 'login.failed' AND object = '${unknown}'`),
    String(THROTTLE_ACCOUNT_FAILURES),
  );
  // Activation is throttled on its own: the family can still use its letter.
  const act = srv.client();
  const wrong = await act.submit('/activer', '/activer', {
    login: pending,
    code: 'AAAA-BBBB-CCCC',
    password: 'une phrase assez longue',
    password2: 'une phrase assez longue',
  });
  assert.equal(wrong.status, 400);
});

// ---- Item 9 ------------------------------------------------------------------

test('Review #9: a pre-session cookie the client made up is refused, and no session is made', async () => {
  const before = sessionsOf('parent.demo');
  for (const forged of ['abcdefghijklmnopqrst', randomBytes(56).toString('base64url')]) {
    const c = new Client(srv.url);
    c.cookies.set('carnet_pre', forged);
    const res = await c.post('/connexion', {
      csrf: forged,
      login: 'parent.demo',
      password: PASSWORD,
      suite: '/',
    });
    assert.equal(res.status, 403, `forged ${forged.length} chars`);
    assert.match(visibleText(res.text), /formulaire a expiré ou ne vient pas de Carnet/);
    assert.equal(c.cookies.has('carnet_session'), false);
    // The activation and language forms use the same token.
    assert.equal(
      (
        await c.post('/activer', {
          csrf: forged,
          login: 'x',
          code: 'AAAA',
          password: 'p',
          password2: 'p',
        })
      ).status,
      403,
    );
    assert.equal((await c.post('/langue', { csrf: forged, lang: 'en' })).status, 403);
  }
  // A page the server gave, with its token altered by one character.
  const c = srv.client();
  const page = await c.get('/connexion');
  const good = c.cookies.get('carnet_pre');
  assert.equal(Client.csrfOf(page.text), good);
  const bad = good.slice(0, 10) + (good[10] === 'A' ? 'B' : 'A') + good.slice(11);
  c.cookies.set('carnet_pre', bad);
  assert.equal(
    (await c.post('/connexion', { csrf: bad, login: 'parent.demo', password: PASSWORD })).status,
    403,
  );
  assert.equal(sessionsOf('parent.demo'), before);
});

test('Review #9: a token issued by another Carnet (another key) is refused', async () => {
  const other = await startServer({ now: '2026-03-10T10:00' });
  try {
    const c = new Client(other.url);
    const page = await c.get('/connexion');
    const token = Client.csrfOf(page.text);
    const mine = new Client(srv.url);
    mine.cookies.set('carnet_pre', token);
    assert.equal(
      (await mine.post('/connexion', { csrf: token, login: 'parent.demo', password: PASSWORD }))
        .status,
      403,
    );
  } finally {
    await other.stop();
  }
});

test('Review #9: the normal sign-in still works; the token expires, and a new page gives a new one', async () => {
  const c = srv.client();
  const page = await c.get('/connexion');
  const set = page.headers.getSetCookie().find((h) => h.startsWith('carnet_pre='));
  assert.match(set, /HttpOnly/);
  assert.doesNotMatch(set, /Secure/, 'plain HTTP: no Secure, no __Host-');
  const ok = await c.post('/connexion', {
    csrf: Client.csrfOf(page.text),
    login: 'parent.demo',
    password: PASSWORD,
    suite: '/',
  });
  assert.equal(ok.status, 303);
  assert.ok(c.cookies.has('carnet_session'));
  // A sign-in page left open too long (src/core/limits.h: PRESESSION_VALID_S, 2 h).
  const late = srv.client();
  const old = await late.get('/connexion');
  const half = srv.client();
  const early = await half.get('/connexion');
  const again = srv.client();
  await again.get('/connexion');
  const token = again.cookies.get('carnet_pre');
  await srv.setClock('2026-03-10T11:30');
  try {
    // Past half its life a token still counts, but a page shown gets a new one
    // (a form is never served with less than an hour left).
    const renewed = await again.get('/connexion');
    assert.notEqual(Client.csrfOf(renewed.text), token);
    assert.ok(renewed.headers.getSetCookie().some((h) => h.startsWith('carnet_pre=')));
    assert.equal(
      (
        await half.post('/connexion', {
          csrf: Client.csrfOf(early.text),
          login: 'parent.demo',
          password: PASSWORD,
        })
      ).status,
      303,
    );
    await srv.setClock('2026-03-10T12:05');
    assert.equal(
      (
        await late.post('/connexion', {
          csrf: Client.csrfOf(old.text),
          login: 'parent.demo',
          password: PASSWORD,
        })
      ).status,
      403,
    );
    const fresh = await late.get('/connexion');
    assert.notEqual(Client.csrfOf(fresh.text), Client.csrfOf(old.text));
    assert.equal(
      (
        await late.post('/connexion', {
          csrf: Client.csrfOf(fresh.text),
          login: 'parent.demo',
          password: PASSWORD,
        })
      ).status,
      303,
    );
  } finally {
    await srv.setClock('2026-03-10T10:00');
  }
});

test('Review #9: Origin: null is refused before sign-in, on the form and on the API', async () => {
  const before = sessionsOf('cpe.demo');
  const c = srv.client();
  const page = await c.get('/connexion');
  const res = await c.post(
    '/connexion',
    { csrf: Client.csrfOf(page.text), login: 'cpe.demo', password: PASSWORD },
    { headers: { Origin: 'null' } },
  );
  assert.equal(res.status, 403);
  const api = await c.request('POST', '/api/v1/session', {
    json: { login: 'cpe.demo', password: PASSWORD },
    headers: { Origin: 'null' },
  });
  assert.equal(api.status, 403);
  const evil = await c.post(
    '/connexion',
    { csrf: Client.csrfOf(page.text), login: 'cpe.demo', password: PASSWORD },
    { headers: { Origin: 'https://evil.example' } },
  );
  assert.equal(evil.status, 403);
  assert.equal(sessionsOf('cpe.demo'), before);
  // Our own origin passes.
  const own = await c.post(
    '/connexion',
    { csrf: Client.csrfOf(page.text), login: 'cpe.demo', password: PASSWORD },
    { headers: { Origin: srv.url } },
  );
  assert.equal(own.status, 303);
});

/** The answer sets the cookie name as a browser keeps a "__Host-" cookie:
 * Secure, Path=/, no Domain (and HttpOnly, as every Carnet cookie). */
function assertHostCookie(res, name) {
  const set = res.headers.getSetCookie().find((h) => h.startsWith(`${name}=`));
  assert.ok(set, `the answer sets ${name}`);
  assert.match(set, /; Path=\/(;|$)/);
  assert.match(set, /; Secure/);
  assert.match(set, /; HttpOnly/);
  assert.doesNotMatch(set, /Domain=/i);
}

test('Review #9: under TLS the pre-session and session cookies are __Host- with Secure and Path=/, and only those count', async () => {
  const https = { 'X-Forwarded-Proto': 'https' };
  const c = srv.client();
  const page = await c.get('/connexion', { headers: https });
  assertHostCookie(page, '__Host-carnet_pre');
  assert.equal(
    page.headers.getSetCookie().some((h) => h.startsWith('carnet_pre=')),
    false,
  );
  const token = Client.csrfOf(page.text);
  assert.equal(c.cookies.get('__Host-carnet_pre'), token);

  // The same token in a cookie without the prefix does not count under TLS.
  const plain = new Client(srv.url);
  plain.cookies.set('carnet_pre', token);
  assert.equal(
    (
      await plain.post(
        '/connexion',
        { csrf: token, login: 'eleve.demo', password: PASSWORD },
        { headers: https },
      )
    ).status,
    403,
  );

  const res = await c.post(
    '/connexion',
    { csrf: token, login: 'eleve.demo', password: PASSWORD, suite: '/' },
    { headers: https },
  );
  assert.equal(res.status, 303);
  assertHostCookie(res, '__Host-carnet_session');
  assert.equal((await c.get('/', { headers: https })).status, 200);
  // Over TLS, a session cookie without the prefix is not read.
  const stolen = new Client(srv.url);
  stolen.cookies.set('carnet_session', c.cookies.get('__Host-carnet_session'));
  assert.equal((await stolen.get('/', { headers: https })).status, 303);
  // Signing out clears the prefixed cookie.
  const home = await c.get('/', { headers: https });
  const out = await c.post('/deconnexion', { csrf: Client.csrfOf(home.text) }, { headers: https });
  assert.equal(out.status, 303);
  assert.match(
    out.headers.getSetCookie().find((h) => h.startsWith('__Host-carnet_session=')),
    /Max-Age=0.*Secure|Secure.*Max-Age=0/,
  );
});

// ---- Item 10 -----------------------------------------------------------------

/** A pending parent with two children in one class of the collège (the
 * CPE's establishment): found in the demo, or made. */
function twinsParent() {
  const found = srv.sql(`SELECT g.parent_id, en.class_id FROM guardianship g
    JOIN enrolment en ON en.pupil_id = g.pupil_id JOIN class c ON c.id = en.class_id
    JOIN establishment e ON e.id = c.establishment_id JOIN account a ON a.person_id = g.parent_id
    WHERE a.state = 'pending' AND e.kind = 'college'
    GROUP BY g.parent_id, en.class_id HAVING count(*) = 2 ORDER BY g.parent_id LIMIT 1`);
  if (found) return found.split('|');
  // Made: a pending parent of a collège pupil becomes the guardian of a
  // second pupil of the same class.
  const [parent, pupil, cls] = srv
    .sql(
      `SELECT g.parent_id, g.pupil_id, en.class_id FROM guardianship g
    JOIN enrolment en ON en.pupil_id = g.pupil_id JOIN class c ON c.id = en.class_id
    JOIN establishment e ON e.id = c.establishment_id JOIN account a ON a.person_id = g.parent_id
    WHERE a.state = 'pending' AND e.kind = 'college' ORDER BY g.parent_id LIMIT 1`,
    )
    .split('|');
  const other = srv.sql(
    `SELECT pupil_id FROM enrolment WHERE class_id = ${cls} AND pupil_id <> ${pupil} ORDER BY pupil_id LIMIT 1`,
  );
  srv.sql(`INSERT INTO guardianship (parent_id, pupil_id) VALUES (${parent}, ${other})`);
  return [parent, cls];
}

function lettersOf(html) {
  return [...html.matchAll(/<article class="letter card">[\s\S]*?<\/article>/g)].map((m) => {
    const text = m[0];
    return {
      text,
      login: text.match(/<dd><strong>([a-z0-9.-]+)<\/strong><\/dd>/)[1],
      code: text.match(/<strong class="code">([A-Z0-9-]+)<\/strong>/)[1],
    };
  });
}

async function activate(login, code, password) {
  return srv
    .client()
    .submit('/activer', '/activer', { login, code, password, password2: password });
}

test('Review #10: a parent of twins gets one letter naming both children, and its code works', async () => {
  const [parent, cls] = twinsParent();
  const login = srv.sql(`SELECT login FROM account WHERE person_id = ${parent}`);
  const children = srv
    .sql(
      `SELECT p.first_name || ' ' || p.last_name FROM guardianship g JOIN enrolment en ON en.pupil_id = g.pupil_id
    JOIN person p ON p.id = g.pupil_id WHERE g.parent_id = ${parent} AND en.class_id = ${cls}`,
    )
    .split('\n');
  assert.equal(children.length, 2);
  const accounts = Number(
    srv.sql(`SELECT count(DISTINCT a.id) FROM account a WHERE a.state = 'pending' AND a.person_id IN (
    SELECT pupil_id FROM enrolment WHERE class_id = ${cls}
    UNION SELECT g.parent_id FROM guardianship g JOIN enrolment en ON en.pupil_id = g.pupil_id WHERE en.class_id = ${cls})`),
  );

  const cpe = await srv.as('cpe.demo');
  const page = await cpe.get(`/classes/${cls}/courriers`);
  assert.equal(page.status, 200);
  const items = [
    ...page.text.matchAll(/<li>([^<]+) <span class="meta">\(([a-z0-9.-]+)\)<\/span><\/li>/g),
  ];
  assert.equal(items.length, accounts, 'the list has one line per account');
  const line = items.filter((m) => m[2] === login);
  assert.equal(line.length, 1);
  for (const child of children) assert.ok(line[0][1].includes(child), `the list names ${child}`);
  assert.match(visibleText(page.text), new RegExp(`Générer ${accounts} courrier\\(s\\)`));

  const first = await cpe.post(`/classes/${cls}/courriers`, { csrf: Client.csrfOf(page.text) });
  assert.equal(first.status, 200);
  const letters1 = lettersOf(first.text);
  assert.equal(letters1.length, accounts, 'one letter per account');
  assert.equal(
    new Set(letters1.map((l) => l.login)).size,
    letters1.length,
    'no account has two letters',
  );
  assert.equal(new Set(letters1.map((l) => l.code)).size, letters1.length, 'one code per letter');
  const mine1 = letters1.filter((l) => l.login === login);
  assert.equal(mine1.length, 1);
  const text1 = visibleText(mine1[0].text);
  assert.match(
    text1,
    new RegExp(
      `Responsable de (${children[0]} et ${children[1]}|${children[1]} et ${children[0]})`,
    ),
  );

  // Letters made again for the class: every account gets one new code, the
  // old one stops working, the new one works.
  const again = await cpe.get(`/classes/${cls}/courriers`);
  const second = await cpe.post(`/classes/${cls}/courriers`, { csrf: Client.csrfOf(again.text) });
  const letters2 = lettersOf(second.text);
  assert.equal(letters2.length, accounts);
  assert.deepEqual(
    letters2.map((l) => l.login),
    letters1.map((l) => l.login),
  );
  const mine2 = letters2.find((l) => l.login === login);
  assert.notEqual(mine2.code, mine1[0].code);
  assert.equal(
    (await activate(login, mine1[0].code, 'la maison des jumeaux')).status,
    400,
    'the first letter no longer works',
  );
  const ok = await activate(login, mine2.code, 'la maison des jumeaux');
  assert.equal(ok.status, 303);
  assert.equal(ok.location, '/?bienvenue=1');
  assert.equal(srv.sql(`SELECT state FROM account WHERE login = '${login}'`), 'active');
  assert.equal((await srv.client().login(login, 'la maison des jumeaux')).status, 303);
  // Another letter of the same batch works too (the codes are consistent).
  const other = letters2.find((l) => l.login !== login);
  assert.equal((await activate(other.login, other.code, 'une autre maison bleue')).status, 303);

  // The account is active now: the next letters leave it out.
  const after = await cpe.get(`/classes/${cls}/courriers`);
  assert.doesNotMatch(after.text, new RegExp(`\\(${login.replace(/\./g, '\\.')}\\)`));
});
