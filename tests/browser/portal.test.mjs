// In a real browser (Debian's chromium driven by playwright-core): a parent
// signs in with the form and sees both children; every page visited passes
// axe-core with no violation; screenshots are saved under build/screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/carnet.mjs';
import { SHOTS, launch, axe, phone as newPhone, signIn as browserSignIn } from '../lib/browser.mjs';

let srv, browser;
before(async () => {
  srv = await startServer({ now: '2026-03-10T17:30' });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

const phone = () => newPhone(browser);
const signIn = (page, login) => browserSignIn(srv, page, login);

test('R-ID-1: a parent on a phone signs in and sees both children (école and collège), pages pass axe', async () => {
  const { ctx, page } = await phone();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(srv.url + '/connexion');
  await axe(page, 'sign-in page');
  await page.screenshot({ path: SHOTS + 'connexion.png', fullPage: true });
  await signIn(page, 'parent.demo');
  await assert.doesNotReject(page.getByRole('heading', { name: 'Lucie Moreau' }).waitFor());
  await assert.doesNotReject(page.getByRole('heading', { name: 'Hugo Moreau' }).waitFor());
  const body = await page.textContent('main');
  assert.match(body, /Collège/);
  assert.match(body, /École/);
  await axe(page, 'parent portal');
  await page.screenshot({ path: SHOTS + 'parent-portal.png', fullPage: true });

  // The child switcher works without JavaScript: it is a list of links.
  await page.getByRole('link', { name: /Hugo/ }).first().click();
  await page.waitForURL(/enfant=/);
  assert.equal(await page.getByRole('heading', { name: 'Lucie Moreau' }).count(), 0);
  await axe(page, 'portal, one child');
  await page.getByRole('link', { name: 'Fiche de l\'élève' }).click();
  await axe(page, 'child page');
  await page.screenshot({ path: SHOTS + 'child-page.png', fullPage: true });

  await page.goto(srv.url + '/compte');
  await axe(page, 'my account');
  await page.screenshot({ path: SHOTS + 'compte.png', fullPage: true });

  await page.goto(srv.url + '/personnes/1');
  await axe(page, 'error page');

  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await page.waitForURL(/connexion\?sortie=1/);
  assert.match(await page.textContent('main'), /Vous êtes déconnecté/);
  // The only failed load is the 403 page visited on purpose above.
  assert.deepEqual(errors.filter((e) => !/status of 403/.test(e)), [], 'no console errors (CSP included)');
  await ctx.close();
});

test('every profile\'s home page and the staff pages pass axe on a phone', async () => {
  for (const login of ['eleve.demo', 'prof.demo', 'cpe.demo', 'direction.demo', 'admin.demo']) {
    const { ctx, page } = await phone();
    await signIn(page, login);
    await axe(page, `${login} home`);
    await page.screenshot({ path: `${SHOTS}${login.replace('.demo', '')}-home.png`, fullPage: true });
    const links = {
      'prof.demo': 'a[href^="/classes/"]',
      'cpe.demo': 'a[href^="/etablissements/"]',
      'direction.demo': 'a[href$="/services"]',
      'admin.demo': 'a[href^="/territoires/"]',
    };
    if (links[login]) {
      await page.locator(links[login]).first().click();
      await page.waitForLoadState();
      await axe(page, `${login} → ${page.url()}`);
      await page.screenshot({ path: `${SHOTS}${login.replace('.demo', '')}-page.png`, fullPage: true });
    }
    await ctx.close();
  }
});

test('Review #14 in the browser: school life opens the grades and the class log from the portal, a class, a pupil; pages pass axe', async () => {
  const { ctx, page } = await phone();
  await signIn(page, 'cpe.demo');
  for (const [service, base] of [['Notes et compétences', '/notes'], ['Cahier de textes', '/cahier-de-textes']]) {
    await page.goto(srv.url + '/');
    await page.getByRole('link', { name: new RegExp(`^${service}`) }).click();
    await page.waitForURL(`**${base}/classes`);
    await axe(page, `cpe.demo → ${base}/classes`);
    await page.getByRole('link', { name: '4e B' }).click();
    await page.waitForURL(`**${base}/classes/*`);
    await axe(page, `cpe.demo → ${page.url()}`);
    await page.getByRole('link', { name: /Moreau Lucie/ }).click();
    await page.waitForURL(`**${base}/eleves/*`);
    await assert.doesNotReject(page.getByRole('heading', { name: /Lucie Moreau/ }).first().waitFor());
  }
  await ctx.close();
});

test('activation and language pages pass axe; the interface switches to English', async () => {
  const { ctx, page } = await phone();
  await page.goto(srv.url + '/activer');
  await axe(page, 'activation page');
  await page.getByLabel('Langue').selectOption('en');
  await page.getByRole('button', { name: 'Changer' }).click();
  await page.waitForURL(/activer/);
  assert.match(await page.textContent('h1'), /Activate my account/);
  await axe(page, 'activation page (English)');
  await ctx.close();
});

test('S-TIMETABLE in the browser: a parent opens a child\'s week from the portal; staff change a lesson; pages pass axe', async () => {
  const { ctx, page } = await phone();
  await signIn(page, 'parent.demo');
  await page.getByRole('link', { name: /Emploi du temps/ }).last().click();
  await page.waitForURL(/\/emploi-du-temps\/eleves\/\d+/);
  assert.match(await page.textContent('h1'), /Emploi du temps de/);
  await axe(page, 'child timetable');
  await page.screenshot({ path: SHOTS + 'timetable-child.png', fullPage: true });
  await page.getByRole('link', { name: /Semaine suivante/ }).click();
  await page.waitForURL(/semaine=/);
  await axe(page, 'next week');
  await ctx.close();

  const staff = await phone();
  await signIn(staff.page, 'cpe.demo');
  await staff.page.goto(srv.url + '/emploi-du-temps');
  await axe(staff.page, 'timetable chooser');
  await staff.page.getByRole('link', { name: '4e B' }).first().click();
  await staff.page.getByRole('link', { name: 'Modifier ce cours' }).first().click();
  await axe(staff.page, 'lesson change form');
  await staff.page.getByLabel('Annulé').check();
  await staff.page.getByLabel(/Message pour les familles/).fill('Réunion pédagogique');
  await staff.page.getByRole('button', { name: 'Enregistrer le changement' }).click();
  await staff.page.waitForLoadState();
  await assert.doesNotReject(staff.page.getByText('Réunion pédagogique').waitFor());
  await staff.page.screenshot({ path: SHOTS + 'timetable-change.png', fullPage: true });
  await staff.page.goto(srv.url + '/emploi-du-temps/agenda');
  await axe(staff.page, 'calendar feed page');
  await staff.ctx.close();
});

test('S-TIMETABLE in the browser: a teacher schedules an assessment for a class they teach', async () => {
  const { ctx, page } = await phone();
  await signIn(page, 'prof.demo');
  await page.getByRole('link', { name: '4e B' }).first().click();
  await page.getByRole('link', { name: 'Emploi du temps' }).first().click();
  await page.waitForURL(/\/emploi-du-temps\/classes\/\d+/);
  await axe(page, 'class timetable with the event form');
  const options = await page.locator('#teaching option').allTextContents();
  assert.ok(options.length >= 1 && options.every((o) => /Lefèvre/.test(o)), 'only their own enseignements');
  await page.getByLabel('Date').fill('2026-03-12');
  await page.getByLabel('Début').fill('15:35');
  await page.getByLabel('Fin').fill('16:30');
  await page.getByLabel(/Message pour les familles/).fill('Évaluation de géométrie');
  await page.getByRole('button', { name: /Programmer une évaluation/ }).click();
  await page.waitForURL(/semaine=2026-03-12/);
  await assert.doesNotReject(page.getByText('Évaluation de géométrie').waitFor());
  await page.screenshot({ path: SHOTS + 'timetable-exam.png', fullPage: true });
  await ctx.close();
});

test('S-LOG in the browser: a teacher sets homework from the timetable, the pupil ticks it done; pages pass axe', async () => {
  const teacher = await phone();
  await signIn(teacher.page, 'prof.demo');
  await teacher.page.goto(srv.url + '/emploi-du-temps?semaine=2026-03-09');
  await teacher.page.locator('li.lesson', { hasText: '4e B' }).getByRole('link', { name: 'Cahier de textes' }).first().click();
  await teacher.page.waitForURL(/\/cahier-de-textes\/cours\//);
  await axe(teacher.page, 'lesson log page');
  await teacher.page.getByLabel('Ce qui a été fait').fill('Révision : **fractions**.');
  await teacher.page.getByRole('button', { name: 'Enregistrer' }).click();
  await teacher.page.getByLabel('Intitulé').fill('Exercices 7 et 8 p. 60');
  const due = await teacher.page.getByLabel('Pour le').inputValue();
  assert.match(due, /^\d{4}-\d\d-\d\d$/);
  await teacher.page.getByRole('button', { name: 'Ajouter du travail à faire' }).click();
  await assert.doesNotReject(teacher.page.getByRole('heading', { name: 'Exercices 7 et 8 p. 60' }).waitFor());
  await teacher.page.screenshot({ path: SHOTS + 'log-lesson.png', fullPage: true });
  await teacher.ctx.close();

  const pupil = await phone();
  await signIn(pupil.page, 'eleve.demo');
  await pupil.page.goto(srv.url + '/travail-a-faire');
  await axe(pupil.page, 'homework list');
  const item = pupil.page.locator('article.hw', { hasText: 'Exercices 7 et 8 p. 60' });
  await item.getByRole('button', { name: "C'est fait" }).click();
  await assert.doesNotReject(pupil.page.locator('article.hw.done', { hasText: 'Exercices 7 et 8 p. 60' }).waitFor());
  await pupil.page.screenshot({ path: SHOTS + 'homework.png', fullPage: true });
  await pupil.page.goto(srv.url + '/cahier-de-textes');
  await axe(pupil.page, 'class log');
  await pupil.ctx.close();
});

test('S-GRADES in the browser: a teacher enters a whole class\'s marks with the keyboard; the pupil sees them; pages pass axe', async () => {
  const teacher = await phone();
  await signIn(teacher.page, 'prof.demo');
  await teacher.page.goto(srv.url + '/notes/enseignements');
  await axe(teacher.page, 'teacher grade books');
  await teacher.page.getByRole('link', { name: /4e B — Mathématiques/ }).click();
  await axe(teacher.page, 'grade book');
  await teacher.page.screenshot({ path: SHOTS + 'grade-book.png', fullPage: true });
  await teacher.page.getByLabel('Intitulé').fill('Contrôle — théorème de Thalès');
  await teacher.page.getByLabel('Date').fill('2026-03-10');
  await teacher.page.getByLabel('Coefficient').fill('2');
  await teacher.page.getByRole('button', { name: 'Créer l\'évaluation' }).click();
  await teacher.page.waitForURL(/\/notes\/evaluations\/\d+$/);
  // Type a mark, Tab to the next pupil, and so on down the class.
  const first = teacher.page.locator('input[name^="note_"]').first();
  await first.focus();
  const marks = ['14', '9,5', 'abs', '17', '12'];
  for (const m of marks) {
    await teacher.page.keyboard.type(m);
    await teacher.page.keyboard.press('Tab');
  }
  await teacher.page.getByLabel('Moreau Lucie').fill('15,5');
  await teacher.page.getByLabel('Publiée aux élèves et aux familles').check();
  await axe(teacher.page, 'mark entry sheet');
  await teacher.page.getByRole('button', { name: 'Enregistrer les notes' }).click();
  await assert.doesNotReject(teacher.page.getByText('Notes enregistrées.').waitFor());
  assert.equal(await teacher.page.locator('input[name^="note_"]').nth(1).inputValue(), '9,5');
  assert.equal(await teacher.page.locator('input[name^="note_"]').nth(2).inputValue(), 'abs');
  await teacher.page.screenshot({ path: SHOTS + 'mark-entry.png', fullPage: true });
  // A typing mistake: nothing saved, the pupil named, the value kept.
  await teacher.page.getByLabel('Moreau Lucie').fill('25');
  await teacher.page.getByRole('button', { name: 'Enregistrer les notes' }).click();
  await assert.doesNotReject(teacher.page.getByText(/Lucie Moreau : la note dépasse le barème/).waitFor());
  await axe(teacher.page, 'mark entry sheet with an error');
  await teacher.ctx.close();

  const pupil = await phone();
  await signIn(pupil.page, 'eleve.demo');
  await assert.doesNotReject(pupil.page.locator('li', { hasText: /Contrôle — théorème de Thalès 15,5\/20/ }).first().waitFor());
  await pupil.page.getByRole('link', { name: 'Notes', exact: true }).first().click();
  await pupil.page.waitForURL(/\/notes/);
  await assert.doesNotReject(pupil.page.getByText('Contrôle — théorème de Thalès').waitFor());
  await axe(pupil.page, 'pupil grades');
  await pupil.page.screenshot({ path: SHOTS + 'grades.png', fullPage: true });
  await pupil.page.getByRole('link', { name: 'Comment les moyennes sont calculées' }).click();
  await axe(pupil.page, 'averages rules');
  await pupil.ctx.close();
});

test('S-ATTENDANCE in the browser: roll call from the timetable, the parent justifies with a photo, school life accepts; pages pass axe', async () => {
  const teacher = await phone();
  await signIn(teacher.page, 'prof.demo');
  await teacher.page.goto(srv.url + '/emploi-du-temps?semaine=2026-03-09');
  await teacher.page.locator('li.lesson', { hasText: '4e B' }).getByRole('link', { name: 'Appel' }).first().click();
  await teacher.page.waitForURL(/\/appel\/\d+\/2026-03-09$/);
  await axe(teacher.page, 'roll call');
  // One tap per absent pupil.
  await teacher.page.getByRole('checkbox', { name: /Moreau Lucie/ }).check();
  await teacher.page.screenshot({ path: SHOTS + 'roll-call.png', fullPage: true });
  await teacher.page.getByRole('button', { name: 'Valider l\'appel' }).click();
  await assert.doesNotReject(teacher.page.getByText(/Appel enregistré/).waitFor());
  assert.equal(await teacher.page.getByRole('checkbox', { name: /Moreau Lucie/ }).isChecked(), true);
  await teacher.ctx.close();

  const parent = await phone();
  await signIn(parent.page, 'parent.demo');
  await assert.doesNotReject(parent.page.getByText(/Lundi 9 mars 2026, après-midi/).first().waitFor());
  await parent.page.locator('section.child', { hasText: 'Lucie Moreau' }).getByRole('link', { name: 'Justifier' }).click();
  await parent.page.waitForURL(/\/absences\/eleves\/\d+$/);
  await axe(parent.page, 'absences of a child');
  const item = parent.page.locator('li', { hasText: 'Lundi 9 mars 2026, après-midi' }).first();
  await item.locator('summary').click();
  await item.getByLabel('Motif').selectOption({ label: 'Maladie' });
  await item.getByLabel('Commentaire (facultatif)').fill('Forte fièvre depuis dimanche soir');
  // A small PNG, as a phone photo would be.
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
  await item.getByLabel('Justificatif (facultatif)').setInputFiles({ name: 'ordonnance.png', mimeType: 'image/png', buffer: png });
  await axe(parent.page, 'justification form');
  await parent.page.screenshot({ path: SHOTS + 'justify.png', fullPage: true });
  await item.getByRole('button', { name: 'Envoyer le justificatif' }).click();
  await assert.doesNotReject(parent.page.getByText(/Justificatif envoyé : la vie scolaire va le valider/).waitFor());
  await parent.ctx.close();

  const cpe = await phone();
  await signIn(cpe.page, 'cpe.demo');
  await cpe.page.getByRole('link', { name: 'Vie scolaire' }).first().click();
  await cpe.page.waitForURL(/\/vie-scolaire/);
  await axe(cpe.page, 'school life day');
  await cpe.page.screenshot({ path: SHOTS + 'school-life.png', fullPage: true });
  const pending = cpe.page.locator('li', { hasText: 'Forte fièvre depuis dimanche soir' }).first();
  await assert.doesNotReject(pending.getByRole('link', { name: 'ordonnance.png' }).waitFor());
  await pending.getByRole('button', { name: 'Accepter' }).click();
  await cpe.page.waitForURL(/ok=1/);
  assert.equal(await cpe.page.locator('li', { hasText: 'Forte fièvre depuis dimanche soir' }).count(), 0);
  await cpe.ctx.close();
});

test('S-MESSAGES in the browser: a parent writes to a teacher with an attachment, the teacher reads and answers; pages pass axe', async () => {
  const parent = await phone();
  await signIn(parent.page, 'parent.demo');
  await parent.page.getByRole('link', { name: 'Messagerie' }).first().click();
  await parent.page.waitForURL(/\/messagerie$/);
  await axe(parent.page, 'inbox');
  await parent.page.getByRole('link', { name: 'Nouveau message' }).click();
  await axe(parent.page, 'compose');
  await parent.page.getByRole('checkbox', { name: /Nicolas Lefèvre/ }).check();
  await parent.page.getByLabel('Objet').fill('Sortie au musée');
  await parent.page.getByLabel('Message', { exact: true }).fill('Bonjour, voici l\'autorisation signée.');
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
  await parent.page.getByLabel('Pièces jointes', { exact: true }).setInputFiles({ name: 'autorisation.png', mimeType: 'image/png', buffer: png });
  await parent.page.screenshot({ path: SHOTS + 'message-compose.png', fullPage: true });
  await parent.page.getByRole('button', { name: 'Envoyer' }).click();
  await parent.page.waitForURL(/\/messagerie\/fils\/\d+$/);
  await assert.doesNotReject(parent.page.getByRole('link', { name: 'autorisation.png' }).waitFor());
  await parent.ctx.close();

  const teacher = await phone();
  await signIn(teacher.page, 'prof.demo');
  await assert.doesNotReject(teacher.page.getByText(/conversation\(s\) avec un message non lu/).waitFor());
  await teacher.page.getByRole('link', { name: 'Messagerie' }).first().click();
  await teacher.page.getByRole('link', { name: 'Sortie au musée' }).click();
  await axe(teacher.page, 'thread');
  await teacher.page.getByLabel('Votre réponse').fill('Merci, c\'est bien reçu.');
  await teacher.page.getByRole('button', { name: 'Répondre' }).click();
  await assert.doesNotReject(teacher.page.getByText('Merci, c\'est bien reçu.').waitFor());
  await teacher.page.screenshot({ path: SHOTS + 'message-thread.png', fullPage: true });
  await teacher.ctx.close();

  const head = await phone();
  await signIn(head.page, 'direction.demo');
  await head.page.getByRole('link', { name: 'Règles de la messagerie' }).click();
  await head.page.waitForURL(/\/messagerie$/);
  await axe(head.page, 'messaging rules');
  await head.page.goto(srv.url + '/');
  await head.page.getByRole('link', { name: /Messages signalés/ }).click();
  await head.page.waitForURL(/\/moderation$/);
  await axe(head.page, 'moderation queue');
  await head.page.screenshot({ path: SHOTS + 'messaging-rules.png', fullPage: true });
  await head.ctx.close();
});
