// Imports in a real browser, on a phone (issue 15): the territory admin of
// an empty Carnet picks the AAF files, reads the check's report, applies
// it. No JavaScript is needed; every page passes axe-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, sqlOn, dropDb, emptyDb, startServer } from '../lib/carnet.mjs';
import { SHOTS, launch, axe, phone } from '../lib/browser.mjs';

const COMPLET = new URL('../fixtures/aaf/complet', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'carnet-impb-'));
let db, srv, browser;

before(async () => {
  db = emptyDb(work);
  srv = await startServer({ db, now: '2026-09-07T10:00' });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
  if (db) dropDb(db);
  rmSync(work, { recursive: true, force: true });
});

test(
  'Imports in the browser: the admin checks the files, reads the report on a phone, applies; pages pass axe',
  { timeout: 120000 },
  async () => {
    const code = execFileSync(
      BIN,
      [
        'add-admin',
        '--db',
        db,
        '--login',
        'admin.t',
        '--first',
        'Inès',
        '--last',
        'ROUX',
        '--now',
        '2026-09-07T09:00',
      ],
      { encoding: 'utf8' },
    )
      .trim()
      .split(' ')[1];
    const { ctx, page } = await phone(browser);
    await page.goto(srv.url + '/activer');
    await page.getByLabel('Identifiant').fill('admin.t');
    await page.getByLabel(/Code d'activation/).fill(code);
    await page.getByLabel('Nouveau mot de passe').fill('une phrase de passe');
    await page.getByLabel('Confirmez le mot de passe').fill('une phrase de passe');
    await page.getByRole('button', { name: 'Activer mon compte' }).click();
    await page.waitForURL(/bienvenue/);
    await page.getByRole('link', { name: 'Imports des annuaires' }).click();
    await page.waitForURL(srv.url + '/imports');
    await axe(page, 'imports form');
    await page.getByLabel('Format').selectOption('aaf');
    await page
      .getByLabel('Fichiers')
      .setInputFiles(readdirSync(COMPLET).map((f) => join(COMPLET, f)));
    await page.screenshot({ path: SHOTS + 'imports-form.png', fullPage: true });
    await page.getByRole('button', { name: 'Vérifier sans rien écrire' }).click();
    await page.waitForURL(/\/imports\/\d+$/);
    assert.match(await page.textContent('main'), /rien n'a encore été écrit/);
    await axe(page, 'check report');
    await page.screenshot({ path: SHOTS + 'imports-report.png', fullPage: true });
    assert.equal(sqlOn(db, 'SELECT count(*) FROM person'), '1');
    await page.getByRole('button', { name: 'Appliquer cet import' }).click();
    await page.waitForURL(/\/imports\/\d+$/);
    assert.match(await page.textContent('main'), /Import appliqué/);
    await axe(page, 'applied report');
    assert.equal(sqlOn(db, "SELECT count(*) FROM person WHERE first_name = 'Léa'"), '1');
    // What the export did not carry is corrected by hand: the structure page.
    const college = sqlOn(db, "SELECT id FROM establishment WHERE uai = '0441234X'");
    await page.goto(`${srv.url}/etablissements/${college}/structure`);
    assert.match(await page.textContent('main'), /Périodes de l'année/);
    await axe(page, 'structure');
    await page.screenshot({ path: SHOTS + 'structure.png', fullPage: true });
    const lea = sqlOn(db, "SELECT id FROM person WHERE first_name = 'Léa'");
    await page.goto(`${srv.url}/personnes/${lea}`);
    await axe(page, 'pupil page with the class change');
    await page.goto(`${srv.url}/identites`);
    await axe(page, 'identities queue');
    await ctx.close();
  },
);
