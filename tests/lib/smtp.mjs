// smtp.mjs — a real SMTP server on loopback for the e-mail tests: Debian's
// python3-aiosmtpd, accepting every message into a Maildir in a temporary
// directory (as a mail delivery agent would: Return-Path and Delivered-To
// first), and reading the messages back decoded (RFC 2047 headers,
// quoted-printable bodies). It can be stopped and started again on the same
// port (the server "down" for a while); addresses starting with "refuse"
// get a permanent 550, "busy" a temporary 451.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

// Debian's interpreter, which sees python3-aiosmtpd (a python3 earlier in
// PATH, such as a pyenv shim, may not).
export const PYTHON = process.env.CARNET_PYTHON || (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

// The server itself, shared with bench/release.sh.
const SINK = new URL('./smtp_sink.py', import.meta.url).pathname;

/** A free TCP port on loopback (bound then released). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** Decode RFC 2047 encoded words (UTF-8, Q or B) of a header value. */
export function decodeWords(v) {
  return v.replace(/\?=\s+=\?/g, '?==?').replace(/=\?utf-8\?([qb])\?([^?]*)\?=/gi, (_, enc, text) => {
    if (enc.toLowerCase() === 'b') return Buffer.from(text, 'base64').toString('utf8');
    const bytes = [];
    for (let i = 0; i < text.length; i++) {
      if (text[i] === '_') bytes.push(0x20);
      else if (text[i] === '=') { bytes.push(parseInt(text.slice(i + 1, i + 3), 16)); i += 2; }
      else bytes.push(text.charCodeAt(i));
    }
    return Buffer.from(bytes).toString('utf8');
  });
}

/** Decode a quoted-printable body into UTF-8 text (CRLF kept as \n). */
export function decodeQP(body) {
  const joined = body.replace(/=\r\n/g, '');
  const bytes = [];
  for (let i = 0; i < joined.length; i++) {
    if (joined[i] === '=' && /^[0-9A-F]{2}$/.test(joined.slice(i + 1, i + 3))) { bytes.push(parseInt(joined.slice(i + 1, i + 3), 16)); i += 2; }
    else bytes.push(joined.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8').replace(/\r\n/g, '\n');
}

/** One stored message: raw text, headers (names lower-cased, unfolded, decoded), body. */
export function parseMail(raw) {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, end).replace(/\r\n[ \t]/g, ' ');
  const headers = {};
  const rawHeaders = {};
  for (const line of head.split('\r\n')) {
    const c = line.indexOf(':');
    const name = line.slice(0, c).toLowerCase();
    rawHeaders[name] = line.slice(c + 1).trim();
    headers[name] = decodeWords(rawHeaders[name]);
  }
  const rawBody = raw.slice(end + 4);
  const qp = /quoted-printable/i.test(headers['content-transfer-encoding'] || '');
  return { raw, headers, rawHeaders, rawBody, body: qp ? decodeQP(rawBody) : rawBody, rcpt: headers['delivered-to'] };
}

/** Start the sink; on port when given (to come back on the same one). */
export async function startSmtp({ port } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'carnet-smtp-'));
  const maildir = join(dir, 'Maildir');
  const sink = {
    port: port || await freePort(), dir, maildir, child: null, stderr: '',
    get url() { return `smtp://127.0.0.1:${sink.port}`; },
    async start() {
      const child = spawn(PYTHON, [SINK, String(sink.port), maildir], { stdio: ['ignore', 'pipe', 'pipe'] });
      sink.child = child;
      child.stderr.on('data', (d) => { sink.stderr += d; });
      let out = '';
      child.stdout.on('data', (d) => { out += d; });
      for (let i = 0; i < 200 && !out.includes('ready'); i++) {
        if (child.exitCode !== null) throw new Error(`the SMTP sink exited: ${sink.stderr}`);
        await sleep(25);
      }
      if (!out.includes('ready')) throw new Error(`the SMTP sink did not start: ${sink.stderr}`);
    },
    /** Stop the server (the Maildir stays): connections are refused. */
    async down() {
      const child = sink.child;
      if (!child || child.exitCode !== null) return;
      child.kill('SIGTERM');
      for (let i = 0; i < 100 && child.exitCode === null && child.signalCode === null; i++) await sleep(20);
      sink.child = null;
    },
    /** The messages received so far, oldest first. */
    mails() {
      const d = join(maildir, 'new');
      if (!existsSync(d)) return [];
      return readdirSync(d).sort().map((f) => parseMail(readFileSync(join(d, f), 'latin1')));
    },
    /** SMTP connections opened so far. */
    connections() {
      const f = join(maildir, 'connections');
      return existsSync(f) ? parseInt(readFileSync(f, 'utf8'), 10) : 0;
    },
    /** Forget the messages received so far. */
    clear() {
      const d = join(maildir, 'new');
      if (existsSync(d)) for (const f of readdirSync(d)) rmSync(join(d, f));
    },
    async stop() {
      await sink.down();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await sink.start();
  return sink;
}
