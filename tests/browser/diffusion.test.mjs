// Issue 5 in a real browser, on a phone: the head reads and changes the
// diffusion rules at 21:30 (R-DISCO, R-GRADES delay); a teacher writing at
// that hour sees the reminder of the right to disconnect with the delivery
// time. Every page passes axe-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/carnet.mjs';
import { SHOTS, launch, axe, phone, signIn } from '../lib/browser.mjs';

let srv, browser;
const one = (q) => srv.sql(q);
before(async () => {
  srv = await startServer({ now: '2026-03-10T21:30' });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('R-DISCO in the browser: the head changes the rules with their effect explained; a teacher at 21:30 is reminded', { timeout: 120000 }, async () => {
  const { ctx, page } = await phone(browser);
  await signIn(srv, page, 'direction.demo');
  await page.getByRole('link', { name: 'Droit à la déconnexion' }).first().click();
  await page.waitForURL(/\/diffusion$/);
  assert.match(await page.textContent('main'), /Période calme : ce qui est publié maintenant sera diffusé le mercredi 11 mars à 07:00/);
  await axe(page, 'diffusion settings');
  await page.screenshot({ path: SHOTS + 'diffusion-settings.png', fullPage: true });
  await page.getByLabel('Fin de la période calme, le matin').fill('07:30');
  await page.getByLabel('trois jours après l\'élève').check();
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await page.waitForURL(/\/diffusion\?ok=\d+$/);
  const text = await page.textContent('main');
  assert.match(text, /Enregistré\. Les nouvelles règles s'appliquent dès maintenant/);
  assert.match(text, /diffusé le mercredi 11 mars à 07:30/);
  assert.match(text, /par l'élève le lundi 16 mars à 07:30, par ses parents le jeudi 19 mars à 07:30/);
  await axe(page, 'diffusion settings saved');
  const est = one("SELECT c.establishment_id FROM enrolment e JOIN class c ON c.id = e.class_id JOIN account a ON a.person_id = e.pupil_id WHERE a.login = 'eleve.demo'");
  assert.equal(one(`SELECT value FROM establishment_setting WHERE establishment_id = ${est} AND key = 'grades.parents_delay'`), '3');
  await ctx.close();

  const t = await phone(browser);
  await signIn(srv, t.page, 'prof.demo');
  await t.page.goto(srv.url + '/messagerie/nouveau');
  assert.match(await t.page.textContent('main'), /Droit à la déconnexion : il est tard.*remis le mercredi 11 mars à 07:30/);
  await axe(t.page, 'compose at 21:30');
  await t.page.screenshot({ path: SHOTS + 'compose-quiet.png', fullPage: false });
  await t.ctx.close();
});
