/* main.c — the one binary: serve, migrate, demo, test-http, backup,
 * activation codes. */
#include "app.h"
#include "clock.h"
#include "i18n.h"
#include "log.h"
#include "page.h"
#include "router.h"
#include "secret.h"
#include "server.h"
#include "assets.h"
#include "metrics.h"
#include "testhttp.h"
#include "../calendar/calendar.h"
#include "../demo/demo.h"
#include "../import/export_oneroster.h"
#include "../import/import.h"
#include "../import/rollover.h"
#include "../modules/auth/auth.h"
#include "../modules/persons/persons.h"
#include "../modules/portal/portal.h"
#include "../modules/services/services.h"
#include "../modules/timetable/timetable.h"
#include "../modules/log/log.h"
#include "../modules/grades/grades.h"
#include "../modules/attendance/attendance.h"
#include "../modules/files/files.h"
#include "../modules/messages/messages.h"
#include "../modules/messages/search.h"
#include "../modules/messages/reps.h"
#include "../modules/notify/notify.h"
#include "../modules/diffusion/settings.h"
#include "../modules/imports/imports.h"
#include "../modules/structure/structure.h"
#include "../store/store.h"
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CARNET_VERSION "0.1.0"

struct options {
    const char *db, *listen, *now, *port_file, *to, *from, *login, *file, *first, *last, *territory;
    int port, threads, scale;
    bool test_hooks, trust_proxy, quiet, once, access_log, dry_run;
};

/* An environment switch: set, not empty and not "0". */
static bool env_on(const char *name)
{
    const char *v = getenv(name);
    return v && *v && strcmp(v, "0");
}

static void usage(FILE *f)
{
    fputs("usage: carnet COMMAND [options]\n"
          "  serve       --db FILE [--listen ADDR] [--port N] [--threads N] [--now YYYY-MM-DDTHH:MM]\n"
          "              [--trust-proxy] [--test-hooks] [--port-file FILE] [--quiet] [--access-log]\n"
          "  migrate     --db FILE            apply pending database migrations\n"
          "  demo        --db FILE [--scale N] [--now T]   create the demo territory in a new database\n"
          "              (at T, by default " DEMO_NOW ", the demo's own instant)\n"
          "  test-http   --db FILE [--now T]  answer one HTTP request read from standard input\n"
          "  backup      --db DB --to FILE  online copy of the database (PostgreSQL: pg_dump's custom format)\n"
          "  restore     --db DB --from FILE  put a backup back (checked first; then migrated)\n"
          "  activation-code --db FILE --login LOGIN   issue a one-time activation code (paper letter)\n"
          "  new-year    --db FILE [--dry-run] [--now T]   close the school year that ended (enrolments\n"
          "              and teachings end on its last day) and open the next from the calendar\n"
          "  add-admin   --db FILE --login LOGIN --first NAME --last NAME [--territory NAME]\n"
          "              a territory admin (and the territory, in an empty database); prints\n"
          "              the activation code of the account\n"
          "  import-calendar --db FILE CALENDAR.csv    import the school calendar (official open dataset)\n"
          "  import aaf  --db FILE [--dry-run] [--report-json FILE] [--now T] PATH…\n"
          "              the académie's AAF export (files or folders): report, then one transaction\n"
          "              (also onde, siecle, oneroster: a OneRoster 1.1/1.2 folder or zip)\n"
          "  export oneroster --db FILE [--establishment UAI] [--now T] --to DIR|FILE.zip\n"
          "              what is current (roles, enrolments, teachings) as OneRoster 1.1 CSV\n"
          "  notify      --once --db FILE [--now T]   send the notification e-mails that are due, once\n"
          "  version\n"
          "Environment: CARNET_DB (default database), CARNET_TZ (default time zone, Europe/Paris);\n"
          "e-mail: CARNET_SMTP_URL (smtp://host:port), CARNET_MAIL_FROM, CARNET_PUBLIC_URL,\n"
          "CARNET_NOTIFY_INTERVAL (seconds between two runs of the e-mail job in serve, default 30).\n",
          f);
}

