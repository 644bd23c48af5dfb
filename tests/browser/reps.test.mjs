// R-REPS in a real browser, on a phone (the pages need no JavaScript): a
// parent answers the representatives' question from the home page; a
// representative writes to the parents of a class; the head designates a
// representative. Every page passes axe-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/carnet.mjs';
import { SHOTS, launch, axe, phone, signIn as browserSignIn } from '../lib/browser.mjs';

let srv, browser;
const one = (q) => srv.sql(q);
before(async () => {
  srv = await startServer({ now: '2026-03-10T17:30' });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function signIn(login) {
  const { ctx, page } = await phone(browser);
  await browserSignIn(srv, page, login);
  return { ctx, page };
}

test('R-REPS in the browser: a parent answers the question, a representative writes to a class, the head designates; pages pass axe', { timeout: 120000 }, async () => {
  const { ctx, page } = await signIn('parent.demo');
  const question = page.getByRole('heading', { name: /Acceptez-vous de recevoir les messages des représentants/ });
  await assert.doesNotReject(question.waitFor());
  await axe(page, 'parent portal with the question');
  await page.screenshot({ path: SHOTS + 'reps-question.png', fullPage: true });
  await page.getByRole('button', { name: 'Oui, je veux les recevoir' }).click();
  await page.waitForURL(/\/compte\?ok=1/);
  assert.match(await page.textContent('#representants + p + ul'), /École élémentaire Jean-Jaurès\s*Vous recevez leurs messages \(réponse du 10 mars 2026\)/);
  await axe(page, 'account with the answers');

  await page.goto(srv.url + '/');
  assert.equal(await question.count(), 0, 'asked once');
  await page.getByRole('link', { name: 'Écrire aux parents (représentant)' }).click();
  await page.waitForURL(/\/messagerie\/representants\/\d+$/);
  await axe(page, 'representative compose page');
  await page.screenshot({ path: SHOTS + 'reps-compose.png', fullPage: true });
  await page.getByLabel(/Les parents de la 4e B — \d+ parents/).check();
  await page.getByLabel('Objet').fill('Conseil de classe');
  await page.getByLabel('Message').fill('Bonjour, vos questions pour le conseil de classe ?');
  await page.getByRole('button', { name: 'Envoyer aux parents' }).click();
  await page.waitForURL(/envoye=\d+/);
  assert.match(await page.getByRole('status').textContent(), /Votre message a été envoyé à \d+ parents/);
  await axe(page, 'compose page after sending');
  await ctx.close();

  const head = await signIn('direction.demo');
  await head.page.locator('a[href$="/representants"]').first().click();
  await head.page.getByLabel('Nom du parent').fill('Morin');
  await head.page.getByRole('button', { name: 'Chercher' }).click();
  await head.page.waitForURL(/q=Morin/);
  await axe(head.page, 'designation page with results');
  await head.page.screenshot({ path: SHOTS + 'reps-designation.png', fullPage: true });
  await head.page.getByRole('button', { name: /^Désigner / }).first().click();
  await head.page.waitForURL(/fait=designe/);
  assert.match(await head.page.getByRole('status').textContent(), /désigné comme représentant/);
  await axe(head.page, 'designation page after designating');
  assert.equal(one('SELECT count(*) FROM parent_rep'), '4');
  await head.ctx.close();
});
