// S-NOTIFY in a real browser, on a phone: the header counts a parent's
// unread notifications; the centre lists them and opens one (then read);
// the preferences page sets e-mail and personal quiet times. Every page
// passes axe-core; screenshots are kept in build/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/carnet.mjs';
import { SHOTS, launch, axe, phone, signIn } from '../lib/browser.mjs';

let srv, browser;
before(async () => {
  srv = await startServer({ now: '2026-03-10T18:00' });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('S-NOTIFY in the browser: the unread count, the centre, opening one, the preferences; pages pass axe', { timeout: 120000 }, async () => {
  const parent = srv.sql("SELECT person_id FROM account WHERE login = 'parent.demo'");
  const unread = Number(srv.sql(`SELECT count(*) FROM notification WHERE person_id = ${parent} AND read_at IS NULL AND visible_at <= ${Date.parse('2026-03-10T17:00:00Z') / 1000}`));
  assert.ok(unread > 0, 'the demo gave Claire unread notifications');
  const { ctx, page } = await phone(browser);
  await signIn(srv, page, 'parent.demo');
  const badge = page.getByRole('link', { name: new RegExp(`${unread} notifications? non lues?`) });
  await assert.doesNotReject(badge.waitFor(), 'the header says how many');
  await badge.click();
  await page.waitForURL(/\/notifications$/);
  await axe(page, 'notification centre');
  await page.screenshot({ path: SHOTS + 'notifications.png', fullPage: false });
  const first = page.locator('main li.unread a').first();
  const title = (await first.textContent()).trim();
  await first.click();
  await page.waitForLoadState();
  assert.doesNotMatch(page.url(), /\/notifications/, 'opens the item');
  assert.equal(Number(srv.sql(`SELECT count(*) FROM notification WHERE person_id = ${parent} AND read_at IS NULL AND visible_at <= ${Date.parse('2026-03-10T17:00:00Z') / 1000}`)), unread - 1, `"${title}" is read`);

  await page.goto(srv.url + '/compte');
  await page.getByRole('link', { name: 'Régler mes notifications' }).click();
  await page.waitForURL(/\/compte\/notifications$/);
  await axe(page, 'notification preferences');
  await page.screenshot({ path: SHOTS + 'notification-preferences.png', fullPage: true });
  await ctx.close();
});