static int parse(int argc, char **argv, struct options *o)
{
    *o = (struct options){.db = getenv("CARNET_DB"), .listen = "127.0.0.1", .port = 8080, .scale = 1};
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define VAL(name, field)                                                                         \
    if (!strcmp(a, name)) {                                                                      \
        if (!v) { fprintf(stderr, "carnet: %s needs a value\n", name); return -1; }              \
        field = v;                                                                               \
        i++;                                                                                     \
        continue;                                                                                \
    }
#define NUM(name, field, lo, hi)                                                                 \
    if (!strcmp(a, name)) {                                                                      \
        char *end = NULL;                                                                        \
        long n = v ? strtol(v, &end, 10) : -1;                                                   \
        if (!v || *end || n < (lo) || n > (hi)) {                                                \
            fprintf(stderr, "carnet: %s needs a number from %d to %d\n", name, (lo), (hi));      \
            return -1;                                                                           \
        }                                                                                        \
        field = (int)n;                                                                          \
        i++;                                                                                     \
        continue;                                                                                \
    }
        VAL("--db", o->db)
        VAL("--listen", o->listen)
        VAL("--now", o->now)
        VAL("--port-file", o->port_file)
        VAL("--to", o->to)
        VAL("--from", o->from)
        VAL("--login", o->login)
        VAL("--first", o->first)
        VAL("--last", o->last)
        VAL("--territory", o->territory)
        NUM("--port", o->port, 0, 65535)
        NUM("--threads", o->threads, 1, 64)
        NUM("--scale", o->scale, 1, 1000)
        if (!strcmp(a, "--test-hooks")) { o->test_hooks = true; continue; }
        if (!strcmp(a, "--trust-proxy")) { o->trust_proxy = true; continue; }
        if (!strcmp(a, "--access-log")) { o->access_log = true; continue; }
        if (!strcmp(a, "--quiet")) { o->quiet = true; continue; }
        if (!strcmp(a, "--once")) { o->once = true; continue; }
        if (!strcmp(a, "--dry-run")) { o->dry_run = true; continue; }
        if (a[0] != '-' && !o->file) { o->file = a; continue; }
        fprintf(stderr, "carnet: unknown option %s\n", a);
        return -1;
    }
    if (o->now) {
        int64_t t;
        if (!clock_parse(o->now, &t)) {
            fprintf(stderr, "carnet: --now wants a date and time like 2026-03-10T21:00 (got %s)\n", o->now);
            return -1;
        }
        clock_set(t);
    }
    return 0;
}

static struct store *open_db(const struct options *o)
{
    char err[256];
    if (!o->db) {
        fprintf(stderr, "carnet: no database: give --db FILE (or set CARNET_DB)\n");
        return NULL;
    }
    struct store *s = store_open(o->db, err, sizeof err);
    if (!s) fprintf(stderr, "carnet: %s\n", err);
    return s;
}

static int migrate(struct store *s)
{
    int n = store_migrate(s);
    if (n < 0) {
        fprintf(stderr, "carnet: migration failed (see the log above); the database is unchanged\n");
        return -1;
    }
    return n;
}

static void register_routes(const struct options *o)
{
    router_add(core_routes);
    router_add(auth_routes);
    router_add(auth_recover_routes);
    router_add(auth_contact_routes);
    router_add(portal_routes);
    router_add(persons_routes);
    router_add(services_routes);
    router_add(timetable_routes);
    router_add(log_routes);
    router_add(grades_routes);
    router_add(attendance_routes);
    router_add(files_routes);
    router_add(messages_routes);
    router_add(messages_compose_routes);
    router_add(messages_moderation_routes);
    router_add(messages_search_routes);
    router_add(reps_routes);
    router_add(notify_routes);
    router_add(notify_prefs_routes);
    page_set_hooks(&(struct page_hooks){.nav = notify_nav, .nav_ahead = notify_nav_ahead, .clock_moved = notify_job_kick});
    router_add(diffusion_routes);
    router_add(imports_routes);
    router_add(identities_routes);
    router_add(structure_routes);
    router_add(metrics_routes);
    metrics_init();
    app_init(&(struct app_hooks){.load_session = auth_load_session},
             &(struct app_config){.test_hooks = o->test_hooks, .trust_proxy = o->trust_proxy,
                                    .access_log = o->access_log || env_on("CARNET_ACCESS_LOG")});
}

static int cmd_serve(const struct options *o)
{
    struct store *s = open_db(o);
    if (!s || migrate(s) < 0 || secret_load_key(s) < 0) return 1;
    store_close(s);
    store_set_default(o->db);
    register_routes(o);
    files_antivirus_probe(); /* says once in the log when there is no clamd */
    if (notify_job_start() < 0) return 1;
    int rc = server_run(&(struct server_options){.address = o->listen, .port = o->port, .threads = o->threads,
                                                 .port_file = o->port_file});
    notify_job_stop();
    return rc == 0 ? 0 : 1;
}

