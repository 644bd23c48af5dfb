#!/usr/bin/env python3
"""bench/mix.py — prepare the "17:15 peak" mix for wrk (bench/run.sh).

At a quarter past five, parents are home and look at the day, pupils tick
their homework, teachers enter marks and everybody reads and answers
messages. This script picks, spread over the whole département (a hash of
the person's id orders them), PARENTS parents with a child and a private
thread started by a teacher in their inbox, PUPILS pupils with homework due
from today, and TEACHERS teachers with an assessment marked out of 20 in one
of their classes; signs each of them in through the API (POST
/api/v1/session: one session cookie and CSRF token each), checks one
request of every kind, then writes a wrk script that cycles through a fixed
list of requests, 10 at a time:

  8 reads:  parent  GET /                          (portal)
            parent  GET /api/v1/dashboard
            parent  GET /messagerie                (inbox)
            parent  GET /emploi-du-temps/eleves/ID (a child's week)
            parent  GET /api/v1/notifications
            pupil   GET /api/v1/dashboard
            pupil   GET /travail-a-faire
            teacher GET /messagerie, GET /api/v1/dashboard or
                    GET /notes/evaluations/ID (the marks sheet), in turn
  2 writes, in turn:
            parent  POST /api/v1/threads/ID/messages   (an answer, JSON, X-CSRF-Token)
            pupil   POST /travail/ID/fait              (ticked done / not done, form + csrf)
            teacher POST /notes/evaluations/ID         (the class's marks, form + csrf)

each slot taken by the next person of its kind, so that consecutive requests
come from different people. Writes carry an Origin header like a browser's.

The demo activates only its few fixed accounts (parent.demo, prof.demo…):
"activate" picks the people in the SQLite file once the dataset is made and
activates their accounts with the demo password (the hash of parent.demo's),
before the dataset is copied into PostgreSQL (bench/sqlite2pg.sh keeps the
ids); "prepare" signs them in on a running server and writes the wrk script.
  bench/mix.py activate SQLITE_DB USERS.json [PARENTS PUPILS TEACHERS]
  bench/mix.py prepare BASE_URL USERS.json OUT.lua
"prepare" prints one line: "<parents> <pupils> <teachers> <requests in the list>".
"""
import concurrent.futures
import http.client
import json
import sqlite3
import sys
import urllib.parse

TODAY = "2026-03-10"
SPREAD = "(p.id * 2654435761) % 4294967291"
CURRENT = f"en.starts_on <= '{TODAY}' AND (en.ends_on IS NULL OR en.ends_on >= '{TODAY}')"


def choose(dbfile, npar, npup, ntea):
    """The people of the mix, from the dataset (any account state)."""
    db = sqlite3.connect(dbfile)
    db.execute("PRAGMA busy_timeout = 10000")
    parents = db.execute(f"""
      SELECT login, child, thread FROM (
        SELECT ac.login AS login, {SPREAD} AS k,
          (SELECT min(g.pupil_id) FROM guardianship g JOIN enrolment en ON en.pupil_id = g.pupil_id AND {CURRENT}
            WHERE g.parent_id = p.id) AS child,
          (SELECT max(tp.thread_id) FROM thread_participant tp JOIN thread t ON t.id = tp.thread_id
            WHERE tp.person_id = p.id AND tp.folder = 'inbox' AND t.kind = 'private' AND t.created_by <> p.id
              AND EXISTS (SELECT 1 FROM role r WHERE r.person_id = t.created_by AND r.profile = 'teacher')) AS thread
        FROM person p JOIN account ac ON ac.person_id = p.id
        WHERE EXISTS (SELECT 1 FROM role r WHERE r.person_id = p.id AND r.profile = 'parent')) x
      WHERE child IS NOT NULL AND thread IS NOT NULL ORDER BY k LIMIT ?""", (npar,)).fetchall()
    pupils = db.execute(f"""
      SELECT login, hw FROM (
        SELECT ac.login AS login, {SPREAD} AS k,
          (SELECT max(h.id) FROM homework h JOIN teaching t ON t.id = h.teaching_id
             JOIN enrolment en ON en.class_id = t.class_id AND en.pupil_id = p.id AND {CURRENT}
            WHERE h.due_on >= '{TODAY}' AND h.given_on < '{TODAY}') AS hw
        FROM person p JOIN account ac ON ac.person_id = p.id
        WHERE EXISTS (SELECT 1 FROM role r WHERE r.person_id = p.id AND r.profile = 'pupil')) x
      WHERE hw IS NOT NULL ORDER BY k LIMIT ?""", (npup,)).fetchall()
    teachers = db.execute(f"""
      SELECT login, asmt FROM (
        SELECT ac.login AS login, {SPREAD} AS k,
          (SELECT a.id FROM assessment a JOIN teaching t ON t.id = a.teaching_id
            WHERE t.teacher_id = p.id AND t.class_id IS NOT NULL AND a.scale = 20 AND a.on_date < '{TODAY}'
            ORDER BY a.on_date DESC, a.id DESC LIMIT 1) AS asmt
        FROM person p JOIN account ac ON ac.person_id = p.id
        WHERE EXISTS (SELECT 1 FROM role r WHERE r.person_id = p.id AND r.profile = 'teacher')) x
      WHERE asmt IS NOT NULL ORDER BY k LIMIT ?""", (ntea,)).fetchall()
    classes = {}
    for _, a in teachers:
        classes[str(a)] = [r[0] for r in db.execute(
            f"""SELECT en.pupil_id FROM enrolment en JOIN teaching t ON t.class_id = en.class_id
                JOIN assessment a ON a.teaching_id = t.id WHERE a.id = ? AND {CURRENT} ORDER BY en.pupil_id""", (a,))]
    return db, {"parents": parents, "pupils": pupils, "teachers": teachers, "classes": classes}


