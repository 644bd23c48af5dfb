// Review #5 — uploads: office documents (ZIP archives) whose central
// directory announces a zip bomb are refused, with a clear message and
// nothing stored, while a normal document goes; the stored and served name
// of a file agrees with its detected type (a PNG sent as x.html comes back
// as x.png, image/png); when clamd cannot be reached, the log says so once
// and the head's settings page shows it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { crc32, deflateRawSync } from 'node:zlib';
import { startServer, Client, visibleText } from '../lib/carnet.mjs';

let srv, ids;
const one = (q) => srv.sql(q);
const counts = () =>
  `${one('SELECT count(*) FROM message')}/${one('SELECT count(*) FROM attachment')}/${one('SELECT count(*) FROM file_blob')}`;
const NO_CLAMD = '/nonexistent/carnet-review/clamd.sock';

before(async () => {
  // clamd "configured" but not there: nothing is scanned, and it is said.
  srv = await startServer({ now: '2026-03-10T17:30', env: { CARNET_CLAMD: NO_CLAMD } });
  const lucie = one("SELECT person_id FROM account WHERE login = 'eleve.demo'");
  ids = {
    prof: one("SELECT person_id FROM account WHERE login = 'prof.demo'"),
    est: one(
      `SELECT c.establishment_id FROM enrolment e JOIN class c ON c.id = e.class_id WHERE e.pupil_id = ${lucie}`,
    ),
  };
});
after(async () => {
  await srv?.stop();
});

/** A ZIP archive, written by hand: entries { name, data } deflated (or
 * { name, data, store: true }), or { name, deflated, size, crc } already
 * compressed; local headers, central directory, end record. */
function zip(entries) {
  const locals = [],
    centrals = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const method = e.store ? 0 : 8;
    const body = e.deflated ?? (e.store ? e.data : deflateRawSync(e.data));
    const size = e.size ?? e.data.length,
      crc = e.crc ?? crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

// What libmagic needs to see a Word document: [Content_Types].xml first, then word/.
const TYPES =
  '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
  '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml"' +
  ' ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>';
const docxParts = (text) => [
  { name: '[Content_Types].xml', data: Buffer.from(TYPES) },
  {
    name: '_rels/.rels',
    data: Buffer.from(
      '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>',
    ),
  },
  {
    name: 'word/document.xml',
    data: Buffer.from(
      `<?xml version="1.0"?><w:document><w:body><w:p><w:r><w:t>${text}</w:t></w:r></w:p></w:body></w:document>`,
    ),
  },
];
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

// A 1×1 PNG, then an HTML page with a script: what a browser would run if it
// saved the download as .html.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const PNG_HTML = Buffer.concat([
  PNG,
  Buffer.from('<html><body><script>alert(document.cookie)</script></body></html>'),
]);

async function send(c, name, data, subject = 'Pièce jointe') {
  const page = await c.get('/messagerie/nouveau');
  const form = new FormData();
  form.set('csrf', Client.csrfOf(page.text));
  form.set(`to_${ids.prof}`, '1');
  form.set('subject', subject);
  form.set('body', 'Voici le document.');
  form.append('piece', new Blob([data]), name);
  return c.request('POST', '/messagerie/nouveau', { body: form });
}

const latest = () =>
  one("SELECT id || '|' || name || '|' || mime FROM attachment ORDER BY id DESC LIMIT 1").split(
    '|',
  );

test('Review #5: a 1 MB .docx that expands to 1 GiB is refused with a clear message, nothing stored', async () => {
  const p = await srv.as('parent.demo');
  // 32 entries of 32 MiB of zeros each, deflated once (32 KB): a real bomb,
  // whose local headers say the same as its directory.
  const zeros = Buffer.alloc(32 * 1024 * 1024);
  const deflated = deflateRawSync(zeros, { level: 9 }),
    crc = crc32(zeros);
  const bomb = zip([
    ...docxParts('Rapport'),
    ...Array.from({ length: 32 }, (_, i) => ({
      name: `word/media/image${i}.bin`,
      deflated,
      size: zeros.length,
      crc,
    })),
  ]);
  assert.ok(bomb.length < 1.5 * 1024 * 1024, `about 1 MB (${bomb.length})`);
  const before = counts();
  const res = await send(p, 'rapport.docx', bomb);
  assert.equal(res.status, 400);
  assert.match(
    visibleText(res.text),
    /Ce document bureautique se décompresse en plus de 100 Mo ou de 100 fois sa taille : il a été refusé/,
  );
  assert.equal(counts(), before, 'nothing stored');
  assert.match(
    srv.stderr,
    /upload refused: an office document of \d+ bytes announces 35 entries expanding to 1073\d+ bytes/,
  );

  // Under the total but 500 times its size: refused as well.
  const dense = zip([
    ...docxParts('Dense'),
    { name: 'word/media/zeros.bin', data: Buffer.alloc(5 * 1024 * 1024) },
  ]);
  const res2 = await send(p, 'dense.docx', dense);
  assert.equal(res2.status, 400);
  assert.match(visibleText(res2.text), /se décompresse en plus de 100 Mo ou de 100 fois sa taille/);
  assert.equal(counts(), before, 'nothing stored');

  // A directory that does not hold together (its offset points elsewhere): refused as damaged.
  const broken = zip(docxParts('Cassé'));
  broken.writeUInt32LE(3, broken.length - 6);
  const res3 = await send(p, 'casse.docx', broken);
  assert.equal(res3.status, 400);
  assert.match(visibleText(res3.text), /Ce document bureautique est endommagé/);
  assert.equal(counts(), before, 'nothing stored');
});

