// structure.test.mjs — correcting what the exports do not carry (issue 15):
// the head edits the periods of the year and adds a class, moves a pupil
// to another class (the old enrolment ends the day before, her history
// stays); teachers and families never can. Every change audited.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, visibleText } from '../lib/carnet.mjs';

let srv, head, college;
const one = (q) => srv.sql(q);
before(async () => {
  srv = await startServer({ now: '2026-03-10T10:00' });
  head = await srv.as('direction.demo');
  college = one(
    'SELECT r.establishment_id FROM role r JOIN account a ON a.person_id = r.person_id WHERE' +
      " a.login = 'direction.demo' AND r.profile = 'head'",
  );
});
after(async () => {
  await srv?.stop();
});

test("Structure: the head changes a period's dates, refused when they overlap the next; adds a class once", async () => {
  const page = await head.get(`/etablissements/${college}/structure`);
  assert.equal(page.status, 200);
  const text = visibleText(page.text);
  assert.match(text, /Périodes de l'année/);
  const [pid, name, start] =
    one(`SELECT p.id, p.name, p.starts_on FROM period p JOIN school_year y ON y.id = p.school_year_id
    WHERE y.establishment_id = ${college} AND y.label = '2025-2026' AND p.ordinal = 1`).split('|');
  const next = one(`SELECT p.starts_on FROM period p JOIN school_year y ON y.id = p.school_year_id
    WHERE y.establishment_id = ${college} AND y.label = '2025-2026' AND p.ordinal = 2`);
  const csrf = Client.csrfOf(page.text);
  const overlap = await head.post(`/etablissements/${college}/periodes/${pid}`, {
    csrf,
    name,
    starts_on: start,
    ends_on: next,
  });
  assert.equal(overlap.status, 400);
  assert.match(visibleText(overlap.text), /chevauchent une autre période/);
  const backwards = await head.post(`/etablissements/${college}/periodes/${pid}`, {
    csrf,
    name,
    starts_on: '2025-11-30',
    ends_on: '2025-09-01',
  });
  assert.equal(backwards.status, 400);
  const ok = await head.post(`/etablissements/${college}/periodes/${pid}`, {
    csrf,
    name: 'Premier trimestre',
    starts_on: start,
    ends_on: '2025-11-21',
  });
  assert.equal(ok.status, 303);
  assert.equal(
    one(`SELECT name || ' ' || ends_on FROM period WHERE id = ${pid}`),
    'Premier trimestre 2025-11-21',
  );
  assert.equal(one("SELECT count(*) FROM audit WHERE action = 'period.changed'"), '1');
  const level = one("SELECT id FROM level WHERE code = '6E'");
  const add = await head.post(`/etablissements/${college}/classes`, { csrf, name: '6e Z', level });
  assert.equal(add.status, 303);
  assert.equal(
    one(`SELECT count(*) FROM class WHERE establishment_id = ${college} AND name = '6e Z'`),
    '1',
  );
  assert.equal(
    (await head.post(`/etablissements/${college}/classes`, { csrf, name: '6e Z', level })).status,
    400,
  );
  assert.match(
    visibleText((await head.get(`/etablissements/${college}/structure`)).text),
    /6e Z 6e 0/,
  );
});

test('Structure: the head moves a pupil to another class; her enrolment is dated, her history stays', async () => {
  const pupil = one("SELECT person_id FROM account WHERE login = 'eleve.demo'");
  const [enrolment, from] = one(
    `SELECT en.id, en.class_id FROM enrolment en WHERE en.pupil_id = ${pupil} AND en.ends_on IS NULL`,
  ).split('|');
  const to =
    one(`SELECT o.id FROM class o JOIN class c ON c.id = ${from} WHERE o.school_year_id = c.school_year_id
    AND o.establishment_id = c.establishment_id AND o.id <> c.id ORDER BY o.id LIMIT 1`);
  const page = await head.get(`/personnes/${pupil}`);
  assert.match(page.text, /action="\/personnes\/\d+\/classe"/);
  const r = await head.post(`/personnes/${pupil}/classe`, {
    csrf: Client.csrfOf(page.text),
    classe: to,
  });
  assert.equal(r.status, 303);
  assert.equal(one(`SELECT ends_on FROM enrolment WHERE id = ${enrolment}`), '2026-03-09');
  assert.equal(
    one(
      `SELECT class_id || ' ' || starts_on FROM enrolment WHERE pupil_id = ${pupil} AND ends_on IS NULL`,
    ),
    `${to} 2026-03-10`,
  );
  assert.equal(
    one(`SELECT count(*) FROM audit WHERE action = 'pupil.moved' AND person_id = ${pupil}`),
    '1',
  );
  // Another establishment's class: refused, nothing changes.
  const far = one(`SELECT id FROM class WHERE establishment_id <> ${college} LIMIT 1`);
  assert.equal(
    (await head.post(`/personnes/${pupil}/classe`, { csrf: Client.csrfOf(page.text), classe: far }))
      .status,
    400,
  );
  assert.equal(
    one(`SELECT class_id FROM enrolment WHERE pupil_id = ${pupil} AND ends_on IS NULL`),
    to,
  );
});

test('Structure: teachers and families never reach it', async () => {
  for (const login of ['prof.demo', 'parent.demo', 'cpe.demo']) {
    const c = await srv.as(login);
    assert.equal((await c.get(`/etablissements/${college}/structure`)).status, 403, login);
    const home = await c.get('/');
    const pupil = one("SELECT person_id FROM account WHERE login = 'eleve.demo'");
    assert.equal(
      (await c.post(`/personnes/${pupil}/classe`, { csrf: Client.csrfOf(home.text), classe: 1 }))
        .status,
      403,
      login,
    );
  }
});

test(
  "Structure: the head withdraws a parent's legal responsibility; that parent" +
    ' stops seeing the child at once, and regains it',
  async () => {
    const pupil = one("SELECT person_id FROM account WHERE login = 'eleve.demo'");
    const parent = one("SELECT person_id FROM account WHERE login = 'parent.demo'");
    const mum = await srv.as('parent.demo');
    assert.equal((await mum.get(`/notes/eleves/${pupil}`)).status, 200);
    const page = await head.get(`/personnes/${pupil}`);
    assert.match(visibleText(page.text), /Responsables \(correction\)/);
    const csrf = Client.csrfOf(page.text);
    const other =
      one(`SELECT count(*) FROM guardianship g JOIN enrolment en ON en.pupil_id = g.pupil_id
    WHERE g.parent_id = ${parent} AND g.pupil_id <> ${pupil} AND en.ends_on IS NULL`);
    let r = await head.post(`/personnes/${pupil}/responsables/${parent}`, {
      csrf,
      action: 'simple',
    });
    assert.equal(r.status, 303);
    assert.equal(
      one(
        `SELECT legal_responsibility FROM guardianship WHERE parent_id = ${parent} AND pupil_id = ${pupil}`,
      ),
      '0',
    );
    assert.equal((await mum.get(`/notes/eleves/${pupil}`)).status, 403);
    assert.doesNotMatch(
      visibleText((await mum.get('/')).text),
      new RegExp(one(`SELECT first_name FROM person WHERE id = ${pupil}`)),
    );
    if (other === '0') {
      assert.equal(
        one(
          `SELECT count(*) FROM role WHERE person_id = ${parent} AND profile = 'parent' AND ends_on IS NULL`,
        ),
        '0',
      );
    }
    r = await head.post(`/personnes/${pupil}/responsables/${parent}`, { csrf, action: 'legal' });
    assert.equal(r.status, 303);
    assert.equal((await mum.get(`/notes/eleves/${pupil}`)).status, 200);
    assert.equal(one("SELECT count(*) FROM audit WHERE action = 'guardianship.changed'"), '2');
    assert.equal(
      (await head.post(`/personnes/${pupil}/responsables/${parent}`, { csrf, action: 'n-importe' }))
        .status,
      400,
    );
  },
);
