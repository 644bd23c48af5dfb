// The outside review's school items: class statistics that gave a
// classmate's mark away (#4), `carnet demo` without --now (#11), months and
// dates in words (#13), every page of a profile reachable from its portal
// (#14), the demo's services catalogue (#16).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, startServer, sqlOn, Client, visibleText } from '../lib/carnet.mjs';

let srv, ids;
const one = (q) => srv.sql(q);
const rows = (q) => one(q).split('\n').filter(Boolean);

before(async () => {
  // Tuesday 10 March 2026, 10:00: the collège's 3rd trimester began on 7 March.
  srv = await startServer({ now: '2026-03-10T10:00' });
  const lucie = one("SELECT person_id FROM account WHERE login = 'eleve.demo'");
  const cls = one(`SELECT class_id FROM enrolment WHERE pupil_id = ${lucie}`);
  const prof = one("SELECT person_id FROM account WHERE login = 'prof.demo'");
  ids = {
    lucie,
    cls,
    prof,
    est: one(`SELECT establishment_id FROM class WHERE id = ${cls}`),
    teaching: one(`SELECT id FROM teaching WHERE teacher_id = ${prof} AND class_id = ${cls}`),
    t3: one(
      `SELECT p.id FROM period p JOIN class c ON c.school_year_id = p.school_year_id WHERE c.id = ${cls} AND p.ordinal = 3`,
    ),
  };
  for (const [k, v] of Object.entries(ids)) assert.ok(v, `demo data has ${k}`);
  ids.mates = rows(
    `SELECT pupil_id FROM enrolment WHERE class_id = ${cls} AND pupil_id <> ${lucie} ORDER BY pupil_id LIMIT 4`,
  );
});
after(async () => {
  await srv.stop();
});

// ---- #4 ----------------------------------------------------------------------

/** The teacher creates an assessment in 4e B maths and publishes marks ({ pupil: 'text' }). */
async function publish(title, marks) {
  const t = await srv.as('prof.demo');
  const book = `/notes/enseignements/${ids.teaching}`;
  const page = await t.get(book);
  const res = await t.post(`${book}/evaluations`, {
    csrf: Client.csrfOf(page.text),
    title,
    on_date: '2026-03-10',
    scale: '20',
    coefficient: '1',
    kind: 'normal',
  });
  assert.equal(res.status, 303, visibleText(res.text));
  const id = res.location.match(/evaluations\/(\d+)/)[1];
  const sheet = await t.get(`/notes/evaluations/${id}`);
  const form = { csrf: Client.csrfOf(sheet.text), publier: '1' };
  for (const [p, v] of Object.entries(marks)) form[`note_${p}`] = v;
  assert.equal((await t.post(`/notes/evaluations/${id}`, form)).status, 303);
  return id;
}

/** What login sees of Lucie's 3rd trimester: the page's text and the API's report. */
async function report(login, lang = 'fr') {
  const c = await srv.as(login);
  if (lang !== 'fr') c.cookies.set('lang', lang);
  const text = visibleText((await c.get(`/notes/eleves/${ids.lucie}?periode=${ids.t3}`)).text);
  const api = (await c.get(`/api/v1/grades?eleve=${ids.lucie}&periode=${ids.t3}`)).json();
  return { text, api };
}

const STATS = /Classe [\d,]+ · min [\d,]+ · max [\d,]+/;

