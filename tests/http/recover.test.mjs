// recover.test.mjs — accounts families can keep (issue 15): "mot de passe
// oublié" by e-mail through the real SMTP sink — the same answer whether the
// login exists or not, a single-use, short-lived link, throttled, every
// device signed out after.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { BIN, PASSWORD, startServer, Client, visibleText } from '../lib/carnet.mjs';
import { startSmtp } from '../lib/smtp.mjs';

let srv, smtp, env;
const PUBLIC = 'https://carnet.example.test';
before(async () => {
  smtp = await startSmtp();
  env = {
    CARNET_SMTP_URL: smtp.url,
    CARNET_MAIL_FROM: 'Carnet <carnet@example.test>',
    CARNET_PUBLIC_URL: `${PUBLIC}/`,
    CARNET_NOTIFY_INTERVAL: '3600',
  };
  srv = await startServer({ now: '2026-03-10T21:30', env });
});
after(async () => {
  await srv?.stop();
  await smtp?.stop();
});

/** Send what is due now, as the job would (another process: no waiting on a timer). */
const notifyOnce = () =>
  execFileSync(BIN, ['notify', '--once', '--db', srv.db, '--now', '2026-03-10T21:31'], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
async function mailTo(addr) {
  for (let i = 0; i < 50; i++) {
    notifyOnce();
    const m = smtp.mails().filter((x) => x.rcpt === addr && /mot de passe/.test(x.headers.subject));
    if (m.length) return m;
    await sleep(100);
  }
  return [];
}
const ask = async (login) =>
  srv.client().submit('/mot-de-passe-oublie', '/mot-de-passe-oublie', { login });

test(
  'Recover: a parent gets a one-time link by e-mail, chooses a new password, every' +
    ' device is signed out',
  async () => {
    const login = 'parent.demo';
    const email = srv.sql(
      `SELECT p.email FROM person p JOIN account a ON a.person_id = p.id WHERE a.login = '${login}'`,
    );
    const phone = await srv.as(login);
    const page = await srv.client().get('/connexion');
    assert.match(page.text, /href="\/mot-de-passe-oublie"/);
    const asked = await ask(login);
    assert.equal(asked.status, 200);
    assert.match(
      visibleText(asked.text),
      /Si un compte activé correspond, un courriel vient de lui être envoyé/,
    );
    const mails = await mailTo(email);
    assert.equal(
      mails.length,
      1,
      smtp
        .mails()
        .map((m) => `${m.rcpt}: ${m.headers.subject}`)
        .join('\n'),
    );
    assert.match(mails[0].headers.subject, /choisir un nouveau mot de passe/);
    // The quiet hours of the evening do not hold what the person asked for.
    const link = mails[0].body.match(
      /https:\/\/carnet\.example\.test(\/mot-de-passe\/nouveau\?jeton=[A-Za-z0-9_-]+)/,
    )[1];
    // The database keeps only its hash, and forgets the link once sent.
    const token = link.split('=')[1];
    assert.equal(srv.sql(`SELECT count(*) FROM password_reset WHERE token_hash = '${token}'`), '0');
    assert.equal(
      srv.sql(
        "SELECT count(*) FROM mail_outbox WHERE kind = 'password_reset' AND link IS NOT NULL",
      ),
      '0',
    );
    const c = srv.client();
    const form = await c.get(link);
    assert.equal(form.status, 200);
    const weak = await c.post('/mot-de-passe/nouveau', {
      csrf: Client.csrfOf(form.text),
      jeton: token,
      password: 'court1',
      password2: 'court1',
    });
    assert.equal(weak.status, 400);
    assert.match(visibleText(weak.text), /trop court/);
    const ok = await c.post('/mot-de-passe/nouveau', {
      csrf: Client.csrfOf(form.text),
      jeton: token,
      password: 'la mer est calme ce soir',
      password2: 'la mer est calme ce soir',
    });
    assert.equal(ok.status, 303, ok.text);
    assert.equal(ok.location, '/connexion?nouveau=1');
    assert.match(
      visibleText((await c.get('/connexion?nouveau=1')).text),
      /Votre mot de passe est changé/,
    );
    assert.equal((await phone.get('/')).status, 303, 'the other device is signed out');
    assert.equal((await srv.client().login(login, PASSWORD)).status, 401);
    assert.equal((await srv.client().login(login, 'la mer est calme ce soir')).status, 303);
    // Used once.
    const again = await srv.client().get(link);
    assert.equal(again.status, 400);
    assert.match(visibleText(again.text), /Ce lien n'est plus valable/);
    assert.equal(srv.sql("SELECT count(*) FROM audit WHERE action = 'password.reset'"), '1');
  },
);

test(
  'Recover: the same answer for an unknown login, an e-mail, or an account never' +
    ' activated; only the activated one gets mail',
  async () => {
    smtp.clear();
    const pending = srv.sql(
      "SELECT a.login FROM account a JOIN person p ON p.id = a.person_id WHERE a.state = 'pending'" +
        ' AND p.email IS NOT NULL LIMIT 1',
    );
    const pendingMail = srv.sql(
      `SELECT p.email FROM person p JOIN account a ON a.person_id = p.id WHERE a.login = '${pending}'`,
    );
    const texts = [];
    for (const who of ['personne.inconnue', 'nobody@example.test', pending]) {
      const r = await ask(who);
      assert.equal(r.status, 200);
      texts.push(visibleText(r.text).replace(/Aucune notification.*$/, ''));
    }
    assert.equal(new Set(texts).size, 1, 'one answer whatever was typed');
    notifyOnce();
    assert.equal(smtp.mails().filter((m) => m.rcpt === pendingMail).length, 0);
    // By e-mail address, in any case: the activated account's.
    const prof = srv.sql(
      "SELECT p.email FROM person p JOIN account a ON a.person_id = p.id WHERE a.login = 'prof.demo'",
    );
    assert.equal((await ask(prof.toUpperCase())).status, 200);
    assert.equal((await mailTo(prof)).length, 1);
  },
);

test('Recover: throttled per login; a made-up or expired link is refused', async () => {
  for (let i = 0; i < 5; i++) assert.equal((await ask('eleve.demo')).status, 200);
  const sixth = await ask('eleve.demo');
  assert.equal(sixth.status, 429);
  assert.match(visibleText(sixth.text), /Trop de tentatives/);
  const bad = await srv
    .client()
    .get('/mot-de-passe/nouveau?jeton=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
  assert.equal(bad.status, 400);
  const none = await srv.client().get('/mot-de-passe/nouveau');
  assert.equal(none.status, 400);
  // Expired: 30 minutes later.
  srv.sql('UPDATE password_reset SET expires_at = 0 WHERE used_at IS NULL');
  const c = srv.client();
  const page = await c.get('/mot-de-passe-oublie');
  const post = await c.post('/mot-de-passe/nouveau', {
    csrf: Client.csrfOf(page.text),
    jeton: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    password: 'une phrase assez longue',
    password2: 'une phrase assez longue',
  });
  assert.equal(post.status, 400);
});

test(
  'Contact: a teacher changes her e-mail (it counts once confirmed by the link' +
    ' sent to it) and her mobile',
  async () => {
    const c = await srv.as('prof.demo');
    const person = srv.sql("SELECT person_id FROM account WHERE login = 'prof.demo'");
    const before = srv.sql(`SELECT email FROM person WHERE id = ${person}`);
    let page = await c.get('/compte');
    assert.match(visibleText(page.text), /Mes coordonnées/);
    const bad = await c.post('/compte/courriel', {
      csrf: Client.csrfOf(page.text),
      email: 'pas une adresse',
    });
    assert.equal(bad.status, 400);
    const r = await c.post('/compte/courriel', {
      csrf: Client.csrfOf(page.text),
      email: 'nouvelle.adresse@example.test',
    });
    assert.equal(r.status, 303);
    page = await c.get('/compte?courriel=1');
    assert.match(visibleText(page.text), /Un lien de confirmation vient d'être envoyé/);
    assert.match(
      visibleText(page.text),
      /En attente de confirmation : nouvelle\.adresse@example\.test/,
    );
    assert.equal(
      srv.sql(`SELECT email FROM person WHERE id = ${person}`),
      before,
      'not before it is confirmed',
    );
    let mail = [];
    for (let i = 0; i < 50 && !mail.length; i++) {
      notifyOnce();
      mail = smtp.mails().filter((m) => m.rcpt === 'nouvelle.adresse@example.test');
      if (!mail.length) await sleep(100);
    }
    assert.equal(mail.length, 1);
    assert.match(mail[0].headers.subject, /confirmez votre adresse/);
    const link = mail[0].body.match(
      /https:\/\/carnet\.example\.test(\/compte\/courriel\/confirmer\?jeton=[A-Za-z0-9_-]+)/,
    )[1];
    const done = await srv.client().get(link);
    assert.equal(done.status, 200);
    assert.match(
      visibleText(done.text),
      /Carnet vous écrira désormais à nouvelle\.adresse@example\.test/,
    );
    assert.equal(
      srv.sql(`SELECT email FROM person WHERE id = ${person}`),
      'nouvelle.adresse@example.test',
    );
    assert.equal((await srv.client().get(link)).status, 400, 'once');
    // Mobile: as people type it; nonsense refused; empty clears it.
    page = await c.get('/compte');
    assert.equal(
      (await c.post('/compte/mobile', { csrf: Client.csrfOf(page.text), mobile: '06.12.34.56.78' }))
        .status,
      303,
    );
    assert.equal(srv.sql(`SELECT phone FROM person WHERE id = ${person}`), '06 12 34 56 78');
    assert.equal(
      (await c.post('/compte/mobile', { csrf: Client.csrfOf(page.text), mobile: 'appelez-moi' }))
        .status,
      400,
    );
    assert.equal(srv.sql(`SELECT phone FROM person WHERE id = ${person}`), '06 12 34 56 78');
    assert.equal(
      (await c.post('/compte/mobile', { csrf: Client.csrfOf(page.text), mobile: '' })).status,
      303,
    );
    assert.equal(
      srv.sql(`SELECT coalesce(phone, 'vide') FROM person WHERE id = ${person}`),
      'vide',
    );
  },
);
