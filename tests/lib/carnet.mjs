// carnet.mjs — start a real Carnet server on a free loopback port against a
// copy of the demo database, and talk to it like a browser would.
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const ROOT = new URL('../..', import.meta.url).pathname;
export const BIN = process.env.CARNET_BIN || join(ROOT, 'build/carnet');
export const DEMO_DB = process.env.CARNET_DEMO_DB || join(ROOT, 'build/test/demo.db');
export const PASSWORD = 'carnet-demo';

// The store the suite runs on. With CARNET_TEST_PG_URL (a PostgreSQL URL
// whose user may create databases), every server gets its own database,
// made from the demo database CARNET_DEMO_PG (default "demo") as a template;
// without it, a copy of the SQLite file DEMO_DB.
export const PG_URL = process.env.CARNET_TEST_PG_URL || '';
export const PG_TEMPLATE = process.env.CARNET_DEMO_PG || 'demo';
export const STORE = PG_URL ? 'postgresql' : 'sqlite';
/** For `test(name, { skip: SQLITE_ONLY }, …)`: what only means something for a SQLite file. */
export const SQLITE_ONLY = PG_URL ? 'a SQLite file: not on PostgreSQL' : false;

/** Rows of a query on a database (a SQLite path or a PostgreSQL URL), as
 * sqlite3 prints them: one line per row, columns separated by "|". The
 * sqlite3 shell waits for the server's short write transactions. */
export function sqlOn(db, q) {
  if (db.startsWith('postgresql:')) {
    const out = execFileSync('psql', ['-X', '-q', '-At', '-F', '|', '-v', 'ON_ERROR_STOP=1', '-d', db, '-c', q],
      { encoding: 'utf8' }).trim();
    // A comparison gives a boolean: printed 1 or 0, as SQLite does.
    return out.split('\n').map((row) => row.split('|').map((v) => (v === 't' ? '1' : v === 'f' ? '0' : v)).join('|')).join('\n');
  }
  return execFileSync('sqlite3', ['-cmd', '.timeout 5000', db, q], { encoding: 'utf8' }).trim();
}

/** The URL of database name on the test cluster (PG_URL's server and user). */
export function pgDatabaseUrl(name) {
  const u = new URL(PG_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A fresh demo database in dir: its path or URL. dropDb removes it. */
export function freshDb(dir) {
  if (!PG_URL) {
    const db = join(dir, 'carnet.db');
    copyFileSync(DEMO_DB, db);
    return db;
  }
  const name = `t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  // Two test files may copy the template at the same instant: retry.
  for (let i = 0; ; i++) {
    try {
      sqlOn(PG_URL, `CREATE DATABASE ${name} TEMPLATE ${PG_TEMPLATE}`);
      break;
    } catch (e) {
      if (i >= 20 || !/being accessed by other users/.test(String(e.stderr || e))) throw e;
      execFileSync('sleep', ['0.2']);
    }
  }
  return pgDatabaseUrl(name);
}

/** A new empty database in dir (a SQLite file there, or a PostgreSQL
 * database on the test cluster), migrated: where an import starts. */
export function emptyDb(dir) {
  let db = join(dir, 'carnet.db');
  if (PG_URL) {
    const name = `e_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    sqlOn(PG_URL, `CREATE DATABASE ${name}`);
    db = pgDatabaseUrl(name);
  }
  execFileSync(BIN, ['migrate', '--db', db, '--quiet'], { stdio: 'ignore' });
  return db;
}

export function dropDb(db) {
  if (db.startsWith('postgresql:')) {
    const name = new URL(db).pathname.slice(1);
    sqlOn(PG_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

/** Start `carnet serve` on a copy of the demo database (or on database
 * `db` itself, as it is, when given). */
export async function startServer({ now = '2026-03-10T10:00', extra = [], env = {}, db: given = null } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'carnet-test-'));
  const db = given || freshDb(dir);
  const portFile = join(dir, 'port');
  const args = ['serve', '--db', db, '--port', '0', '--port-file', portFile, '--test-hooks', '--quiet',
    '--threads', '2', ...(now ? ['--now', now] : []), ...extra];
  const child = spawn(BIN, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  for (let i = 0; i < 200 && !existsSync(portFile); i++) {
    if (child.exitCode !== null) throw new Error(`carnet exited: ${stderr}`);
    await sleep(50);
  }
  await sleep(20);
  const port = parseInt(readFileSync(portFile, 'utf8'), 10);
  if (!port) throw new Error(`no port: ${stderr}`);
  const server = {
    url: `http://127.0.0.1:${port}`, db, dir, child,
    /** One value (or rows, |-separated) of a query on the server's database. */
    sql(q) { return sqlOn(db, q); },
    get stderr() { return stderr; },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        for (let i = 0; i < 100 && child.exitCode === null; i++) await sleep(50);
      }
      const code = child.exitCode;
      // Errors the server logged, kept for whoever runs the suite.
      if (process.env.CARNET_TEST_ERRLOG) {
        const errors = stderr.split('\n').filter((l) => l.includes('level=error')).join('\n');
        if (errors) appendFileSync(process.env.CARNET_TEST_ERRLOG, `${errors}\n`);
      }
      rmSync(dir, { recursive: true, force: true });
      if (!given) dropDb(db);
      // Sanitizer reports end up on stderr: fail loudly if any.
      if (/ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/.test(stderr)) {
        throw new Error(`sanitizer report from carnet:\n${stderr}`);
      }
      return code;
    },
    client() { return new Client(server.url); },
    /** A new client signed in as login (the demo password), or an error. */
    async as(login) {
      const c = new Client(server.url);
      const res = await c.login(login);
      if (res.status !== 303) throw new Error(`${login} cannot sign in: ${res.status}`);
      return c;
    },
    async setClock(now) {
      const r = await fetch(`${server.url}/__test/clock`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ now }),
      });
      if (r.status !== 200) throw new Error(`clock: ${r.status} ${await r.text()}`);
    },
  };
  return server;
}