if sys.argv[1] == "activate":
    # bench/mix.py activate SQLITE_DB USERS.json [PARENTS PUPILS TEACHERS]
    dbfile, users_file = sys.argv[2], sys.argv[3]
    n = [int(x) for x in (sys.argv[4:7] if len(sys.argv) >= 7 else (320, 64, 48))]
    db, users = choose(dbfile, *n)
    logins = [x[0] for k in ("parents", "pupils", "teachers") for x in users[k]]
    db.executemany("""UPDATE account SET state = 'active', activation_hash = NULL, activation_expires_at = NULL,
                        password_hash = (SELECT password_hash FROM account WHERE login = 'parent.demo'),
                        activated_at = created_at, password_changed_at = created_at WHERE login = ?""",
                   [(x,) for x in logins])
    db.commit()
    db.close()
    with open(users_file, "w") as f:
        json.dump(users, f)
    print(len(users["parents"]), len(users["pupils"]), len(users["teachers"]))
    sys.exit(0)

# bench/mix.py prepare BASE_URL USERS.json OUT.lua
base, users_file, out = sys.argv[2], sys.argv[3], sys.argv[4]
with open(users_file) as f:
    users = json.load(f)
parents, pupils, teachers, class_of = users["parents"], users["pupils"], users["teachers"], users["classes"]
u = urllib.parse.urlsplit(base)
HOST, PORT = u.hostname, u.port
ORIGIN = f"{u.scheme}://{u.netloc}"


def call(method, path, headers=None, body=None):
    c = http.client.HTTPConnection(HOST, PORT, timeout=60)
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, r.getheader("Set-Cookie") or "", data


def signin(login):
    st, cookie, data = call("POST", "/api/v1/session", {"Content-Type": "application/json"},
                            json.dumps({"login": login, "password": "carnet-demo"}))
    if st != 200:
        sys.exit(f"mix: cannot sign in as {login}: {st} {data[:200]!r}")
    return cookie.split(";")[0], json.loads(data)["csrf_token"]


with concurrent.futures.ThreadPoolExecutor(4) as ex:
    sessions = dict(zip([x[0] for x in parents + pupils + teachers],
                        ex.map(signin, [x[0] for x in parents + pupils + teachers])))


def marks_body(csrf, asmt, shift):
    fields = [("csrf", csrf), ("publier", "1")]
    i = shift
    for p in class_of[str(asmt)]:
        i += 7
        fields.append((f"note_{p}", f"{i % 21},5"))
    return urllib.parse.urlencode(fields)


def req(method, path, login, kind=None, body=None):
    cookie, csrf = sessions[login]
    h = {"Cookie": cookie}
    if kind == "json":
        h.update({"Content-Type": "application/json", "X-CSRF-Token": csrf, "Origin": ORIGIN})
    elif kind == "form":
        h.update({"Content-Type": "application/x-www-form-urlencoded", "Origin": ORIGIN})
    return (method, path, h, body)