/* One run of the notification e-mail job (a cron job, or a worker node). */
static int cmd_notify(const struct options *o)
{
    if (!o->once) {
        fprintf(stderr, "carnet: notify needs --once (carnet serve runs the job by itself)\n");
        return 2;
    }
    struct store *s = open_db(o);
    if (!s || migrate(s) < 0) {
        store_close(s);
        return 1;
    }
    struct notify_report rep;
    int rc = notify_run(s, &rep);
    store_close(s);
    printf("%lld e-mail(s) made for %lld notification(s) (%lld without e-mail, %lld held by quiet times) in %.3f s; "
           "%lld sent, %lld to retry, %lld failed in %.3f s\n",
           (long long)rep.queued, (long long)rep.notifications, (long long)rep.skipped, (long long)rep.held, rep.decide_s,
           (long long)rep.sent, (long long)rep.retry, (long long)rep.failed, rep.send_s);
    return rc < 0 ? 1 : 0;
}

static int cmd_demo(const struct options *o)
{
    /* Without --now, the demo's own instant, not the machine's clock (a
     * year whose school calendar is not shipped would come out empty). */
    const char *now = o->now ? o->now : DEMO_NOW;
    if (!o->now) {
        int64_t t;
        if (!clock_parse(DEMO_NOW, &t)) return 1;
        clock_set(t);
    }
    struct store *s = open_db(o);
    if (!s || migrate(s) < 0) return 1;
    int64_t people = 0;
    store_int(s, &people, "SELECT count(*) FROM person", NULL);
    if (people) {
        fprintf(stderr, "carnet: %s already holds data; the demo needs a new, empty database\n", o->db);
        store_close(s);
        return 1;
    }
    struct demo_summary sum = {0};
    int rc = demo_generate(s, o->scale, &sum);
    store_close(s);
    if (rc < 0) {
        fprintf(stderr, "carnet: demo generation failed\n");
        return 1;
    }
    printf("Demo territory created in %s: %ld establishments, %ld classes, %ld pupils, %ld parents, %ld teachers, "
           "%ld accounts, %ld message threads (%ld messages).\n",
           o->db, sum.establishments, sum.classes, sum.pupils, sum.parents, sum.teachers, sum.accounts, sum.threads,
           sum.messages);
    if (sum.sample_code[0])
        printf("An account not yet activated, to try activation at /activer: login %s, code %s\n", sum.sample_login,
               sum.sample_code);
    printf("The demo was generated at %s. Serve it at that instant: carnet serve --db %s --now %s\n"
           "(without --now, the server runs on this machine's clock; a school year whose calendar"
           " is not loaded shows no lessons).\n",
           now, o->db, now);
    return 0;
}

static int cmd_test_http(const struct options *o)
{
    struct store *s = open_db(o);
    if (!s || migrate(s) < 0 || secret_load_key(s) < 0) return 1;
    store_close(s);
    store_set_default(o->db);
    register_routes(o);
    int rc = testhttp_run(stdin, stdout, "127.0.0.1");
    store_thread_close();
    return rc == 0 ? 0 : 1;
}

static int cmd_backup(const struct options *o)
{
    if (!o->to) {
        fprintf(stderr, "carnet: backup needs --to FILE\n");
        return 1;
    }
    struct store *s = open_db(o);
    if (!s) return 1;
    int rc = store_backup(s, o->to);
    store_close(s);
    if (rc < 0) fprintf(stderr, "carnet: backup to %s failed\n", o->to);
    return rc < 0 ? 1 : 0;
}

/* restore into PostgreSQL: an archive of carnet backup (pg_dump), checked,
 * restored in one transaction, then migrated. */
static int restore_pg(const struct options *o)
{
    struct store *s = open_db(o);
    if (!s) return 1;
    char why[256];
    int64_t applied = 0;
    int rc = store_pg_restore(s, o->from, (int64_t)assets_sql_count, &applied, why, sizeof why);
    if (rc < 0) {
        store_close(s);
        fprintf(stderr, "carnet: restore from %s refused: %s; the database is unchanged\n", o->from, why);
        return 1;
    }
    int n = migrate(s);
    store_close(s);
    if (n < 0) return 1;
    printf("Restored the PostgreSQL database from %s (%lld migrations, %d applied now).\n", o->from, (long long)applied, n);
    return 0;
}