/** A tiny browser: a cookie jar, no automatic redirects. */
export class Client {
  constructor(base) { this.base = base; this.cookies = new Map(); }

  cookieHeader() { return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '); }

  keep(res) {
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim(), value = pair.slice(eq + 1).trim();
      const maxAge = attrs.map((a) => a.trim()).find((a) => a.toLowerCase().startsWith('max-age='));
      if (maxAge && parseInt(maxAge.split('=')[1], 10) <= 0) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(method, path, { form, json, headers = {}, body } = {}) {
    const h = { ...headers };
    if (this.cookies.size) h.Cookie = this.cookieHeader();
    let payload = body;
    if (form) {
      h['Content-Type'] = 'application/x-www-form-urlencoded';
      payload = new URLSearchParams(form).toString();
    } else if (json !== undefined) {
      h['Content-Type'] = 'application/json';
      payload = typeof json === 'string' ? json : JSON.stringify(json);
    }
    const res = await fetch(this.base + path, { method, headers: h, body: payload, redirect: 'manual' });
    this.keep(res);
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, location: res.headers.get('location'),
      json() { return JSON.parse(text); } };
  }

  get(path, opts) { return this.request('GET', path, opts); }
  post(path, form, opts = {}) { return this.request('POST', path, { ...opts, form }); }

  /** The CSRF token of the last page's forms. */
  static csrfOf(html) {
    const m = html.match(/name="csrf" value="([^"]+)"/);
    return m ? m[1] : null;
  }

  /** Fill and submit the sign-in form, as a person would. */
  async login(login, password = PASSWORD) {
    const page = await this.get('/connexion');
    const csrf = Client.csrfOf(page.text);
    return this.post('/connexion', { csrf, login, password, suite: '/' });
  }

  /** A form post carrying the CSRF token found on page `from`. */
  async submit(from, action, fields) {
    const page = await this.get(from);
    const csrf = Client.csrfOf(page.text);
    return this.post(action, { csrf, ...fields });
  }
}

/** Text content of the HTML, tags removed, for "what a user reads" assertions. */
export function visibleText(html) {
  return html.replace(/<script[\s\S]*?<\/script>/g, '').replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&').replace(/\s+/g, ' ').trim();
}