test('Review #5: a normal small .docx is still accepted, under its own name', async () => {
  const p = await srv.as('parent.demo');
  const doc = zip(docxParts('Bonjour, voici le compte rendu de la réunion. '.repeat(40)));
  const res = await send(p, 'compte rendu.docx', doc);
  assert.equal(res.status, 303, visibleText(res.text));
  const [id, name, mime] = latest();
  assert.equal(name, 'compte rendu.docx');
  assert.equal(mime, DOCX);
  const dl = await p.get(`/pieces-jointes/${id}/x`);
  assert.equal(dl.status, 200);
  assert.equal(dl.headers.get('content-type'), DOCX);
  assert.equal(
    dl.headers.get('content-disposition'),
    "attachment; filename*=UTF-8''compte%20rendu.docx",
  );
});

test('Review #5: a PNG sent as x.html is stored and served as x.png, image/png, never sniffed', async () => {
  const p = await srv.as('parent.demo');
  const res = await send(p, 'x.html', PNG_HTML);
  assert.equal(res.status, 303, visibleText(res.text));
  const [id, name, mime] = latest();
  assert.equal(name, 'x.png', 'the extension agrees with the content');
  assert.equal(mime, 'image/png');
  const dl = await p.get(`/pieces-jointes/${id}/x.html`);
  assert.equal(dl.status, 200);
  assert.equal(dl.headers.get('content-type'), 'image/png');
  assert.equal(dl.headers.get('content-disposition'), "attachment; filename*=UTF-8''x.png");
  assert.equal(dl.headers.get('x-content-type-options'), 'nosniff');
  assert.match(dl.headers.get('content-security-policy'), /sandbox/);
  // Shown in the page (a safe image), still as image/png.
  const inline = await p.get(`/pieces-jointes/${id}/x.png?vue=1`);
  assert.equal(inline.headers.get('content-disposition'), "inline; filename*=UTF-8''x.png");
  // The thread lists it under that name.
  const thread = one(
    `SELECT m.thread_id FROM attachment a JOIN message m ON m.id = a.owner_id WHERE a.id = ${id}`,
  );
  assert.match(
    (await p.get(`/messagerie/fils/${thread}`)).text,
    new RegExp(`href="/pieces-jointes/${id}/x\\.png" download>x\\.png<`),
  );

  // Other names: kept when they agree, the type's own added when there is none.
  for (const [sent, kept, data] of [
    ['photo.PNG', 'photo.PNG', PNG],
    ['scan', 'scan.png', PNG],
    ['CR 12.03', 'CR 12.03.txt', 'Compte rendu\n'],
    ['notes.svg', 'notes.txt', 'Pas une image\n'],
  ]) {
    assert.equal((await send(p, sent, data)).status, 303, sent);
    assert.equal(latest()[1], kept, sent);
  }
});

test("Review #5: without clamd the log says so once, and the head's settings page shows it", async () => {
  const p = await srv.as('parent.demo');
  assert.equal((await send(p, 'a.txt', 'Un.\n')).status, 303);
  assert.equal((await send(p, 'b.txt', 'Deux.\n')).status, 303);
  const said = srv.stderr.split('\n').filter((l) => l.includes('attachments are not scanned'));
  assert.equal(said.length, 1, `once: ${said.join('\n')}`);
  assert.match(
    said[0],
    /level=warn .*clamd at \/nonexistent\/carnet-review\/clamd\.sock unreachable: attachments are not scanned/,
  );
  const head = await srv.as('direction.demo');
  const page = await head.get(`/etablissements/${ids.est}/diffusion`);
  assert.equal(page.status, 200);
  assert.match(
    visibleText(page.text),
    /L'antivirus \(clamd\) n'est pas joignable : les pièces jointes ne sont pas analysées\./,
  );
  const en = await head.get(`/etablissements/${ids.est}/diffusion`, {
    headers: { 'Accept-Language': 'en' },
  });
  assert.match(
    visibleText(en.text),
    /The antivirus \(clamd\) cannot be reached: attachments are not scanned\./,
  );
  assert.equal(
    srv.stderr.split('\n').filter((l) => l.includes('attachments are not scanned')).length,
    1,
    'still once',
  );
});