/* Put a backup back into --db: only a readable, intact Carnet database of
 * a schema this binary knows; then migrated to this binary's schema. The
 * database is untouched when anything is wrong. */
static int cmd_restore(const struct options *o)
{
    if (!o->from || !o->db) {
        fprintf(stderr, "carnet: restore needs --db FILE and --from BACKUP\n");
        return 1;
    }
    if (access(o->from, R_OK) != 0) {
        fprintf(stderr, "carnet: restore: cannot read %s\n", o->from);
        return 1;
    }
    if (!strcmp(store_url_driver(o->db), "postgresql")) return restore_pg(o);
    char err[256];
    struct store *b = store_open(o->from, err, sizeof err);
    if (!b) {
        fprintf(stderr, "carnet: restore from %s refused: it is not an intact SQLite database (%s); %s is unchanged\n", o->from, err, o->db);
        return 1;
    }
    int64_t applied = -1, newest = 0;
    struct stmt *st = store_q(b, "PRAGMA quick_check", NULL);
    bool intact = st && stmt_step(st) == STORE_ROW && !strcmp(stmt_text(st, 0), "ok");
    stmt_done(st);
    bool carnet = intact && store_int(b, &applied, "SELECT count(*) FROM schema_migration", NULL) == 1 &&
                  store_int(b, &newest, "SELECT coalesce(max(version), 0) FROM schema_migration", NULL) == 1;
    const char *why = !intact ? "it is not an intact SQLite database" : !carnet ? "it is not a Carnet database"
                    : applied > (int64_t)assets_sql_count ? "it comes from a newer Carnet (more migrations than this one knows)" : NULL;
    int rc = why ? -1 : store_backup(b, o->db);
    store_close(b);
    if (why || rc < 0) {
        fprintf(stderr, "carnet: restore from %s refused: %s; %s is unchanged\n", o->from, why ? why : "the copy failed", o->db);
        return 1;
    }
    struct store *s = open_db(o);
    int n = s ? migrate(s) : -1;
    if (s) store_close(s);
    if (n < 0) return 1;
    printf("Restored %s from %s (%lld migrations, %d applied now).\n", o->db, o->from, (long long)applied, n);
    return 0;
}

static int cmd_activation(const struct options *o)
{
    if (!o->login) {
        fprintf(stderr, "carnet: activation-code needs --login LOGIN\n");
        return 1;
    }
    struct store *s = open_db(o);
    if (!s || migrate(s) < 0) return 1;
    int64_t account = 0;
    int rc = store_int(s, &account, "SELECT id FROM account WHERE login = $1 AND state = 'pending'", "t", o->login);
    char code[15];
    if (rc != 1) {
        fprintf(stderr, "carnet: no account waiting for activation with login %s\n", o->login);
    } else if (auth_activation_issue(s, account, code) == 0) {
        printf("%s %s\n", o->login, code);
    } else {
        rc = -1;
    }
    store_close(s);
    return rc == 1 ? 0 : 1;
}

/* The territory admin of a new Carnet, before any import: the territory
 * (the only one, or made with --territory), the person, a pending account
 * with its activation code printed. */
static int cmd_add_admin(const struct options *o)
{
    if (!o->login || !o->first || !o->last) {
        fprintf(stderr, "carnet: add-admin needs --login, --first and --last\n");
        return 1;
    }
    struct store *s = open_db(o);
    if (!s || migrate(s) < 0 || store_begin(s) < 0) return 1;
    int64_t t = 0, person = 0, account = 0, taken = 0;
    char today[11], code[15];
    clock_today(today);
    int rc = store_int(s, &taken, "SELECT count(*) FROM account WHERE login = $1", "t", o->login);
    if (rc == 1 && taken) {
        fprintf(stderr, "carnet: the login %s is taken\n", o->login);
        rc = -1;
    }
    if (rc == 1) rc = store_int(s, &t, "SELECT id FROM territory ORDER BY id LIMIT 1", "");
    if (rc == 0)
        rc = store_int(s, &t, "INSERT INTO territory (code, name) VALUES ($1, $1) RETURNING id", "t",
                       o->territory ? o->territory : "Territoire");
    if (rc == 1)
        rc = store_int(s, &person, "INSERT INTO person (last_name, first_name, created_at)"
                                   " VALUES ($1, $2, $3) RETURNING id",
                       "tti", o->last, o->first, clock_now());
    if (rc == 1)
        rc = store_int(s, &account, "INSERT INTO account (person_id, login, state, created_at)"
                                    " VALUES ($1, $2, 'pending', $3) RETURNING id",
                       "iti", person, o->login, clock_now());
    if (rc == 1 && store_run(s, "INSERT INTO role (person_id, profile, territory_id, title, starts_on)"
                                " VALUES ($1, 'admin', $2, 'Administration du territoire', $3)",
                             "iit", person, t, today) < 0)
        rc = -1;
    if (rc == 1 && (store_commit(s) < 0 || auth_activation_issue(s, account, code) < 0)) rc = -1;
    if (rc != 1) store_rollback(s);
    else printf("%s %s\n", o->login, code);
    store_close(s);
    return rc == 1 ? 0 : 1;
}

