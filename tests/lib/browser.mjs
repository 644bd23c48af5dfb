// browser.mjs — the real browser of the tests: Debian's chromium driven by
// playwright-core (the network is closed: no downloaded browser), a phone-sized
// French context, signing in through the form, and axe-core run in the page.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { PASSWORD } from './carnet.mjs';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const SHOTS = new URL('../../build/screenshots/', import.meta.url).pathname;
mkdirSync(SHOTS, { recursive: true });

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
  });
}

/** Run axe-core in the page (evaluated through the devtools protocol, so the
 * page's CSP stays on) and fail on any violation. */
export async function axe(page, label) {
  await page.evaluate(AXE);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  assert.deepEqual(result, [], `axe violations on ${label}:\n${result.join('\n')}`);
}

/** A new phone-sized context in French, and its page. */
export async function phone(browser) {
  const ctx = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, locale: 'fr-FR' });
  return { ctx, page: await ctx.newPage() };
}

/** Sign in with the form, from the home page's redirection. */
export async function signIn(srv, page, login) {
  await page.goto(srv.url + '/');
  assert.match(page.url(), /\/connexion\?suite=%2F$/);
  await page.getByLabel('Identifiant').fill(login);
  await page.getByLabel('Mot de passe').fill(PASSWORD);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForURL(srv.url + '/');
}
