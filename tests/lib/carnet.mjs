// carnet.mjs — start a real Carnet server on a free loopback port against a
// copy of the demo database, and talk to it like a browser would.
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const ROOT = new URL('../..', import.meta.url).pathname;
export const BIN = process.env.CARNET_BIN || join(ROOT, 'build/carnet');
export const DEMO_DB = process.env.CARNET_DEMO_DB || join(ROOT, 'build/test/demo.db');
export const PASSWORD = 'carnet-demo';

/** Start `carnet serve` on a copy of the demo database. */
export async function startServer({ now = '2026-03-10T10:00', extra = [], env = {} } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'carnet-test-'));
  const db = join(dir, 'carnet.db');
  copyFileSync(DEMO_DB, db);
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
    sql(q) { return execFileSync('sqlite3', [db, q], { encoding: 'utf8' }).trim(); },
    get stderr() { return stderr; },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        for (let i = 0; i < 100 && child.exitCode === null; i++) await sleep(50);
      }
      const code = child.exitCode;
      rmSync(dir, { recursive: true, force: true });
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