test('Review #4: with two marks, neither the pupil nor the parent sees a class statistic (page and API); with five they do; the teacher always does', async () => {
  // Only what this test enters in the collège's 3rd trimester.
  const t3 = `SELECT id FROM assessment WHERE period_id = ${ids.t3}`;
  one(`DELETE FROM skill_result WHERE assessment_id IN (${t3}); DELETE FROM assessment_skill WHERE assessment_id IN (${t3});
       DELETE FROM mark WHERE assessment_id IN (${t3}); DELETE FROM assessment WHERE period_id = ${ids.t3};`);
  const [a, b, c, d] = ids.mates;
  const id = await publish('Contrôle à deux', { [ids.lucie]: '12', [a]: '16' });
  // Two days later the parents see it too (one day's delay by default).
  await srv.setClock('2026-03-12T10:00');
  for (const login of ['eleve.demo', 'parent.demo']) {
    const { text, api } = await report(login);
    assert.match(text, /Contrôle à deux .*12\/20/, login);
    // Lucie's 12 and a mean of 14 would tell her that her classmate had 16.
    assert.doesNotMatch(text, STATS, login);
    assert.doesNotMatch(text, /\b14,00\b|\b16,00\b/, login);
    assert.match(text, /Statistiques de classe affichées à partir de 5 notes\./, login);
    const maths = api.subjects.find((s) => s.subject === 'Mathématiques');
    assert.equal(maths.average, 12);
    assert.equal(maths.class, null, login);
    assert.equal(maths.assessments[0].class, null, login);
    assert.equal(api.general.class, null, login);
    assert.equal(api.class_min_marks, 5);
  }
  assert.match(
    (await report('parent.demo', 'en')).text,
    /Class statistics are shown from 5 marks on\./,
  );
  // The teacher knows every mark anyway: their book and sheet keep the statistics.
  const prof = await srv.as('prof.demo');
  assert.match(
    visibleText((await prof.get(`/notes/evaluations/${id}`)).text),
    /Classe 14 · min 12 · max 16/,
  );
  assert.match(
    visibleText((await prof.get(`/notes/enseignements/${ids.teaching}?periode=${ids.t3}`)).text),
    /Classe 14 · min 12 · max 16/,
  );
  // Three more marks: five, the minimum.
  const sheet = await prof.get(`/notes/evaluations/${id}`);
  assert.equal(
    (
      await prof.post(`/notes/evaluations/${id}`, {
        csrf: Client.csrfOf(sheet.text),
        [`note_${b}`]: '8',
        [`note_${c}`]: '10',
        [`note_${d}`]: '14',
      })
    ).status,
    303,
  );
  await srv.setClock('2026-03-13T12:00');
  for (const login of ['eleve.demo', 'parent.demo']) {
    const { text, api } = await report(login);
    // (12 + 16 + 8 + 10 + 14) / 5 = 12, min 8, max 16: per subject and overall.
    assert.match(
      text,
      /Moyenne générale — 3e trimestre 12,00 \/ 20 Classe 12,00 · min 8,00 · max 16,00/,
      login,
    );
    assert.match(
      text,
      /Mathématiques N\. Lefèvre Moyenne 12,00 Classe 12,00 · min 8,00 · max 16,00/,
      login,
    );
    assert.doesNotMatch(text, /Statistiques de classe affichées/, login);
    const maths = api.subjects.find((s) => s.subject === 'Mathématiques');
    assert.deepEqual(maths.class, { average: 12, min: 8, max: 16 }, login);
    assert.deepEqual(maths.assessments[0].class, { average: 12, min: 8, max: 16 }, login);
    assert.deepEqual(api.general.class, { average: 12, min: 8, max: 16 }, login);
  }
  // The families' rules say so.
  assert.match(
    visibleText((await (await srv.as('eleve.demo')).get('/aide/moyennes')).text),
    /statistiques de la classe .* ne sont affichées aux élèves et aux parents qu'à partir de 5 notes/,
  );
  await srv.setClock('2026-03-10T10:00');
});

// ---- #11 ---------------------------------------------------------------------