static int cmd_new_year(const struct options *o)
{
    struct store *s = open_db(o);
    if (!s || migrate(s) < 0) return 1;
    struct rollover_report r;
    int rc = rollover_run(s, 0, o->dry_run, &r);
    store_close(s);
    if (rc < 0) {
        fprintf(stderr, "carnet: new-year refused: %s; nothing was changed\n",
                r.why[0] ? r.why : "database error");
        return 1;
    }
    printf("%s year %s closed, %s opened: %lld establishment(s), %lld new school year(s),"
           " %lld enrolment(s) and %lld teaching(s) ended\n",
           o->dry_run ? "Dry run:" : "Done:", r.closing, r.next, (long long)r.establishments,
           (long long)r.years_opened, (long long)r.enrolments_ended, (long long)r.teachings_ended);
    return 0;
}

static int cmd_import_calendar(const struct options *o)
{
    if (!o->file) {
        fprintf(stderr, "carnet: import-calendar needs the CSV file to read\n");
        return 1;
    }
    FILE *f = fopen(o->file, "rb");
    if (!f) {
        fprintf(stderr, "carnet: cannot read %s\n", o->file);
        return 1;
    }
    struct buf b;
    buf_init(&b);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) buf_put(&b, chunk, n);
    fclose(f);
    struct store *s = open_db(o);
    int rc = 1;
    if (s && migrate(s) >= 0) {
        char err[256];
        int rows = calendar_import_csv(s, b.p ? b.p : "", b.len, err, sizeof err);
        if (rows < 0) {
            fprintf(stderr, "carnet: %s: %s (nothing was imported)\n", o->file, err);
        } else {
            printf("%d calendar periods imported from %s\n", rows, o->file);
            rc = 0;
        }
    }
    store_close(s);
    buf_free(&b);
    return rc;
}

static int run(const char *c, const struct options *o)
{
    if (!strcmp(c, "serve")) return cmd_serve(o);
    if (!strcmp(c, "demo")) return cmd_demo(o);
    if (!strcmp(c, "test-http")) return cmd_test_http(o);
    if (!strcmp(c, "backup")) return cmd_backup(o);
    if (!strcmp(c, "restore")) return cmd_restore(o);
    if (!strcmp(c, "activation-code")) return cmd_activation(o);
    if (!strcmp(c, "add-admin")) return cmd_add_admin(o);
    if (!strcmp(c, "new-year")) return cmd_new_year(o);
    if (!strcmp(c, "import-calendar")) return cmd_import_calendar(o);
    if (!strcmp(c, "notify")) return cmd_notify(o);
    if (!strcmp(c, "migrate")) {
        struct store *s = open_db(o);
        int n = s ? migrate(s) : -1;
        store_close(s);
        if (n >= 0) printf("%d migration(s) applied\n", n);
        return n < 0 ? 1 : 0;
    }
    fprintf(stderr, "carnet: unknown command %s\n", c);
    usage(stderr);
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "help") || !strcmp(argv[1], "--help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "version")) {
        printf("carnet %s\n", CARNET_VERSION);
        return 0;
    }
    clock_set_zone(getenv("CARNET_TZ"));
    store_init();
    if (sodium_init() < 0 || i18n_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "carnet: cannot initialise (libsodium or message catalogues)\n");
        return 1;
    }
    if (!strcmp(argv[1], "import") || !strcmp(argv[1], "export")) {
        int rc = !strcmp(argv[1], "import") ? import_command(argc, argv)
                                            : export_command(argc, argv);
        curl_global_cleanup();
        i18n_free();
        return rc;
    }
    struct options o;
    if (parse(argc, argv, &o) < 0) return 2;
    log_set_quiet(o.quiet);
    int rc = run(argv[1], &o);
    curl_global_cleanup();
    i18n_free();
    return rc;
}
