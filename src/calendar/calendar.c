/* calendar.c — school days: date arithmetic on "YYYY-MM-DD" strings, French
 * public holidays (computed), the import of the official school calendar
 * (CSV) and the questions the rest of Carnet asks of it: is this a school
 * day, which is the next one, is this week A or B.
 *
 * Dates are handled as day numbers (days since 1970-01-01, proleptic
 * Gregorian) with the days-from-civil algorithm: no mktime, no TZ. */
#include "calendar.h"
#include "../policy/scope_sql.h"
#include "../core/limits.h"
#include "../core/log.h"
#include "../core/text.h"
#include "../store/store.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------------ */
/* Dates                                                                */
/* ------------------------------------------------------------------ */

/* Whether y is a leap year of the Gregorian calendar. */
static bool leap_year(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

/* Number of days of month m (1–12) of year y. */
static int days_in_month(int64_t y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap_year(y) ? 29 : days[m - 1];
}

/* Day number (days since 1970-01-01) of y-m-d; no validation. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The civil date of day number z (inverse of days_from_civil). */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* ISO weekday (1 = Monday … 7 = Sunday) of day number z. */
static int weekday_of(int64_t z)
{
    int64_t w = (z + 3) % 7; /* 1970-01-01 was a Thursday */
    if (w < 0) w += 7;
    return (int)w + 1;
}

/* Floor division of a by a positive b. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

/* Parse "YYYY-MM-DD" exactly (10 characters, the day must exist) into
 * y, m, d. Reads no further than the string's terminator. No allocation. */
static bool parse_date(const char *s, int64_t *y, int *m, int *d)
{
    if (!s) return false;
    for (int i = 0; i < 10; i++) {
        if (i == 4 || i == 7) {
            if (s[i] != '-') return false;
        } else if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    if (s[10]) return false;
    int64_t yy = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int mm = (s[5] - '0') * 10 + (s[6] - '0');
    int dd = (s[8] - '0') * 10 + (s[9] - '0');
    if (mm < 1 || mm > 12 || dd < 1 || dd > days_in_month(yy, mm)) return false;
    *y = yy;
    *m = mm;
    *d = dd;
    return true;
}

/* Day number of a "YYYY-MM-DD" date; false when it is not a valid date. */
static bool day_of(const char *date, int64_t *z)
{
    int64_t y;
    int m, d;
    if (!parse_date(date, &y, &m, &d)) return false;
    *z = days_from_civil(y, m, d);
    return true;
}

/* Write the date of day number z as "YYYY-MM-DD" into out[11]; an empty
 * string when the year falls outside 0000–9999. */
static void format_day(int64_t z, char out[11])
{
    int64_t y;
    int m, d;
    civil_from_days(z, &y, &m, &d);
    if (y < 0 || y > 9999) {
        out[0] = 0;
        return;
    }
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = 0;
}

/* Checks the "YYYY-MM-DD" format and that the day exists. No allocation. */
bool calendar_valid_date(const char *date)
{
    int64_t z;
    return day_of(date, &z);
}

/* date + days into out[11]; out is empty when date is invalid or the result
 * leaves the years 0000–9999. No allocation. */
void calendar_add_days(const char *date, int days, char out[11])
{
    int64_t z;
    if (!day_of(date, &z)) {
        out[0] = 0;
        return;
    }
    format_day(z + days, out);
}

/* ISO weekday of date (1 = Monday … 7 = Sunday), 0 when date is invalid. */
int calendar_weekday(const char *date)
{
    int64_t z;
    return day_of(date, &z) ? weekday_of(z) : 0;
}

/* The Monday of date's week into out[11] (empty when date is invalid). */
void calendar_monday(const char *date, char out[11])
{
    int64_t z;
    if (!day_of(date, &z)) {
        out[0] = 0;
        return;
    }
    format_day(z - (weekday_of(z) - 1), out);
}

/* to - from in days; 0 when either date is invalid. No allocation. */
int calendar_days_between(const char *from, const char *to)
{
    int64_t a, b;
    if (!day_of(from, &a) || !day_of(to, &b)) return 0;
    return (int)(b - a);
}

/* Write the school year starting in year first ("2025-2026") into
 * out[10]; empty when first is outside 0000–9998. */
static void format_school_year(int64_t first, char out[10])
{
    out[0] = 0;
    if (first < 0 || first > 9998) return;
    const int64_t y[2] = {first, first + 1};
    for (int k = 0; k < 2; k++) {
        char *o = out + 5 * k;
        o[0] = (char)('0' + y[k] / 1000);
        o[1] = (char)('0' + y[k] / 100 % 10);
        o[2] = (char)('0' + y[k] / 10 % 10);
        o[3] = (char)('0' + y[k] % 10);
    }
    out[4] = '-';
    out[9] = 0;
}

/* The school year "YYYY-YYYY" containing date, September to August, into
 * out[10]; empty when date is invalid or the year would leave 0000–9999. */
void calendar_school_year_of(const char *date, char out[10])
{
    int64_t y;
    int m, d;
    out[0] = 0;
    if (!parse_date(date, &y, &m, &d)) return;
    format_school_year(m >= 9 ? y : y - 1, out);
}

/* ------------------------------------------------------------------ */
/* Public holidays                                                      */
/* ------------------------------------------------------------------ */

/* Day number of Easter Sunday of year y (anonymous Gregorian algorithm,
 * Meeus/Jones/Butcher). */
static int64_t easter_day(int64_t y)
{
    int64_t a = y % 19, b = y / 100, c = y % 100;
    int64_t d = b / 4, e = b % 4;
    int64_t f = (b + 8) / 25, g = (b - f + 1) / 3;
    int64_t h = (19 * a + b - d - g + 15) % 30;
    int64_t i = c / 4, k = c % 4;
    int64_t l = (32 + 2 * e + 2 * i - h - k) % 7;
    int64_t m = (a + 11 * h + 22 * l) / 451;
    int month = (int)((h + l - 7 * m + 114) / 31);
    int day = (int)((h + l - 7 * m + 114) % 31) + 1;
    return days_from_civil(y, month, day);
}

/* Which public holidays apply, from the UAI's département (first three
 * characters). NULL or short UAIs are metropolitan. No allocation. */
enum holiday_regime calendar_regime_of_uai(const char *uai)
{
    if (!uai || strlen(uai) < 3) return REGIME_METROPOLE;
    if (!strncmp(uai, "057", 3) || !strncmp(uai, "067", 3) || !strncmp(uai, "068", 3)) return REGIME_ALSACE_MOSELLE;
    if (!strncmp(uai, "971", 3)) return REGIME_GUADELOUPE;
    if (!strncmp(uai, "972", 3)) return REGIME_MARTINIQUE;
    if (!strncmp(uai, "973", 3)) return REGIME_GUYANE;
    if (!strncmp(uai, "974", 3)) return REGIME_REUNION;
    if (!strncmp(uai, "976", 3)) return REGIME_MAYOTTE;
    return REGIME_METROPOLE;
}

/* The day (month * 100 + day) of the abolition of slavery in an overseas
 * regime, 0 elsewhere. */
static int abolition_day(enum holiday_regime regime)
{
    switch (regime) {
    case REGIME_GUADELOUPE: return 527;
    case REGIME_MARTINIQUE: return 522;
    case REGIME_GUYANE: return 610;
    case REGIME_REUNION: return 1220;
    case REGIME_MAYOTTE: return 427;
    default: return 0;
    }
}

/* The message key of the public holiday on date in regime, or NULL (also
 * for an invalid date). Returns a static string; no allocation. */
const char *calendar_public_holiday(const char *date, enum holiday_regime regime)
{
    int64_t y;
    int m, d;
    if (!parse_date(date, &y, &m, &d)) return NULL;
    int md = m * 100 + d;
    switch (md) {
    case 101: return "holiday.new_year";
    case 501: return "holiday.labour_day";
    case 508: return "holiday.victory_1945";
    case 714: return "holiday.bastille_day";
    case 815: return "holiday.assumption";
    case 1101: return "holiday.all_saints";
    case 1111: return "holiday.armistice";
    case 1225: return "holiday.christmas";
    case 1226:
        if (regime == REGIME_ALSACE_MOSELLE) return "holiday.st_stephen";
        break;
    default: break;
    }
    if (md == abolition_day(regime)) return "holiday.abolition";
    int64_t from_easter = days_from_civil(y, m, d) - easter_day(y);
    if (from_easter == 1) return "holiday.easter_monday";
    if (from_easter == 39) return "holiday.ascension";
    if (from_easter == 50) return "holiday.whit_monday";
    if (from_easter == -2 && regime == REGIME_ALSACE_MOSELLE) return "holiday.good_friday";
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Descriptions                                                         */
/* ------------------------------------------------------------------ */

/* Fold s for comparison into o[cap]: ASCII and Latin-1 capitals (UTF-8
 * C3 80–C3 9E) to lower case, the typographic apostrophe U+2019 to '\''.
 * Truncates to cap - 1 bytes. No allocation. */
static void fold(const char *s, char *o, size_t cap)
{
    size_t n = 0;
    while (*s && n + 2 < cap) {
        unsigned char c = (unsigned char)s[0];
        unsigned char c1 = (unsigned char)s[1]; /* s[0] is not the terminator */
        if (c >= 'A' && c <= 'Z') {
            o[n++] = (char)(c + 32);
            s++;
        } else if (c == 0xC3 && c1 >= 0x80 && c1 <= 0x9E && c1 != 0x97) {
            o[n++] = (char)0xC3;
            o[n++] = (char)(c1 + 0x20);
            s += 2;
        } else if (c == 0xE2 && c1 == 0x80 && (unsigned char)s[2] == 0x99) {
            o[n++] = '\'';
            s += 3;
        } else {
            o[n++] = *s++;
        }
    }
    o[n] = 0;
}

/* Whether the folded description equals folded name (a lower-case literal). */
static bool folded_equal(const char *description, const char *name)
{
    char f[LIMIT_DESCRIPTION_BYTES + 8];
    fold(description, f, sizeof f);
    return !strcmp(f, name);
}

/* The rentrée row ("Rentrée scolaire des élèves"): its start is the first
 * day of classes, not a holiday. */
static bool is_rentree(const char *description)
{
    char f[16];
    fold(description, f, sizeof f);
    return !strncmp(f, "rentr\xC3\xA9" "e", 8);
}

/* The summer-holidays row: "Vacances d'été" (Carnet's file, with an end) or
 * "Début des Vacances d'Été" (the official dataset, start = end). */
static bool is_summer(const char *description)
{
    return folded_equal(description, "vacances d'\xC3\xA9t\xC3\xA9") ||
           folded_equal(description, "d\xC3\xA9" "but des vacances d'\xC3\xA9t\xC3\xA9");
}

/* ------------------------------------------------------------------ */
/* Import                                                               */
/* ------------------------------------------------------------------ */

#define CSV_LINE_BYTES 4096 /* longest line of an imported calendar file */
#define CSV_FIELDS 32       /* most fields on one line */

/* The zone names of the dataset and how the establishment table spells
 * them. Zones with a NULL spelling are known school calendars that no
 * Carnet establishment can have (the table's CHECK): their rows are skipped. */
static const struct {
    const char *name; /* folded */
    const char *zone;
} zone_names[] = {
    {"zone a", "A"},
    {"zone b", "B"},
    {"zone c", "C"},
    {"corse", "Corse"},
    {"guadeloupe", "Guadeloupe"},
    {"martinique", "Martinique"},
    {"guyane", "Guyane"},
    {"la r\xC3\xA9union", "La R\xC3\xA9union"},
    {"mayotte", "Mayotte"},
    {"polyn\xC3\xA9sie", NULL},
    {"nouvelle cal\xC3\xA9" "donie", NULL},
    {"wallis et futuna", NULL},
    {"saint pierre et miquelon", NULL},
};

/* Look a zone name up: true when known, with *zone the stored spelling
 * (NULL for a skipped zone). */
static bool zone_lookup(const char *name, const char **zone)
{
    for (size_t i = 0; i < sizeof zone_names / sizeof zone_names[0]; i++) {
        if (folded_equal(name, zone_names[i].name)) {
            *zone = zone_names[i].zone;
            return true;
        }
    }
    return false;
}

/* A set of strings (open addressing, FNV-1a), to count the distinct
 * (zone, period) rows of an import. Allocates; keyset_free releases. */
struct keyset {
    char **slot;
    size_t cap, n;
};

/* FNV-1a hash of s. */
static uint64_t hash_str(const char *s)
{
    uint64_t h = 14695981039346656037ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* Put an owned key into a table of cap slots (a power of two). */
static void keyset_place(char **slot, size_t cap, char *key)
{
    size_t i = (size_t)hash_str(key) & (cap - 1);
    while (slot[i]) i = (i + 1) & (cap - 1);
    slot[i] = key;
}

/* Add the key zone/description/year unless present. 0, or -1 when out of
 * memory. Allocates. */
static int keyset_add(struct keyset *k, const char *zone, const char *description, const char *year)
{
    size_t len = strlen(zone) + strlen(description) + strlen(year) + 3;
    char *key = malloc(len);
    if (!key) return -1;
    snprintf(key, len, "%s\x1f%s\x1f%s", zone, description, year);
    if (k->cap) {
        size_t i = (size_t)hash_str(key) & (k->cap - 1);
        for (; k->slot[i]; i = (i + 1) & (k->cap - 1)) {
            if (!strcmp(k->slot[i], key)) {
                free(key);
                return 0;
            }
        }
    }
    if ((k->n + 1) * 2 > k->cap) {
        size_t cap = k->cap ? k->cap * 2 : 64;
        char **slot = calloc(cap, sizeof *slot);
        if (!slot) {
            free(key);
            return -1;
        }
        for (size_t i = 0; i < k->cap; i++)
            if (k->slot[i]) keyset_place(slot, cap, k->slot[i]);
        free(k->slot);
        k->slot = slot;
        k->cap = cap;
    }
    keyset_place(k->slot, k->cap, key);
    k->n++;
    return 0;
}

/* Release every key and the table. */
static void keyset_free(struct keyset *k)
{
    for (size_t i = 0; i < k->cap; i++) free(k->slot[i]);
    free(k->slot);
    k->slot = NULL;
    k->cap = k->n = 0;
}

/* Split a line in place on ';' into at most max fields (double-quoted
 * fields may hold ';', with "" for a quote); each field is trimmed.
 * Returns the number of fields, -1 for a bad quote, -2 for too many. */
static int split_fields(char *s, char **f, int max)
{
    int n = 0;
    for (;;) {
        if (n == max) return -2;
        char *w = s, *p = s;
        while (*p == ' ' || *p == '\t') p++;
        if (*p == '"') {
            p++;
            for (;;) {
                if (!*p) return -1;
                if (*p == '"') {
                    if (p[1] != '"') break;
                    p++;
                }
                *w++ = *p++;
            }
            p++;
            while (*p == ' ' || *p == '\t') p++;
            if (*p && *p != ';') return -1;
        } else {
            while (*p && *p != ';') *w++ = *p++;
        }
        char c = *p;
        *w = 0;
        f[n++] = text_trim(s);
        if (!c) return n;
        s = p + 1;
    }
}

/* UTC offset of Europe/Paris at utc (seconds since the epoch), by the EU
 * rule: summer time (UTC+2) from the last Sunday of March 01:00 UTC to the
 * last Sunday of October 01:00 UTC, UTC+1 otherwise. */
static int64_t paris_offset(int64_t utc)
{
    int64_t y;
    int m, d;
    civil_from_days(floor_div(utc, 86400), &y, &m, &d);
    int64_t march = days_from_civil(y, 3, 31), october = days_from_civil(y, 10, 31);
    march -= weekday_of(march) % 7;
    october -= weekday_of(october) % 7;
    int64_t start = march * 86400 + 3600, end = october * 86400 + 3600;
    return utc >= start && utc < end ? 7200 : 3600;
}

/* Read exactly two digits at *p into *v and advance. */
static bool two_digits(const char **p, int *v)
{
    const char *s = *p;
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9') return false;
    *v = (s[0] - '0') * 10 + (s[1] - '0');
    *p = s + 2;
    return true;
}

/* A date of an imported file into a local date out[11]: "YYYY-MM-DD" as is;
 * an ISO date-time "YYYY-MM-DDTHH:MM[:SS[.fff]]" followed by "Z" or an offset
 * "±HH[:MM]" is converted to its date in Europe/Paris; without an offset the
 * date-time is already local and its date is taken. No allocation. */
static bool import_date(const char *s, char out[11])
{
    size_t n = strlen(s);
    if (n < 10) return false;
    char d[11];
    memcpy(d, s, 10);
    d[10] = 0;
    int64_t z;
    if (!day_of(d, &z)) return false;
    if (n == 10) {
        memcpy(out, d, 11);
        return true;
    }
    if (s[10] != 'T' && s[10] != ' ') return false;
    const char *p = s + 11;
    int hh, mm, ss = 0;
    if (!two_digits(&p, &hh) || *p++ != ':' || !two_digits(&p, &mm)) return false;
    if (*p == ':') {
        p++;
        if (!two_digits(&p, &ss)) return false;
        if (*p == '.') {
            p++;
            if (*p < '0' || *p > '9') return false;
            while (*p >= '0' && *p <= '9') p++;
        }
    }
    if (hh > 24 || mm > 59 || ss > 60 || (hh == 24 && (mm || ss))) return false;
    if (!*p) {
        memcpy(out, d, 11);
        return true;
    }
    int64_t offset = 0;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
        if (!two_digits(&p, &oh)) return false;
        if (*p == ':') p++;
        if (*p && !two_digits(&p, &om)) return false;
        if (oh > 18 || om > 59) return false;
        offset = sign * (oh * 3600 + om * 60);
    } else {
        return false;
    }
    if (*p) return false;
    int64_t utc = z * 86400 + hh * 3600 + mm * 60 + ss - offset;
    format_day(floor_div(utc + paris_offset(utc), 86400), out);
    return out[0] != 0;
}

/* "YYYY-YYYY" where the second year follows the first. */
static bool valid_school_year(const char *s)
{
    if (strlen(s) != 9 || s[4] != '-') return false;
    for (int i = 0; i < 9; i++)
        if (i != 4 && (s[i] < '0' || s[i] > '9')) return false;
    return atoi(s) + 1 == atoi(s + 5);
}

/* The columns of an imported file (indexes into a line's fields; -1 when
 * absent). */
struct columns {
    int description, zones, start, end, year, population;
};

/* Find the columns in the header's fields, case-insensitively. Returns the
 * name of a missing required column, or NULL when all are there. */
static const char *find_columns(char **f, int n, struct columns *col)
{
    *col = (struct columns){-1, -1, -1, -1, -1, -1};
    for (int i = n - 1; i >= 0; i--) {
        const char *h = f[i];
        if (!strcasecmp(h, "description")) col->description = i;
        else if (!strcasecmp(h, "zones")) col->zones = i;
        else if (!strcasecmp(h, "start") || !strcasecmp(h, "start_date") || folded_equal(h, "date de d\xC3\xA9" "but"))
            col->start = i;
        else if (!strcasecmp(h, "end") || !strcasecmp(h, "end_date") || folded_equal(h, "date de fin"))
            col->end = i;
        else if (!strcasecmp(h, "annee_scolaire")) col->year = i;
        else if (!strcasecmp(h, "population")) col->population = i;
    }
    if (col->description < 0) return "description";
    if (col->zones < 0) return "zones";
    if (col->start < 0) return "start";
    if (col->end < 0) return "end";
    if (col->year < 0) return "annee_scolaire";
    return NULL;
}

/* The highest field index a data line needs. */
static int last_column(const struct columns *col)
{
    int m = col->description;
    const int more[] = {col->zones, col->start, col->end, col->year, col->population};
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++)
        if (more[i] > m) m = more[i];
    return m;
}

static void import_error(char *err, size_t errlen, int line, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Write "line N: " and the message into err. */
static void import_error(char *err, size_t errlen, int line, const char *fmt, ...)
{
    if (!err || !errlen) return;
    int k = snprintf(err, errlen, "line %d: ", line);
    if (k < 0 || (size_t)k >= errlen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + k, errlen - (size_t)k, fmt, ap);
    va_end(ap);
}

/* Store one data line (fields f[0..n)) for each of its zones. Returns 0
 * (also for a skipped line), or -1 with err set. */
static int import_row(struct store *s, struct keyset *keys, const struct columns *col, char **f, int n, int line,
                      char *err, size_t errlen)
{
    if (n <= last_column(col)) {
        import_error(err, errlen, line, "expected %d fields, found %d", last_column(col) + 1, n);
        return -1;
    }
    if (col->population >= 0 && !strcasecmp(f[col->population], "Enseignants")) return 0;
    const char *description = f[col->description];
    if (!*description || strlen(description) > LIMIT_DESCRIPTION_BYTES || text_has_control(description, false)) {
        import_error(err, errlen, line, "empty, too long or invalid description");
        return -1;
    }
    char start[11], end[11];
    if (!import_date(f[col->start], start)) {
        import_error(err, errlen, line, "bad start date \"%.40s\"", f[col->start]);
        return -1;
    }
    if (!import_date(f[col->end], end)) {
        import_error(err, errlen, line, "bad end date \"%.40s\"", f[col->end]);
        return -1;
    }
    if (strcmp(start, end) > 0) {
        import_error(err, errlen, line, "end date %s before start date %s", end, start);
        return -1;
    }
    const char *year = f[col->year];
    if (!valid_school_year(year)) {
        import_error(err, errlen, line, "bad school year \"%.40s\" (expected e.g. 2025-2026)", year);
        return -1;
    }

    /* One row per zone; an error later rolls the whole file back. */
    int nzones = 0;
    for (char *z = f[col->zones], *next; z; z = next) {
        char *comma = strchr(z, ',');
        if (comma) *comma = 0;
        next = comma ? comma + 1 : NULL;
        z = text_trim(z);
        if (!*z) continue;
        const char *zone = NULL;
        if (!zone_lookup(z, &zone)) {
            import_error(err, errlen, line, "unknown zone \"%.60s\"", z);
            return -1;
        }
        nzones++;
        if (!zone) continue; /* a zone no Carnet establishment can have */
        if (store_run(s,
                      "INSERT INTO school_calendar (zone, description, starts_on, ends_on, school_year)"
                      " VALUES ($1, $2, $3, $4, $5)"
                      " ON CONFLICT (zone, description, school_year)"
                      " DO UPDATE SET starts_on = excluded.starts_on, ends_on = excluded.ends_on",
                      "ttttt", zone, description, start, end, year) < 0) {
            import_error(err, errlen, line, "cannot store the row: %s", store_error(s));
            return -1;
        }
        if (keyset_add(keys, zone, description, year) < 0) {
            import_error(err, errlen, line, "out of memory");
            return -1;
        }
    }
    if (!nzones) {
        import_error(err, errlen, line, "no zone");
        return -1;
    }
    return 0;
}

/* Import a school calendar file (see calendar.h) in one transaction.
 * Returns the number of distinct (zone, period) rows it describes, or -1
 * with "line N: …" in err and nothing stored. Allocates only temporarily. */
int calendar_import_csv(struct store *s, const char *text, size_t len, char *err, size_t errlen)
{
    int rc = -1, line = 0;
    bool header = false;
    struct columns col = {-1, -1, -1, -1, -1, -1};
    struct keyset keys = {0};
    char buf[CSV_LINE_BYTES];
    char *f[CSV_FIELDS];
    if (err && errlen) err[0] = 0;
    if (!text) len = 0;
    if (store_begin(s) < 0) {
        if (err && errlen) snprintf(err, errlen, "cannot begin a transaction: %s", store_error(s));
        return -1;
    }
    size_t pos = 0;
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) pos = 3; /* byte-order mark */
    while (pos < len) {
        const char *l = text + pos;
        const char *nl = memchr(l, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - l) : len - pos;
        pos += n + (nl ? 1 : 0);
        line++;
        if (n && l[n - 1] == '\r') n--;
        if (n >= sizeof buf) {
            import_error(err, errlen, line, "line longer than %d bytes", CSV_LINE_BYTES - 1);
            goto out;
        }
        if (memchr(l, 0, n) || !text_utf8_valid(l, n)) {
            import_error(err, errlen, line, "not UTF-8 text");
            goto out;
        }
        memcpy(buf, l, n);
        buf[n] = 0;
        text_trim(buf);
        if (!buf[0] || buf[0] == '#') continue;
        int nf = split_fields(buf, f, CSV_FIELDS);
        if (nf == -1) {
            import_error(err, errlen, line, "unbalanced quotes");
            goto out;
        }
        if (nf == -2) {
            import_error(err, errlen, line, "more than %d fields", CSV_FIELDS);
            goto out;
        }
        if (!header) {
            const char *missing = find_columns(f, nf, &col);
            if (missing) {
                import_error(err, errlen, line, "missing column \"%s\" in the header", missing);
                goto out;
            }
            header = true;
            continue;
        }
        if (import_row(s, &keys, &col, f, nf, line, err, errlen) < 0) goto out;
    }
    if (!header) {
        import_error(err, errlen, line + 1, "no header line");
        goto out;
    }
    if (store_commit(s) < 0) {
        if (err && errlen) snprintf(err, errlen, "cannot commit: %s", store_error(s));
        goto out_committed;
    }
    rc = (int)keys.n;
    log_info("calendar_import_csv", "%d calendar rows from %d lines", rc, line);
    goto out_committed;
out:
    store_rollback(s);
out_committed:
    keyset_free(&keys);
    return rc;
}

/* ------------------------------------------------------------------ */
/* An establishment's calendar                                          */
/* ------------------------------------------------------------------ */

/* Load the calendar of an establishment (see calendar.h): one query; the
 * result and its strings live in arena a. NULL when the establishment does
 * not exist or the query fails (logged). */
/* Calendars already loaded by this thread for the request whose arena is
 * identified by id: a page showing lessons and homework loads each once. */
#define CALENDAR_REQUEST_CACHE 8
static __thread struct { uint64_t arena; int64_t est; struct school_calendar *cal; } request_cache[CALENDAR_REQUEST_CACHE];
static __thread unsigned request_cache_next;

static void request_cache_put(struct arena *a, int64_t est, struct school_calendar *c)
{
    unsigned k = request_cache_next++ % CALENDAR_REQUEST_CACHE;
    request_cache[k].arena = a->id;
    request_cache[k].est = est;
    request_cache[k].cal = c;
}

static struct school_calendar *request_cache_get(struct arena *a, int64_t est)
{
    for (int i = 0; i < CALENDAR_REQUEST_CACHE; i++)
        if (request_cache[i].arena == a->id && request_cache[i].est == est && request_cache[i].cal) return request_cache[i].cal;
    return NULL;
}

/* The rows of calendar_read: the establishment, its regime and zone, and
 * its zone's periods (none: a row of NULLs), establishment by establishment. */
#define CALENDAR_COLUMNS                                                                                          \
    "SELECT e.id, e.uai, e.zone, sc.description, sc.starts_on, sc.ends_on, sc.school_year"                       \
    " FROM establishment e LEFT JOIN school_calendar sc ON sc.zone = e.zone"
#define CALENDAR_ORDER " ORDER BY e.id, sc.school_year, sc.starts_on, sc.description"

bool calendar_read(struct stmt *st, struct arena *a)
{
    if (!st) return false;
    struct school_calendar *c = NULL;
    int64_t est = 0;
    size_t cap = 0;
    int r;
    while ((r = stmt_step(st)) == STORE_ROW) {
        if (!c || stmt_int(st, 0) != est) {
            est = stmt_int(st, 0);
            c = arena_alloc(a, sizeof *c);
            c->regime = calendar_regime_of_uai(stmt_text(st, 1));
            c->zone = arena_strdup(a, stmt_text(st, 2) ? stmt_text(st, 2) : "");
            cap = 0;
            request_cache_put(a, est, c);
        }
        if (stmt_is_null(st, 3)) continue;
        c->periods = arena_grow(a, c->periods, c->nperiods, &cap, sizeof *c->periods);
        struct calendar_period *p = &c->periods[c->nperiods++];
        p->description = arena_strdup(a, stmt_text(st, 3));
        p->starts_on = arena_strdup(a, stmt_text(st, 4));
        p->ends_on = arena_strdup(a, stmt_text(st, 5));
        p->school_year = arena_strdup(a, stmt_text(st, 6));
        p->rentree = is_rentree(p->description);
        p->summer = !p->rentree && is_summer(p->description);
    }
    stmt_done(st);
    return r != STORE_ERR;
}

struct stmt *calendar_ask_for_family(struct store *s, int64_t person, const char *date)
{
    return store_q_ahead(s, CALENDAR_COLUMNS " WHERE e.id IN (" SQL_FAMILY_ESTABLISHMENTS ")" CALENDAR_ORDER, "it", person, date);
}

struct school_calendar *calendar_load(struct store *s, struct arena *a, int64_t establishment_id)
{
    struct school_calendar *c = request_cache_get(a, establishment_id);
    if (c) return c;
    /* One query: the establishment's regime and its zone's periods. */
    static const char *const q = CALENDAR_COLUMNS " WHERE e.id = $1" CALENDAR_ORDER;
    if (!calendar_read(store_q(s, q, "i", establishment_id), a)) {
        log_error("calendar_load", "establishment %lld: cannot read the calendar", (long long)establishment_id);
        return NULL;
    }
    return request_cache_get(a, establishment_id);
}

/* What the calendar knows of one school year. */
struct year_view {
    bool loaded;                          /* any row of that year */
    const struct calendar_period *rentree; /* first day of classes */
    const struct calendar_period *summer;  /* start of the summer holidays */
};

/* The rows of school year "YYYY-YYYY" in c. */
static struct year_view view_year(const struct school_calendar *c, const char *year)
{
    struct year_view v = {false, NULL, NULL};
    for (size_t i = 0; i < c->nperiods; i++) {
        const struct calendar_period *p = &c->periods[i];
        if (strcmp(p->school_year, year)) continue;
        v.loaded = true;
        if (p->rentree && (!v.rentree || strcmp(p->starts_on, v.rentree->starts_on) < 0)) v.rentree = p;
        if (p->summer) v.summer = p;
    }
    return v;
}

/* The school year that decides about date (a valid date), into *v: the
 * September-to-August year, except that an August day belongs to the year
 * starting then when that year is loaded (overseas rentrées are in
 * August, and no French school has classes of the ending year in August).
 * Returns whether the calendar covers date: the year is loaded and date is
 * not on or after the end of its summer holidays (when given: the next
 * year's calendar is then needed). */
static bool resolve_year(const struct school_calendar *c, const char *date, struct year_view *v)
{
    char year[10];
    int64_t y;
    int m, d;
    if (!parse_date(date, &y, &m, &d)) return false;
    format_school_year(m >= 9 ? y : y - 1, year);
    *v = view_year(c, year);
    if (m == 8) {
        format_school_year(y, year);
        struct year_view next = view_year(c, year);
        if (next.loaded) *v = next;
    }
    if (!v->loaded) return false;
    const struct calendar_period *su = v->summer;
    if (su && strcmp(su->ends_on, su->starts_on) > 0 && strcmp(date, su->ends_on) >= 0) return false;
    return true;
}

/* True when the calendar of date's school year is loaded (see resolve_year). */
bool calendar_covers(const struct school_calendar *c, const char *date)
{
    struct year_view v;
    return c && calendar_valid_date(date) && resolve_year(c, date, &v);
}

/* Is date a school day (see calendar.h)? When it is not and why is not
 * NULL, *why is a message key ("calendar.weekend", "calendar.not_loaded",
 * "calendar.before_rentree", "calendar.summer", "calendar.invalid_date", a
 * "holiday.*" key) or the holiday period's description; NULL on a school
 * day. No allocation. */
bool calendar_is_school_day(const struct school_calendar *c, const char *date, const char **why)
{
    const char *reason = NULL;
    int64_t z;
    struct year_view v;
    if (!day_of(date, &z)) {
        reason = "calendar.invalid_date";
    } else if (weekday_of(z) >= 6) {
        reason = "calendar.weekend";
    } else if (!c || !resolve_year(c, date, &v)) {
        reason = "calendar.not_loaded";
    } else if (v.rentree && strcmp(date, v.rentree->starts_on) < 0) {
        reason = "calendar.before_rentree";
    } else if (v.summer && strcmp(date, v.summer->starts_on) >= 0) {
        reason = "calendar.summer";
    } else {
        for (size_t i = 0; i < c->nperiods && !reason; i++) {
            const struct calendar_period *p = &c->periods[i];
            if (!p->rentree && strcmp(date, p->starts_on) >= 0 && strcmp(date, p->ends_on) < 0)
                reason = p->description;
        }
        if (!reason) reason = calendar_public_holiday(date, c->regime);
    }
    if (why) *why = reason;
    return reason == NULL;
}

/* The next school day strictly after date into out[11], looking at most
 * 120 days ahead; false (out empty) when none is found or a day on the way
 * is not covered by the calendar. No allocation. */
bool calendar_next_school_day(const struct school_calendar *c, const char *date, char out[11])
{
    int64_t z;
    out[0] = 0;
    if (!c || !day_of(date, &z)) return false;
    for (int i = 1; i <= 120; i++) {
        char d[11];
        const char *why;
        format_day(z + i, d);
        if (!d[0]) return false;
        if (calendar_is_school_day(c, d, &why)) {
            memcpy(out, d, 11);
            return true;
        }
        if (!strcmp(why, "calendar.not_loaded")) return false;
    }
    return false;
}

/* The first school day (Monday to Friday) of the week starting on day
 * number monday, into out[11]; false when the week has none. */
static bool first_school_day_of_week(const struct school_calendar *c, int64_t monday, char out[11])
{
    for (int i = 0; i < 5; i++) {
        format_day(monday + i, out);
        if (out[0] && calendar_is_school_day(c, out, NULL)) return true;
    }
    return false;
}

/* Week A or B (see calendar.h): counts the school weeks from the week of
 * the rentrée (week A) to date's week. 0 when the week has no school day,
 * the calendar does not cover it or has no rentrée row. No allocation. */
char calendar_week_ab(const struct school_calendar *c, const char *date)
{
    int64_t z, r;
    char d[11];
    struct year_view v;
    if (!c || !day_of(date, &z)) return 0;
    int64_t monday = z - (weekday_of(z) - 1);
    if (!first_school_day_of_week(c, monday, d)) return 0;
    if (!resolve_year(c, d, &v) || !v.rentree || !day_of(v.rentree->starts_on, &r)) return 0;
    int64_t week = r - (weekday_of(r) - 1);
    if (week > monday || monday - week > 60 * 7) return 0;
    /* School weeks = weeks since the rentrée's, less those whose Monday to
     * Friday all fall in one holiday period (periods of a zone never
     * overlap, and public holidays never fill a week). */
    int64_t school_weeks = (monday - week) / 7 + 1;
    for (size_t i = 0; i < c->nperiods; i++) {
        const struct calendar_period *p = &c->periods[i];
        int64_t from, to;
        if (p->rentree || strcmp(p->school_year, v.rentree->school_year) || !day_of(p->starts_on, &from) ||
            !day_of(p->ends_on, &to))
            continue;
        /* Mondays m in [week, monday] with [m, m + 4] inside [from, to). */
        int64_t first = from + ((8 - weekday_of(from)) % 7); /* first Monday on or after from */
        if (first < week) first = week;
        for (int64_t m = first; m <= monday && m + 5 <= to; m += 7) school_weeks--;
    }
    return school_weeks % 2 ? 'A' : 'B';
}