/** `carnet demo` into a new SQLite file of dir, with these extra arguments: its standard output. */
function demo(db, extra = []) {
  return execFileSync(BIN, ['demo', '--db', db, ...extra], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

test(
  "Review #11: `carnet demo` without --now builds the demo's school year (lessons, class log, marks), whatever the machine's clock",
  { timeout: 240000 },
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'carnet-demo-'));
    try {
      const db = join(dir, 'demo.db');
      const said = demo(db);
      // DEMO_NOW (src/demo/demo.h), the instant `make demo` uses.
      assert.match(
        said,
        /generated at 2025-11-18T08:00\. Serve it at that instant: carnet serve --db .* --now 2025-11-18T08:00/,
      );
      const count = (q) => Number(sqlOn(db, `SELECT count(*) FROM ${q}`));
      assert.ok(count('timetable_slot') > 0);
      assert.ok(count('log_entry') > 0, 'class log of the lessons up to 18 November 2025');
      assert.ok(count('homework') > 0);
      assert.ok(count('assessment') > 0 && count('mark') > 0, 'marks of the 1st trimester');
      assert.ok(count("school_year WHERE label = '2025-2026'") > 0);
      // Nothing after the demo's instant: it was not generated on the machine's clock.
      assert.equal(count("log_entry WHERE on_date > '2025-11-18'"), 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  'Review #11: a real school year without its school calendar still says "calendar missing" and shows no lessons',
  { timeout: 240000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carnet-demo-'));
    const db = join(dir, 'demo.db');
    // A clock in 2026-2027, whose calendar is not loaded.
    demo(db, ['--now', '2026-12-07T10:00']);
    const s = await startServer({ db, now: '2026-12-07T10:00' });
    try {
      const c = await s.as('eleve.demo');
      const page = visibleText((await c.get('/emploi-du-temps')).text);
      assert.match(
        page,
        /Le calendrier scolaire de cette année n'est pas chargé pour cet établissement : aucun cours n'est affiché/,
      );
      const week = (await c.get('/api/v1/timetable')).json();
      assert.equal(week.calendar_loaded, false);
      assert.ok(week.days.every((d) => d.lessons.length === 0));
      const admin = await s.as('admin.demo');
      const territory = s.sql(
        "SELECT territory_id FROM role r JOIN account a ON a.person_id = r.person_id WHERE a.login = 'admin.demo'",
      );
      assert.match(
        visibleText((await admin.get(`/territoires/${territory}/calendrier`)).text),
        /non chargé : aucun cours ne sera affiché/,
      );
    } finally {
      await s.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

// ---- #13 ----------------------------------------------------------------------

const RAW_DATE = /\b\d{4}-\d{2}(-\d{2})?\b/;

test("Review #13: the CPE's alerts give the month in words, in the reader's language", async () => {
  const pupil = ids.mates[0];
  one(`DELETE FROM attendance_alert WHERE pupil_id = ${pupil};
       INSERT INTO attendance_alert (pupil_id, establishment_id, month, half_days, created_at) VALUES (${pupil}, ${ids.est}, '2025-11', 4, 0)`);
  const name = one(`SELECT first_name || ' ' || last_name FROM person WHERE id = ${pupil}`);
  const cpe = await srv.as('cpe.demo');
  const fr = visibleText((await cpe.get('/vie-scolaire')).text);
  assert.match(fr, new RegExp(`${name} — novembre 2025 : 4 demi-journées non justifiées`));
  assert.doesNotMatch(fr, /2025-11/);
  assert.doesNotMatch(fr, RAW_DATE);
  cpe.cookies.set('lang', 'en');
  const en = visibleText((await cpe.get('/vie-scolaire')).text);
  assert.match(en, new RegExp(`${name} — November 2025: 4 unjustified half-days`));
  assert.doesNotMatch(en, RAW_DATE);
});

// ---- #14 and #13: a crawl from each portal -------------------------------------

/** A link's page, as a route pattern: "/notes/eleves/{id}", "/appel/{id}/{date}", "/vie-scolaire?etablissement". */
function pattern(url) {
  const [path, query] = url.split('?');
  const p = path
    .replace(/\/\d{4}-\d{2}-\d{2}(?=\/|$)/g, '/{date}')
    .replace(/\/\d+(?=\/|$)/g, '/{id}');
  return query
    ? `${p}?${query
        .split('&')
        .map((kv) => kv.split('=')[0])
        .sort()
        .join('&')}`
    : p;
}

/** Follow the same-origin links from login's portal, breadth first, up to
 * `depth` clicks; of each page's links to one pattern, the first and the
 * last; each pattern at most `cap` times. Every page seen (url → depth,
 * status, pattern, the text a person reads). */
async function crawl(login, { depth = 4, cap = 4, lang = 'fr' } = {}) {
  const c = await srv.as(login);
  if (lang !== 'fr') c.cookies.set('lang', lang);
  const pages = new Map(),
    visits = new Map(),
    queue = [['/', 0]];
  while (queue.length) {
    const [url, d] = queue.shift();
    if (pages.has(url)) continue;
    const pat = pattern(url),
      k = visits.get(pat) || 0;
    if (k >= cap) continue;
    visits.set(pat, k + 1);
    const res = await c.get(url);
    const html =
      res.status === 200 && (res.headers.get('content-type') || '').includes('text/html')
        ? res.text
        : '';
    pages.set(url, {
      depth: d,
      status: res.status,
      pattern: pat,
      html,
      text: html ? visibleText(html) : '',
    });
    if (!html || d >= depth) continue;
    const byPattern = new Map();
    for (const m of html.matchAll(/href="([^"#]+)/g)) {
      const href = m[1].replace(/&amp;/g, '&');
      if (
        !href.startsWith('/') ||
        href.startsWith('//') ||
        /^\/(static|ical|deconnexion|langue)\b/.test(href)
      )
        continue;
      const p = pattern(href);
      if (!byPattern.has(p)) byPattern.set(p, []);
      byPattern.get(p).push(href);
    }
    for (const hrefs of byPattern.values())
      for (const h of new Set([hrefs[0], hrefs.at(-1)])) queue.push([h, d + 1]);
  }
  return pages;
}

/** The shallowest depth at which each pattern answered 200. */
function reached(pages) {
  const at = new Map();
  for (const p of pages.values())
    if (p.status === 200 && !(at.get(p.pattern) <= p.depth)) at.set(p.pattern, p.depth);
  return at;
}

const common = [
  '/messagerie',
  '/messagerie/nouveau',
  '/notifications',
  '/compte',
  '/compte/notifications',
];
const schoolLife = [
  '/vie-scolaire',
  '/etablissements/{id}',
  '/etablissements/{id}/motifs',
  '/classes/{id}',
  '/classes/{id}/courriers',
  '/personnes/{id}',
  '/notes/classes',
  '/notes/classes/{id}',
  '/notes/eleves/{id}',
  '/absences/eleves/{id}',
  '/cahier-de-textes/classes',
  '/cahier-de-textes/classes/{id}',
  '/cahier-de-textes/eleves/{id}',
  '/travail-a-faire/eleves/{id}',
  '/emploi-du-temps',
  '/emploi-du-temps/eleves/{id}',
  '/emploi-du-temps/classes/{id}',
  '/emploi-du-temps/enseignants/{id}',
  '/emploi-du-temps/salles/{id}',
  '/emploi-du-temps/cours/{id}/{date}',
  '/appel/{id}/{date}',
  ...common,
];
const settings = [
  '/etablissements/{id}/cahier-de-textes',
  '/etablissements/{id}/services',
  '/etablissements/{id}/diffusion',
  '/etablissements/{id}/messagerie',
  '/etablissements/{id}/moderation',
  '/etablissements/{id}/representants',
];

/** Per demo login: the pages its profile may use (the route tables and src/policy/policy.c), each to be reached from its portal. */
const PROFILES = {
  'eleve.demo': [
    '/emploi-du-temps',
    '/emploi-du-temps/agenda',
    '/travail-a-faire',
    '/cahier-de-textes',
    '/notes',
    '/notes/eleves/{id}',
    '/aide/moyennes',
    '/absences',
    '/absences/eleves/{id}',
    ...common,
  ],
  'parent.demo': [
    '/emploi-du-temps/eleves/{id}',
    '/travail-a-faire/eleves/{id}',
    '/cahier-de-textes/eleves/{id}',
    '/notes/eleves/{id}',
    '/aide/moyennes',
    '/absences/eleves/{id}',
    '/personnes/{id}',
    ...common,
  ],
  'prof.demo': [
    '/emploi-du-temps',
    '/emploi-du-temps/enseignants/{id}',
    '/emploi-du-temps/classes/{id}',
    '/emploi-du-temps/salles/{id}',
    '/emploi-du-temps/agenda',
    '/cahier-de-textes/cours/{id}/{date}',
    '/appel/{id}/{date}',
    '/notes/enseignements',
    '/notes/enseignements/{id}',
    '/notes/evaluations/{id}',
    '/classes/{id}',
    '/personnes/{id}',
    '/notes/eleves/{id}',
    '/absences/eleves/{id}',
    '/cahier-de-textes/eleves/{id}',
    '/travail-a-faire/eleves/{id}',
    '/emploi-du-temps/eleves/{id}',
    '/etablissements/{id}',
    ...common,
  ],
  'cpe.demo': schoolLife,
  'direction.demo': [...schoolLife, ...settings],
  'admin.demo': [
    '/territoires/{id}/services',
    '/territoires/{id}/calendrier',
    '/etablissements/{id}',
    ...settings,
    '/etablissements/{id}/motifs',
    '/classes/{id}',
    '/classes/{id}/courriers',
    '/personnes/{id}',
    '/notifications',
    '/compte',
  ],
};

/** The built-in services of the portal, with the pages that belong to each. */
const SERVICES = {
  'Emploi du temps': /^\/emploi-du-temps/,
  'Cahier de textes': /^\/(cahier-de-textes|travail-a-faire)/,
  'Notes et compétences': /^\/notes/,
  'Absences et retards': /^\/(absences|appel|vie-scolaire)/,
  Messagerie: /^\/messagerie/,
};

const crawls = new Map();
const crawlOf = async (login) => {
  if (!crawls.has(login)) crawls.set(login, await crawl(login));
  return crawls.get(login);
};

test(
  "Review #14: from each profile's portal, every page the profile may use is reached by following links",
  { timeout: 240000 },
  async () => {
    const missing = [];
    for (const [login, wanted] of Object.entries(PROFILES)) {
      const at = reached(await crawlOf(login));
      for (const p of wanted) if (!at.has(p)) missing.push(`${login}: ${p}`);
    }
    assert.deepEqual(missing, [], 'pages not reachable from the portal');
    // The head's own pages straight from the portal (the log's rule was reachable only from the establishment page).
    const head = reached(await crawlOf('direction.demo'));
    for (const p of [
      '/etablissements/{id}/cahier-de-textes',
      '/notes/classes',
      '/cahier-de-textes/classes',
      '/vie-scolaire',
    ])
      assert.equal(head.get(p), 1, `direction.demo: ${p} one click from the portal`);
    const cpe = reached(await crawlOf('cpe.demo'));
    for (const p of ['/notes/classes', '/cahier-de-textes/classes', '/vie-scolaire'])
      assert.equal(cpe.get(p), 1, `cpe.demo: ${p} one click from the portal`);
  },
);

test(
  'Review #14: no portal lists as "coming soon" a service its profile can open',
  { timeout: 240000 },
  async () => {
    for (const login of Object.keys(PROFILES)) {
      const pages = await crawlOf(login);
      const portal = pages.get('/').html;
      const soon = (portal.match(/<p class="soon">([\s\S]*?)<\/p>/g) || []).flatMap((p) =>
        [...p.matchAll(/<span class="chip"[^>]*>([^<]+)<\/span>/g)].map((m) => m[1].trim()),
      );
      const opened = [...reached(pages).keys()];
      for (const name of soon) {
        const belongs = SERVICES[name];
        if (!belongs) continue; // a service Carnet does not deliver yet
        assert.deepEqual(
          opened.filter((p) => belongs.test(p)),
          [],
          `${login}: "${name}" is listed as coming soon but opens`,
        );
      }
    }
    // Heads and school life: the grades and the class log are services they open, from the portal.
    for (const login of ['cpe.demo', 'direction.demo']) {
      const portal = (await crawlOf(login)).get('/').html;
      assert.match(
        portal,
        /<li class="svc builtin"><a href="\/notes\/classes"><span class="svc-title">Notes et compétences<\/span>/,
        login,
      );
      assert.match(
        portal,
        /<li class="svc builtin"><a href="\/cahier-de-textes\/classes"><span class="svc-title">Cahier de textes<\/span>/,
        login,
      );
      assert.doesNotMatch(
        visibleText(portal),
        /Bientôt dans Carnet : .*(Notes et compétences|Cahier de textes)/,
        login,
      );
    }
  },
);

test(
  'Review #13: no page of any profile shows a raw date or month ("2025-11", "2026-03-10"), in French or in English',
  { timeout: 240000 },
  async () => {
    const raw = [];
    for (const login of Object.keys(PROFILES)) {
      for (const [url, p] of await crawlOf(login)) {
        const m = p.text.match(RAW_DATE);
        if (m)
          raw.push(`${login} ${url}: …${p.text.slice(Math.max(0, m.index - 40), m.index + 20)}…`);
      }
      for (const [url, p] of await crawl(login, { depth: 2, cap: 2, lang: 'en' })) {
        const m = p.text.match(RAW_DATE);
        if (m)
          raw.push(
            `${login} (en) ${url}: …${p.text.slice(Math.max(0, m.index - 40), m.index + 20)}…`,
          );
      }
    }
    assert.deepEqual(raw, []);
  },
);

// ---- #16 ---------------------------------------------------------------------

test("Review #16: the demo's services catalogue links only to real public addresses (the LSU to Scolarité services); the canteen's menus, without one, are not a link", async () => {
  const links = rows(
    "SELECT title || '|' || coalesce(url, '') FROM service WHERE kind = 'link'",
  ).map((r) => r.split('|'));
  assert.ok(links.length >= 4);
  for (const [title, url] of links) {
    if (/^Restauration scolaire/.test(title)) {
      assert.equal(url, '', 'the menus have no public address');
      continue;
    }
    assert.match(url, /^https:\/\//, title);
    assert.doesNotMatch(
      new URL(url).hostname,
      /(^|\.)example\.(org|com|net)$|^localhost$|placeholder|cantine\.example/,
      `${title}: ${url}`,
    );
  }
  const lsu = links.find(([title]) => /Livret scolaire unique/.test(title));
  assert.equal(lsu[1], 'https://teleservices.education.gouv.fr/');
  // As a parent sees it on the portal.
  const portal = (await (await srv.as('parent.demo')).get('/')).text;
  assert.match(portal, /href="https:\/\/teleservices\.education\.gouv\.fr\/"/);
  assert.doesNotMatch(portal, /href="https?:\/\/[^"]*example\.(org|com|net)/);
  assert.match(
    portal,
    /<li class="svc link"><span class="svc-title">Restauration scolaire — menus<\/span>/,
  );
  assert.doesNotMatch(portal, /href=""/);
});

test('Review #16: a catalogue entry without an address is shown without a link', async () => {
  one(`INSERT INTO service (territory_id, establishment_id, kind, title, url, description, profiles, position, enabled, created_at)
       VALUES (NULL, ${ids.est}, 'link', 'Sans adresse', NULL, 'Une entrée sans lien.', 'pupil,parent', 99, 1, 0)`);
  const portal = (await (await srv.as('eleve.demo')).get('/')).text;
  assert.match(portal, /<li class="svc link"><span class="svc-title">Sans adresse<\/span>/);
  const head = await srv.as('direction.demo');
  const editor = await head.get(`/etablissements/${ids.est}/services`);
  assert.equal(editor.status, 200);
  assert.match(visibleText(editor.text), /Sans adresse/);
  one("DELETE FROM service WHERE title = 'Sans adresse'");
});