def answer(i):
    login, _, thread = parents[i % len(parents)]
    return req("POST", f"/api/v1/threads/{thread}/messages", login, "json",
               json.dumps({"body": f"Bonjour, merci pour votre message. Bien reçu ({i})."}, ensure_ascii=False))


def tick(i, n):
    login, hw = pupils[i % len(pupils)]
    return req("POST", f"/travail/{hw}/fait", login, "form",
               urllib.parse.urlencode({"csrf": sessions[login][1], "fait": "1" if n % 2 == 0 else "0"}))


def marks(i, n):
    login, asmt = teachers[i % len(teachers)]
    return req("POST", f"/notes/evaluations/{asmt}", login, "form", marks_body(sessions[login][1], asmt, 3 * (n % 2)))


# One request of every kind, checked before the run.
checks = [
    (req("GET", "/", parents[0][0]), 200), (req("GET", "/api/v1/dashboard", parents[0][0]), 200),
    (req("GET", "/messagerie", parents[0][0]), 200), (req("GET", f"/emploi-du-temps/eleves/{parents[0][1]}", parents[0][0]), 200),
    (req("GET", "/api/v1/notifications", parents[0][0]), 200), (req("GET", "/api/v1/dashboard", pupils[0][0]), 200),
    (req("GET", "/travail-a-faire", pupils[0][0]), 200), (req("GET", "/messagerie", teachers[0][0]), 200),
    (req("GET", "/api/v1/dashboard", teachers[0][0]), 200), (req("GET", f"/notes/evaluations/{teachers[0][1]}", teachers[0][0]), 200),
    (answer(0), 201), (tick(0, 0), 303), (tick(0, 1), 303), (marks(0, 0), 303)]
for (method, path, h, body), want in checks:
    st, _, data = call(method, path, h, body.encode() if body else None)
    if st != want:
        sys.exit(f"mix: {method} {path} answered {st}, not {want}: {data[:300]!r}")

CYCLES = 960
reqs = []
ip = iu = it = w = 0
for c in range(CYCLES):
    for slot in range(10):
        if slot in (2, 7):
            kind = w % 3
            if kind == 0:
                reqs.append(answer(w // 3))
            elif kind == 1:
                k = w // 3
                reqs.append(tick(k, k // len(pupils)))
            else:
                k = w // 3
                reqs.append(marks(k, k // len(teachers)))
            w += 1
        elif slot in (0, 1, 3, 5, 6):
            login, child, _ = parents[ip % len(parents)]
            path = {0: "/", 1: "/api/v1/dashboard", 3: "/messagerie", 5: f"/emploi-du-temps/eleves/{child}",
                    6: "/api/v1/notifications"}[slot]
            reqs.append(req("GET", path, login))
            ip += 1
        elif slot in (4, 9):
            login, _ = pupils[iu % len(pupils)]
            reqs.append(req("GET", "/api/v1/dashboard" if slot == 4 else "/travail-a-faire", login))
            iu += 1
        else:
            login, asmt = teachers[it % len(teachers)]
            reqs.append(req("GET", ("/messagerie", "/api/v1/dashboard", f"/notes/evaluations/{asmt}")[it % 3], login))
            it += 1


def lua(s):
    return json.dumps(s, ensure_ascii=False)  # a JSON string is a valid Lua string here (no \u escapes)


with open(out, "w", encoding="utf-8") as f:
    f.write("-- generated by bench/mix.py: the 17:15 peak mix\nlocal list = {\n")
    for method, path, h, body in reqs:
        hs = ", ".join(f"[{lua(k)}] = {lua(v)}" for k, v in h.items())
        f.write(f"  {{{lua(method)}, {lua(path)}, {{{hs}}}, {lua(body) if body else 'nil'}}},\n")
    f.write("""}
local reqs = {}
local n = 0
init = function(args)
  for i, r in ipairs(list) do reqs[i] = wrk.format(r[1], r[2], r[3], r[4]) end
end
request = function()
  n = n % #reqs + 1
  return reqs[n]
end
""")
print(len(parents), len(pupils), len(teachers), len(reqs))
