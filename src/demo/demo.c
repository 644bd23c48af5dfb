/* demo.c — the demo territory.
 *
 * One territory, "Département de la Vallée (démo)", cut into sectors: each
 * sector is one collège and the écoles whose pupils go on to it, with the
 * families living in three communes around them. Sector 1 holds the small
 * demo (École élémentaire Jean-Jaurès and Collège Louise-Michel) and the six
 * fixed demo accounts (password "carnet-demo"); at scale 1 it is all there
 * is, at scale N it gets two more écoles and N - 1 sectors follow.
 *
 * Validity of the generated data. Two school years exist in every
 * establishment (2025-2026 and 2026-2027, with their trimestres), but only
 * the current one — the year containing today, or the next one in the
 * summer gap; 2026-2027 after it — gets classes, enrolments and teachings.
 * Enrolments and roles all start on 2025-09-01 and are open-ended (ends_on
 * NULL), so that the same database stays valid whether the server runs with
 * --now in 2025-2026 or in 2026-2027. Birth dates follow the level of the
 * current year (a CP pupil is 6 in September).
 *
 * Timetables. The 2025-2026 school calendar shipped in data/ is imported
 * first (all zones; the establishments are in zone B). Every establishment
 * gets its rooms and a weekly timetable, each slot written twice: for
 * 2025-09-01…2026-07-03 and for 2026-09-01…2027-07-02, so that the same
 * database works with a clock in either year. Collège lessons follow the
 * official weekly hours (college_hours), placed greedily with no overlap
 * for a class, a teacher or a room; école classes have four sessions on
 * Monday, Tuesday, Thursday and Friday. Lesson changes fall in the weeks of
 * 2025-11-17 and 2026-03-09 (both week B), with fixed ones for the demo
 * family: Lucie's 4e B on 2025-11-18, 2025-11-20 and 2026-03-10, Hugo's
 * CE2 on 2025-11-21.
 *
 * Class log and homework. Every class of every sector gets its class log
 * for the lessons that took place from the rentrée to the day before
 * today, and homework (some already announced for the coming week) with
 * the pupils who ticked it done; see "Class log and homework" below.
 *
 * Grades and attendance. Every establishment gets a skills referential
 * (three skills per component of the socle commun) and its absence
 * reasons; every class gets, from the rentrée to now, assessments (marks
 * in collèges, skills only in écoles) with its pupils' marks and skill
 * results, a roll call for the lessons that started, absences by
 * half-days and lateness with the families' justifications and the
 * school's decisions, the families' notifications and the monthly attendance
 * alerts; see "Grades, skills and attendance" below.
 *
 * Messaging. Every establishment gets a school year of messages up to now:
 * parents, pupils, teachers, school life and heads writing to each other
 * within the default communication policy, and teachers and school life
 * writing to the parents of a class (one private thread per parent), with
 * read state and folders; see "Messaging" below. The small demo's
 * hand-written conversations come on top (demo_messages).
 *
 * Everything is deterministic for a given scale (and, for the class log,
 * the grades, the attendance and the messages, clock): names, classes and families come from a splitmix64 generator
 * reseeded at each sector (a sector's content does not depend on the
 * others). Only the one-time activation codes and the password salt are
 * random. Fictional contact data: e-mail addresses at example.org, mobile
 * numbers in the range that ARCEP reserves for fiction (06 39 98 xx xx),
 * UAI codes of département 044 with their real check letter. */
#include "demo.h"
#include "notices.h"
#include "../calendar/calendar.h"
#include "../import/defaults.h"
#include "../core/arena.h"
#include "../core/assets.h"
#include "../core/clock.h"
#include "../core/log.h"
#include "../modules/auth/auth.h"
#include "../policy/diffusion.h"
#include "../store/store.h"
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEMO_SEED 0x436172746E657421ULL /* "Carnet!" */
#define DEMO_PASSWORD "carnet-demo"
#define DEMO_SCALE_MAX 1000
#define ROLE_STARTS_ON "2025-09-01"   /* every role and enrolment starts here, open-ended */
#define STAFF_DOMAIN "ac-vallee.example.org"
#define FAMILY_DOMAIN "example.org"
#define CODES_TO_ISSUE 50             /* activation codes for the first parents only */
#define LOGIN_CAP 64
#define SECTOR_MAX_CLASSES 64         /* a collège (≤ 20) and three écoles (≤ 10 each) */
#define CLASS_MAX_SEATS 30
#define SECTOR_COMMUNES 3
#define DEMO_CALENDAR "calendrier-scolaire-2025-2026.csv" /* embedded from data/ */

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- Reference tables --------------------------------------------------- */

enum {
    LEVEL_CP, LEVEL_CE1, LEVEL_CE2, LEVEL_CM1, LEVEL_CM2,
    LEVEL_6E, LEVEL_5E, LEVEL_4E, LEVEL_3E,
    LEVEL_2NDE, LEVEL_1ERE, LEVEL_TLE, LEVEL_COUNT
};

/* Levels CP … Tle. The lycée has no numbered cycle: 5 marks its years. */
static const struct level_def {
    const char *code, *name;
    int cycle;
} levels[LEVEL_COUNT] = {
    {"CP", "CP", 2},   {"CE1", "CE1", 2}, {"CE2", "CE2", 2},         {"CM1", "CM1", 3},
    {"CM2", "CM2", 3}, {"6E", "6e", 3},   {"5E", "5e", 4},           {"4E", "4e", 4},
    {"3E", "3e", 4},   {"2NDE", "Seconde", 5}, {"1ERE", "Première", 5}, {"TLE", "Terminale", 5},
};

/* The two school years, with the trimestres of écoles and of collèges. */
static const struct year_def {
    const char *label, *starts_on, *ends_on;
    int start_year;
    const char *ecole[3][2], *college[3][2];
} years[2] = {
    {"2025-2026", "2025-09-01", "2026-07-04", 2025,
     {{"2025-09-01", "2025-11-30"}, {"2025-12-01", "2026-02-28"}, {"2026-03-01", "2026-07-04"}},
     {{"2025-09-01", "2025-11-28"}, {"2025-11-29", "2026-03-06"}, {"2026-03-07", "2026-07-04"}}},
    {"2026-2027", "2026-09-01", "2027-07-03", 2026,
     {{"2026-09-01", "2026-11-30"}, {"2026-12-01", "2027-02-28"}, {"2027-03-01", "2027-07-03"}},
     {{"2026-09-01", "2026-11-27"}, {"2026-11-28", "2027-03-05"}, {"2027-03-06", "2027-07-03"}}},
};

static const char *const period_names[3] = {"1er trimestre", "2e trimestre", "3e trimestre"};

/* Collège subjects: how many classes one teacher takes, from which level. */
static const struct subject_def {
    const char *code, *name;
    int per_teacher, from_level;
} college_subjects[] = {
    {"FRA", "Français", 3, LEVEL_6E},       {"MATH", "Mathématiques", 3, LEVEL_6E},
    {"HG", "Histoire-géographie", 4, LEVEL_6E}, {"ANG", "Anglais", 4, LEVEL_6E},
    {"ESP", "Espagnol", 6, LEVEL_5E},       {"ALL", "Allemand", 9, LEVEL_5E},
    {"SVT", "SVT", 6, LEVEL_6E},            {"PC", "Physique-chimie", 6, LEVEL_5E},
    {"TECH", "Technologie", 6, LEVEL_5E},   {"EPS", "EPS", 4, LEVEL_6E},
    {"AP", "Arts plastiques", 9, LEVEL_6E}, {"EM", "Éducation musicale", 9, LEVEL_6E},
};

static const char *const girl_names[] = {
    "Emma", "Louise", "Jade", "Alice", "Ambre", "Lina", "Rose", "Chloé", "Mia", "Léa", "Anna", "Inès",
    "Mila", "Julia", "Léna", "Manon", "Zoé", "Camille", "Lou", "Agathe", "Juliette", "Romane", "Nina",
    "Éva", "Sarah", "Aya", "Sofia", "Kenza", "Lila", "Yasmine", "Maëlys", "Louna", "Clémence",
    "Charlotte", "Iris", "Margaux", "Salomé", "Victoire", "Nour", "Assia", "Fatoumata", "Capucine",
    "Héloïse", "Anaïs", "Elsa", "Mathilde", "Lucie", "Maya"};

static const char *const boy_names[] = {
    "Gabriel", "Léo", "Raphaël", "Arthur", "Louis", "Jules", "Adam", "Maël", "Lucas", "Hugo", "Noah",
    "Liam", "Gabin", "Sacha", "Paul", "Nathan", "Aaron", "Mohamed", "Ethan", "Tom", "Éden", "Léon",
    "Noé", "Tiago", "Théo", "Isaac", "Marius", "Victor", "Martin", "Naël", "Ayoub", "Yanis", "Ibrahim",
    "Youssef", "Amir", "Mathis", "Timéo", "Axel", "Enzo", "Rayan", "Baptiste", "Samuel", "Malo",
    "Elias", "Moussa", "Clément", "Antoine", "Oscar"};

static const char *const woman_names[] = {
    "Nathalie", "Isabelle", "Sandrine", "Céline", "Stéphanie", "Sophie", "Aurélie", "Julie", "Caroline",
    "Émilie", "Virginie", "Laëtitia", "Audrey", "Élodie", "Sabrina", "Karima", "Samia", "Fatima",
    "Nadia", "Hélène", "Anne", "Claire", "Marion", "Pauline", "Amandine", "Mélanie", "Laure",
    "Delphine", "Valérie", "Christine", "Agnès", "Sonia", "Leïla", "Alexandra", "Vanessa",
    "Emmanuelle", "Mariama", "Linh", "Ana", "Magali"};

static const char *const man_names[] = {
    "Nicolas", "Julien", "Sébastien", "Stéphane", "Christophe", "Thomas", "Guillaume", "Mathieu",
    "Jérôme", "Frédéric", "David", "Olivier", "Laurent", "Vincent", "Cédric", "Arnaud", "Pierre",
    "Romain", "Alexandre", "Maxime", "François", "Philippe", "Karim", "Mehdi", "Samir", "Rachid",
    "Mamadou", "Antoine", "Benoît", "Fabrice", "Grégory", "Yannick", "Franck", "Damien", "Jérémy",
    "Anthony", "Kévin", "Hakim", "Duc", "João"};

static const char *const last_names[] = {
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
    "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent",
    "Fournier", "Morel", "Girard", "André", "Lefèvre", "Mercier", "Dupont", "Lambert", "Bonnet",
    "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller",
    "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu", "Clément", "Gauthier", "Dumont",
    "Lopez", "Fontaine", "Chevalier", "Robin", "Benali", "Nguyen", "Diallo", "Haddad", "Traoré",
    "Da Silva", "Ferreira", "Benhamou", "Meyer", "Le Gall", "Koné", "Caron", "Marchand", "Colin",
    "Bourgeois", "Mansouri", "Cissé", "Pereira", "Renaud", "Brunet", "Boyer", "Lemaire", "Gaillard",
    "Barbier", "Arnaud", "Giraud", "Schmitt", "Tran", "Camara", "Benoît", "N'Diaye", "Ozturk"};

/* Patrons of écoles and collèges (index 0: the small demo's). */
static const char *const ecole_patrons[] = {
    "Jean-Jaurès", "Jules-Ferry", "Marie-Curie", "Victor-Hugo", "Jacques-Prévert", "Louis-Pasteur",
    "Jean-Moulin", "Paul-Éluard", "George-Sand", "Simone-Veil", "Condorcet", "Jean-de-La-Fontaine",
    "Pablo-Picasso", "Anatole-France", "Marcel-Pagnol", "Charles-Perrault", "Antoine-de-Saint-Exupéry",
    "Robert-Desnos", "Lucie-Aubrac", "Françoise-Dolto", "Jean-Macé", "Paul-Bert", "Pierre-et-Marie-Curie",
    "Alphonse-Daudet", "Jean-Giono", "Colette", "Louise-Weiss", "Joliot-Curie", "Albert-Schweitzer",
    "Émile-Zola", "Frédéric-Mistral", "Camille-Claudel", "Nelson-Mandela", "Henri-Matisse",
    "Claude-Monet", "Aimé-Césaire", "Olympe-de-Gouges", "Germaine-Tillion", "Rosa-Parks", "Jules-Verne"};

static const char *const college_patrons[] = {
    "Louise-Michel", "Jean-Monnet", "Albert-Camus", "Olympe-de-Gouges", "Joséphine-Baker",
    "Gisèle-Halimi", "Victor-Schœlcher", "Jean-Zay", "Pierre-Mendès-France", "Simone-de-Beauvoir",
    "Léon-Blum", "Gustave-Eiffel", "Jean-Rostand", "Marguerite-Yourcenar", "Honoré-de-Balzac",
    "Alexandre-Dumas", "Rabelais", "Montaigne", "Molière", "Jacques-Brel", "Boris-Vian",
    "Ella-Maillart", "Geneviève-de-Gaulle", "Stéphane-Hessel", "Marie-Marvingt"};

/* Communes of the département: a name, and after the first round one of
 * the suffixes, so that every sector gets communes of its own. */
static const char *const commune_bases[] = {
    "Saint-Aubin-la-Vallée", "Montclair", "Bellerive", "Fontaine-aux-Bois", "Les Aulnaies",
    "Rochefort-le-Haut", "Champvert", "Beaulieu-sur-Loue", "Sainte-Colombe", "Val-des-Prés",
    "Mirebois", "La Chapelle-Verte", "Pont-Aubert", "Saint-Julien-des-Vignes", "Clairmont",
    "Boisrenard", "Lussac-la-Vallée", "Merville", "Saint-Maurice-en-Plaine", "Bourg-Joly",
    "Verneuil", "Les Ormes", "Mont-Saint-Roch", "Roseval", "Châteaubrun", "Saint-Hilaire",
    "Plessis-Vert", "Neuvic", "Aubeterre", "Port-Saint-Louis", "Marcilly", "Saint-Pierre-la-Forêt",
    "Longchamp", "Villers-aux-Chênes", "Grandpré", "Auberive", "Sainte-Marthe", "Castelbon",
    "Le Vaudreuil", "Cormeilles-la-Vallée", "Fresnay", "Saint-Cyr-des-Eaux", "Vieux-Moulin",
    "Brévannes", "Hautefort"};

static const char *const commune_suffixes[] = {"", "-le-Haut", "-le-Bas", "-sur-Vallée", "-les-Bois",
                                               "-en-Plaine"};

static const char *const streets[] = {
    "rue des Lilas", "rue de la Mairie", "avenue Jean-Jaurès", "place de l'Église", "impasse des Vignes",
    "chemin du Moulin", "allée des Tilleuls", "boulevard Victor-Hugo", "rue du Stade", "rue de la Gare",
    "rue des Écoles", "route de la Forêt", "rue Pasteur", "résidence les Peupliers", "rue du Château",
    "avenue de la République", "rue des Acacias", "rue Georges-Brassens", "square des Cerisiers",
    "rue du Lavoir"};

/* ---- Deterministic random numbers (splitmix64) ------------------------- */

/* Next 64-bit value of the generator. */
static uint64_t rng_next(uint64_t *st)
{
    uint64_t z = (*st += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Uniform integer in [lo, hi]. */
static int rng_range(uint64_t *st, int lo, int hi)
{
    return lo + (int)(rng_next(st) % (uint64_t)(hi - lo + 1));
}

/* True with the given probability in percent. */
static bool rng_chance(uint64_t *st, int percent)
{
    return rng_range(st, 0, 99) < percent;
}

/* One element of a table of names. */
#define PICK(st, table) ((table)[rng_range((st), 0, COUNT(table) - 1)])

/* ---- Unique logins and e-mail addresses --------------------------------- */

/* A set of keys with the number of times each was taken. */
struct nameset {
    char **key;
    int *count;
    size_t cap, len;
};

/* FNV-1a hash of a string. */
static uint64_t hash_str(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

/* Double the table (or create it). 0, or -1 out of memory. */
static int nameset_grow(struct nameset *ns)
{
    size_t cap = ns->cap ? ns->cap * 2 : 4096;
    char **key = calloc(cap, sizeof *key);
    int *count = calloc(cap, sizeof *count);
    if (!key || !count) {
        free(key);
        free(count);
        return -1;
    }
    for (size_t i = 0; i < ns->cap; i++) {
        if (!ns->key[i]) continue;
        size_t j = hash_str(ns->key[i]) & (cap - 1);
        while (key[j]) j = (j + 1) & (cap - 1);
        key[j] = ns->key[i];
        count[j] = ns->count[i];
    }
    free(ns->key);
    free(ns->count);
    ns->key = key;
    ns->count = count;
    ns->cap = cap;
    return 0;
}

/* Take key once more: returns how many times it was taken before, or -1
 * out of memory. */
static int nameset_take(struct nameset *ns, const char *key)
{
    if ((ns->len + 1) * 10 > ns->cap * 7 && nameset_grow(ns) < 0) return -1;
    size_t j = hash_str(key) & (ns->cap - 1);
    while (ns->key[j]) {
        if (!strcmp(ns->key[j], key)) return ns->count[j]++;
        j = (j + 1) & (ns->cap - 1);
    }
    ns->key[j] = strdup(key);
    if (!ns->key[j]) return -1;
    ns->count[j] = 1;
    ns->len++;
    return 0;
}

/* Free the set's keys and table. */
static void nameset_free(struct nameset *ns)
{
    for (size_t i = 0; i < ns->cap; i++) free(ns->key[i]);
    free(ns->key);
    free(ns->count);
    memset(ns, 0, sizeof *ns);
}

/* ASCII folding of Latin-1 letters U+00C0…U+00DF (and, lower-cased, of
 * U+00E0…U+00FF). */
static const char *const latin1_fold[32] = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    "d", "n", "o", "o", "o", "o", "o", "",  "o", "u", "u", "u", "u", "y", "th", "ss"};

/* Fold a UTF-8 name into [a-z0-9-]: accents dropped, œ → oe, spaces become
 * hyphens, apostrophes and anything else disappear. */
static void fold_ascii(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    const unsigned char *p = (const unsigned char *)in;
    while (*p && n + 3 < cap) {
        const char *piece = "";
        char one[2] = {0, 0};
        if (*p < 0x80) {
            if (*p >= 'A' && *p <= 'Z') one[0] = (char)(*p - 'A' + 'a');
            else if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-') one[0] = (char)*p;
            else if (*p == ' ') one[0] = '-';
            piece = one;
            p++;
        } else if (*p == 0xC3 && p[1] >= 0x80 && p[1] <= 0xBF) {
            unsigned cp = 0xC0u | (p[1] & 0x3Fu); /* U+00C0…U+00FF */
            piece = cp == 0xFF ? "y" : cp == 0xF7 ? "" : latin1_fold[(cp - 0xC0) & 0x1F];
            p += 2;
        } else if (*p == 0xC5 && (p[1] == 0x92 || p[1] == 0x93)) {
            piece = "oe";
            p += 2;
        } else {
            p++;
            while ((*p & 0xC0) == 0x80) p++;
        }
        for (; *piece && n + 1 < cap; piece++) out[n++] = *piece;
    }
    out[n] = 0;
}

/* A unique "first.last" made of the folded names (then "first.last2",
 * "first.last3"…), followed by suffix (e.g. "@example.org"; "" for a
 * login). The set is keyed by the whole text. 0, or -1 out of memory. */
static int unique_name(struct nameset *ns, const char *first, const char *last, const char *suffix, char *out,
                       size_t cap)
{
    char a[48], b[48], local[100], key[160];
    fold_ascii(first, a, sizeof a);
    fold_ascii(last, b, sizeof b);
    if (snprintf(local, sizeof local, "%s.%s", a, b) < 0) return -1;
    if (snprintf(key, sizeof key, "%s%s", local, suffix) < 0) return -1;
    int n = nameset_take(ns, key);
    if (n < 0) return -1;
    /* Folded names hold no digit, so "first.last2" never meets another key. */
    int len = n == 0 ? snprintf(out, cap, "%s", key) : snprintf(out, cap, "%s%d%s", local, n + 1, suffix);
    return len < 0 || (size_t)len >= cap ? -1 : 0;
}

/* ---- Generator state ---------------------------------------------------- */

/* A calendar day of the current school year (from the first day of its
 * slots), for the class log. */
struct day {
    char date[11];
    int dow;                        /* 0 = Monday … 6 = Sunday */
    int64_t evening;                /* 17:30 local, when the class log is written */
};

/* A lesson that did not take place on a date (cancelled, teacher absent),
 * or that another teacher took (replaced: by is the replacement). */
struct skip {
    int64_t slot_id, by;
    char date[11];
};

/* The generator's state for one run. */
struct demo {
    struct store *s;
    struct demo_summary *sum;
    uint64_t rng;
    int64_t now;
    int year;                       /* index in years[] of the current school year */
    int64_t territory_id;
    int64_t level_id[LEVEL_COUNT];
    int64_t demo_college_id;        /* Collège Louise-Michel, for its service link */
    int establishments_made;        /* numbers the UAI codes */
    int codes_left;                 /* activation codes still to issue */
    long rooms, slots, changes, dropped; /* timetables, for the log line */
    long entries, homework, done;   /* class log, for the log line */
    long assessments, marks, skill_results, roll_calls, absences, lates, alerts; /* school life, same */
    long threads, messages, broadcasts; /* messaging, same */
    char today[11];                 /* clock_today() at generation */
    struct day *days;               /* the calendar days of the current year's slots */
    int ndays, today_idx;           /* today_idx: today's index in days (may be out of range) */
    int64_t yesterday_evening;      /* 17:30 on the day before today */
    struct skip *skip;              /* lessons that did not take place, in the sector being built */
    int nskip, capskip;
    struct nameset logins, emails;
    char password_hash[AUTH_HASH_BYTES];
};

/* The teaching of a subject in a class: its id, its teacher and whether
 * the teacher is a woman (for the notes of the lesson changes), and the
 * teacher's names (static strings, for the messages); demo: prof.demo. */
struct teach {
    int64_t id, teacher_id;
    bool female, demo;
    const char *first, *last;
};

/* Someone the messages name: their id, names and title (static strings;
 * title NULL but for school life and heads) and sex. */
struct who {
    int64_t id;
    const char *first, *last, *title;
    bool female;
};

/* A pupil's side of a class for the messages: the pupil and the parents
 * who receive the school's mail (parent[0] the one the pupil lives with;
 * id 0: none); demo: the demo family, who write more. */
struct kin {
    struct who child, parent[2];
    bool demo;
};

/* A class of the sector being built. */
struct klass {
    int64_t id, establishment_id;
    int level, seats;
    char name[16];
    /* Collège: by index in college_subjects (id 0: no such teaching);
     * école: [0] is the class's Polyvalent teaching. */
    struct teach teach[COUNT(college_subjects)];
    int64_t pupil[CLASS_MAX_SEATS]; /* the pupils enrolled, in the order they were created */
    int64_t guardian[CLASS_MAX_SEATS]; /* the parent who justifies each pupil's absences */
    struct kin kin[CLASS_MAX_SEATS];   /* the same pupils with their parents, for the messages */
    int npupils;
    int est;                        /* its establishment, index in the sector's est */
};

#define NREASONS IMPORT_REASONS     /* absence reasons of every establishment */
#define NCOMPONENTS IMPORT_SKILL_COMPONENTS /* components of the socle commun, D1.1 … D5 */
#define SKILLS_PER_COMPONENT IMPORT_SKILLS_PER_COMPONENT
#define NSKILLS (NCOMPONENTS * SKILLS_PER_COMPONENT)
#define SECTOR_MAX_EST 4            /* a collège and up to three écoles */
#define EST_MAX_STAFF 3
#define EST_MAX_LIFE 5              /* collège: the CPE, two AED, the head and the deputy */

/* An establishment of the sector: what the grades and the attendance
 * need — its periods of the current year, skills, absence reasons, and
 * who decides on the families' justifications (the CPE and the AED of a
 * collège, the head of an école). */
struct est {
    int64_t id;
    bool ecole;
    int64_t period_id[3];
    int64_t skill_id[NSKILLS];      /* component c, skill j at c * SKILLS_PER_COMPONENT + j */
    int64_t reason_id[NREASONS];
    int64_t staff[EST_MAX_STAFF];
    int nstaff;
    struct who life[EST_MAX_LIFE];  /* who writes for school life and the head: the CPE, the AED, the head and
                                       the deputy of a collège; the director of an école */
    int nlife;
};

/* A sector: its communes and the classes of its establishments. */
struct sector {
    char commune[SECTOR_COMMUNES][64];
    char postcode[SECTOR_COMMUNES][6];
    int64_t demo_ecole_id, demo_college_id; /* sector 0 only */
    struct est est[SECTOR_MAX_EST];
    int nest;
    struct klass classes[SECTOR_MAX_CLASSES];
    int nclasses;
    struct lesson *lessons;         /* the weekly lessons of all its establishments (heap) */
    int nlessons, caplessons;
};

/* Someone to create: names, and a fixed login for the demo accounts. */
struct member {
    const char *first, *last, *login;
    char birth[11];
    bool female;
};

/* A family: one or two parents (or a tutor), one or two households, one to
 * three children in the sector's classes. */
struct family {
    int nparents, nchildren, nhouseholds;
    struct member parent[2], child[3];
    const char *relation[2];
    int home[2];                    /* household index of each parent */
    int lives_with[2];
    int commune[2];                 /* commune of each household */
    int children_home;              /* household index of the children */
    int klass[3];                   /* class index (in the sector) of each child */
    bool sample;                    /* may give the summary's sample account */
};

/* ---- Rows --------------------------------------------------------------- */

/* "YYYY-MM-DD" into out (year 1000…9999, month 1…12, day 1…28 here). */
static void date_make(char out[11], int year, int month, int day)
{
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)year % 10000u, (unsigned)month % 100u, (unsigned)day % 100u);
}

/* A random birth date in the given year. */
static void adult_birth(struct demo *d, int year, char out[11])
{
    int month = rng_range(&d->rng, 1, 12);
    date_make(out, year, month, rng_range(&d->rng, 1, 28));
}

/* A household at a random address of one of the sector's communes. */
static int64_t household_add(struct demo *d, const struct sector *sec, int commune)
{
    char address[96];
    int number = rng_range(&d->rng, 1, 120); /* one draw per statement: a fixed order */
    snprintf(address, sizeof address, "%d %s", number, PICK(&d->rng, streets));
    int64_t id = 0;
    if (store_int(d->s, &id, "INSERT INTO household (address, postcode, city) VALUES ($1, $2, $3) RETURNING id",
                  "ttt", address, sec->postcode[commune], sec->commune[commune]) != 1)
        return 0;
    return id;
}

/* A person and their account. E-mail at email_domain when given, a mobile
 * number when phone. With a fixed login the account is active with the demo
 * password; otherwise the login is "first.last[n]" and the account pending.
 * Writes the account id and login; returns the person id, 0 on error. */
static int64_t person_add(struct demo *d, const struct member *m, const char *email_domain, bool phone,
                          int64_t household, int64_t *account_id, char login[LOGIN_CAP])
{
    char email[128], tel[20], at[64];
    if (email_domain) {
        snprintf(at, sizeof at, "@%s", email_domain);
        if (unique_name(&d->emails, m->first, m->last, at, email, sizeof email) < 0) return 0;
    }
    if (phone) {
        int hi = rng_range(&d->rng, 0, 99);
        snprintf(tel, sizeof tel, "06 39 98 %02d %02d", hi, rng_range(&d->rng, 0, 99));
    }
    int64_t pid = 0;
    if (store_int(d->s, &pid,
                  "INSERT INTO person (last_name, first_name, birth_date, email, phone, household_id, created_at)"
                  " VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                  "tttttNi", m->last, m->first, m->birth[0] ? m->birth : NULL, email_domain ? email : NULL,
                  phone ? tel : NULL, household, d->now) != 1)
        return 0;
    if (m->login) snprintf(login, LOGIN_CAP, "%s", m->login);
    else if (unique_name(&d->logins, m->first, m->last, "", login, LOGIN_CAP) < 0) return 0;
    bool active = m->login != NULL;
    if (store_int(d->s, account_id,
                  "INSERT INTO account (person_id, login, password_hash, state, created_at, activated_at,"
                  " password_changed_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
                  "itttiN", pid, login, active ? d->password_hash : NULL, active ? "active" : "pending", d->now,
                  active ? d->now : (int64_t)0) != 1)
        return 0;
    d->sum->accounts++;
    return pid;
}

/* A role from ROLE_STARTS_ON, open-ended. 0 or -1. */
static int role_add(struct demo *d, int64_t person, const char *profile, int64_t establishment, int64_t territory,
                    const char *title)
{
    return store_run(d->s,
                     "INSERT INTO role (person_id, profile, establishment_id, territory_id, title, starts_on, ends_on)"
                     " VALUES ($1, $2, $3, $4, $5, $6, NULL)",
                     "itNNtt", person, profile, establishment, territory, title, ROLE_STARTS_ON);
}

/* A subject of an establishment; its id, 0 on error. */
static int64_t subject_add(struct demo *d, int64_t establishment, const char *code, const char *name)
{
    int64_t id = 0;
    if (store_int(d->s, &id, "INSERT INTO subject (establishment_id, code, name) VALUES ($1, $2, $3) RETURNING id",
                  "itt", establishment, code, name) != 1)
        return 0;
    return id;
}

/* A teaching: subject × teacher × class. Its id, 0 on error. */
static int64_t teaching_add(struct demo *d, int64_t establishment, int64_t subject, int64_t teacher,
                            int64_t class_id)
{
    int64_t id = 0;
    if (store_int(d->s, &id,
                  "INSERT INTO teaching (establishment_id, subject_id, teacher_id, class_id)"
                  " VALUES ($1, $2, $3, $4) RETURNING id",
                  "iiii", establishment, subject, teacher, class_id) != 1)
        return 0;
    return id;
}

/* A random adult, a woman with the given probability in percent: names
 * and a birth date between 1965 and 1998. */
static void adult_random(struct demo *d, struct member *m, int female_percent)
{
    m->female = rng_chance(&d->rng, female_percent);
    m->first = m->female ? PICK(&d->rng, woman_names) : PICK(&d->rng, man_names);
    m->last = PICK(&d->rng, last_names);
    m->login = NULL;
    adult_birth(d, rng_range(&d->rng, 1965, 1998), m->birth);
}

/* A member of staff (no household, an academic e-mail address): the person
 * and account; the person id, 0 on error. */
static int64_t staff_add(struct demo *d, const struct member *m)
{
    int64_t account = 0;
    char login[LOGIN_CAP];
    return person_add(d, m, STAFF_DOMAIN, false, 0, &account, login);
}

/* The fixed demo member (names, login, birth date) in m. */
static void member_fixed(struct member *m, const char *first, const char *last, bool female, const char *birth,
                         const char *login)
{
    m->first = first;
    m->last = last;
    m->female = female;
    m->login = login;
    snprintf(m->birth, sizeof m->birth, "%s", birth);
}

/* ---- Timetables --------------------------------------------------------- */

/* Weekly hours of the collège subjects by level (6e, 5e, 4e, 3e), from the
 * official grids rounded to whole hours: every week, plus one more hour in
 * week A only or in week B only. A class has one LV2 (ESP or ALL). A
 * subject without a teaching for the class (PC, TECH and the LV2 in 6e) is
 * skipped. room: the subject's own room, NULL for the class's home room;
 * EPS goes to the Gymnase or the Plateau sportif, in 2-hour blocks. */
static const struct hours_def {
    const char *code, *room;
    int every[4], week_a[4], week_b[4];
} college_hours[] = {
    {"FRA", NULL, {5, 4, 4, 4}, {0, 1, 1, 0}, {0, 0, 0, 0}},
    {"MATH", NULL, {4, 3, 3, 4}, {1, 0, 0, 1}, {0, 1, 1, 0}},
    {"HG", NULL, {3, 3, 3, 3}, {0, 0, 0, 0}, {0, 0, 0, 1}},
    {"ANG", NULL, {4, 3, 3, 3}, {0, 0, 0, 0}, {0, 0, 0, 0}},
    {"ESP", NULL, {0, 2, 2, 2}, {0, 1, 1, 1}, {0, 0, 0, 0}},
    {"ALL", NULL, {0, 2, 2, 2}, {0, 1, 1, 1}, {0, 0, 0, 0}},
    {"SVT", "Labo SVT", {1, 1, 1, 1}, {0, 0, 0, 0}, {1, 1, 1, 1}},
    {"PC", "Labo physique-chimie", {1, 1, 1, 1}, {0, 1, 1, 1}, {0, 0, 0, 0}},
    {"TECH", "Salle de technologie", {1, 1, 1, 1}, {0, 0, 0, 0}, {0, 1, 1, 1}},
    {"EPS", "Gymnase", {4, 3, 3, 3}, {0, 0, 0, 0}, {0, 0, 0, 0}},
    {"AP", "Salle d'arts plastiques", {1, 1, 1, 1}, {0, 0, 0, 0}, {0, 0, 0, 0}},
    {"EM", "Salle de musique", {1, 1, 1, 1}, {0, 0, 0, 0}, {0, 0, 0, 0}},
};

/* Rooms of a collège after the home rooms Salle 101…112 and 201…212. */
static const char *const college_rooms[] = {"Labo SVT", "Labo physique-chimie", "Salle de technologie",
                                            "Salle d'arts plastiques", "Salle de musique", "Gymnase",
                                            "Plateau sportif"};

/* The two validity ranges every slot is written with: the demo works with a
 * clock in 2025-2026 or in 2026-2027 (enrolments are open-ended). */
static const char *const slot_validity[2][2] = {{"2025-09-01", "2026-07-03"}, {"2026-09-01", "2027-07-02"}};

enum { WEEK_A = 1, WEEK_B = 2, WEEK_EVERY = 3 }; /* week masks of a lesson */
enum { WEDNESDAY = 2 };                         /* days: 0 = Monday … 4 = Friday */
#define TT_DAYS 5
#define TT_PERIODS 8
#define TT_HALF 4                      /* periods in a half-day (lunch after the 4th) */
#define TT_DAY_MAX 7                   /* periods a class may have in a day (per week A / B) */
#define TT_SALLES 24                   /* Salle 101…112, 201…212: the first rooms of a collège */
#define TT_ROOMS_MAX (SECTOR_MAX_CLASSES + 8)
#define TT_TEACHERS_MAX 128
#define TT_LESSONS_MAX (SECTOR_MAX_CLASSES * 40)
#define TT_EXTRAS_MAX (SECTOR_MAX_CLASSES * 8) /* ≤ 3 changes a class, each taking ≤ 2 */
#define NSUBJECTS COUNT(college_subjects)

/* Periods of the collège day (Wednesday: the first four only) and of the
 * école day (Monday, Tuesday, Thursday, Friday). */
static const char *const college_times[TT_PERIODS][2] = {
    {"08:00", "08:55"}, {"08:55", "09:50"}, {"10:05", "11:00"}, {"11:00", "11:55"},
    {"13:30", "14:25"}, {"14:25", "15:20"}, {"15:35", "16:30"}, {"16:30", "17:25"}};
static const char *const ecole_times[TT_HALF][2] = {
    {"08:30", "10:00"}, {"10:15", "11:30"}, {"13:30", "15:00"}, {"15:15", "16:30"}};
/* Placement cost of each collège period: mornings first, late afternoon last. */
static const int period_cost[TT_PERIODS] = {0, 0, 0, 0, 1, 1, 3, 6};

/* A weekly lesson: len periods from period on day, in the weeks of the mask. */
struct lesson {
    int klass, subject, teacher, room; /* class in the sector; indices in college_subjects and the timetable */
    int day, period, len, weeks;
    int64_t teaching_id, slot_id;      /* slot_id: the 2025-2026 slot */
    int64_t slot_next;                 /* the same lesson's 2026-2027 slot */
};

/* A teacher or a room taken on one date by a lesson change. */
struct extra {
    char date[11];
    bool room;
    int idx, period, len;
};

/* The timetable of one establishment being built: its rooms, its teachers
 * (indices into the occupancy tables), who is busy when (week masks), the
 * lessons placed and what the lesson changes took. */
struct timetable {
    const char *const (*times)[2];
    int nrooms, nteachers, nlessons, nextras;
    int64_t room_id[TT_ROOMS_MAX];
    char room_name[TT_ROOMS_MAX][48];
    int home[SECTOR_MAX_CLASSES];      /* home room of each class of the sector */
    int64_t teacher_id[TT_TEACHERS_MAX];
    bool teacher_female[TT_TEACHERS_MAX];
    uint8_t class_busy[SECTOR_MAX_CLASSES][TT_DAYS][TT_PERIODS];
    uint8_t teacher_busy[TT_TEACHERS_MAX][TT_DAYS][TT_PERIODS];
    uint8_t room_busy[TT_ROOMS_MAX][TT_DAYS][TT_PERIODS];
    uint8_t subject_day[SECTOR_MAX_CLASSES][NSUBJECTS][TT_DAYS];
    struct lesson lesson[TT_LESSONS_MAX];
    struct extra extra[TT_EXTRAS_MAX];
};

/* Index of a subject in college_subjects, -1 when there is none. */
static int subject_index(const char *code)
{
    for (int s = 0; s < NSUBJECTS; s++)
        if (!strcmp(college_subjects[s].code, code)) return s;
    return -1;
}

/* The hours of collège subject s, NULL when it has none. */
static const struct hours_def *hours_find(int s)
{
    for (int i = 0; i < COUNT(college_hours); i++)
        if (!strcmp(college_hours[i].code, college_subjects[s].code)) return &college_hours[i];
    return NULL;
}

/* The room of collège subject s, NULL for the class's home room. */
static const char *subject_room(int s)
{
    const struct hours_def *h = hours_find(s);
    return h ? h->room : NULL;
}

static int class_find(const struct sector *sec, int64_t est, const char *name);

/* A room of the establishment; its index in the timetable, -1 on error. */
static int tt_room_add(struct demo *d, struct timetable *t, int64_t establishment, const char *name)
{
    if (t->nrooms >= TT_ROOMS_MAX) return -1;
    int r = t->nrooms;
    if (store_int(d->s, &t->room_id[r], "INSERT INTO room (establishment_id, name) VALUES ($1, $2) RETURNING id",
                  "it", establishment, name) != 1)
        return -1;
    snprintf(t->room_name[r], sizeof t->room_name[r], "%s", name);
    d->rooms++;
    return t->nrooms++;
}

/* Index of the room called name, -1 when there is none. */
static int tt_room_find(const struct timetable *t, const char *name)
{
    for (int r = 0; r < t->nrooms; r++)
        if (!strcmp(t->room_name[r], name)) return r;
    return -1;
}

/* Index of the teacher of a teaching (added on first sight), -1 when full. */
static int tt_teacher(struct timetable *t, const struct teach *te)
{
    for (int i = 0; i < t->nteachers; i++)
        if (t->teacher_id[i] == te->teacher_id) return i;
    if (t->nteachers >= TT_TEACHERS_MAX) return -1;
    t->teacher_id[t->nteachers] = te->teacher_id;
    t->teacher_female[t->nteachers] = te->female;
    return t->nteachers++;
}

/* Are class k, the teacher and the room all free for len periods from
 * period on day in the weeks of the mask? */
static bool tt_free(const struct timetable *t, int k, int teacher, int room, int day, int period, int len, int weeks)
{
    for (int p = period; p < period + len; p++)
        if ((t->class_busy[k][day][p] | t->teacher_busy[teacher][day][p] | t->room_busy[room][day][p]) & weeks)
            return false;
    return true;
}

/* Periods class k has on day in week w (WEEK_A or WEEK_B). */
static int tt_load(const struct timetable *t, int k, int day, int w)
{
    int n = 0;
    for (int p = 0; p < TT_PERIODS; p++) n += (t->class_busy[k][day][p] & w) != 0;
    return n;
}

/* Record a lesson whose class, teacher and room were checked free. */
static void tt_take(struct timetable *t, const struct lesson *l)
{
    for (int p = l->period; p < l->period + l->len; p++) {
        t->class_busy[l->klass][l->day][p] |= (uint8_t)l->weeks;
        t->teacher_busy[l->teacher][l->day][p] |= (uint8_t)l->weeks;
        t->room_busy[l->room][l->day][p] |= (uint8_t)l->weeks;
    }
    t->subject_day[l->klass][l->subject][l->day]++;
    t->lesson[t->nlessons++] = *l;
}

/* A lesson to place: len periods of a subject for class k in the weeks of
 * the mask, in the first free of one or two rooms; taking the second costs
 * second_cost. */
struct request {
    int klass, subject, len, weeks, nrooms, second_cost;
    int room[2];
};

/* Append a request for len periods of subject s for class k: the Gymnase
 * or the Plateau sportif for EPS (alternating which comes first), the
 * subject's room — or the class's home room when it is full: the Labo SVT
 * cannot hold two SVT periods a week for more than 18 classes — and the
 * class's home room otherwise. */
static void request_add(const struct timetable *t, struct request *req, int *nreq, int k, int s, int len, int weeks)
{
    if (*nreq >= TT_LESSONS_MAX) return;
    struct request *r = &req[(*nreq)++];
    const char *room = subject_room(s);
    *r = (struct request){.klass = k, .subject = s, .len = len, .weeks = weeks, .nrooms = 1, .room = {t->home[k], -1}};
    if (!strcmp(college_subjects[s].code, "EPS")) {
        int gym = tt_room_find(t, "Gymnase"), plateau = tt_room_find(t, "Plateau sportif");
        r->nrooms = 2;
        r->room[0] = k % 2 ? plateau : gym;
        r->room[1] = k % 2 ? gym : plateau;
    } else if (room) {
        r->nrooms = 2;
        r->room[0] = tt_room_find(t, room);
        r->room[1] = t->home[k];
        r->second_cost = 150;
    }
}

/* Place a request greedily: among the (day, period) where the class, the
 * teacher and a room are free and the class stays within TT_DAY_MAX
 * periods a day, the cheapest — the first room, a day without this
 * subject yet, a light day, an early period, next to the class's other
 * lessons, a week-A lesson facing a week-B one — with a little
 * deterministic noise. A lesson never
 * crosses the lunch break. False when nowhere fits (or out of room). */
static bool tt_place(struct timetable *t, const struct sector *sec, const struct request *r, uint64_t *rng)
{
    int k = r->klass, s = r->subject;
    const struct teach *te = &sec->classes[k].teach[s];
    int teacher = tt_teacher(t, te);
    if (teacher < 0 || t->nlessons >= TT_LESSONS_MAX) return false;
    int best = INT_MAX, best_day = -1, best_period = -1, best_room = -1;
    for (int day = 0; day < TT_DAYS; day++) {
        int nperiods = day == WEDNESDAY ? TT_HALF : TT_PERIODS;
        int load_a = tt_load(t, k, day, WEEK_A), load_b = tt_load(t, k, day, WEEK_B);
        if (((r->weeks & WEEK_A) && load_a + r->len > TT_DAY_MAX) ||
            ((r->weeks & WEEK_B) && load_b + r->len > TT_DAY_MAX))
            continue;
        for (int p = 0; p + r->len <= nperiods; p++) {
            if (p / TT_HALF != (p + r->len - 1) / TT_HALF) continue;
            int room = -1, score = 0;
            for (int i = 0; i < r->nrooms && room < 0; i++)
                if (tt_free(t, k, teacher, r->room[i], day, p, r->len, r->weeks)) {
                    room = r->room[i];
                    score = i ? r->second_cost : 0;
                }
            if (room < 0) continue;
            score += 100 * t->subject_day[k][s][day] + 6 * (load_a > load_b ? load_a : load_b);
            for (int q = p; q < p + r->len; q++) score += period_cost[q];
            if (r->weeks != WEEK_EVERY && (t->class_busy[k][day][p] & (WEEK_EVERY ^ r->weeks))) score -= 20;
            if (p % TT_HALF > 0 && t->class_busy[k][day][p - 1]) score -= 3;
            int after = p + r->len;
            if (after % TT_HALF > 0 && after < nperiods && t->class_busy[k][day][after]) score -= 3;
            score += rng_range(rng, 0, 3);
            if (score < best) {
                best = score;
                best_day = day;
                best_period = p;
                best_room = room;
            }
        }
    }
    if (best_day < 0) return false;
    struct lesson l = {.klass = k, .subject = s, .teacher = teacher, .room = best_room, .day = best_day,
                       .period = best_period, .len = r->len, .weeks = r->weeks, .teaching_id = te->id};
    tt_take(t, &l);
    return true;
}

/* Lessons in class, day, period, week order. */
static int lesson_cmp(const void *a, const void *b)
{
    const struct lesson *x = a, *y = b;
    if (x->klass != y->klass) return x->klass < y->klass ? -1 : 1;
    if (x->day != y->day) return x->day < y->day ? -1 : 1;
    if (x->period != y->period) return x->period < y->period ? -1 : 1;
    return x->weeks < y->weeks ? -1 : x->weeks > y->weeks;
}

/* Write the placed lessons as timetable slots, each twice (one per
 * validity range); keeps the id of the 2025-2026 slot. 0 or -1. */
static int tt_write(struct demo *d, struct timetable *t)
{
    qsort(t->lesson, (size_t)t->nlessons, sizeof t->lesson[0], lesson_cmp);
    for (int i = 0; i < t->nlessons; i++) {
        struct lesson *l = &t->lesson[i];
        const char *week = l->weeks == WEEK_A ? "A" : l->weeks == WEEK_B ? "B" : "";
        for (int v = 0; v < 2; v++) {
            int64_t id = 0;
            if (store_int(d->s, &id,
                          "INSERT INTO timetable_slot (teaching_id, weekday, starts_at, ends_at, room_id, week,"
                          " valid_from, valid_to) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                          "iittNttt", l->teaching_id, (int64_t)(l->day + 1), t->times[l->period][0],
                          t->times[l->period + l->len - 1][1], t->room_id[l->room], week, slot_validity[v][0],
                          slot_validity[v][1]) != 1)
                return -1;
            if (v == 0) l->slot_id = id;
            else l->slot_next = id;
            d->slots++;
        }
    }
    return 0;
}

/* ---- Lesson changes ----------------------------------------------------- */

/* The week mask of a date (WEEK_A or WEEK_B from the calendar), 0 when the
 * week has no school day or the calendar does not cover it. */
static int week_of(const struct school_calendar *cal, const char *date)
{
    char w = calendar_week_ab(cal, date);
    return w == 'A' ? WEEK_A : w == 'B' ? WEEK_B : 0;
}

/* The lessons of class k on day in the weeks of the mask, in period order
 * (the lessons are sorted): their indices into at, their number. */
static int day_lessons(const struct timetable *t, int k, int day, int weeks, int at[TT_PERIODS])
{
    int n = 0;
    for (int i = 0; i < t->nlessons && n < TT_PERIODS; i++)
        if (t->lesson[i].klass == k && t->lesson[i].day == day && (t->lesson[i].weeks & weeks)) at[n++] = i;
    return n;
}

/* Is the teacher (room: the room) idx free on date, in the given week,
 * for len periods from period on day — by the timetable and the changes
 * already made? */
static bool free_on(const struct timetable *t, bool room, int idx, const char *date, int weeks, int day, int period,
                    int len)
{
    const uint8_t (*busy)[TT_PERIODS] = room ? t->room_busy[idx] : t->teacher_busy[idx];
    for (int p = period; p < period + len; p++)
        if (busy[day][p] & weeks) return false;
    for (int i = 0; i < t->nextras; i++) {
        const struct extra *e = &t->extra[i];
        if (e->room == room && e->idx == idx && !strcmp(e->date, date) && e->period < period + len &&
            period < e->period + e->len)
            return false;
    }
    return true;
}

/* Remember that a change takes a teacher or a room on date. */
static void extra_take(struct timetable *t, bool room, int idx, const char *date, int period, int len)
{
    if (t->nextras >= TT_EXTRAS_MAX) return;
    struct extra *e = &t->extra[t->nextras++];
    snprintf(e->date, sizeof e->date, "%s", date);
    e->room = room;
    e->idx = idx;
    e->period = period;
    e->len = len;
}

/* A free home room (Salle 1xx / 2xx) for the given time on date, trying
 * first first (-1: none), never avoid; -1 when none is free. */
static int free_salle(const struct timetable *t, const char *date, int weeks, int day, int period, int len,
                      int first, int avoid)
{
    if (first >= 0 && first != avoid && free_on(t, true, first, date, weeks, day, period, len)) return first;
    for (int r = 0; r < TT_SALLES && r < t->nrooms; r++)
        if (r != avoid && free_on(t, true, r, date, weeks, day, period, len)) return r;
    return -1;
}

/* A teacher of the same subject as lesson l, other than its own, free at
 * its time on date (the first in the order of the lessons); -1 if none. */
static int replacement_for(const struct timetable *t, const struct lesson *l, const char *date, int weeks)
{
    for (int i = 0; i < t->nlessons; i++) {
        int cand = t->lesson[i].teacher;
        if (t->lesson[i].subject != l->subject || cand == l->teacher) continue;
        bool seen = false;
        for (int j = 0; j < i && !seen; j++) seen = t->lesson[j].subject == l->subject && t->lesson[j].teacher == cand;
        if (!seen && free_on(t, false, cand, date, weeks, l->day, l->period, l->len)) return cand;
    }
    return -1;
}

/* Remember that the lesson of slot_id did not take place on date (it was
 * cancelled or its teacher absent: by 0; no class log, no homework, no roll
 * call), or that teacher by replaced its teacher (who takes the roll
 * call). 0 or -1. */
static int skip_add(struct demo *d, int64_t slot_id, const char *date, int64_t by)
{
    if (d->nskip == d->capskip) {
        int cap = d->capskip ? 2 * d->capskip : 64;
        struct skip *n = realloc(d->skip, (size_t)cap * sizeof *n);
        if (!n) return -1;
        d->skip = n;
        d->capskip = cap;
    }
    d->skip[d->nskip].slot_id = slot_id;
    d->skip[d->nskip].by = by;
    snprintf(d->skip[d->nskip].date, sizeof d->skip[d->nskip].date, "%s", date);
    d->nskip++;
    return 0;
}

/* Keep a copy of the timetable's lessons (after tt_write: with their slot
 * ids) in the sector, for the class log. 0 or -1. */
static int sector_keep_lessons(struct sector *sec, const struct timetable *t)
{
    if (sec->nlessons + t->nlessons > sec->caplessons) {
        int cap = sec->caplessons ? sec->caplessons : 1024;
        while (cap < sec->nlessons + t->nlessons) cap *= 2;
        struct lesson *n = realloc(sec->lessons, (size_t)cap * sizeof *n);
        if (!n) return -1;
        sec->lessons = n;
        sec->caplessons = cap;
    }
    memcpy(sec->lessons + sec->nlessons, t->lesson, (size_t)t->nlessons * sizeof *t->lesson);
    sec->nlessons += t->nlessons;
    return 0;
}

/* When a demo change on date was entered: 17:30 on the Friday before its
 * week (outside quiet periods, so families see it at once: R-DISCO), or
 * now when that is still to come. */
static int64_t change_entered(const struct demo *d, const char *date)
{
    char monday[11], friday[11], at[20];
    int64_t t = 0;
    calendar_monday(date, monday);
    calendar_add_days(monday, -3, friday);
    snprintf(at, sizeof at, "%sT17:30", friday);
    return clock_parse(at, &t) && t < d->now ? t : d->now;
}

/* One lesson change on date for lesson l (its slot), or with period and
 * len (slot_id NULL: an extra lesson or an exam); room and replacement
 * are indices in the timetable, -1 for none. 0 or -1. */
static int change_add(struct demo *d, struct timetable *t, const struct lesson *l, const char *date, const char *kind,
                      int period, int len, int room, int replacement, const char *note, int64_t by)
{
    bool own = period >= 0; /* own times: no slot */
    if (!own) {
        period = l->period;
        len = l->len;
    }
    if (store_run(d->s,
                  "INSERT INTO lesson_change (teaching_id, slot_id, on_date, kind, starts_at, ends_at, room_id,"
                  " replacement_teacher_id, note, created_by, created_at, visible_from)"
                  " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
                  "iNttttNNtNi", l->teaching_id, own ? (int64_t)0 : l->slot_id, date, kind,
                  own ? t->times[period][0] : NULL, own ? t->times[period + len - 1][1] : NULL,
                  room >= 0 ? t->room_id[room] : (int64_t)0, replacement >= 0 ? t->teacher_id[replacement] : (int64_t)0,
                  note, by, change_entered(d, date)) < 0)
        return -1;
    if (room >= 0) extra_take(t, true, room, date, period, len);
    if (replacement >= 0) extra_take(t, false, replacement, date, period, len);
    d->changes++;
    if (!own && (!strcmp(kind, "cancelled") || !strcmp(kind, "teacher_absent")))
        return skip_add(d, l->slot_id, date, 0);
    if (!own && replacement >= 0) return skip_add(d, l->slot_id, date, t->teacher_id[replacement]);
    return 0;
}

/* The day index (0 = Monday) and week mask of date, after checking that
 * it is a school day of the calendar; false (logged) otherwise. */
static bool change_day(const struct school_calendar *cal, const char *date, int *day, int *weeks)
{
    const char *why = NULL;
    *day = calendar_weekday(date) - 1;
    *weeks = week_of(cal, date);
    if (calendar_is_school_day(cal, date, &why) && *weeks && *day >= 0 && *day < TT_DAYS) return true;
    log_warn("demo_generate", "%s is not a school day (%s): no lesson change", date, why ? why : "?");
    return false;
}

/* "Absence de l'enseignante" / "de l'enseignant" for lesson l. */
static const char *absence_note(const struct timetable *t, const struct lesson *l)
{
    return t->teacher_female[l->teacher] ? "Absence de l'enseignante" : "Absence de l'enseignant";
}

/* The fixed changes of 4e B (class k) of the demo collège:
 * - Tuesday 2025-11-18: its first lesson in its home room (Salle 101)
 *   moves to a free room, its last other lesson has its teacher absent;
 * - Thursday 2025-11-20: a mathematics exam (no slot) in the first free
 *   period of 15:35, 16:30, 14:25, 13:30…, in a free room (its own first);
 * - Tuesday 2026-03-10: its last lesson is cancelled (a school trip), the
 *   first other one with a free teacher of the same subject is replaced.
 * 0 or -1. */
static int demo_class_changes(struct demo *d, struct timetable *t, const struct sector *sec, int k,
                              const struct school_calendar *cal, int64_t by)
{
    static const int exam_order[TT_PERIODS] = {6, 7, 5, 4, 3, 2, 1, 0};
    int at[TT_PERIODS], n, day, weeks, home = t->home[k];
    char note[96];

    const char *date = "2025-11-18";
    if (change_day(cal, date, &day, &weeks)) {
        n = day_lessons(t, k, day, weeks, at);
        int moved = -1;
        for (int i = 0; i < n && moved < 0; i++)
            if (t->lesson[at[i]].room == home) moved = at[i];
        if (moved >= 0) {
            const struct lesson *l = &t->lesson[moved];
            int room = free_salle(t, date, weeks, l->day, l->period, l->len, -1, home);
            snprintf(note, sizeof note, "%s indisponible", t->room_name[home]);
            if (room >= 0 && change_add(d, t, l, date, "room_changed", -1, 0, room, -1, note, by) < 0) return -1;
        }
        for (int i = n - 1; i >= 0; i--)
            if (at[i] != moved) {
                const struct lesson *l = &t->lesson[at[i]];
                if (change_add(d, t, l, date, "teacher_absent", -1, 0, -1, -1, absence_note(t, l), by) < 0) return -1;
                break;
            }
    }

    date = "2025-11-20";
    int math = subject_index("MATH");
    const struct teach *te = &sec->classes[k].teach[math];
    if (change_day(cal, date, &day, &weeks) && te->id) {
        struct lesson exam = {.klass = k, .subject = math, .teacher = tt_teacher(t, te), .day = day,
                              .teaching_id = te->id};
        bool done = false;
        for (int i = 0; i < TT_PERIODS && !done && exam.teacher >= 0; i++) {
            int p = exam_order[i];
            if (day == WEDNESDAY && p >= TT_HALF) continue;
            if ((t->class_busy[k][day][p] & weeks) || !free_on(t, false, exam.teacher, date, weeks, day, p, 1))
                continue;
            int room = free_salle(t, date, weeks, day, p, 1, home, -1);
            if (room < 0) continue;
            exam.period = p;
            exam.len = 1;
            if (change_add(d, t, &exam, date, "exam", p, 1, room, -1, "Contrôle commun de mathématiques", by) < 0)
                return -1;
            extra_take(t, false, exam.teacher, date, p, 1);
            done = true;
        }
        if (!done) log_warn("demo_generate", "%s: no free period for the mathematics exam on %s", sec->classes[k].name,
                            date);
    }

    date = "2026-03-10";
    if (change_day(cal, date, &day, &weeks)) {
        n = day_lessons(t, k, day, weeks, at);
        if (n > 0 && change_add(d, t, &t->lesson[at[n - 1]], date, "cancelled", -1, 0, -1, -1, "Sortie pédagogique",
                                by) < 0)
            return -1;
        for (int i = 0; i + 1 < n; i++) {
            const struct lesson *l = &t->lesson[at[i]];
            int rep = replacement_for(t, l, date, weeks);
            if (rep < 0) continue;
            if (change_add(d, t, l, date, "replaced", -1, 0, -1, rep, "Remplacement", by) < 0) return -1;
            break;
        }
    }
    return 0;
}

/* About one change a week for every other class of the collège, in the
 * weeks of 2025-11-17 and 2026-03-09: a random lesson of a random day is
 * cancelled, has its teacher absent, moves to a free room (lessons in a
 * home room) or is replaced (when a teacher of the subject is free). 0 or
 * -1. */
static int college_changes(struct demo *d, struct timetable *t, const struct sector *sec, int start, int skip,
                           const struct school_calendar *cal, int64_t by, uint64_t *rng)
{
    static const char *const mondays[] = {"2025-11-17", "2026-03-09"};
    static const char *const cancel_notes[] = {"Sortie pédagogique", "Réunion pédagogique", "Conseil de classe",
                                               "Formation des enseignants"};
    for (int w = 0; w < COUNT(mondays); w++)
        for (int k = start; k < sec->nclasses; k++) {
            if (k == skip) continue;
            char date[11];
            calendar_add_days(mondays[w], rng_range(rng, 0, TT_DAYS - 1), date);
            int day, weeks, at[TT_PERIODS];
            if (!change_day(cal, date, &day, &weeks)) continue;
            int n = day_lessons(t, k, day, weeks, at);
            if (!n) continue;
            const struct lesson *l = &t->lesson[at[rng_range(rng, 0, n - 1)]];
            int roll = rng_range(rng, 0, 99), room = -1, rep = -1;
            char note[96];
            if (roll >= 60 && roll < 85 && l->room < TT_SALLES) {
                room = free_salle(t, date, weeks, l->day, l->period, l->len, -1, l->room);
                snprintf(note, sizeof note, "%s indisponible", t->room_name[l->room]);
                if (room >= 0) {
                    if (change_add(d, t, l, date, "room_changed", -1, 0, room, -1, note, by) < 0) return -1;
                    continue;
                }
            }
            if (roll >= 85 && (rep = replacement_for(t, l, date, weeks)) >= 0) {
                if (change_add(d, t, l, date, "replaced", -1, 0, -1, rep, "Remplacement", by) < 0) return -1;
                continue;
            }
            if (roll < 30) {
                if (change_add(d, t, l, date, "cancelled", -1, 0, -1, -1, PICK(rng, cancel_notes), by) < 0) return -1;
            } else if (change_add(d, t, l, date, "teacher_absent", -1, 0, -1, -1, absence_note(t, l), by) < 0) {
                return -1;
            }
        }
    return 0;
}

/* The calendar of an establishment (after the import), into arena a;
 * NULL (logged) when it cannot be loaded. */
static struct school_calendar *tt_calendar(struct demo *d, struct arena *a, int64_t establishment)
{
    struct school_calendar *cal = calendar_load(d->s, a, establishment);
    if (!cal)
        log_error("demo_generate", "cannot load the school calendar of establishment %lld", (long long)establishment);
    return cal;
}

/* Rooms, timetable and lesson changes of a collège whose classes are the
 * sector's classes from start. Every class gets the hours of its level
 * (college_hours) with the teachings it has; lessons are placed greedily
 * with no overlap for a class, a teacher or a room: first the EPS blocks,
 * then the lessons in a subject room, then the week-A and week-B lessons,
 * then the rest, class after class in rounds. A lesson that fits nowhere is
 * dropped (logged). Lesson changes are made by the CPE (cpe); demo: the
 * small demo's collège (fixed changes for 4e B, whose home room is Salle
 * 101). 0 or -1. */
static int college_timetable(struct demo *d, struct sector *sec, int64_t college, int start, int64_t cpe, bool demo)
{
    struct timetable *t = calloc(1, sizeof *t);
    if (!t) return -1;
    uint64_t rng = d->rng ^ 0x54696D6574616231ULL; /* a copy: the families' draws stay as they were */
    struct arena a;
    arena_init(&a);
    int rc = -1, nreq = 0;
    struct request *req = calloc(TT_LESSONS_MAX, sizeof *req);
    t->times = college_times;
    if (!req) goto out;
    for (int floor = 1; floor <= 2; floor++)
        for (int n = 1; n <= TT_SALLES / 2; n++) {
            char name[32];
            snprintf(name, sizeof name, "Salle %d%02d", floor, n);
            if (tt_room_add(d, t, college, name) < 0) goto out;
        }
    for (int i = 0; i < COUNT(college_rooms); i++)
        if (tt_room_add(d, t, college, college_rooms[i]) < 0) goto out;

    /* Home rooms in class order; in the demo collège 4e B takes Salle 101. */
    int demo_k = demo ? class_find(sec, college, "4e B") : -1;
    for (int k = start; k < sec->nclasses; k++) t->home[k] = (k - start) % TT_SALLES;
    if (demo_k >= 0) {
        t->home[start] = t->home[demo_k];
        t->home[demo_k] = 0;
    }

    /* The subjects of each class: its hours, its LV2 (ESP, ALL for every
     * third class C, F…, or the one it has). */
    int hours[SECTOR_MAX_CLASSES][NSUBJECTS][3] = {{{0}}}; /* every week, A, B */
    for (int k = start; k < sec->nclasses; k++) {
        const struct klass *c = &sec->classes[k];
        int lvl = c->level - LEVEL_6E, letter = c->name[strlen(c->name) - 1] - 'A';
        const char *lv2 = letter % 3 == 2 ? "ALL" : "ESP";
        for (int s = 0; s < NSUBJECTS; s++) {
            const char *code = college_subjects[s].code;
            const struct hours_def *h = hours_find(s);
            if (!h || !c->teach[s].id) continue;
            if (!strcmp(code, "ESP") || !strcmp(code, "ALL")) {
                int other = subject_index(strcmp(code, "ESP") ? "ESP" : "ALL");
                if (strcmp(code, lv2) && other >= 0 && c->teach[other].id) continue; /* it has its LV2 */
            }
            hours[k][s][0] = h->every[lvl];
            hours[k][s][1] = h->week_a[lvl];
            hours[k][s][2] = h->week_b[lvl];
        }
    }

    /* The requests, most constrained first. */
    int eps = subject_index("EPS");
    for (int round = 0; round < 2; round++) /* EPS: 2-hour blocks */
        for (int k = start; k < sec->nclasses; k++)
            if (eps >= 0 && hours[k][eps][0] / 2 > round) request_add(t, req, &nreq, k, eps, 2, WEEK_EVERY);
    for (int k = start; k < sec->nclasses; k++) /* subject rooms, every week */
        for (int s = 0; s < NSUBJECTS; s++) {
            int n = s == eps ? hours[k][s][0] % 2 : subject_room(s) ? hours[k][s][0] : 0;
            for (int h = 0; h < n; h++) request_add(t, req, &nreq, k, s, 1, WEEK_EVERY);
        }
    for (int w = 1; w <= 2; w++) /* week A, then week B */
        for (int k = start; k < sec->nclasses; k++)
            for (int s = 0; s < NSUBJECTS; s++)
                for (int h = 0; h < hours[k][s][w]; h++) request_add(t, req, &nreq, k, s, 1, w == 1 ? WEEK_A : WEEK_B);
    for (int round = 0; round < 6; round++) /* home room, every week, in rounds */
        for (int k = start; k < sec->nclasses; k++)
            for (int s = 0; s < NSUBJECTS; s++)
                if (!subject_room(s) && hours[k][s][0] > round)
                    request_add(t, req, &nreq, k, s, 1, WEEK_EVERY);
    for (int i = 0; i < nreq; i++)
        if (!tt_place(t, sec, &req[i], &rng)) {
            const struct request *r = &req[i];
            log_warn("demo_generate", "%s: no time for %d h of %s (week %s): lesson dropped",
                     sec->classes[r->klass].name, r->len, college_subjects[r->subject].code,
                     r->weeks == WEEK_A ? "A" : r->weeks == WEEK_B ? "B" : "A+B");
            d->dropped++;
        }
    if (tt_write(d, t) < 0 || sector_keep_lessons(sec, t) < 0) goto out;

    struct school_calendar *cal = tt_calendar(d, &a, college);
    if (!cal) goto out;
    if (demo_k >= 0 && demo_class_changes(d, t, sec, demo_k, cal, cpe) < 0) goto out;
    if (college_changes(d, t, sec, start, demo_k, cal, cpe, &rng) < 0) goto out;
    rc = 0;
out:
    arena_free(&a);
    free(req);
    free(t);
    return rc;
}

/* Rooms, timetable and lesson changes of an école whose classes are the
 * sector's classes from start: one room per class ("Classe de CE2") and
 * the Préau; Monday, Tuesday, Thursday and Friday, four sessions a day
 * with the class teacher in the class's room. In the small demo's école
 * (demo), CE2's Friday 2025-11-21 13:30 session is cancelled by the head
 * (a museum visit). 0 or -1. */
static int ecole_timetable(struct demo *d, struct sector *sec, int64_t ecole, int start, int64_t head, bool demo)
{
    static const int days[] = {0, 1, 3, 4};
    struct timetable *t = calloc(1, sizeof *t);
    if (!t) return -1;
    struct arena a;
    arena_init(&a);
    int rc = -1;
    t->times = ecole_times;
    for (int k = start; k < sec->nclasses; k++) {
        char name[48];
        snprintf(name, sizeof name, "Classe de %s", sec->classes[k].name);
        if ((t->home[k] = tt_room_add(d, t, ecole, name)) < 0) goto out;
    }
    if (tt_room_add(d, t, ecole, "Préau") < 0) goto out;
    for (int k = start; k < sec->nclasses; k++) {
        int teacher = tt_teacher(t, &sec->classes[k].teach[0]);
        for (int i = 0; i < COUNT(days); i++)
            for (int p = 0; p < TT_HALF; p++) {
                struct lesson l = {.klass = k, .subject = 0, .teacher = teacher, .room = t->home[k], .day = days[i],
                                   .period = p, .len = 1, .weeks = WEEK_EVERY,
                                   .teaching_id = sec->classes[k].teach[0].id};
                if (teacher >= 0 && t->nlessons < TT_LESSONS_MAX &&
                    tt_free(t, k, teacher, l.room, l.day, p, 1, WEEK_EVERY)) {
                    tt_take(t, &l);
                } else {
                    log_warn("demo_generate", "%s: session %d of day %d dropped", sec->classes[k].name, p, days[i]);
                    d->dropped++;
                }
            }
    }
    if (tt_write(d, t) < 0 || sector_keep_lessons(sec, t) < 0) goto out;
    int k = demo ? class_find(sec, ecole, "CE2") : -1;
    if (k >= 0) {
        struct school_calendar *cal = tt_calendar(d, &a, ecole);
        if (!cal) goto out;
        const char *date = "2025-11-21";
        int day, weeks, at[TT_PERIODS];
        if (change_day(cal, date, &day, &weeks)) {
            int n = day_lessons(t, k, day, weeks, at);
            for (int i = 0; i < n; i++)
                if (t->lesson[at[i]].period == 2 &&
                    change_add(d, t, &t->lesson[at[i]], date, "cancelled", -1, 0, -1, -1,
                               "Sortie au musée d'histoire naturelle", head) < 0)
                    goto out;
        }
    }
    rc = 0;
out:
    arena_free(&a);
    free(t);
    return rc;
}

/* ---- Structure ---------------------------------------------------------- */

/* The name and postcode of commune number g of the département. */
static void commune_make(int g, char name[64], char postcode[6])
{
    int nb = COUNT(commune_bases);
    snprintf(name, 64, "%s%s", commune_bases[g % nb], commune_suffixes[(g / nb) % COUNT(commune_suffixes)]);
    snprintf(postcode, 6, "44%03u", 10u + ((unsigned)g * 37u) % 990u);
}

/* The skills referential of every establishment: three skills for each
 * component of the socle commun (the same labels everywhere). */
/* Motifs d'absence of every establishment, in their order (import/defaults.c). */
enum { REASON_ILLNESS, REASON_MEDICAL, REASON_FAMILY, REASON_TRANSPORT, REASON_SUMMONS, REASON_OTHER };

/* The skills and absence reasons of establishment e (e->id set), their
 * ids into e: the defaults every new establishment gets (import/defaults.c). */
static int referentials_add(struct demo *d, struct est *e)
{
    return import_establishment_defaults(d->s, e->id, e->skill_id, e->reason_id);
}

/* An establishment of the territory with its two school years and their
 * trimestres, its skills and absence reasons; appended to the sector's
 * establishments (its classes come next). Writes the id of the current
 * year into year_id; returns the establishment id, 0 on error. */
static int64_t establishment_add(struct demo *d, struct sector *sec, const char *kind, const char *name,
                                 const char *city, int64_t *year_id)
{
    /* UAI: département 044, four digits unique per establishment, and the
     * check letter (the seven digits modulo 23). */
    static const char uai_letters[] = "ABCDEFGHJKLMNPRSTUVWXYZ";
    long number = 440000L + (long)((d->establishments_made * 7919 + 1234) % 10000);
    char uai[9];
    snprintf(uai, sizeof uai, "%07ld%c", number, uai_letters[number % 23]);
    d->establishments_made++;
    if (sec->nest >= SECTOR_MAX_EST) return 0;
    int64_t id = 0;
    if (store_int(d->s, &id,
                  "INSERT INTO establishment (territory_id, kind, uai, name, city, zone, tz)"
                  " VALUES ($1, $2, $3, $4, $5, 'B', 'Europe/Paris') RETURNING id",
                  "itttt", d->territory_id, kind, uai, name, city) != 1)
        return 0;
    bool ecole = !strcmp(kind, "ecole");
    struct est *e = &sec->est[sec->nest++];
    e->id = id;
    e->ecole = ecole;
    for (int y = 0; y < COUNT(years); y++) {
        int64_t sy = 0;
        if (store_int(d->s, &sy,
                      "INSERT INTO school_year (establishment_id, label, starts_on, ends_on) VALUES ($1, $2, $3, $4)"
                      " RETURNING id",
                      "ittt", id, years[y].label, years[y].starts_on, years[y].ends_on) != 1)
            return 0;
        for (int p = 0; p < 3; p++) {
            const char *const *dates = ecole ? years[y].ecole[p] : years[y].college[p];
            int64_t period = 0;
            if (store_int(d->s, &period,
                          "INSERT INTO period (school_year_id, ordinal, name, starts_on, ends_on)"
                          " VALUES ($1, $2, $3, $4, $5) RETURNING id",
                          "iittt", sy, (int64_t)(p + 1), period_names[p], dates[0], dates[1]) != 1)
                return 0;
            if (y == d->year) e->period_id[p] = period;
        }
        if (y == d->year) *year_id = sy;
    }
    if (referentials_add(d, e) < 0) return 0;
    d->sum->establishments++;
    return id;
}

/* A class of the current year, appended to the sector with its number of
 * seats. Returns its index in the sector, -1 on error. */
static int class_add(struct demo *d, struct sector *sec, int64_t establishment, int64_t year_id, int level,
                     const char *name, int seats)
{
    if (sec->nclasses >= SECTOR_MAX_CLASSES) return -1;
    struct klass *k = &sec->classes[sec->nclasses];
    if (store_int(d->s, &k->id,
                  "INSERT INTO class (establishment_id, school_year_id, level_id, name) VALUES ($1, $2, $3, $4)"
                  " RETURNING id",
                  "iiit", establishment, year_id, d->level_id[level], name) != 1)
        return -1;
    k->establishment_id = establishment;
    k->est = sec->nest - 1;
    k->level = level;
    k->seats = seats;
    snprintf(k->name, sizeof k->name, "%s", name);
    d->sum->classes++;
    return sec->nclasses++;
}

/* Create the classes of levels [first, first + nlevels) of an establishment,
 * nclasses spread over the levels (the lower ones get the extra classes),
 * named "CE2" when a level has one class, "6e A", "6e B"… otherwise. Each
 * gets seat_lo…seat_hi seats. Returns the index of the first class in the
 * sector, -1 on error. */
static int classes_make(struct demo *d, struct sector *sec, int64_t establishment, int64_t year_id, int first,
                        int nlevels, int nclasses, int seat_lo, int seat_hi, bool letter_always)
{
    int start = sec->nclasses;
    for (int l = 0; l < nlevels; l++) {
        int per = nclasses / nlevels + (l < nclasses % nlevels);
        for (int c = 0; c < per; c++) {
            char name[16];
            if (per == 1 && !letter_always) snprintf(name, sizeof name, "%s", levels[first + l].name);
            else snprintf(name, sizeof name, "%s %c", levels[first + l].name, 'A' + c);
            if (class_add(d, sec, establishment, year_id, first + l, name, rng_range(&d->rng, seat_lo, seat_hi)) < 0)
                return -1;
        }
    }
    return start;
}

/* An école élémentaire: nclasses classes CP…CM2, one teacher per class
 * teaching "Polyvalent", the teacher of the last class (CM2) being also the
 * director; its rooms and timetable (demo: the small demo's école, whose
 * CE2 gets a lesson change). Returns its id, 0 on error. */
static int64_t ecole_build(struct demo *d, struct sector *sec, const char *patron, int commune, int nclasses,
                           int seat_lo, int seat_hi, bool demo)
{
    char name[128];
    snprintf(name, sizeof name, "École élémentaire %s", patron);
    int64_t year_id = 0;
    int64_t id = establishment_add(d, sec, "ecole", name, sec->commune[commune], &year_id);
    if (!id) return 0;
    int64_t poly = subject_add(d, id, "POLY", "Polyvalent");
    if (!poly) return 0;
    int start = classes_make(d, sec, id, year_id, LEVEL_CP, 5, nclasses, seat_lo, seat_hi, false);
    if (start < 0) return 0;
    int64_t head = 0;
    for (int i = start; i < sec->nclasses; i++) {
        struct member m;
        adult_random(d, &m, 85); /* most professeurs des écoles are women */
        int64_t t = staff_add(d, &m);
        if (!t || role_add(d, t, "teacher", id, 0, NULL) < 0) return 0;
        struct teach *te = &sec->classes[i].teach[0];
        if (!(te->id = teaching_add(d, id, poly, t, sec->classes[i].id))) return 0;
        te->teacher_id = t;
        te->female = m.female;
        te->first = m.first;
        te->last = m.last;
        d->sum->teachers++;
        if (i == sec->nclasses - 1) {
            const char *title = m.female ? "Directrice" : "Directeur";
            if (role_add(d, t, "head", id, 0, title) < 0) return 0;
            head = t;
            struct est *e = &sec->est[sec->nest - 1];
            e->life[0] = (struct who){t, m.first, m.last, title, m.female};
            e->nlife = 1;
        }
    }
    struct est *e = &sec->est[sec->nest - 1];
    e->staff[0] = head;
    e->nstaff = 1;
    if (ecole_timetable(d, sec, id, start, head, demo) < 0) return 0;
    return id;
}

/* The teachers of one collège subject: the classes from the subject's first
 * level are shared out in consecutive runs of about per_teacher classes,
 * one teacher each. In the demo collège, the mathematics teacher of 4e B is
 * prof.demo. 0 or -1. */
static int college_subject(struct demo *d, struct sector *sec, int64_t college, int start,
                           const struct subject_def *sd, bool demo)
{
    int64_t subject = subject_add(d, college, sd->code, sd->name);
    if (!subject) return -1;
    int idx[SECTOR_MAX_CLASSES], n = 0;
    for (int i = start; i < sec->nclasses; i++)
        if (sec->classes[i].level >= sd->from_level) idx[n++] = i;
    if (!n) return 0;
    int nteachers = (n + sd->per_teacher / 2) / sd->per_teacher;
    if (nteachers < 1) nteachers = 1;
    for (int t = 0; t < nteachers; t++) {
        int lo = t * n / nteachers, hi = (t + 1) * n / nteachers;
        bool fixed = false;
        for (int i = lo; i < hi && demo && !strcmp(sd->code, "MATH"); i++)
            fixed = fixed || !strcmp(sec->classes[idx[i]].name, "4e B");
        struct member m;
        adult_random(d, &m, 60);
        if (fixed) member_fixed(&m, "Nicolas", "Lefèvre", false, "1984-02-11", "prof.demo");
        int64_t teacher = staff_add(d, &m);
        if (!teacher || role_add(d, teacher, "teacher", college, 0, NULL) < 0) return -1;
        d->sum->teachers++;
        for (int i = lo; i < hi; i++) {
            struct teach *te = &sec->classes[idx[i]].teach[sd - college_subjects];
            if (!(te->id = teaching_add(d, college, subject, teacher, sec->classes[idx[i]].id))) return -1;
            te->teacher_id = teacher;
            te->female = m.female;
            te->demo = fixed;
            te->first = m.first;
            te->last = m.last;
        }
    }
    return 0;
}

/* A member of the collège's staff with a role; fixed names for the demo
 * accounts, random otherwise. title_f / title_m by sex. Who they are goes
 * into *w. The person's id, 0 on error. */
static int64_t college_staff(struct demo *d, int64_t college, const char *profile, const char *title_f,
                             const char *title_m, const struct member *fixed, struct who *w)
{
    struct member m;
    adult_random(d, &m, 60);
    if (fixed) m = *fixed;
    const char *title = m.female ? title_f : title_m;
    int64_t p = staff_add(d, &m);
    if (!p || role_add(d, p, profile, college, 0, title) < 0) return 0;
    *w = (struct who){p, m.first, m.last, title, m.female};
    return p;
}

/* A collège: nclasses classes 6e…3e, the twelve subjects and their
 * teachers, a head, a deputy, a CPE and two AED, its rooms and timetable.
 * In the demo collège the head is direction.demo and the CPE cpe.demo.
 * Returns its id, 0 on error. */
static int64_t college_build(struct demo *d, struct sector *sec, const char *patron, int commune, int nclasses,
                             int seat_lo, int seat_hi, bool demo)
{
    char name[128];
    snprintf(name, sizeof name, "Collège %s", patron);
    int64_t year_id = 0;
    int64_t id = establishment_add(d, sec, "college", name, sec->commune[commune], &year_id);
    if (!id) return 0;
    int start = classes_make(d, sec, id, year_id, LEVEL_6E, 4, nclasses, seat_lo, seat_hi, true);
    if (start < 0) return 0;
    for (int i = 0; i < COUNT(college_subjects); i++)
        if (college_subject(d, sec, id, start, &college_subjects[i], demo) < 0) return 0;
    struct member head, cpe;
    member_fixed(&head, "Karim", "Haddad", false, "1972-09-23", "direction.demo");
    member_fixed(&cpe, "Sandrine", "Petit", true, "1979-05-06", "cpe.demo");
    int64_t cpe_id = 0;
    struct est *e = &sec->est[sec->nest - 1];
    if (!college_staff(d, id, "head", "Principale", "Principal", demo ? &head : NULL, &e->life[3]) ||
        !college_staff(d, id, "head", "Principale adjointe", "Principal adjoint", NULL, &e->life[4]) ||
        !(cpe_id = college_staff(d, id, "staff", "CPE", "CPE", demo ? &cpe : NULL, &e->life[0])) ||
        !(e->staff[1] = college_staff(d, id, "staff", "AED", "AED", NULL, &e->life[1])) ||
        !(e->staff[2] = college_staff(d, id, "staff", "AED", "AED", NULL, &e->life[2])))
        return 0;
    e->staff[0] = cpe_id;
    e->nstaff = 3;
    e->nlife = 5;
    if (college_timetable(d, sec, id, start, cpe_id, demo) < 0) return 0;
    return id;
}

/* ---- Families ----------------------------------------------------------- */

/* Insert a family: households, parents (with an activation code for the
 * first parents), children with their pupil role and enrolment, the
 * guardianships, and a parent role at each of the children's
 * establishments. 0 or -1. */
static int family_insert(struct demo *d, struct sector *sec, const struct family *f)
{
    int64_t home[2] = {0, 0}, parent[2] = {0, 0}, child[3] = {0, 0, 0};
    for (int h = 0; h < f->nhouseholds; h++)
        if (!(home[h] = household_add(d, sec, f->commune[h]))) return -1;
    for (int p = 0; p < f->nparents; p++) {
        int64_t account = 0;
        char login[LOGIN_CAP];
        parent[p] = person_add(d, &f->parent[p], FAMILY_DOMAIN, true, home[f->home[p]], &account, login);
        if (!parent[p]) return -1;
        d->sum->parents++;
        if (f->parent[p].login || d->codes_left <= 0) continue;
        char code[15];
        if (auth_activation_issue(d->s, account, code) < 0) return -1;
        d->codes_left--;
        if (f->sample && !d->sum->sample_code[0]) {
            snprintf(d->sum->sample_login, sizeof d->sum->sample_login, "%s", login);
            memcpy(d->sum->sample_code, code, sizeof d->sum->sample_code);
        }
    }
    for (int c = 0; c < f->nchildren; c++) {
        struct klass *k = &sec->classes[f->klass[c]];
        int64_t account = 0;
        char login[LOGIN_CAP];
        child[c] = person_add(d, &f->child[c], NULL, false, home[f->children_home], &account, login);
        if (!child[c] || role_add(d, child[c], "pupil", k->establishment_id, 0, NULL) < 0) return -1;
        if (store_run(d->s, "INSERT INTO enrolment (pupil_id, class_id, starts_on, ends_on) VALUES ($1, $2, $3, NULL)",
                      "iit", child[c], k->id, ROLE_STARTS_ON) < 0)
            return -1;
        if (k->npupils < CLASS_MAX_SEATS) {
            int g = f->nparents > 1 && !f->lives_with[0] && f->lives_with[1]; /* a parent the child lives with */
            /* Every guardianship below receives the school's mail (receives_mail = 1). */
            struct kin *kn = &k->kin[k->npupils];
            memset(kn, 0, sizeof *kn);
            kn->child = (struct who){child[c], f->child[c].first, f->child[c].last, NULL, f->child[c].female};
            for (int p = 0; p < f->nparents; p++) {
                const struct member *pm = &f->parent[p == 0 ? g : 1 - g];
                kn->parent[p] = (struct who){parent[p == 0 ? g : 1 - g], pm->first, pm->last, NULL, pm->female};
            }
            kn->demo = f->parent[0].login != NULL;
            k->guardian[k->npupils] = parent[g];
            k->pupil[k->npupils++] = child[c];
        }
        d->sum->pupils++;
    }
    for (int p = 0; p < f->nparents; p++) {
        for (int c = 0; c < f->nchildren; c++) {
            int64_t lives = f->lives_with[p];
            if (store_run(d->s,
                          "INSERT INTO guardianship (parent_id, pupil_id, relation, legal_responsibility, lives_with,"
                          " receives_mail, pays) VALUES ($1, $2, $3, 1, $4, 1, $5)",
                          "iitii", parent[p], child[c], f->relation[p], lives, lives) < 0)
                return -1;
        }
        /* One parent role per establishment of the children. */
        for (int c = 0; c < f->nchildren; c++) {
            int64_t est = sec->classes[f->klass[c]].establishment_id;
            bool seen = false;
            for (int e = 0; e < c; e++) seen = seen || sec->classes[f->klass[e]].establishment_id == est;
            if (!seen && role_add(d, parent[p], "parent", est, 0, NULL) < 0) return -1;
        }
    }
    return 0;
}

/* Birth date of a pupil of the given level in the current year: a CP pupil
 * turns 6 during the calendar year the school year starts. */
static void pupil_birth(struct demo *d, int level, char out[11])
{
    int month = rng_range(&d->rng, 1, 12);
    date_make(out, years[d->year].start_year - 6 - level, month, rng_range(&d->rng, 1, 28));
}

/* A random family for the children sitting in the sector's classes
 * klass[0…n): a couple (70 %), separated parents with two households in
 * different communes (15 %), a single parent (12 %) or a tutor (3 %).
 * Siblings get different first names, twins (same level) the same birth
 * date; the parents are 25 to 40 at the eldest child's birth. */
static void family_random(struct demo *d, const struct sector *sec, const int *klass, int n, struct family *f)
{
    memset(f, 0, sizeof *f);
    const char *family_name = PICK(&d->rng, last_names);
    f->nchildren = n;
    f->sample = true;
    int eldest = 9999;
    for (int c = 0; c < n; c++) {
        struct member *m = &f->child[c];
        int level = sec->classes[klass[c]].level;
        f->klass[c] = klass[c];
        m->female = rng_chance(&d->rng, 50);
        m->last = family_name;
        bool clash = true;
        for (int tries = 0; clash && tries < 8; tries++) {
            m->first = m->female ? PICK(&d->rng, girl_names) : PICK(&d->rng, boy_names);
            clash = false;
            for (int e = 0; e < c; e++) clash = clash || !strcmp(f->child[e].first, m->first);
        }
        pupil_birth(d, level, m->birth);
        for (int e = 0; e < c; e++)
            if (sec->classes[klass[e]].level == level) memcpy(m->birth, f->child[e].birth, sizeof m->birth);
        int y = years[d->year].start_year - 6 - level;
        if (y < eldest) eldest = y;
    }

    struct member mother = {.female = true}, father = {.female = false};
    int mother_year = eldest - rng_range(&d->rng, 25, 40);
    mother.first = PICK(&d->rng, woman_names);
    mother.last = rng_chance(&d->rng, 60) ? family_name : PICK(&d->rng, last_names);
    adult_birth(d, mother_year, mother.birth);
    father.first = PICK(&d->rng, man_names);
    father.last = family_name;
    adult_birth(d, mother_year + rng_range(&d->rng, -6, 3), father.birth); /* fathers a little older */

    int kind = rng_range(&d->rng, 0, 99);
    f->commune[0] = rng_range(&d->rng, 0, SECTOR_COMMUNES - 1);
    f->nhouseholds = 1;
    if (kind < 85) {
        f->nparents = 2;
        f->parent[0] = mother;
        f->parent[1] = father;
        f->relation[0] = "mother";
        f->relation[1] = "father";
        f->lives_with[0] = f->lives_with[1] = 1;
        if (kind >= 70) {
            /* Separated: each parent has a household; the children live
             * with one of them, both keep the legal responsibility. */
            int resident = rng_chance(&d->rng, 75) ? 0 : 1;
            f->nhouseholds = 2;
            f->commune[1] = (f->commune[0] + rng_range(&d->rng, 1, SECTOR_COMMUNES - 1)) % SECTOR_COMMUNES;
            f->home[1] = 1;
            f->lives_with[1 - resident] = 0;
            f->children_home = resident;
        }
    } else if (kind < 97) {
        f->nparents = 1;
        bool mum = rng_chance(&d->rng, 85);
        f->parent[0] = mum ? mother : father;
        f->parent[0].last = family_name;
        f->relation[0] = mum ? "mother" : "father";
        f->lives_with[0] = 1;
    } else {
        f->nparents = 1;
        f->parent[0].female = rng_chance(&d->rng, 70);
        f->parent[0].first = f->parent[0].female ? PICK(&d->rng, woman_names) : PICK(&d->rng, man_names);
        f->parent[0].last = PICK(&d->rng, last_names);
        adult_birth(d, eldest - rng_range(&d->rng, 30, 58), f->parent[0].birth);
        f->relation[0] = "tuteur";
        f->lives_with[0] = 1;
    }
}

/* The demo family of sector 1: Claire Moreau (parent.demo) and Julien
 * Moreau, separated, both with the legal responsibility; their children
 * Lucie (eleve.demo, 4e B at the collège) and Hugo (CE2 at the école) live
 * with Claire. klass: the classes of Lucie and Hugo. */
static void family_demo(struct demo *d, const int klass[2], struct family *f)
{
    int start = years[d->year].start_year;
    memset(f, 0, sizeof *f);
    f->nparents = 2;
    member_fixed(&f->parent[0], "Claire", "Moreau", true, "1983-04-17", "parent.demo");
    member_fixed(&f->parent[1], "Julien", "Moreau", false, "1981-11-02", NULL);
    f->relation[0] = "mother";
    f->relation[1] = "father";
    f->home[1] = 1;
    f->lives_with[0] = 1;
    f->nhouseholds = 2;
    f->commune[1] = 1;
    f->nchildren = 2;
    member_fixed(&f->child[0], "Lucie", "Moreau", true, "", "eleve.demo");
    date_make(f->child[0].birth, start - 6 - LEVEL_4E, 3, 14);
    member_fixed(&f->child[1], "Hugo", "Moreau", false, "", NULL);
    date_make(f->child[1].birth, start - 6 - LEVEL_CE2, 6, 8);
    f->klass[0] = klass[0];
    f->klass[1] = klass[1];
}

/* Index of the class named name in establishment est of the sector, -1
 * when there is none. */
static int class_find(const struct sector *sec, int64_t est, const char *name)
{
    for (int i = 0; i < sec->nclasses; i++)
        if (sec->classes[i].establishment_id == est && !strcmp(sec->classes[i].name, name)) return i;
    return -1;
}

/* Fill every seat of the sector's classes with the children of families of
 * one to three children (45 %, 38 %, 17 %). Seats are shuffled across the
 * sector's establishments, so that siblings are often in an école and the
 * collège. In sector 1 the demo family comes first. 0 or -1. */
static int families_build(struct demo *d, struct sector *sec)
{
    int seat[SECTOR_MAX_CLASSES * CLASS_MAX_SEATS];
    int n = 0, start = 0;
    for (int i = 0; i < sec->nclasses; i++)
        for (int k = 0; k < sec->classes[i].seats && n < COUNT(seat); k++) seat[n++] = i;
    struct family f;
    if (sec->demo_college_id) {
        int want[2] = {class_find(sec, sec->demo_college_id, "4e B"), class_find(sec, sec->demo_ecole_id, "CE2")};
        for (int w = 0; w < 2; w++) {
            int j = w;
            while (j < n && seat[j] != want[w]) j++;
            if (want[w] < 0 || j == n) return -1;
            seat[j] = seat[w];
            seat[w] = want[w];
        }
        family_demo(d, want, &f);
        if (family_insert(d, sec, &f) < 0) return -1;
        start = 2;
    }
    for (int i = n - 1; i > start; i--) {
        int j = rng_range(&d->rng, start, i), t = seat[i];
        seat[i] = seat[j];
        seat[j] = t;
    }
    for (int pos = start; pos < n;) {
        int r = rng_range(&d->rng, 0, 99), k = r < 45 ? 1 : r < 83 ? 2 : 3;
        if (k > n - pos) k = n - pos;
        family_random(d, sec, &seat[pos], k, &f);
        if (family_insert(d, sec, &f) < 0) return -1;
        pos += k;
    }
    return 0;
}

/* ---- Class log and homework --------------------------------------------- */

/* The demo fills the current school year up to the demo day, so that every
 * page looks like a real school in November (or March):
 * - a class log entry (log_entry) for every lesson that took place, from
 *   the first day of the slots to the day before today: school days of the
 *   establishment's calendar, week-A/B lessons in their weeks only, lessons
 *   cancelled or whose teacher was absent (lesson_change) left out; written
 *   by the teaching's teacher at 17:30 that day;
 * - homework (homework) for about one collège lesson in three (never EPS),
 *   due at the next lesson of the same teaching (if there is one within
 *   LOG_DUE_WITHIN days), and two or three times a week in écoles, given in
 *   the day's last session and due the next day of class; also for the
 *   lessons of the next LOG_AHEAD_DAYS days (homework already announced,
 *   published the evening before today). The small demo's 4e B and CE2 are
 *   sure to have homework due in the school days after 2025-11-18 and
 *   2026-03-10, and a few homework of its collège were posted late
 *   (late_cases, R-HOMEWORK);
 * - homework ticked done (homework_done) by about 80 % of the pupils when
 *   due before today (the evening before), 30 % when still to do.
 * Every choice is a draw keyed by the sector, the class, the lesson and the
 * day (draw()), so that a lesson gets the same log and homework whatever
 * the clock and the scale (the clock only decides which lessons are in and
 * who has ticked done yet). No window is needed at large scales: scale 60
 * with the 2026-03-10 clock (about 1 M log entries, 240 000 homework, 4.8 M
 * ticks) takes about 18 s in all. */

#define LOG_AHEAD_DAYS 7   /* homework announced for the lessons of the next week */
#define LOG_DUE_WITHIN 21  /* homework is due at the next lesson within 21 days, or not given */

/* What a lesson of each subject was about (Markdown), taken in turn. */
static const char *const log_fra[] = {
    "Lecture analytique : *Le Horla*, Maupassant — le journal du narrateur et la montée de l'angoisse. Relevé"
    " des indices du fantastique.",
    "**Grammaire** : les propositions subordonnées relatives. Leçon copiée, exercices 4 et 5 p. 214.",
    "Étude de la langue : l'accord du participe passé employé avec *avoir*. Dictée préparée, correction collective.",
    "Lecture cursive : présentation des livres du trimestre et constitution des groupes de lecture.",
    "Expression écrite : rédiger le portrait d'un personnage inquiétant. Brouillon et critères de réussite.",
    "Vocabulaire : le champ lexical de la peur. Tableau de synthèse dans le cahier de leçons.",
    "Oral : lecture expressive d'un extrait de *La Parure*. Passage de cinq élèves, évaluation entre pairs.",
    "Conjugaison : le passé simple et l'imparfait dans le récit. Exercices 9 à 11 p. 251.",
    "Correction de la rédaction ; méthode : construire un paragraphe (idée, exemple, explication).",
    "Poésie : « Demain, dès l'aube… », Victor Hugo. Lecture, repérage des vers, des rimes et des images.",
    "Évaluation de lecture (45 min) sur la nouvelle étudiée.",
    "Orthographe : les homophones grammaticaux (*a / à*, *et / est*, *son / sont*). Fiche d'entraînement.",
};
static const char *const log_math[] = {
    "Chapitre 3 : **fractions** — addition de fractions de même dénominateur. Exercices 12 et 14 p. 58.",
    "Correction des exercices 15 à 17 p. 59. Activité d'introduction : comparer des fractions.",
    "**Calcul littéral** : développer avec la simple distributivité. Exemples au tableau, exercices 3 et 4 p. 82.",
    "Chapitre 4 : **théorème de Pythagore** — énoncé, figure codée, premiers calculs de longueur.",
    "Géométrie : construction de triangles au compas. Travail en binômes, fiche d'exercices.",
    "Calcul mental (10 min), puis **proportionnalité** : tableaux et produit en croix. Exercices 21 à 23 p. 104.",
    "Statistiques : moyenne et médiane d'une série. Relevés de températures, exercice 8 p. 146.",
    "Interrogation écrite (20 min) sur les fractions, puis correction collective.",
    "**Nombres relatifs** : multiplication et règle des signes. Exercices 30 à 33 p. 27.",
    "Résolution de problèmes : la méthode en quatre étapes, problème « Le jardin de M. Martin ».",
    "Équations : tester si un nombre est solution. Exercices 5, 6 et 9 p. 96.",
    "Algorithmique : programmer le tracé d'un polygone régulier avec Scratch (salle informatique).",
};
static const char *const log_hg[] = {
    "Histoire — **La Révolution française** : de la prise de la Bastille à la Déclaration des droits de l'homme"
    " et du citoyen (1789).",
    "Géographie : les espaces productifs en France. Étude de cas : le port du Havre. Croquis commencé.",
    "Histoire : l'Empire napoléonien. Carte de l'Europe en 1811, repères chronologiques à connaître.",
    "EMC : la laïcité à l'école. Lecture de la Charte de la laïcité, débat réglé.",
    "Géographie : l'urbanisation du monde. Lecture de cartes et de graphiques ; *métropole*, *mégapole*.",
    "Histoire : les traites négrières et l'esclavage. Analyse d'une gravure, questions 1 à 4.",
    "Méthode : présenter un document (nature, auteur, date, thème). Application sur une affiche de 1793.",
    "Géographie : mobilités et tourisme. Schéma légendé réalisé en binômes.",
    "Contrôle de connaissances (20 min) : repères et vocabulaire, puis correction.",
    "Histoire : l'industrialisation — usines, ouvriers et transformation des villes au XIXe siècle.",
};
static const char *const log_ang[] = {
    "Unit 3 — *Around the world* : vocabulary of travelling, listening activity p. 38.",
    "Grammar : **past simple** of regular and irregular verbs. Exercises 2 and 3 p. 41.",
    "Oral : *Describe your best holiday* — préparation en binômes, passage à l'oral.",
    "Reading : *A day in London*, compréhension écrite et questions. Mots nouveaux dans le cahier.",
    "Culture : *Thanksgiving in the USA* — vidéo, repérage d'informations, trace écrite.",
    "Grammar : comparatives and superlatives. Jeu en équipes, exercises 5 to 7 p. 46.",
    "Listening test (20 min), correction ; révision des verbes irréguliers (liste 2).",
    "Writing : *an e-mail to a pen friend*. Consignes et brouillon commencé en classe.",
    "Project : *My dream city* — recherche de vocabulaire et plan de la présentation.",
    "Vocabulary : food and recipes. Dialogue *At the restaurant* joué en classe.",
};
static const char *const log_esp[] = {
    "Unidad 2 — *¡Vamos al mercado!* : los alimentos y las cantidades. Diálogo p. 30.",
    "Gramática : le présent des verbes à diphtongue (*querer*, *poder*). Ejercicios 1 y 2 p. 33.",
    "Comprensión oral : vidéo sur le *Día de los Muertos* au Mexique.",
    "Expression orale : se présenter et présenter sa famille. Passage de six élèves.",
    "Cultura : Frida Kahlo, analyse d'un autoportrait. Vocabulaire de la description.",
    "Gramática : *ser* et *estar*. Tableau de synthèse et exercices d'application.",
    "Lectura : *Un día en Madrid*, questions de compréhension. Mots nouveaux à noter.",
    "Évaluation orale courte, puis chanson : compréhension et vocabulaire des émotions.",
};
static const char *const log_all[] = {
    "Kapitel 2 — *Meine Familie* : le vocabulaire de la famille, dialogue p. 24.",
    "Grammatik : les articles au nominatif et à l'accusatif. Übungen 3 und 4, S. 27.",
    "Hörverstehen : *Mein Schultag* — compréhension orale et relevé d'informations.",
    "Sprechen : présenter ses loisirs (*Ich spiele gern…*). Travail en binômes.",
    "Landeskunde : la Saint-Martin (*Sankt Martin*) et les traditions de novembre en Allemagne.",
    "Grammatik : la place du verbe dans la phrase. Exercices d'entraînement au tableau.",
    "Lesen : *Ein Tag in Berlin*, questions de compréhension, vocabulaire à apprendre.",
    "Kurzer Test (15 min) sur le vocabulaire, puis correction.",
};
static const char *const log_svt[] = {
    "**La digestion** : le trajet des aliments dans le tube digestif. Schéma légendé à compléter.",
    "TP : observation de cellules d'épiderme d'oignon au microscope. Dessin d'observation.",
    "Géologie : séismes et volcans, leur localisation à la surface du globe. Carte mondiale.",
    "La respiration : expérience à l'eau de chaux, interprétation des résultats.",
    "Méthode : formuler une hypothèse et concevoir une expérience témoin.",
    "Écosystèmes : les relations alimentaires dans une mare. Réseau trophique construit en groupe.",
    "Le système nerveux : du stimulus à la réponse. Activité documentaire p. 112.",
    "Évaluation (30 min) sur la nutrition, puis correction de l'activité précédente.",
    "La reproduction des plantes à fleurs : dissection d'une fleur de lys.",
};
static const char *const log_pc[] = {
    "**Chimie** : les états de la matière et les changements d'état. Courbe de température de l'eau.",
    "TP : mesure de la masse volumique d'un liquide. Compte rendu à compléter.",
    "Électricité : circuits en série et en dérivation. Montages réalisés en binômes.",
    "Optique : propagation rectiligne de la lumière, ombre et pénombre. Schémas.",
    "Mélanges et solutions : dissolution et solubilité. Expérience avec le sel et le sucre.",
    "Mouvement et vitesse : calcul de vitesses moyennes. Exercices 4 et 6 p. 152.",
    "Atomes et molécules : modèles moléculaires, formules de l'eau et du dioxyde de carbone.",
    "**Loi d'Ohm** : mesures de tension et d'intensité, caractéristique d'un conducteur ohmique.",
};
static const char *const log_tech[] = {
    "Projet : cahier des charges d'un objet connecté. Répartition des rôles dans les îlots.",
    "Programmation : carte micro:bit, premier programme (un message qui défile).",
    "Analyse d'un objet technique : la trottinette électrique, ses fonctions et ses contraintes.",
    "Modélisation 3D : dessin d'une pièce simple à partir d'un croquis coté.",
    "Les matériaux : familles et propriétés. Classement d'échantillons en groupe.",
    "Algorithmique : les structures conditionnelles *si… alors… sinon*. Exercices sur Scratch.",
    "Chaîne d'énergie et chaîne d'information d'un portail automatique. Schéma fonctionnel.",
    "Réseaux : le trajet d'une information sur Internet, adresse IP et routeur.",
};
static const char *const log_eps[] = {
    "**Demi-fond** : travail de l'allure, 3 × 6 minutes à vitesse régulière.",
    "Badminton : le service long et le dégagé. Matchs en montante-descendante.",
    "Gymnastique : enchaînement au sol, roulades et équilibres. Travail en ateliers.",
    "Handball : conserver le ballon et progresser vers la cible. Jeu à 5 contre 5.",
    "Acrosport : construction de pyramides à trois, parade et sécurité.",
    "Course d'orientation dans le parc : lecture de carte, balises en binômes.",
    "Volley-ball : la manchette et la passe haute, jeu réduit à 2 contre 2.",
    "Évaluation de demi-fond : course de 10 minutes, projet de vitesse.",
};
static const char *const log_ap[] = {
    "Projet *L'objet détourné* : recherches au crayon dans le carnet de croquis.",
    "Pratique : la couleur et ses contrastes, gouache sur format raisin.",
    "Histoire des arts : *La Nuit étoilée*, Van Gogh. Description et analyse.",
    "Volume : construction d'une sculpture en carton, assemblage et équilibre.",
    "Photographie : cadrage et point de vue, prises de vue dans le collège.",
    "Verbalisation : présentation des productions à la classe, vocabulaire plastique.",
    "Collage et photomontage à la manière de Hannah Höch.",
    "Perspective : le point de fuite, dessin d'un couloir du collège.",
};
static const char *const log_em[] = {
    "Chant : *Le Chant des partisans*, travail de la justesse et des nuances.",
    "Écoute : le *Boléro* de Ravel — crescendo et orchestration. Fiche d'écoute.",
    "Pratique rythmique : percussions corporelles, pulsation et tempo.",
    "Histoire des arts : le jazz à La Nouvelle-Orléans, écoute de Louis Armstrong.",
    "Projet chorale : répartition des voix, apprentissage du refrain.",
    "Écoute comparée : deux versions d'un même chant, ce qui change.",
    "Vocabulaire musical : timbre, hauteur, intensité. Quiz en équipes.",
    "Musique et image : une bande originale de film et les émotions qu'elle porte.",
};

/* École: the four sessions of the day (français, mathématiques,
 * questionner le monde, arts / EPS / langue vivante). */
static const char *const log_ecole_fr[] = {
    "**Lecture** : chapitre 3 de l'album de la période, lecture à voix haute et questions de compréhension.",
    "Étude de la langue : le verbe et son sujet. Exercices 1 à 3 du fichier.",
    "Dictée de mots (les mots de la semaine), correction individuelle.",
    "Production d'écrit : raconter la suite de l'histoire en cinq phrases.",
    "Conjugaison : le présent des verbes du 1er groupe. Affichage de la leçon.",
    "Vocabulaire : les familles de mots (*terre*, *terrain*, *enterrer*…). Jeu de cartes.",
    "Poésie : « Le Cancre », Jacques Prévert — lecture et illustration.",
    "Grammaire : le nom, le déterminant et l'adjectif. Tri de mots en groupe.",
};
static const char *const log_ecole_math[] = {
    "**Calcul mental** : les doubles et les moitiés. Numération : les nombres jusqu'à 1 000.",
    "Mathématiques : la soustraction posée avec retenue. Exercices du fichier p. 34.",
    "Tables de multiplication : la table de 7, jeu du furet et ardoises.",
    "Géométrie : tracer un carré et un rectangle sur quadrillage, à la règle et à l'équerre.",
    "Problèmes : résoudre des problèmes de partage. Schéma et phrase réponse.",
    "Mesures : les longueurs (m, dm, cm). Mesurer des objets de la classe.",
    "Monnaie : rendre la monnaie, jeu de la marchande.",
    "Fractions simples : partager une bande en demis et en quarts.",
};
static const char *const log_ecole_monde[] = {
    "Questionner le monde : les états de l'eau. Expérience avec des glaçons.",
    "Sciences : le cycle de vie du papillon, observation des chenilles de la classe.",
    "Se repérer dans le temps : la frise chronologique de la classe.",
    "Géographie : lire le plan du quartier, légende et points cardinaux.",
    "Le corps humain : les dents et l'hygiène dentaire.",
    "Histoire : la vie au Moyen Âge, le château fort. Documents et trace écrite.",
    "Sciences : les aimants — ce qu'ils attirent et ce qu'ils n'attirent pas.",
    "EMC : les règles de la classe et le conseil d'élèves.",
};
static const char *const log_ecole_arts[] = {
    "Arts plastiques : paysage d'automne à la craie grasse.",
    "EPS : jeux collectifs au préau (la balle au capitaine).",
    "Anglais : *Colours and numbers*, chanson et jeu de *Simon says*.",
    "Éducation musicale : chant en canon, rythmes aux claves.",
    "Bibliothèque de classe : emprunt des livres et lecture libre.",
    "EPS : parcours de motricité, sauter et se réceptionner.",
    "Anglais : *My family*, vocabulaire et courte présentation orale.",
    "Arts visuels : à la manière de Kandinsky, des cercles concentriques.",
};

/* A homework's title and content (Markdown). */
struct hw_def {
    const char *title, *content;
};

static const struct hw_def hw_fra[] = {
    {"Lire la nouvelle jusqu'à la page 45",
     "Lire *Le Horla* jusqu'à la page 45 et noter trois passages qui font peur."},
    {"Apprendre la leçon sur les propositions relatives", "Savoir donner la définition et trois exemples."},
    {"Rédiger un paragraphe argumenté",
     "Un paragraphe de **10 à 15 lignes** : le narrateur est-il fou ? Justifier avec deux citations du texte."},
    {"Préparer la dictée", "Apprendre les mots de la liste 5 (orthographe et accords)."},
    {"Exercices 9 à 11 p. 251", "Conjuguer au passé simple et à l'imparfait ; souligner les terminaisons."},
    {"Apprendre la poésie (deux strophes)", "« Demain, dès l'aube… » : savoir réciter les deux premières strophes."},
    {"Terminer le brouillon de la rédaction",
     "Portrait d'un personnage inquiétant : relire le brouillon avec la grille de critères."},
    {"Fiche de vocabulaire", "Compléter la fiche sur le champ lexical de la peur (exercices 1 à 3)."},
};
static const struct hw_def hw_math[] = {
    {"Exercices 5 à 8 p. 42", "Faire les exercices **5 à 8** p. 42 sur le cahier d'exercices. Justifier chaque étape."},
    {"Apprendre la leçon sur les fractions", "Savoir refaire les exemples 1 et 2 du cours. *Interrogation possible.*"},
    {"Problème 27 p. 63", "Rédiger la solution complète du problème **27** p. 63 ; terminer par une phrase réponse."},
    {"Terminer la fiche de calcul mental", "Finir la fiche distribuée en classe (colonnes B et C), sans calculatrice."},
    {"Exercices 3 et 4 p. 82", "Développer et réduire les expressions des exercices **3** et **4** p. 82."},
    {"Construire la figure de l'exercice 11 p. 120",
     "Règle, équerre et compas ; laisser les traits de construction apparents."},
    {"Réviser pour l'interrogation", "Revoir le chapitre et les exercices corrigés en classe."},
    {"Exercices 21 à 23 p. 104", "Proportionnalité : compléter les tableaux, puis utiliser le produit en croix."},
};
static const struct hw_def hw_hg[] = {
    {"Apprendre la leçon sur 1789",
     "Savoir les dates et le vocabulaire en gras. Repères : 14 juillet, 4 août et 26 août 1789."},
    {"Terminer le croquis", "Compléter la légende et le titre du croquis commencé en classe ; soigner les couleurs."},
    {"Questions 1 à 4 p. 97", "Répondre par des phrases complètes en citant le document."},
    {"Réviser les repères chronologiques", "Interrogation de 10 minutes au prochain cours."},
    {"Présenter le document p. 112", "Nature, auteur, date, thème : une présentation de cinq lignes."},
    {"Apprendre le vocabulaire de géographie",
     "*Métropole*, *mégapole*, *périurbanisation*, *étalement urbain* : savoir les définir."},
};
static const struct hw_def hw_ang[] = {
    {"Learn the irregular verbs (list 2)", "Base verbale, prétérit, participe passé : de *be* à *write*."},
    {"Exercises 2 and 3 p. 41", "Past simple : compléter les phrases, vérifier avec la liste des verbes irréguliers."},
    {"Prepare your oral presentation",
     "*My best holiday* : une minute, avec des notes sur une fiche bristol (mots-clés seulement)."},
    {"Learn the new vocabulary", "Unit 3 : les mots du voyage p. 38, orthographe et prononciation."},
    {"Write an e-mail to your pen friend", "Environ 80 mots, au propre sur la copie distribuée."},
    {"Reading p. 44", "Lire *A day in London* et répondre aux questions 1 à 5."},
};
static const struct hw_def hw_esp[] = {
    {"Aprender el vocabulario de la unidad 2", "Les aliments et les quantités p. 30 : savoir les écrire."},
    {"Ejercicios 1 y 2 p. 33", "Conjuguer *querer* et *poder* au présent."},
    {"Préparer la présentation orale", "Se présenter et présenter sa famille : six phrases au moins."},
    {"Relire le dialogue p. 30", "S'entraîner à le lire à voix haute ; attention à la *jota*."},
    {"Fiche ser / estar", "Compléter la fiche d'exercices distribuée en classe."},
};
static const struct hw_def hw_all[] = {
    {"Vokabeln lernen : die Familie", "Le vocabulaire p. 24, avec les articles (*der*, *die*, *das*)."},
    {"Übungen 3 und 4, S. 27", "Nominatif et accusatif : compléter avec l'article qui convient."},
    {"Préparer la présentation des loisirs", "*Ich spiele gern…* : cinq phrases, à dire sans lire."},
    {"Relire le texte Ein Tag in Berlin", "Relever cinq mots nouveaux et les noter avec leur traduction."},
    {"Apprendre la conjugaison de sein et haben", "Au présent, à toutes les personnes."},
};
static const struct hw_def hw_svt[] = {
    {"Apprendre la leçon sur la digestion", "Savoir refaire le schéma légendé du tube digestif."},
    {"Terminer le dessin d'observation", "Titre, légende et grossissement ; au crayon à papier."},
    {"Activité documentaire p. 112", "Répondre aux questions 1 à 3 en utilisant les documents."},
    {"Rédiger l'hypothèse de l'expérience", "Une phrase « Je pense que… car… », puis proposer une expérience témoin."},
    {"Réviser pour l'évaluation", "Nutrition : le bilan du chapitre et les schémas."},
};
static const struct hw_def hw_pc[] = {
    {"Apprendre la leçon sur les changements d'état", "Savoir nommer les six changements d'état."},
    {"Terminer le compte rendu du TP", "Masse volumique : calculs et conclusion."},
    {"Exercices 4 et 6 p. 152", "Calculer les vitesses moyennes en m/s et en km/h."},
    {"Schématiser les circuits", "Refaire au propre les schémas des deux montages, avec les symboles normalisés."},
    {"Réviser pour l'évaluation", "Électricité : les lois des circuits en série et en dérivation."},
};
static const struct hw_def hw_tech[] = {
    {"Terminer la fiche d'analyse", "La trottinette électrique : fonctions et contraintes (tableau à compléter)."},
    {"Rechercher trois objets connectés", "Pour chacun : sa fonction et l'information qu'il transmet."},
    {"Apprendre le vocabulaire de la chaîne d'énergie", "*Alimenter*, *distribuer*, *convertir*, *transmettre*."},
    {"Finir l'algorigramme", "L'algorigramme du portail automatique, sur la fiche distribuée."},
};
static const struct hw_def hw_ap[] = {
    {"Apporter un objet du quotidien", "Pour le projet *L'objet détourné* : un petit objet sans valeur."},
    {"Trois croquis de recherche", "Dans le carnet de croquis : trois idées différentes pour le projet."},
    {"Apporter le matériel de peinture", "Gouaches, pinceaux et chiffon."},
};
static const struct hw_def hw_em[] = {
    {"Apprendre les paroles du refrain", "Pour la chorale : le refrain et le premier couplet."},
    {"Réécouter l'extrait", "Le *Boléro* de Ravel (lien sur l'ENT) : compléter la fiche d'écoute."},
    {"Réviser le vocabulaire musical", "Timbre, hauteur, intensité, tempo."},
};
static const struct hw_def hw_ecole[] = {
    {"Lire les pages 12 à 15", "Lire à voix haute à un adulte les pages 12 à 15 du livre de lecture."},
    {"Réviser la table de 7", "Savoir réciter la table de 7 dans l'ordre et dans le désordre."},
    {"Apprendre la poésie", "Les deux premières strophes de « Le Cancre »."},
    {"Apprendre les mots de la dictée", "Liste 8 : savoir les écrire sans erreur."},
    {"Relire la leçon de conjugaison", "Le présent des verbes du 1er groupe."},
    {"Finir la fiche de calcul", "Les exercices qui n'ont pas été terminés en classe."},
    {"Lire le chapitre 4", "Lire le chapitre 4 de l'album et dessiner son personnage préféré."},
    {"Réviser les tables de 2 à 5", "Interrogation orale au prochain jour de classe."},
};

/* The pools of a collège subject, by code. */
static const struct log_pool {
    const char *code;
    const char *const *log;
    int nlog;
    const struct hw_def *hw;
    int nhw, max_minutes;           /* homework takes 10 to max_minutes minutes */
} log_pools[] = {
#define POOL(code, l, h, m) {code, l, COUNT(l), h, COUNT(h), m}
    POOL("FRA", log_fra, hw_fra, 45),   POOL("MATH", log_math, hw_math, 45), POOL("HG", log_hg, hw_hg, 45),
    POOL("ANG", log_ang, hw_ang, 45),   POOL("ESP", log_esp, hw_esp, 45),    POOL("ALL", log_all, hw_all, 45),
    POOL("SVT", log_svt, hw_svt, 45),   POOL("PC", log_pc, hw_pc, 45),       POOL("TECH", log_tech, hw_tech, 30),
    POOL("AP", log_ap, hw_ap, 20),      POOL("EM", log_em, hw_em, 20),
    {"EPS", log_eps, COUNT(log_eps), NULL, 0, 0}, /* no homework in EPS */
#undef POOL
};
static const struct {
    const char *const *log;
    int n;
} ecole_pools[TT_HALF] = {{log_ecole_fr, COUNT(log_ecole_fr)},
                          {log_ecole_math, COUNT(log_ecole_math)},
                          {log_ecole_monde, COUNT(log_ecole_monde)},
                          {log_ecole_arts, COUNT(log_ecole_arts)}};

/* Homework of the small demo's collège posted too late (late, R-HOMEWORK):
 * for the next school day after the day's last lesson, or during a
 * weekend; and homework posted in a quiet period for a later day (R-DISCO:
 * held until 07:00 of the next day of class, like all of these; `make demo
 * DEMO_NOW=2026-03-10T21:00` shows it to its teacher as scheduled, and not
 * to the families before 2026-03-11T07:00). in_class: given in a lesson of
 * that day (a teaching with a lesson on that day and on the due day),
 * otherwise posted from home (a teaching with a lesson on the due day);
 * pick chooses among the lessons that fit, in date and period order
 * (modulo their number). */
static const struct late_def {
    const char *klass, *posted, *due_on; /* posted: "YYYY-MM-DDTHH:MM", local */
    bool in_class;
    int pick;
    bool late;
} late_cases[] = {
    {"4e B", "2025-11-17T21:30", "2025-11-18", true, 0, true},  /* Monday evening for Tuesday */
    {"4e B", "2026-03-08T20:00", "2026-03-09", false, 0, true}, /* Sunday evening for Monday's first lesson */
    {"6e A", "2025-11-13T22:15", "2025-11-14", true, 1, true},
    {"5e B", "2025-11-16T19:45", "2025-11-17", false, 2, true},
    {"3e A", "2026-03-05T21:40", "2026-03-06", true, 1, true},
    {"4e B", "2025-11-18T20:40", "2025-11-20", false, 1, false}, /* Tuesday evening for Thursday */
    {"4e B", "2026-03-07T10:15", "2026-03-10", false, 2, false}, /* Saturday for Tuesday */
    {"4e B", "2026-03-10T20:40", "2026-03-12", false, 1, false}, /* Tuesday evening for Thursday */
};

/* Due dates of the small demo's 4e B that are sure to have homework: the
 * three school days after the demo day (2025-11-18) and after the tests'
 * day (2026-03-10). */
static const char *const demo_due_days[] = {"2025-11-19", "2025-11-20", "2025-11-21",
                                           "2026-03-11", "2026-03-12", "2026-03-13"};

/* A lesson that took place: its day (index in d->days), the lesson (index
 * in the sector's lessons) and its rank (collège: the teaching's lessons
 * before it; école: the class's days of class before it). */
struct occ {
    int day, lesson, nth;
};

/* The class log of one class being generated. */
struct class_log {
    struct demo *d;
    struct sector *sec;
    int sector, k;                  /* sector index, class index in the sector */
    const struct klass *c;
    struct occ *occ;
    int nocc;
    int from, log_to, hw_to;        /* day indices: log in [from, log_to], homework given in [from, hw_to] */
    const struct diffusion *disco;  /* the diffusion rules of the class's establishment (R-DISCO), in disco_arena */
    struct arena disco_arena;
};

/* When families see homework of the class published at t (R-DISCO): the
 * end of the quiet period t falls in, by its establishment's rules (read
 * once per establishment in a row). */
static int64_t homework_visible_from(struct class_log *cl, int64_t t)
{
    if (!cl->disco || cl->disco->establishment != cl->c->establishment_id) {
        if (cl->disco) arena_free(&cl->disco_arena);
        arena_init(&cl->disco_arena);
        cl->disco = diffusion_load(cl->d->s, &cl->disco_arena, cl->c->establishment_id);
    }
    return diffusion_release_at(cl->disco, t);
}

/* A deterministic draw from four numbers: the same lesson of the same
 * class gets the same draw whatever the clock. */
static uint64_t draw(uint64_t a, uint64_t b, uint64_t c, uint64_t e)
{
    const uint64_t v[4] = {a, b, c, e};
    uint64_t st = DEMO_SEED ^ 0x4C6F67426F6F6B21ULL, h = 0; /* "LogBook!" */
    for (int i = 0; i < 4; i++) {
        st ^= v[i] * 0x9E3779B97F4A7C15ULL + h;
        h = rng_next(&st);
    }
    return h;
}

/* Index of date in d->days, -1 when it is outside. */
static int day_index(const struct demo *d, const char *date)
{
    if (!d->ndays || !calendar_valid_date(date)) return -1;
    int i = calendar_days_between(d->days[0].date, date);
    return i >= 0 && i < d->ndays ? i : -1;
}

/* The calendar days of the current year's slots, with 17:30 of each day;
 * today's index and yesterday's 17:30. 0 or -1. */
static int days_make(struct demo *d)
{
    const char *from = slot_validity[d->year][0], *to = slot_validity[d->year][1];
    int n = calendar_days_between(from, to) + 1;
    if (n <= 0 || !(d->days = calloc((size_t)n, sizeof *d->days))) return -1;
    for (int i = 0; i < n; i++) {
        char at[20];
        calendar_add_days(from, i, d->days[i].date);
        d->days[i].dow = calendar_weekday(d->days[i].date) - 1;
        snprintf(at, sizeof at, "%sT17:30", d->days[i].date);
        if (!clock_parse(at, &d->days[i].evening)) return -1;
    }
    d->ndays = n;
    d->today_idx = calendar_days_between(from, d->today);
    char yesterday[11], at[20];
    calendar_add_days(d->today, -1, yesterday);
    snprintf(at, sizeof at, "%sT17:30", yesterday);
    return clock_parse(at, &d->yesterday_evening) ? 0 : -1;
}

/* The week mask (WEEK_A, WEEK_B) of every day of d->days for an
 * establishment, 0 on days without classes; NULL on error. */
static uint8_t *school_weeks(struct demo *d, int64_t establishment)
{
    struct arena a;
    arena_init(&a);
    uint8_t *wk = calloc((size_t)d->ndays, 1);
    struct school_calendar *cal = wk ? tt_calendar(d, &a, establishment) : NULL;
    if (cal)
        for (int i = 0; i < d->ndays; i++)
            if (d->days[i].dow < TT_DAYS && calendar_is_school_day(cal, d->days[i].date, NULL))
                wk[i] = (uint8_t)week_of(cal, d->days[i].date);
    arena_free(&a);
    if (!cal) {
        free(wk);
        return NULL;
    }
    return wk;
}

/* Did the lesson of slot_id not take place on date? */
static bool skipped(const struct demo *d, int64_t slot_id, const char *date)
{
    for (int i = 0; i < d->nskip; i++)
        if (!d->skip[i].by && d->skip[i].slot_id == slot_id && !strcmp(d->skip[i].date, date)) return true;
    return false;
}

/* The teacher who replaced the teacher of the lesson of slot_id on date,
 * 0 when there was no replacement. */
static int64_t replaced_by(const struct demo *d, int64_t slot_id, const char *date)
{
    for (int i = 0; i < d->nskip; i++)
        if (d->skip[i].by && d->skip[i].slot_id == slot_id && !strcmp(d->skip[i].date, date)) return d->skip[i].by;
    return 0;
}

/* The lessons of class k that take place on days [0, last], in date and
 * period order, into cl->occ (grown as needed; *cap its size). 0 or -1. */
static int occ_build(struct class_log *cl, const uint8_t *wk, int last, int *cap)
{
    const struct sector *sec = cl->sec;
    int les[TT_DAYS * TT_PERIODS * 2], nles = 0, count[NSUBJECTS] = {0}, days_of_class = 0;
    bool ecole = cl->c->level < LEVEL_6E;
    for (int i = 0; i < sec->nlessons && nles < COUNT(les); i++)
        if (sec->lessons[i].klass == cl->k) les[nles++] = i;
    cl->nocc = 0;
    for (int day = 0; day <= last; day++) {
        if (!wk[day]) continue;
        bool any = false;
        for (int j = 0; j < nles; j++) {
            const struct lesson *l = &sec->lessons[les[j]];
            if (l->day != cl->d->days[day].dow || !(l->weeks & wk[day]) ||
                skipped(cl->d, l->slot_id, cl->d->days[day].date))
                continue;
            if (cl->nocc == *cap) {
                int n = *cap ? 2 * *cap : 1024;
                struct occ *o = realloc(cl->occ, (size_t)n * sizeof *o);
                if (!o) return -1;
                cl->occ = o;
                *cap = n;
            }
            cl->occ[cl->nocc++] = (struct occ){day, les[j], ecole ? days_of_class : count[l->subject]++};
            any = true;
        }
        days_of_class += any;
    }
    return 0;
}

/* The pools of collège subject s (NULL when there are none). */
static const struct log_pool *pool_of(int s)
{
    for (int i = 0; i < COUNT(log_pools); i++)
        if (!strcmp(log_pools[i].code, college_subjects[s].code)) return &log_pools[i];
    return NULL;
}

/* The teaching and the teacher of a lesson of the class. */
static const struct teach *lesson_teach(const struct class_log *cl, const struct lesson *l)
{
    return &cl->c->teach[cl->c->level < LEVEL_6E ? 0 : l->subject];
}

/* The class log entries of days [from, log_to]. 0 or -1. */
static int class_log_entries(struct class_log *cl)
{
    struct demo *d = cl->d;
    for (int i = 0; i < cl->nocc; i++) {
        const struct occ *o = &cl->occ[i];
        if (o->day < cl->from || o->day > cl->log_to) continue;
        const struct lesson *l = &cl->sec->lessons[o->lesson];
        const char *text;
        if (cl->c->level < LEVEL_6E) {
            int p = l->period < TT_HALF ? l->period : TT_HALF - 1;
            text = ecole_pools[p].log[(o->nth + cl->k) % ecole_pools[p].n];
        } else {
            const struct log_pool *pool = pool_of(l->subject);
            if (!pool) continue;
            text = pool->log[(o->nth + cl->k) % pool->nlog];
        }
        const struct teach *te = lesson_teach(cl, l);
        int64_t at = d->days[o->day].evening;
        /* Written at 17:30 on a day of class: outside quiet periods, families
         * see it at once (R-DISCO). */
        if (store_run(d->s,
                      "INSERT INTO log_entry (teaching_id, slot_id, on_date, content, author_id, created_at,"
                      " updated_at, published_at, visible_from) VALUES ($1, $2, $3, $4, $5, $6, $6, $6, $6)",
                      "iNttii", te->id, d->year ? l->slot_next : l->slot_id, d->days[o->day].date, text,
                      te->teacher_id, at) < 0)
            return -1;
        d->entries++;
    }
    return 0;
}

/* A homework of the class given on day given for the teaching te, due on
 * day due, published at created; then the pupils who ticked it done (key:
 * the homework's draw). 0 or -1. */
static int homework_add(struct class_log *cl, const struct teach *te, int given, int due, const struct hw_def *hw,
                        int minutes, bool in_class, bool hand_in, bool late, int64_t created, uint64_t key)
{
    struct demo *d = cl->d;
    int64_t id = 0, seen = homework_visible_from(cl, created);
    if (store_int(d->s, &id,
                  "INSERT INTO homework (teaching_id, given_on, due_on, title, content, minutes, given_in_class,"
                  " hand_in, late, author_id, created_at, updated_at, published_at, visible_from)"
                  " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $11, $12) RETURNING id",
                  "ittttiiiiiii", te->id, d->days[given].date, d->days[due].date, hw->title, hw->content,
                  (int64_t)minutes, (int64_t)in_class, (int64_t)hand_in, (int64_t)late, te->teacher_id,
                  created, seen) != 1)
        return -1;
    d->homework++;
    /* Done: 80 % of the pupils when it was due before today (the evening
     * before the due day), 30 % when it is still to do (if it was given
     * before today: last evening). Never before the pupils could see it
     * (R-DISCO), never after now. */
    bool upcoming = due >= d->today_idx;
    if (upcoming && given >= d->today_idx) return 0;
    for (int p = 0; p < cl->c->npupils; p++) {
        uint64_t h = draw(key, (uint64_t)p, 0x646F6E65u, 0);
        if ((int)(h % 100) >= (upcoming ? 30 : 80)) continue;
        int64_t off = (int64_t)((h >> 8) % 180) * 60; /* 18:00 to 21:00 */
        int64_t at = d->days[due - 1].evening + 30 * 60 + off;
        if (at >= d->now) at = d->yesterday_evening + 30 * 60 + off;
        if (at < seen + 30 * 60) at = seen + 30 * 60 + off / 4;
        if (at >= d->now) continue;
        if (store_run(d->s, "INSERT INTO homework_done (homework_id, pupil_id, done_at) VALUES ($1, $2, $3)", "iii",
                      id, cl->c->pupil[p], at) < 0)
            return -1;
        d->done++;
    }
    return 0;
}

/* When homework given on day given is published: 17:30 that day, or the
 * evening before today for a lesson still to come (already announced). */
static int64_t homework_published(const struct demo *d, int given)
{
    int64_t at = d->days[given].evening;
    return at < d->now ? at : d->yesterday_evening;
}

/* The occurrence after i of the same teaching on a later day within
 * LOG_DUE_WITHIN days; -1 when there is none. */
static int next_lesson(const struct class_log *cl, int i)
{
    const struct occ *o = &cl->occ[i];
    int64_t teaching = cl->sec->lessons[o->lesson].teaching_id;
    for (int j = i + 1; j < cl->nocc && cl->occ[j].day - o->day <= LOG_DUE_WITHIN; j++)
        if (cl->occ[j].day > o->day && cl->sec->lessons[cl->occ[j].lesson].teaching_id == teaching) return j;
    return -1;
}

/* The late homework of a collège class (late_cases; demo collège only):
 * the occurrences whose regular homework they replace go into reserved
 * (*nreserved). 0 or -1. */
static int late_homework(struct class_log *cl, int *reserved, int *nreserved)
{
    struct demo *d = cl->d;
    if (!cl->sec->demo_college_id || cl->c->establishment_id != cl->sec->demo_college_id) return 0;
    for (int n = 0; n < COUNT(late_cases); n++) {
        const struct late_def *lc = &late_cases[n];
        char given_on[11];
        int64_t posted;
        if (strcmp(lc->klass, cl->c->name) || !clock_parse(lc->posted, &posted) || posted >= d->now) continue;
        snprintf(given_on, sizeof given_on, "%.10s", lc->posted);
        int given = day_index(d, given_on), due = day_index(d, lc->due_on);
        if (given < cl->from || given > cl->hw_to || due <= given) continue;
        int cand[TT_PERIODS], ncand = 0; /* the lessons that fit; lc->pick chooses one */
        for (int i = 0; i < cl->nocc && ncand < TT_PERIODS; i++) {
            const struct occ *o = &cl->occ[i];
            const struct log_pool *pool = pool_of(cl->sec->lessons[o->lesson].subject);
            if (!pool || !pool->nhw) continue;
            if (lc->in_class && o->day == given) {
                int j = next_lesson(cl, i);
                if (j >= 0 && cl->occ[j].day == due) cand[ncand++] = i;
            } else if (!lc->in_class && o->day == due) {
                cand[ncand++] = i;
            }
        }
        int at = ncand ? cand[lc->pick % ncand] : -1;
        if (at < 0) {
            log_warn("demo_generate", "%s: no lesson for the late homework posted %s", cl->c->name, lc->posted);
            continue;
        }
        const struct occ *o = &cl->occ[at];
        const struct lesson *l = &cl->sec->lessons[o->lesson];
        const struct log_pool *pool = pool_of(l->subject);
        uint64_t key = draw((uint64_t)cl->sector, (uint64_t)cl->k, 0x6C617465u, (uint64_t)n); /* "late" */
        if (lc->in_class && *nreserved < COUNT(late_cases)) reserved[(*nreserved)++] = at;
        /* Not the one the next lessons would give. */
        if (homework_add(cl, lesson_teach(cl, l), given, due, &pool->hw[(o->nth + cl->k + pool->nhw / 2) % pool->nhw],
                         15 + 5 * (int)(key % 2), lc->in_class, false, lc->late, posted, key) < 0)
            return -1;
    }
    return 0;
}

/* The homework of a collège class: about one lesson in three (not EPS),
 * due at the next lesson of the teaching; in the small demo's 4e B, when
 * due on one of demo_due_days: always for the first two, then three
 * lessons in four. 0 or -1. */
static int college_homework(struct class_log *cl)
{
    struct demo *d = cl->d;
    int reserved[COUNT(late_cases)], nreserved = 0, due_count[COUNT(demo_due_days)] = {0};
    if (late_homework(cl, reserved, &nreserved) < 0) return -1;
    bool demo = cl->sec->demo_college_id && cl->c->establishment_id == cl->sec->demo_college_id &&
                !strcmp(cl->c->name, "4e B");
    for (int i = 0; i < cl->nocc; i++) {
        const struct occ *o = &cl->occ[i];
        if (o->day < cl->from || o->day > cl->hw_to) continue;
        const struct lesson *l = &cl->sec->lessons[o->lesson];
        const struct log_pool *pool = pool_of(l->subject);
        if (!pool || !pool->nhw) continue;
        bool taken = false;
        for (int r = 0; r < nreserved; r++) taken = taken || reserved[r] == i;
        int j = taken ? -1 : next_lesson(cl, i);
        if (j < 0) continue;
        int due = cl->occ[j].day, percent = 33, demo_day = -1;
        for (int n = 0; demo && n < COUNT(demo_due_days); n++)
            if (!strcmp(d->days[due].date, demo_due_days[n])) demo_day = n;
        if (demo_day >= 0) percent = due_count[demo_day] < 2 ? 100 : 75;
        uint64_t h = draw((uint64_t)cl->sector, (uint64_t)cl->k, (uint64_t)(l->day * TT_PERIODS + l->period),
                          (uint64_t)o->day);
        if ((int)(h % 100) >= percent) continue;
        if (demo_day >= 0) due_count[demo_day]++;
        int minutes = 10 + 5 * (int)((h >> 8) % (uint64_t)((pool->max_minutes - 5) / 5)); /* 10 … max, by 5 */
        bool in_class = (h >> 16) % 100 >= 5, hand_in = (h >> 24) % 100 < 10;
        if (homework_add(cl, lesson_teach(cl, l), o->day, due, &pool->hw[(o->nth + cl->k) % pool->nhw], minutes,
                         in_class, hand_in, false, homework_published(d, o->day), h) < 0)
            return -1;
    }
    return 0;
}

/* The homework of an école class: two or three days a week (the small
 * demo's CE2: Monday, Tuesday and Thursday), given in the day's last
 * session, due the next day of class. 0 or -1. */
static int ecole_homework(struct class_log *cl)
{
    struct demo *d = cl->d;
    bool demo = cl->sec->demo_ecole_id && cl->c->establishment_id == cl->sec->demo_ecole_id &&
                !strcmp(cl->c->name, "CE2");
    for (int i = 0; i < cl->nocc; i++) {
        const struct occ *o = &cl->occ[i];
        if (o->day < cl->from || o->day > cl->hw_to) continue;
        if (i + 1 < cl->nocc && cl->occ[i + 1].day == o->day) continue; /* not the day's last session */
        int j = i + 1;
        if (j >= cl->nocc || cl->occ[j].day - o->day > LOG_DUE_WITHIN) continue;
        int dow = d->days[o->day].dow;
        uint64_t h = draw((uint64_t)cl->sector, (uint64_t)cl->k, 0x65636F6Cu, (uint64_t)o->day); /* "ecol" */
        bool given = demo ? dow == 0 || dow == 1 || dow == 3 : (int)(h % 100) < 62;
        if (!given) continue;
        const struct lesson *l = &cl->sec->lessons[o->lesson];
        if (homework_add(cl, lesson_teach(cl, l), o->day, cl->occ[j].day,
                         &hw_ecole[(o->nth + cl->k) % COUNT(hw_ecole)], 10 + 5 * (int)((h >> 8) % 3), true, false,
                         false, homework_published(d, o->day), h) < 0)
            return -1;
    }
    return 0;
}

/* ---- Grades, skills and attendance -------------------------------------- */

/* The demo also fills, from the rentrée to the demo clock, what teachers
 * and school-life staff record every day. As for the class log, every
 * choice is a draw keyed by the sector, the class, the pupil and the
 * lesson, so that the same past looks the same whatever the clock (the
 * clock decides what is in, and what is decided yet):
 * - assessments: in a collège, for every teaching, one every gap_lo …
 *   gap_hi days of class (about one every five and a half for the main
 *   subjects: seven or so by mid-November), on a day the teaching has a
 *   lesson, before today; titles in turn from the subject's list, scale
 *   and coefficient by kind (contrôle, interrogation, oral, DM…), one in
 *   fifteen bonus, one in fifteen optional, one in three evaluating one or
 *   two skills of the socle; published 2 to 6 days later at 18:00, or one
 *   in four in the evening between 21:00 and 22:30 (a weekend: the Monday)
 *   — a draft if that is after now, and the last one of a teaching in
 *   five. The pupils and their parents see it when the diffusion policy
 *   says (R-GRADES: an evening publication reaches the pupils at 07:00
 *   the next day of class, the parents a day later), so at any demo
 *   instant the latest marks are seen by the pupil and not yet by the
 *   parents. In
 *   an école, skills-only assessments (scale 0) about every three weeks,
 *   with 1 to 3 skills each;
 * - marks for every pupil of the class, around a fixed ability (7 to 17
 *   out of 20, and an ease of its own in each subject): 'absent' when the
 *   pupil was absent in that half-day (one in ten 'absent_zero'),
 *   'not_handed_in' for a few DM, some 'exempt' (more in EPS) and
 *   'not_graded'; skill results (levels 1 to 4) around the same ability;
 * - a roll call for every lesson that started before now, five minutes
 *   after its start, by its teacher (or their replacement), but about one
 *   in a hundred (forgotten);
 * - absences by episodes (a morning, an afternoon, one to three days) at
 *   the pupil's own rate (2 to 4 % of half-days for most pupils, 10 to
 *   15 % for a few): one attendance row for each lesson of the half-day
 *   that had a roll call; about one lateness a month. Older than 7 days,
 *   an absence is justified (85 %: reason from the parent, decision of the
 *   CPE, an AED or the école's head), refused (5 %) or unjustified; in the
 *   last 7 days, pending (40 %: the parent has justified, no decision yet)
 *   or unjustified (the last two weeks also notified to the
 *   families, see notices.c); an attendance alert for every pupil and month with 4 half-days
 *   of absence not justified (seen by the CPE or head for past months).
 * The demo family is fixed: Lucie (4e B) has a few old justified absences,
 * some during assessments ('absent' marks), one lateness, and one
 * unjustified half-day in the 7 days before today; Hugo (CE2) one old
 * justified day of absence; and the second pupil of 4e B misses the last
 * four half-days of class of the current month before today (an alert
 * this month). Scale 60 with
 * the 2025-11-18 clock adds about 1.4 M marks, 0.8 M skill results, 0.4 M
 * roll calls and 0.5 M attendance rows (about 16 s, 280 MB); with the
 * 2026-03-10 clock 3.6 M marks, 2.1 M skill results, 1 M roll calls and
 * 1.1 M attendance rows (about 42 s, 680 MB). */

#define LIFE_FORGOTTEN 10          /* roll calls forgotten, per mille of the lessons */
#define LIFE_RECENT_DAYS 7         /* absences of the last 7 days are not decided yet */
#define LIFE_ALERT_HALF_DAYS 4     /* R-ATTENDANCE: half-days not justified in a month */
#define LIFE_EXAMS_MAX 16          /* titles in a subject's list */

/* Kinds of assessment: they decide scale and coefficient. */
enum { EXAM_TEST, EXAM_QUIZ, EXAM_ORAL, EXAM_DM, EXAM_DICTEE, EXAM_PRACTICAL };
/* Components of the socle, indices in skill_components. */
enum { COMP_D11, COMP_D12, COMP_D13, COMP_D14, COMP_D2, COMP_D3, COMP_D4, COMP_D5 };

/* An assessment's title; numbered: "Dictée n°3". */
struct exam_def {
    int kind;
    const char *title;
    bool numbered;
};

static const struct exam_def exams_fra[] = {
    {EXAM_DICTEE, "Dictée", true},
    {EXAM_QUIZ, "Interrogation — le passé simple", false},
    {EXAM_TEST, "Évaluation de lecture — Le Horla", false},
    {EXAM_DM, "Rédaction — le portrait d'un personnage inquiétant", false},
    {EXAM_DICTEE, "Dictée", true},
    {EXAM_ORAL, "Récitation — « Demain, dès l'aube… »", false},
    {EXAM_TEST, "Contrôle de grammaire — les propositions relatives", false},
    {EXAM_QUIZ, "Questionnaire de lecture cursive", false},
    {EXAM_DICTEE, "Dictée", true},
    {EXAM_TEST, "Évaluation de lecture — La Parure", false},
    {EXAM_QUIZ, "Interrogation — les homophones grammaticaux", false},
    {EXAM_DM, "Rédaction — la suite du récit", false},
    {EXAM_DICTEE, "Dictée", true},
    {EXAM_ORAL, "Lecture expressive", false},
    {EXAM_TEST, "Contrôle — l'accord du participe passé", false},
    {EXAM_QUIZ, "Interrogation — le vocabulaire de la peur", false},
};
static const struct exam_def exams_math[] = {
    {EXAM_QUIZ, "Interrogation — priorités opératoires", false},
    {EXAM_TEST, "Contrôle — nombres relatifs", false},
    {EXAM_DM, "DM", true},
    {EXAM_QUIZ, "Calcul mental", true},
    {EXAM_TEST, "Contrôle — fractions", false},
    {EXAM_QUIZ, "Interrogation — comparer des fractions", false},
    {EXAM_DM, "DM", true},
    {EXAM_TEST, "Contrôle — calcul littéral", false},
    {EXAM_QUIZ, "Calcul mental", true},
    {EXAM_TEST, "Contrôle — théorème de Pythagore", false},
    {EXAM_QUIZ, "Interrogation — proportionnalité", false},
    {EXAM_DM, "DM", true},
    {EXAM_TEST, "Contrôle — statistiques", false},
    {EXAM_QUIZ, "Interrogation — équations", false},
    {EXAM_PRACTICAL, "Algorithmique — un programme Scratch", false},
    {EXAM_TEST, "Contrôle — géométrie dans l'espace", false},
};
static const struct exam_def exams_hg[] = {
    {EXAM_QUIZ, "Interrogation — repères chronologiques", false},
    {EXAM_TEST, "Contrôle — la Révolution française", false},
    {EXAM_PRACTICAL, "Croquis — les espaces productifs", false},
    {EXAM_QUIZ, "Interrogation — vocabulaire de géographie", false},
    {EXAM_TEST, "Contrôle — l'Empire napoléonien", false},
    {EXAM_ORAL, "EMC — exposé sur la laïcité", false},
    {EXAM_DM, "Étude de document — une affiche de 1793", false},
    {EXAM_TEST, "Contrôle — l'urbanisation du monde", false},
    {EXAM_QUIZ, "Interrogation — les traites négrières", false},
    {EXAM_TEST, "Contrôle — l'industrialisation", false},
    {EXAM_PRACTICAL, "Schéma — mobilités et tourisme", false},
    {EXAM_QUIZ, "Interrogation — métropoles et mégapoles", false},
    {EXAM_TEST, "Contrôle — les espaces productifs", false},
    {EXAM_ORAL, "EMC — débat réglé", false},
    {EXAM_QUIZ, "Interrogation — l'Europe en 1815", false},
    {EXAM_TEST, "Contrôle — mobilités et tourisme", false},
};
static const struct exam_def exams_ang[] = {
    {EXAM_QUIZ, "Vocabulary quiz — Unit 3", false},
    {EXAM_QUIZ, "Irregular verbs", true},
    {EXAM_TEST, "Test — past simple", false},
    {EXAM_ORAL, "Oral — My best holiday", false},
    {EXAM_TEST, "Listening test — Around the world", false},
    {EXAM_DM, "Writing — an e-mail to a pen friend", false},
    {EXAM_QUIZ, "Irregular verbs", true},
    {EXAM_TEST, "Reading — A day in London", false},
    {EXAM_TEST, "Test — comparatives and superlatives", false},
    {EXAM_ORAL, "Oral — At the restaurant", false},
    {EXAM_QUIZ, "Vocabulary quiz — food and recipes", false},
    {EXAM_PRACTICAL, "Project — My dream city", false},
    {EXAM_QUIZ, "Irregular verbs", true},
    {EXAM_TEST, "Test — Thanksgiving", false},
    {EXAM_DM, "Writing — my last weekend", false},
    {EXAM_TEST, "Listening test — at the airport", false},
};
static const struct exam_def exams_esp[] = {
    {EXAM_QUIZ, "Prueba de vocabulario — unidad 2", false},
    {EXAM_ORAL, "Expression orale — me presento", false},
    {EXAM_TEST, "Control — los verbos con diptongo", false},
    {EXAM_TEST, "Comprensión oral — el Día de los Muertos", false},
    {EXAM_DM, "Expression écrite — mi familia", false},
    {EXAM_TEST, "Control — ser y estar", false},
    {EXAM_QUIZ, "Prueba de vocabulario — las emociones", false},
    {EXAM_ORAL, "Oral — un autorretrato de Frida Kahlo", false},
    {EXAM_TEST, "Comprensión escrita — un día en Madrid", false},
    {EXAM_QUIZ, "Prueba — los números", false},
    {EXAM_TEST, "Control — el pretérito", false},
    {EXAM_DM, "Expression écrite — mis vacaciones", false},
};
static const struct exam_def exams_all[] = {
    {EXAM_QUIZ, "Vokabeltest — die Familie", false},
    {EXAM_ORAL, "Sprechen — meine Hobbys", false},
    {EXAM_TEST, "Test — Nominativ und Akkusativ", false},
    {EXAM_TEST, "Hörverstehen — mein Schultag", false},
    {EXAM_QUIZ, "Test — sein und haben", false},
    {EXAM_DM, "Schreiben — ein Tag in Berlin", false},
    {EXAM_TEST, "Leseverstehen — Sankt Martin", false},
    {EXAM_QUIZ, "Vokabeltest — die Schule", false},
    {EXAM_ORAL, "Sprechen — mein Tag", false},
    {EXAM_TEST, "Test — die Verbstellung", false},
    {EXAM_QUIZ, "Vokabeltest — das Essen", false},
    {EXAM_DM, "Schreiben — meine Stadt", false},
};
static const struct exam_def exams_svt[] = {
    {EXAM_TEST, "Évaluation — la digestion", false},
    {EXAM_PRACTICAL, "Compte rendu de TP — cellules au microscope", false},
    {EXAM_QUIZ, "Interrogation — séismes et volcans", false},
    {EXAM_TEST, "Évaluation — la respiration", false},
    {EXAM_PRACTICAL, "Démarche scientifique — l'expérience témoin", false},
    {EXAM_QUIZ, "Interrogation — les écosystèmes", false},
    {EXAM_TEST, "Évaluation — la nutrition", false},
    {EXAM_PRACTICAL, "TP — dissection d'une fleur de lys", false},
    {EXAM_QUIZ, "Interrogation — le système nerveux", false},
    {EXAM_TEST, "Évaluation — les réseaux trophiques", false},
    {EXAM_DM, "Exposé — un volcan actif", false},
    {EXAM_TEST, "Évaluation — la reproduction des plantes", false},
};
static const struct exam_def exams_pc[] = {
    {EXAM_TEST, "Évaluation — les changements d'état", false},
    {EXAM_PRACTICAL, "Compte rendu de TP — masse volumique", false},
    {EXAM_QUIZ, "Interrogation — circuits en série et en dérivation", false},
    {EXAM_TEST, "Évaluation — la lumière", false},
    {EXAM_QUIZ, "Interrogation — vitesse moyenne", false},
    {EXAM_TEST, "Évaluation — atomes et molécules", false},
    {EXAM_PRACTICAL, "TP — dissolution et solubilité", false},
    {EXAM_QUIZ, "Interrogation — les symboles normalisés", false},
    {EXAM_TEST, "Évaluation — la loi d'Ohm", false},
    {EXAM_DM, "Exercices — calculs de vitesse", false},
    {EXAM_TEST, "Évaluation — mélanges et solutions", false},
    {EXAM_PRACTICAL, "TP — tension et intensité", false},
};
static const struct exam_def exams_tech[] = {
    {EXAM_PRACTICAL, "Projet — cahier des charges", false},
    {EXAM_TEST, "Évaluation — analyse d'un objet technique", false},
    {EXAM_PRACTICAL, "Programmation — carte micro:bit", false},
    {EXAM_QUIZ, "Interrogation — les matériaux", false},
    {EXAM_TEST, "Évaluation — la chaîne d'énergie", false},
    {EXAM_PRACTICAL, "Modélisation 3D — une pièce cotée", false},
    {EXAM_QUIZ, "Interrogation — algorigrammes", false},
    {EXAM_TEST, "Évaluation — les réseaux informatiques", false},
    {EXAM_PRACTICAL, "Projet — l'objet connecté", false},
    {EXAM_DM, "Recherche — trois objets connectés", false},
    {EXAM_TEST, "Évaluation — la chaîne d'information", false},
    {EXAM_QUIZ, "Interrogation — vocabulaire technique", false},
};
static const struct exam_def exams_eps[] = {
    {EXAM_PRACTICAL, "Demi-fond — projet de vitesse", false},
    {EXAM_PRACTICAL, "Badminton — montante-descendante", false},
    {EXAM_PRACTICAL, "Gymnastique — enchaînement au sol", false},
    {EXAM_PRACTICAL, "Handball — jeu à 5 contre 5", false},
    {EXAM_PRACTICAL, "Acrosport — pyramides à trois", false},
    {EXAM_PRACTICAL, "Course d'orientation", false},
    {EXAM_PRACTICAL, "Volley-ball — jeu à 2 contre 2", false},
    {EXAM_PRACTICAL, "Demi-fond — course de 10 minutes", false},
    {EXAM_PRACTICAL, "Badminton — le service long", false},
    {EXAM_PRACTICAL, "Gymnastique — les équilibres", false},
    {EXAM_PRACTICAL, "Handball — tournoi", false},
    {EXAM_PRACTICAL, "Arbitrage et rôles sociaux", false},
};
static const struct exam_def exams_ap[] = {
    {EXAM_PRACTICAL, "Projet — l'objet détourné", false},
    {EXAM_PRACTICAL, "Carnet de croquis", false},
    {EXAM_PRACTICAL, "Pratique — couleurs et contrastes", false},
    {EXAM_ORAL, "Histoire des arts — La Nuit étoilée", false},
    {EXAM_PRACTICAL, "Volume — sculpture en carton", false},
    {EXAM_PRACTICAL, "Photographie — cadrage et point de vue", false},
    {EXAM_PRACTICAL, "Collage à la manière de Hannah Höch", false},
    {EXAM_PRACTICAL, "Perspective — le point de fuite", false},
};
static const struct exam_def exams_em[] = {
    {EXAM_PRACTICAL, "Chant — Le Chant des partisans", false},
    {EXAM_QUIZ, "Fiche d'écoute — le Boléro", false},
    {EXAM_PRACTICAL, "Rythme — percussions corporelles", false},
    {EXAM_ORAL, "Histoire des arts — le jazz", false},
    {EXAM_QUIZ, "Interrogation — vocabulaire musical", false},
    {EXAM_PRACTICAL, "Chorale — le refrain", false},
    {EXAM_QUIZ, "Écoute comparée", false},
    {EXAM_ORAL, "Musique et image — une bande originale", false},
};

/* The assessments of a collège subject: titles, days of class between two
 * of them, components of the skills they may evaluate. */
static const struct exam_pool {
    const char *code;
    const struct exam_def *exam;
    int nexam, gap_lo, gap_hi;
    int comp[3], ncomp;
} exam_pools[] = {
    {"FRA", exams_fra, COUNT(exams_fra), 4, 7, {COMP_D11, COMP_D2}, 2},
    {"MATH", exams_math, COUNT(exams_math), 4, 7, {COMP_D13, COMP_D2}, 2},
    {"HG", exams_hg, COUNT(exams_hg), 4, 7, {COMP_D5, COMP_D3, COMP_D11}, 3},
    {"ANG", exams_ang, COUNT(exams_ang), 4, 7, {COMP_D12}, 1},
    {"ESP", exams_esp, COUNT(exams_esp), 6, 9, {COMP_D12}, 1},
    {"ALL", exams_all, COUNT(exams_all), 6, 9, {COMP_D12}, 1},
    {"SVT", exams_svt, COUNT(exams_svt), 6, 9, {COMP_D4, COMP_D13}, 2},
    {"PC", exams_pc, COUNT(exams_pc), 6, 9, {COMP_D4, COMP_D13}, 2},
    {"TECH", exams_tech, COUNT(exams_tech), 6, 9, {COMP_D4, COMP_D2}, 2},
    {"EPS", exams_eps, COUNT(exams_eps), 6, 9, {COMP_D14, COMP_D3}, 2},
    {"AP", exams_ap, COUNT(exams_ap), 8, 12, {COMP_D14, COMP_D5}, 2},
    {"EM", exams_em, COUNT(exams_em), 8, 12, {COMP_D14}, 1},
};

/* The skills-only assessments of an école class, in turn: title, session
 * of the day (0 … 3) and components. */
static const struct ecole_exam_def {
    const char *title;
    bool numbered;
    int period, comp[2], ncomp;
} ecole_exams[] = {
    {"Évaluation de lecture — compréhension", false, 0, {COMP_D11}, 1},
    {"Évaluation — numération", false, 1, {COMP_D13}, 1},
    {"Dictée", true, 0, {COMP_D11}, 1},
    {"Questionner le monde — les états de l'eau", false, 2, {COMP_D4, COMP_D2}, 2},
    {"Évaluation — calcul posé", false, 1, {COMP_D13}, 1},
    {"Production d'écrit — raconter une histoire", false, 0, {COMP_D11, COMP_D2}, 2},
    {"Se repérer dans le temps — la frise", false, 2, {COMP_D5}, 1},
    {"Évaluation — géométrie", false, 1, {COMP_D13, COMP_D2}, 2},
    {"Anglais — colours and numbers", false, 3, {COMP_D12}, 1},
    {"EMC — les règles de la classe", false, 2, {COMP_D3}, 1},
    {"Arts plastiques — paysage d'automne", false, 3, {COMP_D14}, 1},
    {"Évaluation — résoudre des problèmes", false, 1, {COMP_D13, COMP_D2}, 2},
};
_Static_assert(COUNT(exams_fra) <= LIFE_EXAMS_MAX && COUNT(exams_math) <= LIFE_EXAMS_MAX &&
                   COUNT(exams_hg) <= LIFE_EXAMS_MAX && COUNT(exams_ang) <= LIFE_EXAMS_MAX &&
                   COUNT(exams_esp) <= LIFE_EXAMS_MAX && COUNT(exams_all) <= LIFE_EXAMS_MAX &&
                   COUNT(exams_svt) <= LIFE_EXAMS_MAX && COUNT(exams_pc) <= LIFE_EXAMS_MAX &&
                   COUNT(exams_tech) <= LIFE_EXAMS_MAX && COUNT(exams_eps) <= LIFE_EXAMS_MAX &&
                   COUNT(exams_ap) <= LIFE_EXAMS_MAX && COUNT(exams_em) <= LIFE_EXAMS_MAX &&
                   COUNT(ecole_exams) <= LIFE_EXAMS_MAX,
               "a list of assessment titles is longer than LIFE_EXAMS_MAX");
#define ECOLE_GAP_LO 11            /* days of class between two école assessments (about three weeks) */
#define ECOLE_GAP_HI 14

/* Comments of the families' justifications, by reason. */
static const char *const comments_illness[] = {"", "", "Gastro-entérite", "Fièvre", "Angine", "Rhume", "Migraine",
                                               "Otite"};
static const char *const comments_medical[] = {"", "Orthodontiste", "Ophtalmologiste", "Rendez-vous chez le pédiatre",
                                               "Prise de sang", "Kinésithérapeute"};
static const char *const comments_family[] = {"", "Obsèques d'un proche", "Mariage dans la famille",
                                              "Naissance d'un petit frère"};
static const char *const comments_transport[] = {"", "Bus scolaire supprimé", "Grève des transports",
                                                 "Panne de voiture"};
static const char *const comments_summons[] = {"", "Rendez-vous à la préfecture", "Convocation administrative"};
static const char *const comments_other[] = {"", "Compétition sportive", "Concours de musique"};
static const char *const comments_refused[] = {"Vacances en famille", "Départ en week-end", "Réveil tardif",
                                               "Anniversaire"};
static const char *const comments_late[] = {"", "Bus en retard", "Train en retard", "Bouchons"};

/* States of an attendance row; ST_NONE: present. */
enum { ST_NONE, ST_UNJUSTIFIED, ST_PENDING, ST_JUSTIFIED, ST_REFUSED };
static const char *const state_names[] = {"", "unjustified", "pending", "justified", "refused"};

/* Keys of the draws (the third number of draw()). */
enum {
    TAG_PUPIL = 0x7075706C,        /* "pupl" */
    TAG_ABSENCE = 0x61627365,      /* "abse" */
    TAG_TARDY = 0x74617264,        /* "tard" */
    TAG_JUSTIFY = 0x6A757374,      /* "just" */
    TAG_ROLL = 0x726F6C6C,         /* "roll" */
    TAG_EXAM = 0x6578616D,         /* "exam" */
    TAG_DRAFT = 0x62726F75,        /* "brou" */
    TAG_MARK = 0x6D61726B,         /* "mark" */
    TAG_MAIL = 0x6D61696C,         /* "mail" */
    TAG_EVENING = 0x736F6972,      /* "soir" */
};

/* A lesson of the class that started before now. */
struct past {
    int occ, cday, half;            /* index in the class's occurrences, day of class, 0 am / 1 pm */
    int64_t start, rc_id, by;       /* its start; its roll call (0: forgotten) and who took it */
};

/* A day of class up to now: its index in d->days, its lessons in past
 * [first, end), its halves (bit 1: a morning lesson, bit 2: an afternoon
 * one, started or not). */
struct cday {
    int day, first, end, halves;
};

/* A pupil of the class: ability (mean mark, hundredths of a point out of
 * 20) and ease in each subject, absences (per mille of half-days),
 * lateness (per mille of days of class), who justifies; the attendance
 * alert being counted (month, half-days, when it reached the threshold). */
struct pupil_life {
    int ability, ease[NSUBJECTS], absence, late;
    bool fixed;                     /* demo family: only the scripted events */
    int64_t id, guardian;
    char month[8];
    int count, last_half;
    int64_t reached_at;
};

/* An assessment of the class. */
struct exam {
    int at, subject, kind, scale, coef, step, difficulty, nskill;
    bool bonus, optional, in_class;
    int skill[3];                   /* indices in the establishment's skills */
    int64_t id, teaching_id, author_id, created, published;
    uint64_t key;
    char title[112];
};

/* A fixed event of the demo family (or the alert pupil): an absence of a
 * half-day or a lateness, with its state, reason and comment. */
struct script {
    int p, cday, half, state, reason, minutes;
    bool late;
    const char *comment;
};
#define SCRIPTS_MAX 16

/* What a class records from the rentrée to now. */
struct life {
    struct class_log *cl;
    const struct est *e;
    const char *const (*times)[2];
    struct past *past;
    struct cday *cdays;
    int npast, ncday;
    struct pupil_life pupil[CLASS_MAX_SEATS];
    uint8_t *absent;                /* [p * ncday + c]: bit 1 absent in the morning, bit 2 in the afternoon */
    int16_t *episode;               /* [p * ncday + c]: the day of class the absence's episode began */
    int *late;                      /* [p * ncday + c]: index in past of the lesson the pupil came late to, -1 */
    bool *keep;                     /* [c]: no roll call forgotten that day (scripted events) */
    struct exam *exam;
    int nexam, capexam;
    struct script script[SCRIPTS_MAX];
    int nscript;
};

/* The instant of minutes past midnight (local) on day index day of
 * d->days (days past the end continue 24 h apart). */
static int64_t day_at(const struct demo *d, int day, int minutes)
{
    int i = day < d->ndays ? day : d->ndays - 1;
    return d->days[i].evening + (int64_t)(day - i) * 86400 + (int64_t)(minutes - (17 * 60 + 30)) * 60;
}

/* The first day index from day on that is a weekday (Monday … Friday). */
static int weekday_from(const struct demo *d, int day)
{
    while (day >= 0 && day < d->ndays && d->days[day].dow >= TT_DAYS) day++;
    return day;
}

/* Minutes past midnight of "HH:MM". */
static int hhmm_minutes(const char *t)
{
    return ((t[0] - '0') * 10 + (t[1] - '0')) * 60 + (t[3] - '0') * 10 + (t[4] - '0');
}

/* The assessments of collège subject s, NULL when it has none. */
static const struct exam_pool *exam_pool_of(int s)
{
    for (int i = 0; i < COUNT(exam_pools); i++)
        if (!strcmp(exam_pools[i].code, college_subjects[s].code)) return &exam_pools[i];
    return NULL;
}

/* The lesson of past lesson j. */
static const struct lesson *past_lesson(const struct life *lf, int j)
{
    return &lf->cl->sec->lessons[lf->cl->occ[lf->past[j].occ].lesson];
}

/* The class's lessons that started before now (lf->past) and its days of
 * class up to now (lf->cdays), from the class log's occurrences. 0 or -1. */
static int life_lessons(struct life *lf)
{
    struct class_log *cl = lf->cl;
    struct demo *d = cl->d;
    lf->times = cl->c->level < LEVEL_6E ? ecole_times : college_times;
    size_t n = cl->nocc ? (size_t)cl->nocc : 1;
    lf->past = calloc(n, sizeof *lf->past);
    lf->cdays = calloc(n, sizeof *lf->cdays);
    if (!lf->past || !lf->cdays) return -1;
    for (int i = 0; i < cl->nocc && cl->occ[i].day <= d->today_idx; i++) {
        const struct occ *o = &cl->occ[i];
        const struct lesson *l = &cl->sec->lessons[o->lesson];
        int minutes = hhmm_minutes(lf->times[l->period][0]), half = minutes >= 12 * 60;
        if (!lf->ncday || lf->cdays[lf->ncday - 1].day != o->day) {
            if (lf->ncday && lf->cdays[lf->ncday - 1].first == lf->cdays[lf->ncday - 1].end) lf->ncday--;
            lf->cdays[lf->ncday++] = (struct cday){.day = o->day, .first = lf->npast, .end = lf->npast};
        }
        struct cday *cd = &lf->cdays[lf->ncday - 1];
        cd->halves |= 1 << half;
        int64_t start = day_at(d, o->day, minutes);
        if (start >= d->now) continue;
        int64_t by = replaced_by(d, l->slot_id, d->days[o->day].date);
        lf->past[lf->npast++] = (struct past){.occ = i, .cday = lf->ncday - 1, .half = half, .start = start,
                                              .by = by ? by : lesson_teach(cl, l)->teacher_id};
        cd->end = lf->npast;
    }
    if (lf->ncday && lf->cdays[lf->ncday - 1].first == lf->cdays[lf->ncday - 1].end) lf->ncday--;
    return 0;
}

/* The pupils' fixed traits (ability, ease, absence and lateness rates). */
static void life_pupils(struct life *lf)
{
    const struct class_log *cl = lf->cl;
    for (int p = 0; p < cl->c->npupils; p++) {
        struct pupil_life *pl = &lf->pupil[p];
        uint64_t st = draw((uint64_t)cl->sector, (uint64_t)cl->k, TAG_PUPIL, (uint64_t)p);
        pl->id = cl->c->pupil[p];
        pl->guardian = cl->c->guardian[p];
        pl->ability = (rng_range(&st, 700, 1700) + rng_range(&st, 700, 1700)) / 2;
        for (int s = 0; s < NSUBJECTS; s++) pl->ease[s] = rng_range(&st, -200, 200);
        int r = rng_range(&st, 0, 99);
        pl->absence = r < 6 ? rng_range(&st, 100, 150) : r < 25 ? rng_range(&st, 5, 20) : rng_range(&st, 20, 40);
        r = rng_range(&st, 0, 99);
        pl->late = r < 60 ? rng_range(&st, 20, 50) : r < 90 ? rng_range(&st, 50, 90) : rng_range(&st, 90, 150);
        pl->last_half = -1;
    }
}

/* A new assessment of the class (zeroed), NULL out of memory. */
static struct exam *exam_new(struct life *lf)
{
    if (lf->nexam == lf->capexam) {
        int cap = lf->capexam ? 2 * lf->capexam : 64;
        struct exam *n = realloc(lf->exam, (size_t)cap * sizeof *n);
        if (!n) return NULL;
        lf->exam = n;
        lf->capexam = cap;
    }
    struct exam *x = &lf->exam[lf->nexam++];
    memset(x, 0, sizeof *x);
    return x;
}

/* The title of an assessment whose title was used `used` times before in
 * the teaching: "Dictée n°3", or "… (2)" when a list comes round again. */
static void exam_title(struct exam *x, const char *title, bool numbered, int used)
{
    if (numbered) snprintf(x->title, sizeof x->title, "%s n°%d", title, used + 1);
    else if (used) snprintf(x->title, sizeof x->title, "%s (%d)", title, used + 1);
    else snprintf(x->title, sizeof x->title, "%s", title);
}

/* Link n skills (distinct) of the given components to x. */
static void exam_skills(struct exam *x, uint64_t *st, const int *comp, int ncomp, int n)
{
    for (int tries = 0; x->nskill < n && tries < 12; tries++) {
        int c = comp[rng_range(st, 0, ncomp - 1)];
        int skill = c * SKILLS_PER_COMPONENT + rng_range(st, 0, SKILLS_PER_COMPONENT - 1);
        bool seen = false;
        for (int i = 0; i < x->nskill; i++) seen = seen || x->skill[i] == skill;
        if (!seen) x->skill[x->nskill++] = skill;
    }
}

/* Scale, coefficient, rounding, bonus or optional, dates of assessment x
 * on past lesson at, from its kind and the draws of st. */
static void exam_fill(struct life *lf, struct exam *x, uint64_t *st)
{
    struct demo *d = lf->cl->d;
    int r = rng_range(st, 0, 99);
    switch (x->kind) {
    case EXAM_TEST:
        x->scale = r < 88 ? 20 : 40;
        x->coef = rng_chance(st, 60) ? 200 : 100;
        break;
    case EXAM_QUIZ:
        x->scale = r < 70 ? 10 : r < 85 ? 5 : 20;
        x->coef = rng_chance(st, 50) ? 50 : 100;
        break;
    case EXAM_ORAL:
        x->scale = r < 60 ? 20 : 10;
        x->coef = 100;
        break;
    case EXAM_DM:
        x->scale = 20;
        x->coef = rng_chance(st, 60) ? 50 : 100;
        break;
    case EXAM_DICTEE:
        x->scale = r < 80 ? 20 : 10;
        x->coef = 100;
        break;
    default:
        x->scale = 20;
        x->coef = rng_chance(st, 80) ? 100 : 200;
        break;
    }
    x->step = rng_chance(st, 60) ? 50 : 25;
    x->difficulty = rng_range(st, -150, 100);
    r = rng_range(st, 0, 14);
    x->bonus = r == 0;
    x->optional = r == 1;
    x->in_class = x->kind != EXAM_DM;
    int day = lf->cdays[lf->past[x->at].cday].day;
    x->created = day_at(d, day, 17 * 60 + 30 + rng_range(st, 0, 150));
    /* The hour from a draw of its own, so that the draws of st stay the same. */
    uint64_t ev = draw(x->key, 0, TAG_EVENING, 0);
    int hour = ev % 4 == 0 ? 21 * 60 + (int)(ev / 4 % 91) : 18 * 60;
    x->published = day_at(d, weekday_from(d, day + rng_range(st, 2, 6)), hour); /* a weekend: the Monday */
    if (x->published >= d->now) x->published = 0;
}

/* Assessments by day of class then lesson. */
static int exam_cmp(const void *a, const void *b)
{
    const struct exam *x = a, *y = b;
    if (x->at != y->at) return x->at < y->at ? -1 : 1;
    return x->subject < y->subject ? -1 : x->subject > y->subject;
}

/* The class's assessments up to yesterday (not written yet): per teaching
 * of a collège class, per class in an école (see above). 0 or -1. */
static int life_exams(struct life *lf)
{
    const struct class_log *cl = lf->cl;
    struct demo *d = cl->d;
    bool ecole = cl->c->level < LEVEL_6E;
    for (int s = 0; s < (ecole ? 1 : NSUBJECTS); s++) {
        const struct teach *te = &cl->c->teach[s];
        const struct exam_pool *pool = ecole ? NULL : exam_pool_of(s);
        if (!te->id || (!ecole && !pool)) continue;
        uint64_t st = draw((uint64_t)cl->sector, (uint64_t)cl->k, TAG_EXAM, (uint64_t)s);
        int lo = ecole ? ECOLE_GAP_LO : pool->gap_lo, hi = ecole ? ECOLE_GAP_HI : pool->gap_hi;
        int last = 0, gap = rng_range(&st, lo, hi), n = 0, used[LIFE_EXAMS_MAX] = {0}; /* by first title index */
        for (int c = 0; c < lf->ncday && lf->cdays[c].day < d->today_idx; c++) {
            if (c - last < gap) continue;
            const struct cday *cd = &lf->cdays[c];
            int pick = ecole ? n % COUNT(ecole_exams) : n % pool->nexam, at = -1, same = pick;
            for (int j = cd->first; j < cd->end && at < 0; j++) {
                const struct lesson *l = past_lesson(lf, j);
                if (ecole ? l->period == ecole_exams[pick].period : l->subject == s) at = j;
            }
            if (ecole && at < 0) at = cd->first;
            if (at < 0) continue;
            struct exam *x = exam_new(lf);
            if (!x) return -1;
            x->at = at;
            x->subject = s;
            x->teaching_id = te->id;
            x->author_id = te->teacher_id;
            x->key = draw((uint64_t)cl->sector, (uint64_t)cl->k, TAG_EXAM + 1, (uint64_t)s * 4096 + (uint64_t)n);
            uint64_t xs = x->key;
            for (int i = 0; i < pick; i++) /* the first of the list with the same title */
                if (!strcmp(ecole ? ecole_exams[i].title : pool->exam[i].title,
                            ecole ? ecole_exams[pick].title : pool->exam[pick].title)) {
                    same = i;
                    break;
                }
            if (ecole) {
                const struct ecole_exam_def *def = &ecole_exams[pick];
                exam_title(x, def->title, def->numbered, used[same]++);
                x->kind = EXAM_PRACTICAL;
                exam_fill(lf, x, &xs);
                x->scale = 0; /* skills only */
                x->coef = 100;
                x->bonus = x->optional = false;
                exam_skills(x, &xs, def->comp, def->ncomp, rng_range(&xs, 1, 3));
            } else {
                const struct exam_def *def = &pool->exam[pick];
                exam_title(x, def->title, def->numbered, used[same]++);
                x->kind = def->kind;
                exam_fill(lf, x, &xs);
                if (rng_chance(&xs, 33)) exam_skills(x, &xs, pool->comp, pool->ncomp, rng_range(&xs, 1, 2));
            }
            n++;
            last = c;
            gap = rng_range(&st, lo, hi);
        }
        /* The last one of a teaching in five is still a draft. */
        if (n && draw((uint64_t)cl->sector, (uint64_t)cl->k, TAG_DRAFT, (uint64_t)s) % 5 == 0)
            lf->exam[lf->nexam - 1].published = 0;
    }
    if (lf->nexam) /* none in a year without its calendar (qsort wants a non-NULL array) */
        qsort(lf->exam, (size_t)lf->nexam, sizeof *lf->exam, exam_cmp);
    return 0;
}

/* Is day of class c more than LIFE_RECENT_DAYS days before today? */
static bool life_old(const struct life *lf, int c)
{
    return lf->cl->d->today_idx - lf->cdays[c].day > LIFE_RECENT_DAYS;
}

/* The first lesson of half (0 am, 1 pm) of day of class c that started,
 * -1 when there is none. */
static int life_first_lesson(const struct life *lf, int c, int half)
{
    for (int j = lf->cdays[c].first; j < lf->cdays[c].end; j++)
        if (lf->past[j].half == half) return j;
    return -1;
}

/* Script an event of pupil p: an absence in half (0, 1) of day of class c,
 * or a lateness to its first lesson; state, reason (-1: none), comment.
 * Ignored when that day is out of range, the half has no lesson or the
 * pupil already has a scripted event then. */
static void script_add(struct life *lf, int p, int c, int half, bool late, int state, int reason, const char *comment)
{
    if (p >= lf->cl->c->npupils || c < 0 || c >= lf->ncday || lf->nscript >= SCRIPTS_MAX) return;
    int j = life_first_lesson(lf, c, half);
    if (j < 0) return;
    for (int i = 0; i < lf->nscript; i++)
        if (lf->script[i].p == p && lf->script[i].cday == c && lf->script[i].half == half) return;
    lf->script[lf->nscript++] = (struct script){.p = p, .cday = c, .half = half, .late = late, .state = state,
                                                .reason = reason, .comment = comment, .minutes = 10};
    lf->keep[c] = true;
    size_t at = (size_t)p * (size_t)lf->ncday + (size_t)c;
    if (late) {
        lf->late[at] = j;
    } else {
        lf->absent[at] |= (uint8_t)(1 << half);
        lf->episode[at] = (int16_t)c;
    }
}

/* The scripted events of the demo family and of the alert pupil (see
 * above): in the small demo's 4e B, Lucie is pupil 0 and the alert pupil
 * 1; in its CE2, Hugo is pupil 0. */
static void life_scripts(struct life *lf)
{
    const struct class_log *cl = lf->cl;
    const struct demo *d = cl->d;
    bool four_b = cl->c->establishment_id == cl->sec->demo_college_id && !strcmp(cl->c->name, "4e B");
    bool ce2 = cl->c->establishment_id == cl->sec->demo_ecole_id && !strcmp(cl->c->name, "CE2");
    if (ce2) {
        lf->pupil[0].fixed = true;
        if (15 < lf->ncday && life_old(lf, 15))
            for (int h = 0; h < 2; h++) script_add(lf, 0, 15, h, false, ST_JUSTIFIED, REASON_ILLNESS, "Fièvre");
    }
    if (!four_b) return;
    /* Lucie: absent at her class's 4th and 41st marked assessments in
     * class (an 'absent' mark), ill on its 25th day of class, late on its
     * 34th (or the next one she was there), and absent one morning in the
     * last week: the second latest day of class before today (or the
     * latest). */
    lf->pupil[0].fixed = true;
    lf->pupil[0].ability = 1400;
    int nth = 0;
    for (int i = 0; i < lf->nexam; i++) {
        const struct exam *x = &lf->exam[i];
        if (!x->in_class || !x->scale) continue;
        const struct past *pa = &lf->past[x->at];
        if ((nth == 3 || nth == 40) && life_old(lf, pa->cday))
            script_add(lf, 0, pa->cday, pa->half, false, ST_JUSTIFIED, nth == 3 ? REASON_MEDICAL : REASON_ILLNESS,
                       nth == 3 ? "Orthodontiste" : "Fièvre");
        nth++;
    }
    if (24 < lf->ncday && life_old(lf, 24))
        for (int h = 0; h < 2; h++) script_add(lf, 0, 24, h, false, ST_JUSTIFIED, REASON_ILLNESS, "Gastro-entérite");
    for (int c = 33; c < lf->ncday && life_old(lf, c); c++)
        if (!(lf->absent[c] & 1) /* pupil 0: row 0 */ && life_first_lesson(lf, c, 0) >= 0) {
            script_add(lf, 0, c, 0, true, ST_JUSTIFIED, REASON_TRANSPORT, "Bus scolaire en retard");
            break;
        }
    int found = 0, recent = -1;
    for (int c = lf->ncday - 1; c >= 0 && found < 2; c--) {
        if (lf->cdays[c].day >= d->today_idx) continue;
        if (life_old(lf, c)) break;
        if (life_first_lesson(lf, c, 0) < 0) continue;
        recent = c;
        found++;
    }
    if (recent >= 0) script_add(lf, 0, recent, 0, false, ST_UNJUSTIFIED, -1, "");
    /* The alert pupil: absent the latest four half-days of class of the
     * current month before today. */
    int halves = 0;
    for (int c = lf->ncday - 1; c >= 0 && halves < LIFE_ALERT_HALF_DAYS; c--) {
        if (lf->cdays[c].day >= d->today_idx) continue;
        if (strncmp(d->days[lf->cdays[c].day].date, d->today, 7)) break;
        for (int h = 1; h >= 0 && halves < LIFE_ALERT_HALF_DAYS; h--)
            if (life_first_lesson(lf, c, h) >= 0) {
                script_add(lf, 1, c, h, false, ST_UNJUSTIFIED, -1, "");
                halves++;
            }
    }
}

/* The pupils' absences (episodes) and lateness, drawn day of class after
 * day of class (the demo family has only its scripted events). */
static void life_absences(struct life *lf)
{
    const struct class_log *cl = lf->cl;
    int nc = lf->ncday;
    for (int p = 0; p < cl->c->npupils; p++) {
        const struct pupil_life *pl = &lf->pupil[p];
        if (pl->fixed) continue;
        uint8_t *absent = lf->absent + (size_t)p * (size_t)nc;
        int16_t *episode = lf->episode + (size_t)p * (size_t)nc;
        int *late = lf->late + (size_t)p * (size_t)nc;
        /* Episodes: a morning (25 %), an afternoon (15 %), a day (35 %),
         * two days (15 %) or three (10 %): 2.3 half-days on average. */
        uint64_t st = draw((uint64_t)cl->sector, (uint64_t)cl->k, TAG_ABSENCE, (uint64_t)p);
        int start = pl->absence * 5 / 6; /* per mille of days of class */
        for (int c = 0; c < nc; c++) {
            if (absent[c] || rng_range(&st, 0, 999) >= start) continue;
            int r = rng_range(&st, 0, 99), span = r < 75 ? 1 : r < 90 ? 2 : 3;
            int bits = r < 25 ? 1 : r < 40 ? 2 : 3;
            for (int j = c; j < c + span && j < nc; j++) {
                int b = bits & lf->cdays[j].halves;
                if (!b) b = lf->cdays[j].halves & 1;
                absent[j] |= (uint8_t)b;
                episode[j] = (int16_t)c;
            }
        }
        /* Lateness: to the first lesson of a morning (75 %) or afternoon. */
        st = draw((uint64_t)cl->sector, (uint64_t)cl->k, TAG_TARDY, (uint64_t)p);
        for (int c = 0; c < nc; c++) {
            if (rng_range(&st, 0, 999) >= pl->late) continue;
            int half = (lf->cdays[c].halves & 2) && rng_chance(&st, 25) ? 1 : 0;
            if (absent[c] & (1 << half)) continue;
            int j = life_first_lesson(lf, c, half);
            if (j >= 0) late[c] = j;
        }
    }
}

/* A family's justification and the school's decision on an attendance
 * row. */
struct decision {
    int state, reason;              /* reason: index in reason_labels, -1 none */
    const char *comment, *note;
    int64_t justified_by, justified_at, decided_by, decided_at;
};

/* The comment of a justification for reason r. */
static const char *reason_comment(int r, uint64_t *st)
{
    switch (r) {
    case REASON_ILLNESS: return PICK(st, comments_illness);
    case REASON_MEDICAL: return PICK(st, comments_medical);
    case REASON_FAMILY: return PICK(st, comments_family);
    case REASON_TRANSPORT: return PICK(st, comments_transport);
    case REASON_SUMMONS: return PICK(st, comments_summons);
    default: return PICK(st, comments_other);
    }
}

/* The state of pupil p's absence (late: lateness) in half of day of class
 * c, and who justified and decided when. The same for every row of the
 * half-day: keyed by the absence's episode (lateness: by the day), and by
 * the day's age. */
static void life_decide(const struct life *lf, int p, int c, int half, bool late, struct decision *out)
{
    const struct class_log *cl = lf->cl;
    const struct demo *d = cl->d;
    const struct pupil_life *pl = &lf->pupil[p];
    int day = lf->cdays[c].day;
    bool old = life_old(lf, c);
    size_t at = (size_t)p * (size_t)lf->ncday + (size_t)c;
    uint64_t key = late ? 0x100000000ULL + (uint64_t)c * 2 + (uint64_t)half : (uint64_t)lf->episode[at];
    uint64_t st = draw((uint64_t)cl->sector, (uint64_t)cl->k, TAG_JUSTIFY, ((uint64_t)p << 40) ^ key);
    *out = (struct decision){.state = ST_UNJUSTIFIED, .reason = -1, .comment = "", .note = ""};
    const struct script *sc = NULL;
    for (int i = 0; i < lf->nscript && !sc; i++)
        if (lf->script[i].p == p && lf->script[i].cday == c && lf->script[i].half == half &&
            lf->script[i].late == late)
            sc = &lf->script[i];
    int r = rng_range(&st, 0, 99), w = rng_range(&st, 0, 99);
    if (sc) {
        out->state = sc->state;
        out->reason = sc->reason;
        out->comment = sc->comment;
    } else if (late) {
        if (old && r < 25) {
            out->state = ST_JUSTIFIED;
            out->reason = w < 60 ? REASON_TRANSPORT : w < 85 ? REASON_MEDICAL : REASON_FAMILY;
            out->comment =
                out->reason == REASON_TRANSPORT ? PICK(&st, comments_late) : reason_comment(out->reason, &st);
        }
    } else {
        int justified = pl->absence >= 100 ? 65 : 88; /* the often absent justify less */
        if (old) out->state = r < justified ? ST_JUSTIFIED : r < justified + 5 ? ST_REFUSED : ST_UNJUSTIFIED;
        else out->state = r < 40 ? ST_PENDING : ST_UNJUSTIFIED;
        if (out->state == ST_REFUSED) {
            out->reason = rng_chance(&st, 50) ? REASON_FAMILY : REASON_OTHER;
            out->comment = PICK(&st, comments_refused);
            out->note = "Motif non recevable";
        } else if (out->state != ST_UNJUSTIFIED) {
            out->reason = w < 60   ? REASON_ILLNESS
                          : w < 75 ? REASON_MEDICAL
                          : w < 87 ? REASON_FAMILY
                          : w < 92 ? REASON_TRANSPORT
                          : w < 94 ? REASON_SUMMONS
                                   : REASON_OTHER;
            out->comment = reason_comment(out->reason, &st);
        }
    }
    if (out->state == ST_UNJUSTIFIED) return;
    /* The parent justifies the next day (a pending one: the same day,
     * after the half-day, if the next day is still to come). */
    out->justified_by = pl->guardian;
    out->justified_at = day_at(d, day + 1, 8 * 60 + rng_range(&st, 0, 720));
    if (out->state == ST_PENDING && out->justified_at >= d->now)
        out->justified_at = day_at(d, day, (half ? 17 * 60 + 30 : 12 * 60 + 30) + rng_range(&st, 0, 120));
    if (out->justified_at >= d->now || !out->justified_by) {
        *out = (struct decision){.state = ST_UNJUSTIFIED, .reason = -1, .comment = "", .note = ""};
        return;
    }
    if (out->state == ST_PENDING) return;
    /* Decided two days after (or the Monday) by the CPE (an AED about one
     * time in three) or the école's head. */
    const struct est *e = lf->e;
    out->decided_by = e->nstaff > 1 && rng_chance(&st, 30) ? e->staff[rng_range(&st, 1, e->nstaff - 1)] : e->staff[0];
    out->decided_at = day_at(d, weekday_from(d, day + 2), 9 * 60 + rng_range(&st, 0, 480));
}

/* life_write_exams with the establishment's diffusion rules. */
static int life_write_exams_with(struct life *lf, const struct diffusion *dif)
{
    const struct class_log *cl = lf->cl;
    struct demo *d = cl->d;
    const struct est *e = lf->e;
    for (int i = 0; i < lf->nexam; i++) {
        struct exam *x = &lf->exam[i];
        int64_t pupils_at = 0, parents_at = 0;
        if (x->published) diffusion_grades(dif, x->published, 0, &pupils_at, &parents_at);
        const struct past *pa = &lf->past[x->at];
        const char *date = d->days[lf->cdays[pa->cday].day].date;
        const char *const (*periods)[2] = e->ecole ? years[d->year].ecole : years[d->year].college;
        int64_t period = e->period_id[2];
        for (int q = 2; q >= 0; q--)
            if (strcmp(date, periods[q][0]) >= 0 && strcmp(date, periods[q][1]) <= 0) period = e->period_id[q];
        if (store_int(d->s, &x->id,
                      "INSERT INTO assessment (teaching_id, period_id, title, on_date, scale, coefficient, bonus,"
                      " optional, author_id, created_at, updated_at, published_at, pupils_at, parents_at)"
                      " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, $12, $13) RETURNING id",
                      "iittiiiiiiNNN", x->teaching_id, period, x->title, date, (int64_t)x->scale, (int64_t)x->coef,
                      (int64_t)x->bonus, (int64_t)x->optional, x->author_id, x->created, x->published, pupils_at,
                      parents_at) != 1)
            return -1;
        d->assessments++;
        for (int k = 0; k < x->nskill; k++)
            if (store_run(d->s, "INSERT INTO assessment_skill (assessment_id, skill_id) VALUES ($1, $2)", "ii", x->id,
                          e->skill_id[x->skill[k]]) < 0)
                return -1;
        bool eps = !e->ecole && !strcmp(college_subjects[x->subject].code, "EPS");
        for (int p = 0; p < cl->c->npupils; p++) {
            const struct pupil_life *pl = &lf->pupil[p];
            uint64_t st = draw(x->key, (uint64_t)p, TAG_MARK, 0);
            bool away = x->in_class && (lf->absent[(size_t)p * (size_t)lf->ncday + (size_t)pa->cday] & (1 << pa->half));
            const char *special = NULL;
            if (away) special = !pl->fixed && rng_chance(&st, 10) ? "absent_zero" : "absent";
            else if (x->kind == EXAM_DM && rng_range(&st, 0, 999) < 120) special = "not_handed_in";
            else if (rng_range(&st, 0, 999) < (eps ? 40 : 5)) special = "exempt";
            else if (rng_range(&st, 0, 999) < 5) special = "not_graded";
            int base = pl->ability + pl->ease[x->subject];
            if (x->scale > 0) {
                if (special) {
                    if (store_run(d->s,
                                  "INSERT INTO mark (assessment_id, pupil_id, special, entered_at, visible_at, parents_at)"
                                  " VALUES ($1, $2, $3, $4, $5, $6)",
                                  "iitiNN", x->id, pl->id, special, x->created, pupils_at, parents_at) < 0)
                        return -1;
                } else {
                    int on20 = base + x->difficulty + (x->kind == EXAM_DM ? 150 : 0) + rng_range(&st, -250, 250) +
                               rng_range(&st, -250, 250);
                    int v = on20 * x->scale / 20, top = 100 * x->scale;
                    v = v < 0 ? 0 : v > top ? top : v;
                    v = (v + x->step / 2) / x->step * x->step;
                    if (v > top) v = top;
                    if (store_run(d->s,
                                  "INSERT INTO mark (assessment_id, pupil_id, value, entered_at, visible_at, parents_at)"
                                  " VALUES ($1, $2, $3, $4, $5, $6)",
                                  "iiiiNN", x->id, pl->id, (int64_t)v, x->created, pupils_at, parents_at) < 0)
                        return -1;
                }
                d->marks++;
            }
            if (special) continue; /* no skill result without the work */
            for (int k = 0; k < x->nskill; k++) {
                int y = base + rng_range(&st, -350, 350) + rng_range(&st, -350, 350);
                int level = y < 730 ? 1 : y < 1010 ? 2 : y < 1450 ? 3 : 4;
                if (store_run(d->s,
                              "INSERT INTO skill_result (assessment_id, skill_id, pupil_id, level, entered_at)"
                              " VALUES ($1, $2, $3, $4, $5)",
                              "iiiii", x->id, e->skill_id[x->skill[k]], pl->id, (int64_t)level, x->created) < 0)
                    return -1;
                d->skill_results++;
            }
        }
    }
    return 0;
}

/* Write the class's assessments, their skills, the marks (visible to the
 * pupils and to their parents from the moments the diffusion policy gives
 * for the assessment's publication, as the grades module does) and the
 * skill results. 0 or -1. */
static int life_write_exams(struct life *lf)
{
    struct arena a;
    arena_init(&a);
    int rc = life_write_exams_with(lf, diffusion_load(lf->cl->d->s, &a, lf->e->id));
    arena_free(&a);
    return rc;
}

/* Write pupil p's attendance alert of the month counted, if it reached
 * LIFE_ALERT_HALF_DAYS; seen the next morning by the CPE (or head) when
 * the month is over. 0 or -1. */
static int alert_flush(struct life *lf, int p)
{
    struct demo *d = lf->cl->d;
    struct pupil_life *pl = &lf->pupil[p];
    if (pl->count >= LIFE_ALERT_HALF_DAYS) {
        int64_t seen_at = 0, seen_by = 0;
        if (strncmp(pl->month, d->today, 7) < 0) {
            char date[11];
            clock_date(pl->reached_at, date);
            int day = day_index(d, date);
            seen_at = day >= 0 ? day_at(d, weekday_from(d, day + 1), 9 * 60 + (int)(pl->reached_at / 60 % 120)) : 0;
            if (seen_at >= d->now) seen_at = 0;
            seen_by = seen_at ? lf->e->staff[0] : 0;
        }
        if (store_run(d->s,
                      "INSERT INTO attendance_alert (pupil_id, establishment_id, month, half_days, created_at, seen_by,"
                      " seen_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                      "iitiiNN", pl->id, lf->e->id, pl->month, (int64_t)pl->count, pl->reached_at, seen_by,
                      seen_at) < 0)
            return -1;
        d->alerts++;
    }
    pl->count = 0;
    pl->reached_at = 0;
    return 0;
}

/* One attendance row of pupil p in past lesson j (its roll call done);
 * counts the half-days of absence for the alert. 0 or -1. */
static int attendance_add(struct life *lf, int p, int j, bool late)
{
    const struct class_log *cl = lf->cl;
    struct demo *d = cl->d;
    struct pupil_life *pl = &lf->pupil[p];
    const struct past *pa = &lf->past[j];
    const struct lesson *l = past_lesson(lf, j);
    const char *date = d->days[lf->cdays[pa->cday].day].date;
    int64_t at = pa->start + 5 * 60 < d->now ? pa->start + 5 * 60 : d->now;
    struct decision dec;
    life_decide(lf, p, pa->cday, pa->half, late, &dec);
    int minutes = 0;
    if (late) {
        uint64_t st = draw((uint64_t)cl->sector, (uint64_t)cl->k, TAG_TARDY + 1, ((uint64_t)p << 32) ^ (uint64_t)j);
        minutes = rng_chance(&st, 75) ? rng_range(&st, 2, 10) : rng_range(&st, 11, 25);
        for (int i = 0; i < lf->nscript; i++)
            if (lf->script[i].p == p && lf->script[i].late && lf->script[i].cday == pa->cday)
                minutes = lf->script[i].minutes;
    }
    int64_t id = 0;
    if (store_int(d->s, &id,
                  "INSERT INTO attendance (pupil_id, establishment_id, roll_call_id, on_date, half, starts_at, kind,"
                  " minutes, state, reason_id, comment, justified_by, justified_at, decided_by, decided_at,"
                  " decision_note, created_by, created_at)"
                  " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"
                  " RETURNING id",
                  "iiittttitNtNNNNtii", pl->id, lf->e->id, pa->rc_id, date, pa->half ? "pm" : "am",
                  lf->times[l->period][0], late ? "late" : "absence", (int64_t)minutes, state_names[dec.state],
                  dec.reason >= 0 ? lf->e->reason_id[dec.reason] : (int64_t)0, dec.comment, dec.justified_by,
                  dec.justified_at, dec.decided_by, dec.decided_at, dec.note, pa->by, at) != 1)
        return -1;
    if (late) {
        d->lates++;
        return 0;
    }
    d->absences++;
    int half_day = pa->cday * 2 + pa->half;
    if (pl->last_half == half_day) return 0; /* counted at its first lesson */
    pl->last_half = half_day;
    if (dec.state == ST_JUSTIFIED) return 0;
    if (strncmp(pl->month, date, 7)) {
        if (alert_flush(lf, p) < 0) return -1;
        snprintf(pl->month, sizeof pl->month, "%.7s", date);
    }
    if (++pl->count == LIFE_ALERT_HALF_DAYS) pl->reached_at = at;
    return 0;
}

/* Write the roll calls of the lessons that started (but the forgotten
 * ones), the absences and lateness, and the attendance alerts. 0 or -1. */
static int life_write_attendance(struct life *lf)
{
    const struct class_log *cl = lf->cl;
    struct demo *d = cl->d;
    int nc = lf->ncday;
    for (int j = 0; j < lf->npast; j++) {
        struct past *pa = &lf->past[j];
        const struct occ *o = &cl->occ[pa->occ];
        const struct lesson *l = past_lesson(lf, j);
        uint64_t h =
            draw((uint64_t)cl->sector, (uint64_t)cl->k, TAG_ROLL, ((uint64_t)o->day << 20) | (uint64_t)o->lesson);
        if (!lf->keep[pa->cday] && h % 1000 < LIFE_FORGOTTEN) continue;
        int64_t at = pa->start + 5 * 60 < d->now ? pa->start + 5 * 60 : d->now;
        if (store_int(d->s, &pa->rc_id,
                      "INSERT INTO roll_call (teaching_id, slot_id, on_date, done_by, done_at, updated_at)"
                      " VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
                      "iNtii", lesson_teach(cl, l)->id, d->year ? l->slot_next : l->slot_id, d->days[o->day].date,
                      pa->by, at) != 1)
            return -1;
        d->roll_calls++;
        for (int p = 0; p < cl->c->npupils; p++) {
            size_t i = (size_t)p * (size_t)nc + (size_t)pa->cday;
            bool absent = lf->absent[i] & (1 << pa->half);
            if ((absent || lf->late[i] == j) && attendance_add(lf, p, j, !absent) < 0) return -1;
        }
    }
    for (int p = 0; p < cl->c->npupils; p++)
        if (alert_flush(lf, p) < 0) return -1;
    return 0;
}

/* Grades, skills and attendance of the class of the class log being
 * generated (its occurrences built): see above. 0 or -1. */
static int class_school_life(struct class_log *cl)
{
    struct life *lf = calloc(1, sizeof *lf);
    if (!lf) return -1;
    lf->cl = cl;
    lf->e = &cl->sec->est[cl->c->est];
    int rc = -1;
    if (life_lessons(lf) < 0) goto out;
    size_t n = (size_t)cl->c->npupils * (size_t)lf->ncday + 1;
    lf->absent = calloc(n, sizeof *lf->absent);
    lf->episode = calloc(n, sizeof *lf->episode);
    lf->late = malloc(n * sizeof *lf->late);
    lf->keep = calloc((size_t)lf->ncday + 1, sizeof *lf->keep);
    if (!lf->absent || !lf->episode || !lf->late || !lf->keep) goto out;
    for (size_t i = 0; i < n; i++) lf->late[i] = -1;
    life_pupils(lf);
    if (life_exams(lf) < 0) goto out;
    life_scripts(lf);
    life_absences(lf);
    if (life_write_exams(lf) < 0 || life_write_attendance(lf) < 0) goto out;
    rc = 0;
out:
    free(lf->past);
    free(lf->cdays);
    free(lf->absent);
    free(lf->episode);
    free(lf->late);
    free(lf->keep);
    free(lf->exam);
    free(lf);
    return rc;
}

/* The class log and homework, the grades and the attendance of every class
 * of the sector. 0 or -1. */
static int sector_log(struct demo *d, struct sector *sec, int index)
{
    if (!d->ndays) return 0;
    int hw_to = d->today_idx + LOG_AHEAD_DAYS < d->ndays - 1 ? d->today_idx + LOG_AHEAD_DAYS : d->ndays - 1;
    if (hw_to < 0) return 0; /* before the year's first week */
    int last = hw_to + LOG_DUE_WITHIN < d->ndays - 1 ? hw_to + LOG_DUE_WITHIN : d->ndays - 1;
    int64_t est_id[8] = {0}; /* a sector has a collège and up to three écoles */
    uint8_t *est_wk[8] = {NULL};
    int nest = 0, cap = 0, rc = -1;
    struct class_log cl = {.d = d, .sec = sec, .sector = index, .from = 0, .hw_to = hw_to};
    cl.log_to = d->today_idx - 1 < d->ndays - 1 ? d->today_idx - 1 : d->ndays - 1;
    for (int k = 0; k < sec->nclasses; k++) {
        cl.k = k;
        cl.c = &sec->classes[k];
        const uint8_t *wk = NULL;
        for (int e = 0; e < nest && !wk; e++)
            if (est_id[e] == cl.c->establishment_id) wk = est_wk[e];
        if (!wk) {
            if (nest == COUNT(est_id) || !(est_wk[nest] = school_weeks(d, cl.c->establishment_id))) goto out;
            est_id[nest] = cl.c->establishment_id;
            wk = est_wk[nest++];
        }
        if (occ_build(&cl, wk, last, &cap) < 0 || class_log_entries(&cl) < 0 ||
            (cl.c->level < LEVEL_6E ? ecole_homework(&cl) : college_homework(&cl)) < 0 ||
            class_school_life(&cl) < 0)
            goto out;
    }
    rc = 0;
out:
    for (int e = 0; e < nest; e++) free(est_wk[e]);
    free(cl.occ);
    if (cl.disco) arena_free(&cl.disco_arena);
    return rc;
}

/* ---- Messaging ---------------------------------------------------------- */

/* Every establishment gets a school year of messages up to now (S-MESSAGES),
 * within the default communication policy:
 * - parents write to their child's teachers (most threads with 1 to 3
 *   replies), teachers to parents, collège pupils to their teachers, parents
 *   to school life (the CPE or an AED; the director of an école) and now
 *   and then to the head of a collège or the deputy;
 * - teachers and school life or the head write to each other about a pupil
 *   or a class (in an école, the teachers and the director);
 * - teachers (a few times a year, école teachers more often) and school
 *   life write to the parents of a class: a broadcast, stored as one private
 *   thread per parent (every parent of the demo receives the school's mail)
 *   grouped by broadcast_id, the first thread's id; some parents answer, and
 *   the sender sometimes answers back.
 * The rates are per pupil and per person for the whole school year (the
 * MAIL_* constants); what happens is drawn for the whole year, independently
 * of the clock, and only the messages written before now are stored (a
 * conversation stops at its first message still to come). The demo family
 * writes MAIL_DEMO_FACTOR times as often, so that parent.demo and eleve.demo
 * have an inbox to look at. Every message is written on a school day
 * between 07:00 and 19:55, outside the quiet periods of the right to
 * disconnect (R-DISCO), and sent: state 'sent', visible from the moment it
 * was written. Its author has read the thread up to it. A recipient has
 * read a message written more than MAIL_UNREAD_DAYS ago almost surely, a
 * recent one about every other time (reading in order); a few read threads
 * older than MAIL_ARCHIVE_DAYS are archived. Texts come from the template
 * lists below, with the names of the people, the pupil, the class and the
 * subject filled in. At scale 60 with the 2026-03-10 clock: 640 000 threads
 * (537 000 of them from 11 000 messages to the parents of a class) and
 * 811 000 messages; a collège teacher has 140 threads on average, an école
 * teacher 200, a parent 9, a CPE 280; about 10 % more generation time. */

#define MAIL_MAX_MSGS 4             /* messages of a conversation: an opening and up to three replies */
#define MAIL_TEXT_CAP 1200          /* bytes of a message once filled in */
#define MAIL_UNREAD_DAYS 7          /* messages of the last week are read about every other time */
#define MAIL_ARCHIVE_DAYS 30        /* threads quiet for a month may be archived */
#define MAIL_TEACHERS_MAX 192       /* distinct teachers of a sector */
#define MAIL_LIST_MAX (2 * CLASS_MAX_SEATS) /* parents of a class */
#define MAIL_SUBJECT_CAP 256        /* bytes of a subject once filled in */
#define MAIL_DAY_FROM (7 * 60)      /* messages are written on school days from 07:00… */
#define MAIL_DAY_TO (19 * 60 + 55)  /* …to 19:55, outside the quiet periods of R-DISCO */

/* Rates per pupil per school year, in hundredths (binomial draws). */
#define MAIL_PARENT_TEACHER 150     /* collège: a parent writes to a teacher of the class */
#define MAIL_PARENT_TEACHER_ECOLE 140
#define MAIL_TEACHER_PARENT 40      /* a teacher writes to a parent */
#define MAIL_PUPIL_TEACHER 60       /* collège: a pupil asks a teacher */
#define MAIL_PARENT_LIFE 35         /* collège: a parent writes to school life */
#define MAIL_PARENT_HEAD_ECOLE 15   /* école: a parent writes to the director */
#define MAIL_PARENT_HEAD 8          /* collège: a parent writes to the head or the deputy */
#define MAIL_DEMO_FACTOR 5          /* the demo family writes this many times more */

/* Who writes: decides the hours of their messages and how they greet
 * (teachers and school life call each other by their first names; the head
 * of a collège stays formal). */
enum { AS_PARENT, AS_PUPIL, AS_TEACHER, AS_STAFF, AS_HEAD };

/* A conversation: its subject and its messages in turn, the opener's then
 * the other's (NULL: it stops there). Placeholders: {A} the greeting of the
 * addressee ("Madame", "Monsieur", a first name), {S} the author's
 * signature, {E} the pupil's first name, {C} the class, {M} the subject
 * ("mathématiques"), {D} "de mathématiques" / "d'anglais", {d} "de " or "d'"
 * before the pupil's first name, {I} / {J}
 * "il" / "Il" or "elle" / "Elle" for the pupil, {L} "le" / "la", {F} "ma
 * fille" / "mon fils", {e} "e" when the pupil is a girl, {g} "e" when the
 * author is a woman. morning: the opener writes early in the morning (it
 * speaks of "ce matin"). */
struct convo {
    const char *subject, *msg[MAIL_MAX_MSGS];
    bool morning;
};

static const struct convo parent_teacher_college[] = {
    {"Travail à faire pour le prochain cours",
     {"Bonjour {A},\n\n{E} n'a pas noté le travail à faire pour le prochain cours {D} et ne le retrouve pas dans le"
      " cahier de textes. Pourriez-vous nous l'indiquer ?\n\nMerci d'avance,\n{S}",
      "Bonjour {A},\n\nIl s'agit de terminer les exercices commencés en classe ; je viens de compléter le cahier de"
      " textes.\n\nCordialement,\n{S}",
      "Merci beaucoup, c'est noté.\n\n{S}", "Je vous en prie, bonne soirée.\n\n{S}"}},
    {"Absence {d}{E} au prochain cours",
     {"Bonjour {A},\n\n{E} a un rendez-vous médical et manquera le prochain cours {D}. Comment peut-{I} rattraper la"
      " séance ?\n\nBien cordialement,\n{S}",
      "Bonjour {A},\n\nMerci pour votre message. Le contenu de la séance sera dans le cahier de textes ; {E} pourra"
      " emprunter le cahier d'un camarade et me poser ses questions au cours suivant.\n\nCordialement,\n{S}",
      "Parfait, merci pour votre aide.\n\n{S}", NULL}},
    {"Difficultés en {M}",
     {"Bonjour {A},\n\n{E} nous dit avoir du mal à suivre en {M} depuis quelques semaines et se décourage un peu."
      " Auriez-vous des conseils pour l'aider à la maison ?\n\nCordialement,\n{S}",
      "Bonjour {A},\n\nMerci de votre message. {J} participe bien mais manque de méthode dans les exercices : refaire"
      " les exemples du cours avant de s'y mettre l'aiderait beaucoup. {J} peut aussi venir à l'aide aux devoirs du"
      " jeudi midi.\n\nBien cordialement,\n{S}",
      "Merci pour ces conseils, nous allons nous y mettre. Je l'inscris à l'aide aux devoirs.\n\n{S}",
      "Très bien. N'hésitez pas à revenir vers moi dans quelques semaines pour faire le point.\n\n{S}"}},
    {"Note du dernier contrôle",
     {"Bonjour {A},\n\nNous avons vu la note {d}{E} au dernier contrôle {D}. {J} pensait avoir bien réussi :"
      " pourriez-vous nous dire ce qui n'allait pas ?\n\nMerci,\n{S}",
      "Bonjour {A},\n\nLes connaissances sont là, mais plusieurs réponses ne sont pas justifiées, et c'est ce qui a"
      " coûté des points. J'ai annoté la copie : {E} peut venir m'en parler à la fin d'un cours.\n\nCordialement,\n{S}",
      "Merci pour ces explications, nous allons regarder la copie avec {F}.\n\n{S}", NULL}},
    {"Cahier oublié en classe",
     {"Bonjour {A},\n\n{E} a oublié son cahier dans la salle à la fin du dernier cours {D}. L'auriez-vous"
      " retrouvé ?\n\nBonne journée,\n{S}",
      "Bonjour {A},\n\nOui, je l'ai mis de côté ; {E} pourra le récupérer au prochain cours.\n\n{S}",
      "Merci beaucoup !\n\n{S}", NULL}},
    {"Demande de rendez-vous",
     {"Bonjour {A},\n\nNous souhaiterions vous rencontrer pour parler du travail {d}{E} en {M}. Quels seraient vos"
      " créneaux dans les prochaines semaines ?\n\nCordialement,\n{S}",
      "Bonjour {A},\n\nVolontiers. Je peux vous recevoir le mardi à 17 h ou le jeudi à 12 h 30, au collège. Dites-moi"
      " ce qui vous convient.\n\nBien cordialement,\n{S}",
      "Le jeudi à 12 h 30 nous convient très bien. Merci !\n\n{S}", "C'est noté, je vous attendrai à l'accueil.\n\n{S}"}},
    {"Exposé {d}{E}",
     {"Bonjour {A},\n\n{E} prépare son exposé et se demande s'il peut être fait à deux et combien de temps il doit"
      " durer. Merci de nous éclairer.\n\n{S}",
      "Bonjour {A},\n\nL'exposé est individuel et dure cinq minutes environ, suivies de quelques questions. Les"
      " consignes sont dans le cahier de textes.\n\nCordialement,\n{S}",
      "Merci, je transmets à {F}.\n\n{S}", NULL}},
    {"Orientation {d}{E}",
     {"Bonjour {A},\n\n{E} hésite sur ses choix pour l'an prochain et vous cite souvent. Pensez-vous qu'{I} ait le"
      " niveau pour continuer dans cette voie ?\n\nCordialement,\n{S}",
      "Bonjour {A},\n\nOui, le travail est régulier et les résultats suivent. Nous pourrons en reparler au conseil de"
      " classe ; la psychologue de l'Éducation nationale reçoit aussi sur rendez-vous.\n\nBien cordialement,\n{S}",
      "Merci, cela nous rassure.\n\n{S}", NULL}},
};

static const struct convo parent_teacher_ecole[] = {
    {"Absence {d}{E}",
     {"Bonjour {A},\n\n{E} a de la fièvre ce matin et restera à la maison aujourd'hui. Pourriez-vous me dire ce"
      " qu'{I} devra rattraper ?\n\nMerci,\n{S}",
      "Bonjour {A},\n\nMerci de m'avoir prévenu{g}. Je mettrai les fiches du jour dans son cartable ; rien d'urgent,"
      " {I} rattrapera en classe. Bon rétablissement à {E} !\n\n{S}",
      "Merci beaucoup.\n\n{S}", NULL}, true},
    {"Lunettes oubliées",
     {"Bonjour {A},\n\n{E} a oublié ses lunettes en classe hier. Pourriez-vous les mettre dans son cartable ?\n\nMerci"
      " d'avance,\n{S}",
      "Bonjour {A},\n\nC'est fait, elles sont dans la trousse {d}{E}.\n\nBonne journée,\n{S}", NULL, NULL}},
    {"Sortie avant la fin de la classe",
     {"Bonjour {A},\n\n{E} a rendez-vous chez l'orthophoniste demain : je viendrai {L} chercher à 15 h 30 au"
      " portail.\n\nCordialement,\n{S}",
      "Bonjour {A},\n\nC'est noté. Pensez à signer la décharge à l'accueil.\n\nCordialement,\n{S}",
      "Merci, ce sera fait.\n\n{S}", NULL}},
    {"Lecture du soir",
     {"Bonjour {A},\n\n{E} trouve le livre de lecture difficile et se décourage le soir. Faut-il lire tout le chapitre"
      " chaque jour ?\n\n{S}",
      "Bonjour {A},\n\nNon, une ou deux pages lues à voix haute suffisent ; l'important est que ce soit régulier et"
      " sans bataille. Vous pouvez aussi lire un paragraphe sur deux avec {E}.\n\nBien cordialement,\n{S}",
      "Merci, nous allons essayer comme ça.\n\n{S}", "Très bien, tenez-moi au courant.\n\n{S}"}},
    {"Cantine",
     {"Bonjour {A},\n\n{E} ne mangera pas à la cantine mardi prochain : je {L} récupère à midi.\n\nMerci,\n{S}",
      "Bonjour {A},\n\nC'est noté, je préviens le service de restauration.\n\n{S}", NULL, NULL}},
    {"Faire le point sur {E}",
     {"Bonjour {A},\n\nPourrions-nous nous voir quelques minutes pour faire le point sur {E} ? {J} semble fatigué{e}"
      " en ce moment.\n\nCordialement,\n{S}",
      "Bonjour {A},\n\nBien sûr. Je suis disponible lundi ou jeudi à 16 h 45, après la classe.\n\n{S}",
      "Jeudi 16 h 45, parfait. Merci !\n\n{S}", "À jeudi.\n\n{S}"}},
    {"Mot dans le cahier de liaison",
     {"Bonjour {A},\n\nJ'ai bien signé le mot du cahier de liaison, mais {E} l'a oublié à la maison ce matin. Je vous"
      " confirme ici notre accord.\n\n{S}",
      "Bonjour {A},\n\nMerci, c'est noté.\n\n{S}", NULL, NULL}},
};

static const struct convo teacher_parent_college[] = {
    {"Travail {d}{E} en {M}",
     {"Bonjour {A},\n\nJe me permets de vous écrire car {E} ne rend plus ses devoirs {D} depuis trois semaines."
      " Pourriez-vous en parler ensemble à la maison ?\n\nCordialement,\n{S}",
      "Bonjour {A},\n\nMerci de nous prévenir, nous n'étions pas au courant. Nous allons vérifier son travail chaque"
      " soir.\n\n{S}",
      "Merci pour votre réactivité. Je vous tiens au courant.\n\n{S}", NULL}},
    {"Bavardages en cours",
     {"Bonjour {A},\n\n{E} bavarde beaucoup en cours {D} depuis quelques séances, ce qui gêne son travail et celui de"
      " ses voisins. Je compte sur vous pour lui en parler.\n\nCordialement,\n{S}",
      "Bonjour {A},\n\nMerci pour votre message, nous lui en avons parlé ce soir. {J} s'engage à faire des"
      " efforts.\n\n{S}",
      "Merci. Je constate déjà une amélioration.\n\n{S}", NULL}},
    {"De beaux progrès",
     {"Bonjour {A},\n\nJe tenais à vous dire que {E} fait de très beaux progrès en {M} ce trimestre : participation,"
      " sérieux et résultats. Vous pouvez {L} féliciter !\n\nBien cordialement,\n{S}",
      "Bonjour {A},\n\nMerci beaucoup pour ce message, cela {L} motive énormément.\n\n{S}", NULL, NULL}},
    {"Matériel oublié",
     {"Bonjour {A},\n\n{E} oublie régulièrement son matériel en cours {D}. Pourriez-vous vérifier son cartable la"
      " veille du cours ?\n\nCordialement,\n{S}",
      "Bonjour {A},\n\nC'est noté, nous y veillerons. Merci.\n\n{S}", NULL, NULL}},
    {"Devoir maison non rendu",
     {"Bonjour {A},\n\n{E} n'a pas rendu le devoir maison {D} prévu cette semaine. Je lui laisse jusqu'au prochain"
      " cours pour me le remettre.\n\nCordialement,\n{S}",
      "Bonjour {A},\n\n{J} l'avait commencé mais l'a oublié à la maison. {J} vous le rendra au prochain cours.\n\n{S}",
      "Très bien, merci.\n\n{S}", NULL}},
    {"Contrôle à rattraper",
     {"Bonjour {A},\n\n{E} était absent{e} lors du dernier contrôle {D}. {J} le rattrapera la semaine prochaine,"
      " pendant l'heure d'étude du jeudi.\n\nCordialement,\n{S}",
      "Bonjour {A},\n\nMerci, {I} sera présent{e}.\n\n{S}", NULL, NULL}},
};

static const struct convo teacher_parent_ecole[] = {
    {"Fatigue {d}{E}",
     {"Bonjour {A},\n\n{E} semble très fatigué{e} en classe ces derniers jours et a du mal à se concentrer l'après-midi."
      " Avez-vous remarqué quelque chose à la maison ?\n\nCordialement,\n{S}",
      "Bonjour {A},\n\nMerci de nous le signaler. {J} se couche un peu tard en ce moment ; nous allons y"
      " veiller.\n\n{S}",
      "Merci, je vous tiens au courant.\n\n{S}", NULL}},
    {"Progrès en lecture",
     {"Bonjour {A},\n\nUn petit mot pour vous dire que {E} a fait de beaux progrès en lecture : {I} lit maintenant avec"
      " plaisir devant la classe. Bravo pour votre accompagnement à la maison !\n\n{S}",
      "Merci beaucoup pour ce message, {E} en est très content{e}.\n\n{S}", NULL, NULL}},
    {"Affaires de sport",
     {"Bonjour {A},\n\n{E} n'avait pas ses affaires de sport pour la séance au gymnase. Pensez à les mettre dans son"
      " sac les jours d'EPS.\n\nMerci,\n{S}",
      "Bonjour {A},\n\nDésolés pour l'oubli, ce sera fait.\n\n{S}", NULL, NULL}},
    {"Petit incident à la récréation",
     {"Bonjour {A},\n\n{E} s'est cogné{e} le genou à la récréation aujourd'hui. Rien de grave : la plaie a été nettoyée"
      " et {I} a pu reprendre la classe normalement.\n\nBien cordialement,\n{S}",
      "Bonjour {A},\n\nMerci de nous avoir prévenus. {J} nous en a parlé ce soir, tout va bien.\n\n{S}", NULL, NULL}},
    {"Évaluations à signer",
     {"Bonjour {A},\n\nLes évaluations de la période sont dans le cahier {d}{E} : merci de les signer et de les"
      " rapporter cette semaine.\n\n{S}",
      "Bonjour {A},\n\nC'est fait, elles sont dans son cartable.\n\n{S}", "Merci !\n\n{S}", NULL}},
};

static const struct convo pupil_teacher[] = {
    {"Question sur l'exercice",
     {"Bonjour {A},\n\nJe n'arrive pas à faire l'exercice pour le prochain cours, je ne comprends pas la consigne."
      " Est-ce qu'il faut rédiger ou juste donner le résultat ?\n\n{S}",
      "Bonjour {A},\n\nIl faut rédiger : explique chaque étape en une phrase, comme dans l'exemple du cours. Essaie,"
      " et nous corrigerons ensemble.\n\n{S}",
      "D'accord, merci !\n\n{S}", NULL}},
    {"Date du contrôle",
     {"Bonjour {A},\n\nEst-ce que le contrôle {D} est bien la semaine prochaine ? Et sur quels chapitres ?\n\nMerci,\n{S}",
      "Bonjour {A},\n\nOui, sur les deux derniers chapitres ; la liste des notions à revoir est dans le cahier de"
      " textes.\n\n{S}",
      "Merci beaucoup.\n\n{S}", NULL}},
    {"Cours manqué",
     {"Bonjour {A},\n\nJ'étais absent{e} au dernier cours. Qu'est-ce que je dois rattraper ?\n\n{S}",
      "Bonjour {A},\n\nTout est dans le cahier de textes. Recopie la leçon et fais les exercices ; viens me voir si"
      " quelque chose n'est pas clair.\n\n{S}",
      "Merci, je m'y mets ce soir.\n\n{S}", NULL}},
    {"Support pour l'exposé",
     {"Bonjour {A},\n\nPour l'exposé, est-ce qu'on peut utiliser un diaporama ou seulement des affiches ?\n\n{S}",
      "Bonjour {A},\n\nLes deux sont possibles ; pense à prévoir une clé USB et à tester ton fichier avant.\n\n{S}",
      "Super, merci !\n\n{S}", NULL}},
    {"Manuel oublié",
     {"Bonjour {A},\n\nJ'ai oublié mon manuel dans la salle après le cours. Est-ce que vous l'avez vu ?\n\n{S}",
      "Bonjour {A},\n\nOui, il est sur mon bureau, passe le chercher au prochain cours.\n\n{S}", NULL, NULL}},
    {"Devoir à rendre",
     {"Bonjour {A},\n\nJe n'ai pas pu imprimer mon devoir. Est-ce que je peux le rendre écrit à la main ?\n\n{S}",
      "Bonjour {A},\n\nÉcrit à la main, c'est très bien. Rends-le au début du prochain cours.\n\n{S}",
      "D'accord, merci.\n\n{S}", NULL}},
};

static const struct convo parent_life[] = {
    {"Absence {d}{E}",
     {"Bonjour {A},\n\n{E} est malade et ne viendra pas au collège aujourd'hui. Je justifierai l'absence dans Carnet"
      " dès que possible.\n\nCordialement,\n{S}",
      "Bonjour {A},\n\nMerci de nous avoir prévenus. Bon rétablissement à {E}.\n\n{S}", NULL, NULL}, true},
    {"Retard {d}{E} ce matin",
     {"Bonjour {A},\n\n{E} arrivera en retard ce matin : le car scolaire n'est pas passé. Merci de votre"
      " compréhension.\n\n{S}",
      "Bonjour {A},\n\nC'est noté, {I} passera par la vie scolaire en arrivant.\n\n{S}", NULL, NULL}, true},
    {"Carte de cantine perdue",
     {"Bonjour {A},\n\n{E} a perdu sa carte de cantine. Comment faire pour en obtenir une nouvelle ?\n\nMerci,\n{S}",
      "Bonjour {A},\n\n{J} peut passer au bureau de la vie scolaire : une carte provisoire lui sera remise en"
      " attendant la nouvelle.\n\nCordialement,\n{S}",
      "Merci pour ces informations.\n\n{S}", NULL}},
    {"Problème avec des camarades",
     {"Bonjour {A},\n\n{E} nous dit être embêté{e} par des élèves pendant les récréations depuis quelque temps."
      " Pourrions-nous en parler ?\n\nCordialement,\n{S}",
      "Bonjour {A},\n\nMerci de nous avoir alertés. Je reçois {E} demain pour l'écouter, puis je vous appelle pour"
      " faire le point.\n\nBien cordialement,\n{S}",
      "Merci beaucoup pour votre réactivité.\n\n{S}", "Je vous appelle demain en fin de journée.\n\n{S}"}},
    {"Dispense d'EPS",
     {"Bonjour {A},\n\n{E} s'est foulé la cheville et a un certificat de dispense d'EPS de trois semaines. À qui"
      " dois-je le remettre ?\n\n{S}",
      "Bonjour {A},\n\nVous pouvez le joindre à la justification dans Carnet ou le déposer à la vie scolaire ; nous"
      " prévenons le professeur d'EPS.\n\nCordialement,\n{S}",
      "Merci, je le joins dans Carnet.\n\n{S}", NULL}},
    {"Sortie exceptionnelle",
     {"Bonjour {A},\n\nJ'autorise {E} à quitter le collège à 15 h demain pour un rendez-vous chez le"
      " dentiste.\n\nCordialement,\n{S}",
      "Bonjour {A},\n\nC'est noté, merci.\n\n{S}", NULL, NULL}},
};

static const struct convo parent_head_ecole[] = {
    {"Garderie du soir",
     {"Bonjour {A},\n\nEst-il encore possible d'inscrire {E} à la garderie du soir à partir du mois prochain"
      " ?\n\nCordialement,\n{S}",
      "Bonjour {A},\n\nOui : la garderie dépend de la mairie, le formulaire est à déposer à l'accueil périscolaire. Je"
      " préviens l'équipe.\n\nBien cordialement,\n{S}",
      "Merci beaucoup.\n\n{S}", NULL}},
    {"Certificat de scolarité",
     {"Bonjour {A},\n\nPourriez-vous me fournir un certificat de scolarité pour {E} ? La CAF me le demande.\n\nMerci,\n{S}",
      "Bonjour {A},\n\nJe le glisse dans le cahier de liaison {d}{E} demain.\n\n{S}", "Merci !\n\n{S}", NULL}},
    {"Sécurité à la sortie de l'école",
     {"Bonjour {A},\n\nDes voitures se garent régulièrement devant le portail à l'heure de la sortie. Serait-il"
      " possible d'en parler à la mairie ?\n\nCordialement,\n{S}",
      "Bonjour {A},\n\nMerci de votre message ; j'ai transmis à la mairie, et la police municipale passera aux heures"
      " de sortie.\n\nBien cordialement,\n{S}",
      NULL, NULL}},
    {"Absence avant les vacances",
     {"Bonjour {A},\n\nPour raisons familiales, {E} sera absent{e} les deux derniers jours avant les vacances. Comment"
      " dois-je procéder ?\n\nCordialement,\n{S}",
      "Bonjour {A},\n\nMerci de justifier l'absence dans Carnet ; je fais le lien avec la classe.\n\n{S}", NULL, NULL}},
};

static const struct convo parent_head_college[] = {
    {"Demande de rendez-vous",
     {"Bonjour {A},\n\nNous souhaiterions vous rencontrer au sujet de la scolarité {d}{E}, en {C}. Quelles seraient vos"
      " disponibilités ?\n\nCordialement,\n{S}",
      "Bonjour {A},\n\nJe peux vous recevoir mardi prochain à 17 h 30 ; le secrétariat vous confirmera l'horaire.\n\nBien"
      " cordialement,\n{S}",
      "Mardi 17 h 30 nous convient, merci.\n\n{S}", NULL}},
    {"Changement de classe",
     {"Bonjour {A},\n\n{E} ne se sent pas bien dans sa classe depuis la rentrée. Un changement de classe serait-il"
      " envisageable ?\n\nCordialement,\n{S}",
      "Bonjour {A},\n\nJe comprends votre inquiétude. Je demande d'abord à la CPE de recevoir {E}, puis nous en"
      " reparlerons ensemble.\n\nBien cordialement,\n{S}",
      NULL, NULL}},
    {"Transport scolaire",
     {"Bonjour {A},\n\nLe car du matin arrive régulièrement après la sonnerie, et {E} est noté{e} en retard. Le collège"
      " peut-il intervenir auprès du transporteur ?\n\nCordialement,\n{S}",
      "Bonjour {A},\n\nMerci pour ce signalement : j'ai écrit au service des transports du département. Les retards"
      " dus au car ne seront pas comptés.\n\nBien cordialement,\n{S}",
      "Merci beaucoup.\n\n{S}", NULL}},
    {"Voyage scolaire",
     {"Bonjour {A},\n\nLe voyage prévu pour la classe de {C} représente une somme importante pour nous. Une aide est-elle"
      " possible ?\n\nCordialement,\n{S}",
      "Bonjour {A},\n\nOui : le fonds social collégien peut prendre en charge une partie du coût. Le dossier est à"
      " retirer au secrétariat ; il reste confidentiel.\n\nBien cordialement,\n{S}",
      "Merci, je passe le chercher cette semaine.\n\n{S}", NULL}},
};

/* A teacher to school life about a pupil ({E}, {C}) they teach. */
static const struct convo teacher_life[] = {
    {"Comportement {d}{E} ({C})",
     {"Bonjour {A},\n\n{E} a de nouveau perturbé le cours {D} aujourd'hui malgré plusieurs avertissements. Pourriez-vous"
      " {L} recevoir ? Un mot est dans son carnet.\n\nMerci,\n{S}",
      "Bonjour {A},\n\nJe {L} vois demain à la première récréation et je préviens la famille.\n\n{S}",
      "Merci beaucoup.\n\n{S}", NULL}},
    {"Retards répétés en {C}",
     {"Bonjour {A},\n\n{E} ({C}) arrive en retard à mon cours presque chaque semaine. Les retards sont notés à l'appel ;"
      " pourriez-vous voir avec la famille ?\n\nBonne journée,\n{S}",
      "Bonjour {A},\n\nC'est noté : j'appelle la famille aujourd'hui et je vous tiens au courant.\n\n{S}", NULL, NULL}},
    {"Élève à l'infirmerie",
     {"Bonjour {A},\n\n{E} ({C}) se sentait mal en cours aujourd'hui ; je l'ai envoyé{e} à l'infirmerie avec un camarade."
      " Pourriez-vous vérifier qu'{I} y est bien arrivé{e} ?\n\n{S}",
      "Bonjour {A},\n\nOui, {I} y est bien arrivé{e} ; sa famille est venue {L} chercher.\n\n{S}",
      "Merci pour le retour.\n\n{S}", NULL}},
    {"Appel de la séance",
     {"Bonjour {A},\n\nJe n'ai pas pu faire l'appel de ma séance en {C} à cause d'un problème de connexion. Tous les"
      " élèves étaient présents sauf {E}.\n\n{S}",
      "Bonjour {A},\n\nMerci, je l'ai saisi pour vous.\n\n{S}", NULL, NULL}},
    {"Carnet de correspondance {d}{E}",
     {"Bonjour {A},\n\n{E} ({C}) n'a plus son carnet de correspondance depuis une semaine. Pourriez-vous lui en remettre"
      " un ?\n\n{S}",
      "Bonjour {A},\n\nJe {L} fais passer au bureau demain pour lui en donner un nouveau.\n\n{S}", NULL, NULL}},
    {"Exclusion de cours",
     {"Bonjour {A},\n\nJ'ai dû exclure {E} ({C}) de mon cours aujourd'hui après une insulte envers un camarade. Le"
      " rapport est dans son dossier ; pourrions-nous en parler ?\n\n{S}",
      "Bonjour {A},\n\nBien reçu. Je reçois {E} et sa famille cette semaine ; je vous propose que nous nous voyions"
      " jeudi à la pause de midi.\n\n{S}",
      "D'accord pour jeudi midi.\n\n{S}", "Parfait, à jeudi.\n\n{S}"}},
};

/* School life or the head to a teacher about a class ({C}) they teach. */
static const struct convo life_teacher[] = {
    {"Conseil de classe de {C}",
     {"Bonjour {A},\n\nLe conseil de classe de {C} aura lieu à la fin du trimestre. Merci de saisir vos moyennes et vos"
      " appréciations au plus tard trois jours avant.\n\n{S}",
      "Bonjour {A},\n\nC'est noté, merci.\n\n{S}", NULL, NULL}},
    {"Heure d'étude en {C}",
     {"Bonjour {A},\n\nUne sortie libère votre séance en {C} jeudi prochain ; pourriez-vous assurer une heure d'étude"
      " avec une autre classe à la place ?\n\n{S}",
      "Bonjour {A},\n\nOui, sans problème.\n\n{S}", "Merci beaucoup !\n\n{S}", NULL}},
    {"Situation {d}{E} ({C})",
     {"Bonjour {A},\n\nPour votre information, {E} traverse une période difficile sur le plan familial. Merci de votre"
      " vigilance dans les prochaines semaines, et de me signaler tout changement.\n\n{S}",
      "Bonjour {A},\n\nMerci de l'information, je serai vigilant{g}.\n\n{S}", NULL, NULL}},
    {"Rencontre parents-professeurs de {C}",
     {"Bonjour {A},\n\nLa rencontre parents-professeurs de {C} se tiendra de 17 h à 20 h le jeudi avant les vacances."
      " Merci de m'indiquer vos disponibilités.\n\n{S}",
      "Bonjour {A},\n\nJe serai présent{g} de 17 h à 19 h.\n\n{S}", "Merci, c'est noté.\n\n{S}", NULL}},
    {"Appel non saisi en {C}",
     {"Bonjour {A},\n\nL'appel de votre séance d'hier en {C} n'apparaît pas dans Carnet. Pourriez-vous le saisir"
      " ?\n\nMerci,\n{S}",
      "Bonjour {A},\n\nDésolé{g}, c'est fait.\n\n{S}", NULL, NULL}},
    {"Projet de sortie avec la {C}",
     {"Bonjour {A},\n\nJ'ai bien reçu votre projet de sortie avec la {C}. Pourriez-vous me transmettre la liste des"
      " accompagnateurs et le budget prévu ?\n\n{S}",
      "Bonjour {A},\n\nJe vous envoie cela d'ici la fin de la semaine.\n\n{S}", "Merci.\n\n{S}", NULL}},
};

/* In an école: a teacher to the director, and the director to a teacher. */
static const struct convo teacher_head_ecole[] = {
    {"Commande de fournitures",
     {"Bonjour {A},\n\nIl me manque des cahiers et des feutres pour la classe. Est-il possible de passer une commande"
      " avant la fin du mois ?\n\n{S}",
      "Bonjour {A},\n\nOui, transmettez-moi votre liste, je l'ajoute à la commande de la semaine prochaine.\n\n{S}",
      "Merci !\n\n{S}", NULL}},
    {"Situation {d}{E}",
     {"Bonjour {A},\n\n{E} arrive souvent sans goûter et semble fatigué{e}. Pourrions-nous en parler au prochain"
      " conseil des maîtres ?\n\n{S}",
      "Bonjour {A},\n\nOui, je l'ajoute à l'ordre du jour. Merci de votre vigilance.\n\n{S}", NULL, NULL}},
};
static const struct convo head_teacher_ecole[] = {
    {"Conseil d'école",
     {"Bonjour {A},\n\nLe prochain conseil d'école aura lieu dans trois semaines, à 18 h. Pourriez-vous préparer un"
      " point sur les projets de votre classe ?\n\n{S}",
      "Bonjour {A},\n\nC'est noté, je m'en occupe.\n\n{S}", NULL, NULL}},
    {"Exercice d'évacuation",
     {"Bonjour {A},\n\nUn exercice d'évacuation aura lieu la semaine prochaine, sans prévenir les élèves. Merci de"
      " relire la fiche de consignes affichée dans la classe.\n\n{S}",
      "Bien reçu, merci.\n\n{S}", NULL, NULL}},
};

/* A message to the parents of a class: subject, body, a parent's answer
 * and the sender's reply to it; code: the only subject whose teachers send
 * it (NULL: any). */
struct notice {
    const char *subject, *body, *answer, *reply, *code;
};

static const struct notice college_notices[] = {
    {"Contrôle commun {D}",
     "Madame, Monsieur,\n\nUn contrôle commun {D} aura lieu pour toutes les classes du niveau dans deux semaines. Les"
     " notions à revoir sont dans le cahier de textes ; un sujet d'entraînement sera distribué en classe.\n\nCordialement,\n{S}",
     "Bonjour {A},\n\nMerci pour l'information. {E} sera absent{e} ce jour-là pour un rendez-vous médical : pourra-t-{I}"
     " le rattraper ?\n\n{S}",
     "Bonjour {A},\n\nOui, {E} le rattrapera la semaine suivante.\n\n{S}", NULL},
    {"Visite du musée des Beaux-Arts",
     "Madame, Monsieur,\n\nLa classe de {C} visitera le musée des Beaux-Arts le mois prochain, sur le temps scolaire."
     " L'autorisation est à signer avant la fin de la semaine ; la visite est gratuite.\n\nBien cordialement,\n{S}",
     "Bonjour {A},\n\nL'autorisation est signée. Faut-il prévoir un pique-nique ?\n\n{S}",
     "Bonjour {A},\n\nNon, les élèves seront rentrés pour le déjeuner.\n\n{S}", NULL},
    {"Devoirs pendant les vacances",
     "Madame, Monsieur,\n\nPendant les vacances, les élèves de {C} ont une fiche de révisions {D} à faire, sans excès :"
     " une demi-heure deux ou trois fois suffit. Elle est dans le cahier de textes.\n\nBonnes vacances à tous,\n{S}",
     "Bonjour {A},\n\nMerci. {E} ne trouve pas la fiche dans son cartable : est-elle aussi dans Carnet ?\n\n{S}",
     "Bonjour {A},\n\nOui, elle est jointe au cahier de textes, à la date du dernier cours.\n\n{S}", NULL},
    {"Rencontre parents-professeurs",
     "Madame, Monsieur,\n\nJe serai disponible lors de la rencontre parents-professeurs de {C}. Si vous souhaitez un"
     " rendez-vous, répondez-moi en indiquant le créneau qui vous convient (de 17 h à 20 h).\n\nCordialement,\n{S}",
     "Bonjour {A},\n\nNous souhaiterions vous rencontrer vers 18 h pour parler {d}{E}.\n\n{S}",
     "Bonjour {A},\n\nC'est noté : 18 h 10, salle du conseil.\n\n{S}", NULL},
    {"Blouse pour les travaux pratiques",
     "Madame, Monsieur,\n\nÀ partir de la semaine prochaine, les élèves de {C} devront apporter une blouse en coton pour"
     " les travaux pratiques.\n\nMerci de votre aide,\n{S}",
     "Bonjour {A},\n\nUne blouse à manches courtes convient-elle ?\n\n{S}",
     "Bonjour {A},\n\nDe préférence à manches longues, pour protéger les bras.\n\n{S}", "PC"},
    {"Sortie géologique",
     "Madame, Monsieur,\n\nLes élèves de {C} participeront le mois prochain à une sortie géologique d'une journée. Prévoir"
     " un pique-nique, de bonnes chaussures et un vêtement de pluie.\n\nCordialement,\n{S}",
     "Bonjour {A},\n\n{E} a un régime alimentaire particulier : peut-{I} apporter son propre repas ?\n\n{S}",
     "Bonjour {A},\n\nBien sûr, chaque élève apporte son pique-nique.\n\n{S}", "SVT"},
    {"Concours Kangourou",
     "Madame, Monsieur,\n\nLes élèves de {C} qui le souhaitent peuvent participer au concours Kangourou des"
     " mathématiques (participation : 4 €). Inscriptions auprès de moi avant la fin du mois.\n\nCordialement,\n{S}",
     "Bonjour {A},\n\n{E} souhaite participer : je vous confie la participation par son intermédiaire.\n\n{S}",
     "Bonjour {A},\n\nMerci, l'inscription {d}{E} est faite.\n\n{S}", "MATH"},
    {"Cycle de course d'orientation",
     "Madame, Monsieur,\n\nLes élèves de {C} commencent un cycle de course d'orientation : une tenue de sport, des"
     " chaussures adaptées à la course en extérieur et une gourde sont indispensables.\n\n{S}",
     "Bonjour {A},\n\n{E} a une dispense de deux semaines ; je joins le certificat dans Carnet.\n\n{S}",
     "Bonjour {A},\n\nBien reçu, {I} suivra la séance comme observateur.\n\n{S}", "EPS"},
    {"Lecture du trimestre",
     "Madame, Monsieur,\n\nLes élèves de {C} doivent se procurer pour le mois prochain *Le Horla* de Maupassant, en"
     " édition de poche (environ 3 €). Le CDI en prête quelques exemplaires.\n\nCordialement,\n{S}",
     "Bonjour {A},\n\nUne édition numérique convient-elle ?\n\n{S}",
     "Bonjour {A},\n\nJe préfère le livre papier, plus pratique pour annoter en classe.\n\n{S}", "FRA"},
    {"Calculatrice",
     "Madame, Monsieur,\n\nÀ partir du prochain chapitre, la calculatrice collège sera utilisée à chaque séance. Merci de"
     " vérifier que votre enfant en a une dans son cartable.\n\n{S}",
     "Bonjour {A},\n\nCelle de son grand frère fera-t-elle l'affaire ?\n\n{S}",
     "Bonjour {A},\n\nSi c'est une calculatrice collège, oui, tout à fait.\n\n{S}", "MATH"},
};

static const struct notice ecole_notices[] = {
    {"Sortie à la ferme pédagogique",
     "Madame, Monsieur,\n\nLa classe ira visiter la ferme pédagogique le mois prochain, toute la journée. Prévoyez un"
     " pique-nique, des bottes et un vêtement de pluie. L'autorisation est à rendre signée cette semaine.\n\nMerci,\n{S}",
     "Bonjour {A},\n\nJe peux accompagner la sortie si vous avez besoin de parents.\n\n{S}",
     "Bonjour {A},\n\nAvec plaisir, merci ! Je vous inscris parmi les accompagnateurs.\n\n{S}", NULL},
    {"Piscine",
     "Madame, Monsieur,\n\nLe cycle piscine commence la semaine prochaine, le mardi après-midi. Merci de prévoir un"
     " maillot (pas de short de bain), un bonnet et une serviette dans un sac marqué au nom de l'enfant.\n\n{S}",
     "Bonjour {A},\n\n{E} a une otite en ce moment ; je vous fais passer un certificat médical.\n\n{S}",
     "Bonjour {A},\n\nMerci, {I} restera avec une autre classe pendant la séance.\n\n{S}", NULL},
    {"Photo de classe",
     "Madame, Monsieur,\n\nLe photographe passera à l'école jeudi prochain pour la photo de classe. Les bons de commande"
     " seront distribués dans les cartables.\n\n{S}",
     "Bonjour {A},\n\n{E} sera absent{e} jeudi : la photo pourra-t-elle être faite un autre jour ?\n\n{S}",
     "Bonjour {A},\n\nLe photographe repasse la semaine suivante pour les absents.\n\n{S}", NULL},
    {"Poux dans la classe",
     "Madame, Monsieur,\n\nDes poux ont été signalés dans la classe. Merci de vérifier la tête de votre enfant et de la"
     " traiter si nécessaire.\n\nMerci de votre compréhension,\n{S}",
     "Bonjour {A},\n\nMerci de nous avoir prévenus, nous avons vérifié : rien à signaler.\n\n{S}",
     "Merci pour votre retour.\n\n{S}", NULL},
    {"Réunion de classe",
     "Madame, Monsieur,\n\nJe vous propose une réunion sur le fonctionnement de la classe et les projets de la période,"
     " mardi prochain à 18 h dans la classe.\n\nBien cordialement,\n{S}",
     "Bonjour {A},\n\nJe ne pourrai pas venir : pourriez-vous nous transmettre les informations importantes ?\n\n{S}",
     "Bonjour {A},\n\nBien sûr, un compte rendu sera collé dans le cahier de liaison.\n\n{S}", NULL},
    {"Cahier de liaison",
     "Madame, Monsieur,\n\nMerci de consulter et de signer chaque semaine le cahier de liaison : il contient les"
     " informations importantes et les évaluations de la période.\n\n{S}",
     "Bonjour {A},\n\nC'est noté, merci.\n\n{S}", NULL, NULL},
    {"Chants de fin de période",
     "Madame, Monsieur,\n\nLes élèves préparent quelques chants pour la fin de la période. Vous êtes les bienvenus"
     " vendredi avant les vacances, à 16 h, sous le préau.\n\n{S}",
     "Bonjour {A},\n\nNous serons là, {E} est ravi{e} !\n\n{S}", "À vendredi !\n\n{S}", NULL},
    {"Cross de l'école",
     "Madame, Monsieur,\n\nLe cross de l'école aura lieu la semaine prochaine. Merci de prévoir une tenue de sport, des"
     " baskets et une gourde.\n\n{S}",
     "Bonjour {A},\n\nLes parents peuvent-ils venir encourager les enfants ?\n\n{S}",
     "Bonjour {A},\n\nOui, le départ est à 10 h au stade.\n\n{S}", NULL},
};

static const struct notice life_notices[] = {
    {"Justification des absences",
     "Madame, Monsieur,\n\nNous vous rappelons que toute absence doit être justifiée dans les 48 heures, depuis Carnet"
     " (rubrique **Absences et retards**) ou dans le carnet de correspondance.\n\nCordialement,\n{S}",
     "Bonjour {A},\n\nJe n'arrive pas à joindre le justificatif depuis mon téléphone : comment faire ?\n\n{S}",
     "Bonjour {A},\n\nVous pouvez prendre une photo du document depuis la page de l'absence, ou le déposer à la vie"
     " scolaire.\n\n{S}",
     NULL},
    {"Carnet de correspondance",
     "Madame, Monsieur,\n\nLe carnet de correspondance doit être en possession de votre enfant chaque jour ; merci de le"
     " consulter et de signer les mots qui y figurent.\n\n{S}",
     "Bonjour {A},\n\nLe carnet {d}{E} est plein : peut-on en avoir un nouveau ?\n\n{S}",
     "Bonjour {A},\n\nOui, {E} peut passer au bureau de la vie scolaire.\n\n{S}", NULL},
    {"Prévention du harcèlement",
     "Madame, Monsieur,\n\nLa classe de {C} participera la semaine prochaine à des ateliers de prévention du harcèlement"
     " animés par l'équipe de vie scolaire. N'hésitez pas à nous contacter pour toute question.\n\nBien cordialement,\n{S}",
     "Bonjour {A},\n\nMerci pour cette initiative. {E} nous en a parlé, {I} a trouvé l'atelier très utile.\n\n{S}",
     "Merci pour votre retour.\n\n{S}", NULL},
    {"Épreuves communes",
     "Madame, Monsieur,\n\nDes épreuves communes auront lieu le mois prochain pour la classe de {C}. Les convocations"
     " seront remises aux élèves ; toute absence devra être justifiée par un certificat médical.\n\n{S}",
     "Bonjour {A},\n\nÀ quelle heure les épreuves se terminent-elles ?\n\n{S}",
     "Bonjour {A},\n\nÀ 12 h le matin et à 16 h 30 l'après-midi.\n\n{S}", NULL},
    {"Téléphones portables",
     "Madame, Monsieur,\n\nNous rappelons que l'usage du téléphone portable est interdit dans l'enceinte du collège. Un"
     " téléphone utilisé sera confisqué et remis à la famille.\n\n{S}",
     "Bonjour {A},\n\nBien reçu, nous en avons parlé avec {E}.\n\n{S}", NULL, NULL},
    {"Élection des représentants de parents",
     "Madame, Monsieur,\n\nLes élections des représentants des parents d'élèves ont lieu bientôt. Le matériel de vote sera"
     " remis à votre enfant ; le vote par correspondance est possible.\n\nCordialement,\n{S}",
     "Bonjour {A},\n\n{E} n'a pas reçu le matériel de vote : pourriez-vous lui en redonner ?\n\n{S}",
     "Bonjour {A},\n\nC'est fait, il est dans son carnet.\n\n{S}", NULL},
};

/* Subjects as messages name them (college_subjects order): bare, and after
 * "de" with its elision. */
static const char *const subject_words[][2] = {
    {"français", "de français"},          {"mathématiques", "de mathématiques"},
    {"histoire-géographie", "d'histoire-géographie"}, {"anglais", "d'anglais"},
    {"espagnol", "d'espagnol"},           {"allemand", "d'allemand"},
    {"SVT", "de SVT"},                    {"physique-chimie", "de physique-chimie"},
    {"technologie", "de technologie"},    {"EPS", "d'EPS"},
    {"arts plastiques", "d'arts plastiques"}, {"éducation musicale", "d'éducation musicale"},
};

/* A distinct teacher of the sector: who, their establishment and what they
 * teach (class index in the sector, subject index in college_subjects). */
struct mail_teacher {
    struct who w;
    bool demo;                      /* prof.demo */
    int est, nk;
    int klass[SECTOR_MAX_CLASSES], subject[SECTOR_MAX_CLASSES];
};

/* The messaging of the sector being built. */
struct mail {
    struct demo *d;
    struct sector *sec;
    uint64_t plan;                  /* what happens (never depends on the clock) */
    uint64_t state;                 /* read state and folders (depend on the clock) */
    uint8_t *wk[SECTOR_MAX_EST];    /* week masks of each establishment's days (0: no school) */
    int *sday[SECTOR_MAX_EST];      /* its school days (indices in d->days) */
    int nsday[SECTOR_MAX_EST];
    struct mail_teacher *teacher;
    int nteachers;
    int64_t next_thread, next_message; /* the next free ids (no one else writes during the generation) */
};

/* What a message's text names: its author and addressee (as AS_*), the
 * pupil it is about, the class and the subject (index in college_subjects,
 * -1: none). */
struct mail_ctx {
    const struct who *author, *to, *child;
    int author_as, to_as;
    const char *klass;
    int subject;
};

/* Binomial count of mean rate / 100 (six draws: rate ≤ 600). */
static int mail_count(uint64_t *st, int rate)
{
    int n = 0;
    for (int i = 0; i < 6; i++) n += rng_range(st, 0, 599) < rate;
    return n;
}

/* Minutes past midnight when someone writes, always between MAIL_DAY_FROM
 * and MAIL_DAY_TO: parents early in the morning, at lunch or after work,
 * pupils after school, teachers at lunch, before or after their lessons,
 * school life during the day. */
static int mail_minutes(uint64_t *st, int as)
{
    int r = rng_range(st, 0, 99);
    switch (as) {
    case AS_PARENT:
        return r < 20 ? rng_range(st, 7 * 60, 8 * 60 + 20) : r < 35 ? rng_range(st, 12 * 60, 13 * 60 + 50)
                                                                     : rng_range(st, 17 * 60 + 30, 19 * 60 + 50);
    case AS_PUPIL:
        return rng_range(st, 16 * 60 + 30, 19 * 60 + 50);
    case AS_TEACHER:
        return r < 35 ? rng_range(st, 12 * 60, 13 * 60 + 40) : r < 45 ? rng_range(st, 7 * 60 + 30, 7 * 60 + 55)
                                                                        : rng_range(st, 16 * 60 + 40, 19 * 60 + 50);
    default:
        return rng_range(st, 8 * 60, 17 * 60 + 30);
    }
}

/* When the next message of a conversation is written by someone as as,
 * after one written on *day at *minutes: the same day or up to three days
 * later, on a school day of establishment e. Updates *day and *minutes. */
static void mail_next(struct mail *m, int e, int as, int *day, int *minutes)
{
    int r = rng_range(&m->plan, 0, 99), delay = r < 45 ? 0 : r < 80 ? 1 : r < 95 ? 2 : 3;
    int dd = *day + delay, mm = mail_minutes(&m->plan, as);
    if (!delay && mm <= *minutes + 15) {
        mm = *minutes + 15 + rng_range(&m->plan, 0, 120);
        if (mm > MAIL_DAY_TO) {
            dd++;
            mm = mail_minutes(&m->plan, as);
        }
    }
    while (dd < m->d->ndays && !m->wk[e][dd]) dd++;
    *day = dd;
    *minutes = mm;
}

/* A school day of establishment e: at random, or the one at fraction
 * num / den of its school year. -1 when it has none. */
static int mail_day(struct mail *m, int e, int num, int den)
{
    if (!m->nsday[e]) return -1;
    if (den) return m->sday[e][(int)((int64_t)num * m->nsday[e] / den)];
    return m->sday[e][rng_range(&m->plan, 0, m->nsday[e] - 1)];
}

/* Append src to out (of cap bytes, length *n). */
static void mail_put(char *out, size_t cap, size_t *n, const char *src)
{
    while (*src && *n + 1 < cap) out[(*n)++] = *src++;
}

/* Do the author and the addressee call each other by their first names? */
static bool mail_colleagues(const struct mail_ctx *x)
{
    return (x->author_as == AS_TEACHER || x->author_as == AS_STAFF) &&
           (x->to_as == AS_TEACHER || x->to_as == AS_STAFF);
}

/* How author signs for the addressee: a first name between colleagues and
 * for pupils, "N. Lefèvre" for a teacher, names and title for school life
 * and heads, names for parents. */
static void mail_signature(const struct mail_ctx *x, char *out, size_t cap)
{
    const struct who *a = x->author;
    bool colleagues = mail_colleagues(x);
    if (x->author_as == AS_PUPIL || colleagues) snprintf(out, cap, "%s", a->first);
    else if (x->author_as == AS_TEACHER) {
        int len = 1; /* the first letter, however many bytes it takes */
        while (a->first[len] && ((unsigned char)a->first[len] & 0xC0) == 0x80) len++;
        snprintf(out, cap, "%.*s. %s", len, a->first, a->last);
    } else if ((x->author_as == AS_STAFF || x->author_as == AS_HEAD) && a->title) snprintf(out, cap, "%s %s\n%s", a->first, a->last, a->title);
    else snprintf(out, cap, "%s %s", a->first, a->last);
}

/* Does name start with a vowel (elision: "d'Alice", "d'Éva")? */
static bool mail_vowel(const char *name)
{
    const unsigned char *p = (const unsigned char *)name;
    if (*p && strchr("AEIOU", *p)) return true;
    /* À…Ý in UTF-8 (C3 80…C3 9D), but Ç and Ñ. */
    return p[0] == 0xC3 && p[1] >= 0x80 && p[1] <= 0x9D && p[1] != 0x87 && p[1] != 0x91;
}

/* Fill template tmpl for context x into out (cap bytes): see struct convo
 * for the placeholders. */
static void mail_text(const char *tmpl, const struct mail_ctx *x, char *out, size_t cap)
{
    size_t n = 0;
    bool girl = x->child && x->child->female;
    for (const char *p = tmpl; *p && n + 1 < cap; p++) {
        if (*p != '{' || !p[1] || p[2] != '}') {
            out[n++] = *p;
            continue;
        }
        char sig[160];
        const char *s = "";
        switch (p[1]) {
        case 'A':
            s = x->to_as == AS_PUPIL || mail_colleagues(x) ? x->to->first
                : x->to->female                                                              ? "Madame"
                                                                                             : "Monsieur";
            break;
        case 'S':
            mail_signature(x, sig, sizeof sig);
            s = sig;
            break;
        case 'E': s = x->child ? x->child->first : ""; break;
        case 'C': s = x->klass ? x->klass : ""; break;
        case 'M': s = x->subject >= 0 ? subject_words[x->subject][0] : "classe"; break;
        case 'D': s = x->subject >= 0 ? subject_words[x->subject][1] : "de la classe"; break;
        case 'I': s = girl ? "elle" : "il"; break;
        case 'J': s = girl ? "Elle" : "Il"; break;
        case 'L': s = girl ? "la" : "le"; break;
        case 'F': s = girl ? "ma fille" : "mon fils"; break;
        case 'e': s = girl ? "e" : ""; break;
        case 'd': s = x->child && mail_vowel(x->child->first) ? "d'" : "de "; break;
        case 'g': s = x->author->female ? "e" : ""; break;
        default: s = NULL;
        }
        if (!s) {
            out[n++] = *p;
            continue;
        }
        mail_put(out, cap, &n, s);
        p += 2;
    }
    out[n] = 0;
}

/* The id of the last message of the thread person has read: everything up
 * to their own last message, then in order each message written more than
 * MAIL_UNREAD_DAYS ago almost surely, a recent one every other time. */
static int64_t mail_read_upto(struct mail *m, int64_t person, const int64_t who[2], const int64_t *id,
                              const int64_t *at, int n)
{
    int mine = -1;
    for (int k = 0; k < n; k++)
        if (who[k % 2] == person) mine = k;
    int64_t last = mine >= 0 ? id[mine] : 0;
    for (int k = mine + 1; k < n; k++) {
        bool recent = at[k] > m->d->now - (int64_t)MAIL_UNREAD_DAYS * 86400;
        if (!rng_chance(&m->state, recent ? 45 : 97)) break;
        last = id[k];
    }
    return last;
}

/* One thread between who[0] (who opened it) and who[1]: messages text[k]
 * by who[k % 2] at at[k], k < n (all before now), its two participants with
 * their read state and folder. group: the broadcast it belongs to (0:
 * none; the first thread of a broadcast takes its id). The
 * thread and its messages take the next free ids (m->next_thread,
 * m->next_message): the broadcast id and the read state need them, and
 * asking them back (RETURNING) for every row makes this a third slower (a
 * PostgreSQL driver will have to move its sequences past them). The
 * thread's id, -1 on error. */
static int64_t mail_write(struct mail *m, int64_t est, const char *subject, const int64_t who[2],
                          char text[][MAIL_TEXT_CAP], const int64_t *at, int n, int64_t group)
{
    struct demo *d = m->d;
    int64_t thread = m->next_thread++, id[MAIL_MAX_MSGS];
    if (store_run(d->s,
                  "INSERT INTO thread (id, establishment_id, subject, created_by, created_at, last_message_at, broadcast_id)"
                  " VALUES ($1, $2, $3, $4, $5, $6, $7)",
                  "iitiiiN", thread, est, subject, who[0], at[0], at[n - 1], group) < 0)
        return -1;
    for (int k = 0; k < n; k++) {
        id[k] = m->next_message++;
        if (store_run(d->s,
                      "INSERT INTO message (id, thread_id, author_id, body, created_at, visible_at) VALUES ($1, $2, $3, $4, $5, $5)",
                      "iiiti", id[k], thread, who[k % 2], text[k], at[k]) < 0)
            return -1;
        d->messages++;
    }
    const char *folder[2];
    int64_t read[2];
    for (int i = 0; i < 2; i++) {
        read[i] = mail_read_upto(m, who[i], who, id, at, n);
        bool quiet = at[n - 1] < d->now - (int64_t)MAIL_ARCHIVE_DAYS * 86400;
        folder[i] = quiet && read[i] == id[n - 1] && rng_chance(&m->state, 6) ? "archive" : "inbox";
    }
    if (store_run(d->s,
                  "INSERT INTO thread_participant (thread_id, person_id, folder, last_read_message_id, joined_at)"
                  " VALUES ($1, $2, $3, $4, $8), ($1, $5, $6, $7, $8)",
                  "iitiitii", thread, who[0], folder[0], read[0], who[1], folder[1], read[1], at[0]) < 0)
        return -1;
    d->threads++;
    return thread;
}

/* How many of the n messages planned on days day[] at minutes[] were
 * written before now; their instants into at[]. */
static int mail_due(const struct mail *m, const int *day, const int *minutes, int n, int64_t *at)
{
    int k = 0;
    for (; k < n; k++) {
        at[k] = day_at(m->d, day[k], minutes[k]);
        if (at[k] >= m->d->now) break;
    }
    return k;
}

/* A conversation of establishment e between a (writing as as_a, who opens
 * it) and b (as_b) from template c, about child (NULL: none), in class
 * klass, on subject (-1: none): planned on a random school day (1 to 3
 * replies as the template allows, most often one), written up to now. 0 or
 * -1. */
static int mail_convo(struct mail *m, int e, const struct who *a, int as_a, const struct who *b, int as_b,
                      const struct convo *c, const struct who *child, const char *klass, int subject)
{
    int day[MAIL_MAX_MSGS], minutes[MAIL_MAX_MSGS], n = 1;
    int r = rng_range(&m->plan, 0, 99), want = r < 8 ? 1 : r < 58 ? 2 : r < 88 ? 3 : 4;
    while (n < want && n < MAIL_MAX_MSGS && c->msg[n]) n++;
    day[0] = mail_day(m, e, 0, 0);
    if (day[0] < 0) return 0;
    minutes[0] = c->morning ? rng_range(&m->plan, MAIL_DAY_FROM, 8 * 60 + 15) : mail_minutes(&m->plan, as_a);
    for (int k = 1; k < n; k++) {
        day[k] = day[k - 1];
        minutes[k] = minutes[k - 1];
        mail_next(m, e, k % 2 ? as_b : as_a, &day[k], &minutes[k]);
    }
    int64_t at[MAIL_MAX_MSGS];
    if (!a->id || !b->id || a->id == b->id) return 0;
    int due = mail_due(m, day, minutes, n, at);
    if (!due) return 0;
    char text[MAIL_MAX_MSGS][MAIL_TEXT_CAP], subj[MAIL_SUBJECT_CAP];
    struct mail_ctx x = {a, b, child, as_a, as_b, klass, subject};
    mail_text(c->subject, &x, subj, sizeof subj);
    for (int k = 0; k < due; k++) {
        struct mail_ctx xk = {k % 2 ? b : a, k % 2 ? a : b, child, k % 2 ? as_b : as_a, k % 2 ? as_a : as_b, klass,
                              subject};
        mail_text(c->msg[k], &xk, text[k], MAIL_TEXT_CAP);
    }
    const int64_t who[2] = {a->id, b->id};
    return mail_write(m, m->sec->est[e].id, subj, who, text, at, due, 0) < 0 ? -1 : 0;
}

/* A template of list t at random. */
#define MAIL_PICK(m, t) (&(t)[rng_range(&(m)->plan, 0, COUNT(t) - 1)])

/* The teacher of class k who teaches subject s, as a who. */
static struct who mail_teach_who(const struct klass *k, int s)
{
    const struct teach *te = &k->teach[s];
    return (struct who){te->teacher_id, te->first, te->last, NULL, te->female};
}

/* One year of conversations of pupil p of class k and their parents with
 * the class's teachers and school life (see above); subj: the class's
 * subjects to pick from (nsubj of them). 0 or -1. */
static int mail_pupil(struct mail *m, int k, int p, const int *subj, int nsubj)
{
    const struct klass *c = &m->sec->classes[k];
    const struct est *e = &m->sec->est[c->est];
    const struct kin *kn = &c->kin[p];
    bool ecole = c->level < LEVEL_6E;
    int n1 = mail_count(&m->plan, ecole ? MAIL_PARENT_TEACHER_ECOLE : MAIL_PARENT_TEACHER);
    int n2 = mail_count(&m->plan, MAIL_TEACHER_PARENT);
    int n3 = ecole ? 0 : mail_count(&m->plan, MAIL_PUPIL_TEACHER);
    int n4 = mail_count(&m->plan, ecole ? MAIL_PARENT_HEAD_ECOLE : MAIL_PARENT_LIFE);
    int n5 = ecole || e->nlife < 5 ? 0 : mail_count(&m->plan, MAIL_PARENT_HEAD);
    for (int i = 0; i < n1 + n2 + n3 + n4 + n5; i++) {
        int s = subj[rng_range(&m->plan, 0, nsubj - 1)];
        const struct who *parent = &kn->parent[kn->parent[1].id && rng_chance(&m->plan, 25) ? 1 : 0];
        struct who t = mail_teach_who(c, s);
        int rc, sj = ecole ? -1 : s;
        if (i < n1)
            rc = mail_convo(m, c->est, parent, AS_PARENT, &t, AS_TEACHER,
                            ecole ? MAIL_PICK(m, parent_teacher_ecole) : MAIL_PICK(m, parent_teacher_college),
                            &kn->child, c->name, sj);
        else if (i < n1 + n2)
            rc = mail_convo(m, c->est, &t, AS_TEACHER, parent, AS_PARENT,
                            ecole ? MAIL_PICK(m, teacher_parent_ecole) : MAIL_PICK(m, teacher_parent_college),
                            &kn->child, c->name, sj);
        else if (i < n1 + n2 + n3)
            rc = mail_convo(m, c->est, &kn->child, AS_PUPIL, &t, AS_TEACHER, MAIL_PICK(m, pupil_teacher), &kn->child,
                            c->name, sj);
        else if (i < n1 + n2 + n3 + n4) {
            /* The CPE most often, or an AED; the director of an école. */
            int l = ecole || e->nlife < 3 || rng_chance(&m->plan, 60) ? 0 : rng_range(&m->plan, 1, 2);
            rc = mail_convo(m, c->est, parent, AS_PARENT, &e->life[l], AS_STAFF,
                            ecole ? MAIL_PICK(m, parent_head_ecole) : MAIL_PICK(m, parent_life), &kn->child, c->name,
                            sj);
        } else
            rc = mail_convo(m, c->est, parent, AS_PARENT, &e->life[rng_range(&m->plan, 3, 4)], AS_HEAD,
                            MAIL_PICK(m, parent_head_college), &kn->child, c->name, sj);
        if (rc < 0) return -1;
    }
    return 0;
}

/* The conversations of the families of class k: parents and collège pupils
 * with the class's teachers, parents with school life; the demo family's
 * MAIL_DEMO_FACTOR times over. 0 or -1. */
static int mail_class(struct mail *m, int k)
{
    const struct klass *c = &m->sec->classes[k];
    bool ecole = c->level < LEVEL_6E;
    int subj[NSUBJECTS * 2], nsubj = 0; /* the class's subjects, the main four twice */
    for (int s = 0; s < (ecole ? 1 : NSUBJECTS); s++) {
        if (!c->teach[s].id) continue;
        subj[nsubj++] = s;
        if (!ecole && s < 4) subj[nsubj++] = s;
    }
    if (!nsubj) return 0;
    for (int p = 0; p < c->npupils; p++)
        for (int r = 0; r < (c->kin[p].demo ? MAIL_DEMO_FACTOR : 1); r++)
            if (mail_pupil(m, k, p, subj, nsubj) < 0) return -1;
    return 0;
}

/* The conversations of teacher t with school life and the head of their
 * establishment (with the director in an école), MAIL_TEACHER_LIFE a year
 * on average, about one of their classes and one of its pupils. 0 or -1. */
#define MAIL_TEACHER_LIFE 600       /* per teacher per year, in hundredths */
static int mail_teacher_life(struct mail *m, const struct mail_teacher *t)
{
    const struct est *e = &m->sec->est[t->est];
    int n = mail_count(&m->plan, MAIL_TEACHER_LIFE / (e->ecole ? 2 : 1));
    for (int i = 0; i < n; i++) {
        int j = rng_range(&m->plan, 0, t->nk - 1);
        const struct klass *c = &m->sec->classes[t->klass[j]];
        const struct who *child = c->npupils ? &c->kin[rng_range(&m->plan, 0, c->npupils - 1)].child : NULL;
        bool up = rng_chance(&m->plan, 55); /* the teacher writes */
        int l = 0;
        if (!e->ecole && e->nlife >= 5) l = up ? (rng_chance(&m->plan, 65) ? 0 : rng_range(&m->plan, 1, 2))
                                               : (rng_chance(&m->plan, 40) ? 0 : rng_range(&m->plan, 3, 4));
        const struct who *staff = &e->life[l];
        const struct convo *cv = e->ecole ? (up ? MAIL_PICK(m, teacher_head_ecole) : MAIL_PICK(m, head_teacher_ecole))
                                          : (up ? MAIL_PICK(m, teacher_life) : MAIL_PICK(m, life_teacher));
        int sj = e->ecole ? -1 : t->subject[j];
        int as = l >= 3 ? AS_HEAD : AS_STAFF;
        int rc = up ? mail_convo(m, t->est, &t->w, AS_TEACHER, staff, as, cv, child, c->name, sj)
                    : mail_convo(m, t->est, staff, as, &t->w, AS_TEACHER, cv, child, c->name, sj);
        if (rc < 0) return -1;
    }
    return 0;
}

/* Broadcast threads of one message only, written MAIL_BATCH at a time: one
 * statement per table for all of them (they share everything but their
 * ids, which follow each other, and the parent). */
#define MAIL_BATCH 7                /* 4 + 4 * 7 placeholders: the store's most ($32) */
struct mail_batch {
    int n;
    int64_t parent[MAIL_BATCH];
    bool seen[MAIL_BATCH];          /* the parent has read the message */
    const char *folder[MAIL_BATCH][2]; /* the sender's and the parent's */
};

/* Write the MAIL_BATCH threads of b from sender to their parents: the
 * broadcast group's, in establishment est, with subject and body written at
 * at. 0 or -1. */
static int mail_batch_write(struct mail *m, struct mail_batch *b, int64_t est, const char *subject, int64_t sender,
                            int64_t group, const char *body, int64_t at)
{
    struct demo *d = m->d;
    int64_t thread = m->next_thread, msg = m->next_message;
    m->next_thread += MAIL_BATCH;
    m->next_message += MAIL_BATCH;
    struct stmt *st = store_q(d->s,
        "INSERT INTO thread (id, establishment_id, subject, created_by, created_at, last_message_at, broadcast_id)"
        " VALUES ($1, $2, $3, $4, $5, $5, $6), ($1 + 1, $2, $3, $4, $5, $5, $6), ($1 + 2, $2, $3, $4, $5, $5, $6),"
        " ($1 + 3, $2, $3, $4, $5, $5, $6), ($1 + 4, $2, $3, $4, $5, $5, $6), ($1 + 5, $2, $3, $4, $5, $5, $6),"
        " ($1 + 6, $2, $3, $4, $5, $5, $6)",
        "iitiii", thread, est, subject, sender, at, group);
    int rc = st ? stmt_step(st) : STORE_ERR;
    stmt_done(st);
    if (rc != STORE_DONE) return -1;
    st = store_q(d->s,
        "INSERT INTO message (id, thread_id, author_id, body, created_at, visible_at) VALUES ($1, $2, $3, $4, $5, $5),"
        " ($1 + 1, $2 + 1, $3, $4, $5, $5), ($1 + 2, $2 + 2, $3, $4, $5, $5), ($1 + 3, $2 + 3, $3, $4, $5, $5),"
        " ($1 + 4, $2 + 4, $3, $4, $5, $5), ($1 + 5, $2 + 5, $3, $4, $5, $5), ($1 + 6, $2 + 6, $3, $4, $5, $5)",
        "iiiti", msg, thread, sender, body, at);
    rc = st ? stmt_step(st) : STORE_ERR;
    stmt_done(st);
    if (rc != STORE_DONE) return -1;
    /* $1 the first thread, $2 the sender, $3 the first message, $4 when; for
     * thread k: $5 + 4k the parent, $6 + 4k their folder, $7 + 4k what they
     * have read, $8 + 4k the sender's folder. */
    st = store_prepare(d->s,
        "INSERT INTO thread_participant (thread_id, person_id, folder, last_read_message_id, joined_at) VALUES"
        " ($1, $2, $8, $3, $4), ($1, $5, $6, $7, $4), ($1 + 1, $2, $12, $3 + 1, $4), ($1 + 1, $9, $10, $11, $4),"
        " ($1 + 2, $2, $16, $3 + 2, $4), ($1 + 2, $13, $14, $15, $4), ($1 + 3, $2, $20, $3 + 3, $4),"
        " ($1 + 3, $17, $18, $19, $4), ($1 + 4, $2, $24, $3 + 4, $4), ($1 + 4, $21, $22, $23, $4),"
        " ($1 + 5, $2, $28, $3 + 5, $4), ($1 + 5, $25, $26, $27, $4), ($1 + 6, $2, $32, $3 + 6, $4),"
        " ($1 + 6, $29, $30, $31, $4)");
    if (!st) return -1;
    stmt_bind_int(st, 1, thread);
    stmt_bind_int(st, 2, sender);
    stmt_bind_int(st, 3, msg);
    stmt_bind_int(st, 4, at);
    for (int k = 0; k < MAIL_BATCH; k++) {
        stmt_bind_int(st, 5 + 4 * k, b->parent[k]);
        stmt_bind_text(st, 6 + 4 * k, b->folder[k][1]);
        stmt_bind_int(st, 7 + 4 * k, b->seen[k] ? msg + k : 0);
        stmt_bind_text(st, 8 + 4 * k, b->folder[k][0]);
    }
    rc = stmt_step(st);
    stmt_done(st);
    if (rc != STORE_DONE) return -1;
    d->threads += MAIL_BATCH;
    d->messages += MAIL_BATCH;
    b->n = 0;
    return 0;
}

/* A message of sender (as as) to the parents of class k: the notice nt on
 * school day day, one private thread per parent grouped by broadcast_id
 * (the first thread's id); some parents answer (MAIL_ANSWER_PERCENT) and
 * the sender sometimes replies. The threads of the message alone go by
 * batches. The draws of the plan never depend on the clock. 0 or -1. */
#define MAIL_ANSWER_PERCENT 6
static int mail_broadcast(struct mail *m, const struct who *sender, int as, int k, const struct notice *nt,
                          int subject, int day)
{
    struct demo *d = m->d;
    const struct klass *c = &m->sec->classes[k];
    int e = c->est;
    /* The parents of the class, each once (siblings, twins), with a child. */
    const struct who *parent[MAIL_LIST_MAX], *child[MAIL_LIST_MAX];
    int np = 0;
    for (int p = 0; p < c->npupils; p++)
        for (int j = 0; j < 2; j++) {
            const struct who *w = &c->kin[p].parent[j];
            bool seen = !w->id;
            for (int q = 0; q < np && !seen; q++) seen = parent[q]->id == w->id;
            if (seen || np == MAIL_LIST_MAX) continue;
            parent[np] = w;
            child[np++] = &c->kin[p].child;
        }
    int minutes0 = mail_minutes(&m->plan, as);
    int64_t at0 = day_at(d, day, minutes0);
    char text[MAIL_MAX_MSGS][MAIL_TEXT_CAP], subj[MAIL_SUBJECT_CAP];
    bool written = false, quiet = at0 < d->now - (int64_t)MAIL_ARCHIVE_DAYS * 86400;
    bool recent = at0 > d->now - (int64_t)MAIL_UNREAD_DAYS * 86400;
    int64_t group = m->next_thread; /* the id the first thread written takes */
    struct mail_batch b = {0};
    int alone[MAIL_LIST_MAX], nalone = 0; /* threads of the message alone, past the last batch */
    for (int q = 0; q < np; q++) {
        int dd[3] = {day, day, day}, mm[3] = {minutes0, minutes0, minutes0}, n = 1;
        if (nt->answer && rng_chance(&m->plan, MAIL_ANSWER_PERCENT)) {
            n = nt->reply && rng_chance(&m->plan, 50) ? 3 : 2;
            for (int i = 1; i < n; i++) {
                dd[i] = dd[i - 1];
                mm[i] = mm[i - 1];
                mail_next(m, e, i == 1 ? AS_PARENT : as, &dd[i], &mm[i]);
            }
        }
        if (at0 >= d->now) continue;
        int64_t at[3];
        int due = mail_due(m, dd, mm, n, at);
        struct mail_ctx x = {sender, parent[q], child[q], as, AS_PARENT, c->name, subject};
        if (!written) {
            mail_text(nt->subject, &x, subj, sizeof subj);
            mail_text(nt->body, &x, text[0], MAIL_TEXT_CAP);
            written = true;
        }
        if (due == 1) {
            /* Read as mail_write would decide it (a message of the sender only). */
            int i = b.n++;
            b.parent[i] = parent[q]->id;
            b.seen[i] = rng_chance(&m->state, recent ? 45 : 97);
            b.folder[i][0] = quiet && rng_chance(&m->state, 6) ? "archive" : "inbox";
            b.folder[i][1] = quiet && b.seen[i] && rng_chance(&m->state, 6) ? "archive" : "inbox";
            alone[nalone++] = q;
            if (b.n == MAIL_BATCH) {
                if (mail_batch_write(m, &b, m->sec->est[e].id, subj, sender->id, group, text[0], at0) < 0) return -1;
                nalone = 0;
            }
            continue;
        }
        struct mail_ctx back = {parent[q], sender, child[q], AS_PARENT, as, c->name, subject};
        mail_text(nt->answer, &back, text[1], MAIL_TEXT_CAP);
        if (due > 2) mail_text(nt->reply, &x, text[2], MAIL_TEXT_CAP);
        const int64_t who[2] = {sender->id, parent[q]->id};
        if (mail_write(m, m->sec->est[e].id, subj, who, text, at, due, group) < 0) return -1;
    }
    /* The last few, one by one. */
    for (int i = 0; i < nalone; i++) {
        const int64_t who[2] = {sender->id, parent[alone[i]]->id};
        if (mail_write(m, m->sec->est[e].id, subj, who, text, &at0, 1, group) < 0) return -1;
    }
    if (written) d->broadcasts++;
    return 0;
}

/* The broadcasts of teacher t (n a year, spread over the school year, each
 * to one of their classes) — or of a member of school life, t NULL, to the
 * classes of establishment e. 0 or -1. */
static int mail_broadcasts(struct mail *m, const struct mail_teacher *t, const struct who *life, int e, int n)
{
    for (int i = 0; i < n; i++) {
        int at = i * 100 + rng_range(&m->plan, 10, 90);
        int day = mail_day(m, e, at, n * 100);
        int k, subject = -1;
        const struct notice *nt;
        if (t) {
            int j = rng_range(&m->plan, 0, t->nk - 1);
            k = t->klass[j];
            bool ecole = m->sec->est[e].ecole;
            subject = ecole ? -1 : t->subject[j];
            /* A notice for any subject, or for the teacher's own. */
            do nt = ecole ? MAIL_PICK(m, ecole_notices) : MAIL_PICK(m, college_notices);
            while (nt->code && strcmp(nt->code, college_subjects[subject < 0 ? 0 : subject].code));
        } else {
            int idx[SECTOR_MAX_CLASSES], nk = 0;
            for (int j = 0; j < m->sec->nclasses; j++)
                if (m->sec->classes[j].est == e) idx[nk++] = j;
            if (!nk) return 0;
            k = idx[rng_range(&m->plan, 0, nk - 1)];
            nt = MAIL_PICK(m, life_notices);
        }
        if (day >= 0 && mail_broadcast(m, t ? &t->w : life, t ? AS_TEACHER : AS_STAFF, k, nt, subject, day) < 0)
            return -1;
    }
    return 0;
}

/* The distinct teachers of the sector with their classes and subjects
 * into m->teacher. 0 or -1. */
static int mail_teachers(struct mail *m)
{
    m->teacher = calloc(MAIL_TEACHERS_MAX, sizeof *m->teacher);
    if (!m->teacher) return -1;
    for (int k = 0; k < m->sec->nclasses; k++) {
        const struct klass *c = &m->sec->classes[k];
        for (int s = 0; s < (c->level < LEVEL_6E ? 1 : NSUBJECTS); s++) {
            if (!c->teach[s].id) continue;
            int i = 0;
            while (i < m->nteachers && m->teacher[i].w.id != c->teach[s].teacher_id) i++;
            if (i == m->nteachers) {
                if (i == MAIL_TEACHERS_MAX) {
                    log_error("mail_teachers", "more than %d teachers in a sector", MAIL_TEACHERS_MAX);
                    return -1;
                }
                m->teacher[i].w = mail_teach_who(c, s);
                m->teacher[i].demo = c->teach[s].demo;
                m->teacher[i].est = c->est;
                m->nteachers++;
            }
            struct mail_teacher *t = &m->teacher[i];
            if (t->nk < SECTOR_MAX_CLASSES) {
                t->klass[t->nk] = k;
                t->subject[t->nk++] = s;
            }
        }
    }
    return 0;
}

/* Broadcasts a year: a collège teacher, an école teacher, the CPE, an AED. */
#define MAIL_BROADCASTS_COLLEGE 3   /* … to 5 */
#define MAIL_BROADCASTS_ECOLE 5     /* … to 7 */
#define MAIL_BROADCASTS_CPE 5
#define MAIL_BROADCASTS_AED 1       /* … or 2 */

/* The messaging of sector index (see above). 0 or -1. */
static int sector_mail(struct demo *d, struct sector *sec, int index)
{
    if (!d->ndays || d->today_idx < 0) return 0;
    struct mail m = {.d = d, .sec = sec};
    m.plan = draw((uint64_t)index, TAG_MAIL, 0, 0);
    m.state = draw((uint64_t)index, TAG_MAIL, 1, 0);
    int rc = -1;
    for (int e = 0; e < sec->nest; e++) {
        if (!(m.wk[e] = school_weeks(d, sec->est[e].id)) || !(m.sday[e] = calloc((size_t)d->ndays, sizeof(int))))
            goto out;
        for (int i = 0; i < d->ndays; i++)
            if (m.wk[e][i]) m.sday[e][m.nsday[e]++] = i;
    }
    if (mail_teachers(&m) < 0) goto out;
    if (store_int(d->s, &m.next_thread, "SELECT coalesce(max(id), 0) + 1 FROM thread", NULL) != 1 ||
        store_int(d->s, &m.next_message, "SELECT coalesce(max(id), 0) + 1 FROM message", NULL) != 1)
        goto out;
    for (int k = 0; k < sec->nclasses; k++)
        if (mail_class(&m, k) < 0) goto out;
    for (int i = 0; i < m.nteachers; i++) {
        const struct mail_teacher *t = &m.teacher[i];
        bool ecole = sec->est[t->est].ecole;
        int n = ecole ? rng_range(&m.plan, MAIL_BROADCASTS_ECOLE, MAIL_BROADCASTS_ECOLE + 2)
                      : rng_range(&m.plan, MAIL_BROADCASTS_COLLEGE, MAIL_BROADCASTS_COLLEGE + 2);
        if (t->demo) n = MAIL_BROADCASTS_COLLEGE + 2; /* prof.demo: the most, for the demo */
        if (mail_teacher_life(&m, t) < 0 || mail_broadcasts(&m, t, NULL, t->est, n) < 0) goto out;
    }
    for (int e = 0; e < sec->nest; e++) {
        const struct est *es = &sec->est[e];
        if (es->ecole) continue;
        for (int l = 0; l < es->nlife && l < 3; l++) {
            int n = l == 0 ? MAIL_BROADCASTS_CPE : rng_range(&m.plan, MAIL_BROADCASTS_AED, MAIL_BROADCASTS_AED + 1);
            if (mail_broadcasts(&m, NULL, &es->life[l], e, n) < 0) goto out;
        }
    }
    rc = store_resync_ids(d->s);
out:
    for (int e = 0; e < sec->nest; e++) {
        free(m.wk[e]);
        free(m.sday[e]);
    }
    free(m.teacher);
    return rc;
}

/* ---- Territory ---------------------------------------------------------- */

/* Fill sector number index (0-based): its communes, its establishments and
 * its families. Sector 0 is the small demo, with two more écoles when
 * scale > 1. 0 or -1. */
static int sector_fill(struct demo *d, struct sector *sec, int index, int scale)
{
    d->rng = DEMO_SEED ^ ((uint64_t)(index + 1) * 0xD1B54A32D192ED03ULL);
    for (int j = 0; j < SECTOR_COMMUNES; j++)
        commune_make(index * SECTOR_COMMUNES + j, sec->commune[j], sec->postcode[j]);
    int first_ecole = 0;
    if (index == 0) {
        sec->demo_ecole_id = ecole_build(d, sec, ecole_patrons[0], 0, 5, 22, 26, true);
        if (!sec->demo_ecole_id) return -1;
        sec->demo_college_id = college_build(d, sec, college_patrons[0], 0, 12, 24, 28, true);
        if (!sec->demo_college_id) return -1;
        d->demo_college_id = sec->demo_college_id;
        first_ecole = scale > 1 ? 1 : SECTOR_COMMUNES;
    } else {
        int nclasses = rng_range(&d->rng, 14, 20);
        if (!college_build(d, sec, college_patrons[index % COUNT(college_patrons)], 0, nclasses, 25, 30, false))
            return -1;
    }
    for (int j = first_ecole; j < SECTOR_COMMUNES; j++) {
        int nclasses = rng_range(&d->rng, 6, 10);
        const char *patron = ecole_patrons[(index * SECTOR_COMMUNES + j) % COUNT(ecole_patrons)];
        if (!ecole_build(d, sec, patron, j, nclasses, 23, 28, false)) return -1;
    }
    return families_build(d, sec);
}

/* Sector number index: its content (sector_fill), then its class log and
 * homework, grades and attendance (sector_log), then its messages
 * (sector_mail). The sector is on the heap (its lessons too). 0 or -1. */
static int sector_build(struct demo *d, int index, int scale)
{
    struct sector *sec = calloc(1, sizeof *sec);
    if (!sec) return -1;
    d->nskip = 0;
    int rc = sector_fill(d, sec, index, scale);
    if (rc == 0) rc = sector_log(d, sec, index);
    if (rc == 0) rc = sector_mail(d, sec, index);
    free(sec->lessons);
    free(sec);
    return rc;
}

/* The ids of the reference levels CP … Tle (made by migration 0012). 0 or -1. */
static int levels_add(struct demo *d)
{
    for (int i = 0; i < LEVEL_COUNT; i++)
        if (store_int(d->s, &d->level_id[i], "SELECT id FROM level WHERE code = $1", "t",
                      levels[i].code) != 1)
            return -1;
    return 0;
}

/* The services catalogue: three links for the whole territory and one
 * entry for the demo collège. A link goes to the real public address of a
 * real service, never to a placeholder (a family would follow it): families
 * reach the livret scolaire unique in the ministry's "Scolarité services"
 * (signing in with ÉduConnect; staff reach the LSU through their académie's
 * portal, whose address depends on the académie). The canteen's menus have
 * no public address: an entry without one, shown without a link. 0 or -1. */
static int services_add(struct demo *d)
{
    static const struct link_def {
        const char *title, *url, *description, *profiles;
        bool college;
    } links[] = {
        {"Livret scolaire unique (LSU) — Scolarité services",
         "https://teleservices.education.gouv.fr/",
         "Les bilans périodiques et de fin de cycle de l'élève, avec votre compte ÉduConnect.",
         "pupil,parent", false},
        {"Orientation — Onisep", "https://www.onisep.fr/", "Métiers, formations et orientation après la 3e.",
         "pupil,parent,teacher,staff,head", false},
        {"Ressources numériques — Éduthèque", "https://www.edutheque.fr/",
         "Ressources pédagogiques des grands établissements culturels et scientifiques.", "pupil,teacher", false},
        {"Restauration scolaire — menus", NULL,
         "Les menus de la semaine, affichés au collège et à la vie scolaire.",
         "pupil,parent,staff,head", true},
    };
    for (int i = 0; i < COUNT(links); i++)
        if (store_run(d->s,
                      "INSERT INTO service (territory_id, establishment_id, kind, title, url, description, profiles,"
                      " position, enabled, created_at) VALUES ($1, $2, 'link', $3, $4, $5, $6, $7, 1, $8)",
                      "NNttttii", links[i].college ? (int64_t)0 : d->territory_id,
                      links[i].college ? d->demo_college_id : (int64_t)0, links[i].title, links[i].url,
                      links[i].description, links[i].profiles, (int64_t)(10 * (i + 1)), d->now) < 0)
            return -1;
    return 0;
}

/* The territory, its levels, its administrator (admin.demo), every sector
 * and the services catalogue. 0 or -1. */
/* A few conversations of the demo family with the collège (S-MESSAGES),
 * so that the inboxes of the demo logins look like November's. */
struct demo_msg {
    const char *from, *text;
    int days_ago, hour, minute;     /* local time, days before the demo day */
};

static int64_t demo_msg_time(const struct demo *d, const struct demo_msg *m)
{
    char day[11];
    calendar_add_days(d->today, -m->days_ago, day);
    return clock_local_noon(day) + (int64_t)(m->hour - 12) * 3600 + (int64_t)m->minute * 60;
}

static int demo_thread(struct demo *d, int64_t est, const char *subject, const char *const *logins, size_t nlogins,
                       const struct demo_msg *msgs, size_t nmsgs, const char *read_by)
{
    struct store *s = d->s;
    int64_t ids[8] = {0};
    for (size_t i = 0; i < nlogins && i < 8; i++)
        if (store_int(s, &ids[i], "SELECT person_id FROM account WHERE login = $1", "t", logins[i]) != 1) return -1;
    int64_t first = demo_msg_time(d, &msgs[0]), last_at = demo_msg_time(d, &msgs[nmsgs - 1]), thread = 0;
    if (store_int(s, &thread, "INSERT INTO thread (establishment_id, subject, created_by, created_at, last_message_at)"
                              " VALUES ($1, $2, $3, $4, $5) RETURNING id", "itiii", est, subject, ids[0], first, last_at) != 1)
        return -1;
    for (size_t i = 0; i < nlogins; i++)
        if (store_run(s, "INSERT INTO thread_participant (thread_id, person_id, joined_at) VALUES ($1, $2, $3)", "iii", thread, ids[i],
                      first) < 0)
            return -1;
    int64_t last_id = 0;
    for (size_t k = 0; k < nmsgs; k++) {
        int64_t author = 0;
        for (size_t i = 0; i < nlogins; i++)
            if (!strcmp(logins[i], msgs[k].from)) author = ids[i];
        if (store_int(s, &last_id, "INSERT INTO message (thread_id, author_id, body, created_at, visible_at) VALUES ($1, $2, $3, $4, $4) RETURNING id",
                      "iiti", thread, author, msgs[k].text, demo_msg_time(d, &msgs[k])) != 1 ||
            store_run(s, "UPDATE thread_participant SET last_read_message_id = $3 WHERE thread_id = $1 AND person_id = $2", "iii", thread,
                      author, last_id) < 0)
            return -1;
    }
    /* Those who have read the whole thread. */
    for (size_t i = 0; i < nlogins; i++)
        if (read_by && strstr(read_by, logins[i]) &&
            store_run(s, "UPDATE thread_participant SET last_read_message_id = $3 WHERE thread_id = $1 AND person_id = $2", "iii", thread,
                      ids[i], last_id) < 0)
            return -1;
    return 0;
}

/* When each participant first received something from someone else (the
 * inbox shows those threads), for every message the demo wrote. */
static int demo_inbox_times(struct demo *d)
{
    return store_run(d->s, "UPDATE thread_participant SET first_in_at = (SELECT min(m.visible_at) FROM message m"
                           " WHERE m.thread_id = thread_participant.thread_id AND m.author_id <> thread_participant.person_id"
                           " AND m.state = 'sent') WHERE first_in_at IS NULL", NULL);
}

static int demo_messages(struct demo *d)
{
    int64_t est = d->demo_college_id;
    if (!est) return 0;
    static const char *const family_prof[] = {"parent.demo", "prof.demo"};
    static const struct demo_msg maths[] = {
        {"parent.demo", "Bonjour Monsieur,\n\nLucie n'a pas compris l'exercice 4 p. 82 sur les fractions. Pourriez-vous le reprendre en classe ?\n\nMerci, Claire Moreau", 4, 18, 40},
        {"prof.demo", "Bonjour Madame,\n\nBien sûr : nous le corrigerons ensemble au prochain cours, et je mets la correction dans le cahier de textes.\n\nBien cordialement,\nN. Lefèvre", 1, 12, 15}};
    static const char *const cpe_family[] = {"cpe.demo", "parent.demo"};
    static const struct demo_msg absence[] = {
        {"cpe.demo", "Bonjour Madame,\n\nLucie était absente vendredi matin. Merci de justifier cette absence depuis Carnet (rubrique **Absences et retards**), avec un justificatif si vous en avez un.\n\nCordialement,\nS. Petit, CPE", 1, 10, 5}};
    static const char *const prof_pupil[] = {"prof.demo", "eleve.demo"};
    static const struct demo_msg talk[] = {
        {"prof.demo", "Bonjour Lucie,\n\nPour l'exposé sur Thalès, tu peux t'appuyer sur la fiche jointe au cahier de textes. Présentation prévue dans deux semaines.\n\nN. Lefèvre", 1, 16, 30}};
    static const char *const council[] = {"direction.demo", "prof.demo", "cpe.demo"};
    static const struct demo_msg meeting[] = {
        {"direction.demo", "Bonjour à tous,\n\nLe conseil de classe de 4e B aura lieu dans deux semaines, le jeudi à 17 h 30, salle du conseil. Merci de saisir vos appréciations trois jours avant.\n\nK. Haddad", 5, 14, 0},
        {"cpe.demo", "Bien noté. Je préparerai le bilan des absences de la classe.\n\nS. Petit", 5, 16, 20}};
    if (demo_thread(d, est, "Exercice 4 p. 82", family_prof, 2, maths, 2, "parent.demo") < 0 ||
        demo_thread(d, est, "Absence de Lucie", cpe_family, 2, absence, 1, NULL) < 0 ||
        demo_thread(d, est, "Exposé sur Thalès", prof_pupil, 2, talk, 1, NULL) < 0 ||
        demo_thread(d, est, "Conseil de classe de 4e B", council, 3, meeting, 2, "direction.demo prof.demo") < 0)
        return -1;
    return 0;
}

static int territory_build(struct demo *d, int scale)
{
    if (store_int(d->s, &d->territory_id, "INSERT INTO territory (code, name) VALUES ($1, $2) RETURNING id", "tt",
                  "D-DEMO", "Département de la Vallée (démo)") != 1)
        return -1;
    if (levels_add(d) < 0) return -1;
    struct member admin;
    member_fixed(&admin, "Agnès", "Roussel", true, "1976-12-01", "admin.demo");
    int64_t a = staff_add(d, &admin);
    if (!a || role_add(d, a, "admin", 0, d->territory_id, "Administratrice du territoire") < 0) return -1;
    for (int i = 0; i < scale; i++)
        if (sector_build(d, i, scale) < 0) return -1;
    return services_add(d);
}

/* R-REPS: parent.demo (Claire Moreau) and two other parents, one of the
 * youngest and one of the oldest pupils, are the elected parent
 * representatives of the demo collège for the current school year (the
 * head designated them after the October elections); about 60 % of the
 * collège's parents said yes to their messages in the first days of
 * September, one in ten said no, the others have not answered. Claire
 * answered for the collège but not for Hugo's école, so that the question
 * shows on her home page. Nothing in the summer gap (no current year).
 * 0 or -1. */
static int demo_reps(struct demo *d)
{
    struct store *s = d->s;
    int64_t est = d->demo_college_id, year = 0, head = 0, claire = 0;
    if (!est) return 0;
    char starts[11] = "", day[11];
    struct stmt *st = store_q(s, "SELECT id, starts_on FROM school_year WHERE establishment_id = $1 AND starts_on <= $2 AND ends_on >= $2",
                              "it", est, d->today);
    if (st && stmt_step(st) == STORE_ROW) {
        year = stmt_int(st, 0);
        snprintf(starts, sizeof starts, "%s", stmt_text(st, 1));
    }
    stmt_done(st);
    if (!year) return 0;
    if (store_int(s, &head, "SELECT person_id FROM account WHERE login = 'direction.demo'", NULL) != 1 ||
        store_int(s, &claire, "SELECT person_id FROM account WHERE login = 'parent.demo'", NULL) != 1)
        return -1;
    char today[11];
    clock_today(today);
    /* Parents of the collège's pupils today, the demo family's first. */
    static const char *const q_parents =
        "SELECT DISTINCT g.parent_id, l.ordinal, c.name FROM guardianship g JOIN enrolment en ON en.pupil_id = g.pupil_id"
        " AND en.starts_on <= $2 AND (en.ends_on IS NULL OR en.ends_on >= $2) JOIN class c ON c.id = en.class_id"
        " JOIN level l ON l.id = c.level_id WHERE c.establishment_id = $1 ORDER BY 2, 3, 1";
    size_t n = 0, cap = 256;
    int64_t *parents = malloc(cap * sizeof *parents);
    if (!parents) return -1;
    st = store_q(s, q_parents, "it", est, today);
    while (st && stmt_step(st) == STORE_ROW) {
        int64_t id = stmt_int(st, 0);
        bool seen = false;
        for (size_t i = 0; i < n && !seen; i++) seen = parents[i] == id;
        if (seen) continue;
        if (n == cap) {
            int64_t *grown = realloc(parents, 2 * cap * sizeof *parents);
            if (!grown) { stmt_done(st); free(parents); return -1; }
            parents = grown;
            cap *= 2;
        }
        parents[n++] = id;
    }
    stmt_done(st);
    /* The representatives: Claire, the first parent of the youngest class
     * and the last of the oldest (not of the demo family). */
    int64_t reps[3] = {claire, 0, 0}, family = 0;
    for (size_t i = 0; i < n && !reps[1]; i++) {
        store_int(s, &family, "SELECT count(*) FROM guardianship a JOIN guardianship b ON b.pupil_id = a.pupil_id"
                              " WHERE a.parent_id = $1 AND b.parent_id = $2", "ii", claire, parents[i]);
        if (!family) reps[1] = parents[i];
    }
    for (size_t i = n; i > 0 && !reps[2]; i--) {
        store_int(s, &family, "SELECT count(*) FROM guardianship a JOIN guardianship b ON b.pupil_id = a.pupil_id"
                              " WHERE a.parent_id = $1 AND b.parent_id = $2", "ii", claire, parents[i - 1]);
        if (!family && parents[i - 1] != reps[1]) reps[2] = parents[i - 1];
    }
    calendar_add_days(starts, 45, day);
    int64_t designated = clock_local_noon(day) + 5 * 3600;
    if (designated > d->now) designated = d->now;
    for (int i = 0; i < 3; i++)
        if (reps[i] && store_run(s, "INSERT INTO parent_rep (establishment_id, school_year_id, person_id, designated_by, designated_at)"
                                    " VALUES ($1, $2, $3, $4, $5)", "iiiii", est, year, reps[i], head, designated + 60 * i) < 0)
            goto fail;
    for (size_t i = 0; i < n; i++) {
        uint64_t h = draw(parents[i], est, 0x52455053ULL /* "REPS" */, 0);
        int answer = parents[i] == claire ? 1 : (int)(h % 100) < 60 ? 1 : (int)(h % 100) < 70 ? 0 : -1;
        if (answer < 0) continue;
        calendar_add_days(starts, 1 + (int)(h / 100 % 10), day);
        int64_t at = clock_local_noon(day) + (int64_t)((int)(h / 1000 % 600) - 240) * 60;
        if (at > d->now) at = d->now;
        if (store_run(s, "INSERT INTO rep_consent (parent_id, establishment_id, consented, changed_at) VALUES ($1, $2, $3, $4)", "iiii",
                      parents[i], est, (int64_t)answer, at) < 0)
            goto fail;
    }
    free(parents);
    return 0;
fail:
    free(parents);
    return -1;
}

/* Free the generator's state. */
static void demo_free(struct demo *d)
{
    nameset_free(&d->logins);
    nameset_free(&d->emails);
    free(d->days);
    free(d->skip);
    free(d);
}

/* See demo.h. The password is hashed once, before the transaction, and the
 * hash shared by the six demo accounts. */
int demo_generate(struct store *s, int scale, struct demo_summary *out)
{
    static const char *const fixed_logins[] = {"eleve.demo", "parent.demo", "prof.demo", "cpe.demo",
                                               "direction.demo", "admin.demo"};
    if (!s || !out) return -1;
    memset(out, 0, sizeof *out);
    if (scale < 1) scale = 1;
    if (scale > DEMO_SCALE_MAX) {
        log_error("demo_generate", "scale %d is too large (at most %d)", scale, DEMO_SCALE_MAX);
        return -1;
    }
    struct demo *d = calloc(1, sizeof *d);
    if (!d) return -1;
    d->s = s;
    d->sum = out;
    d->now = clock_now();
    d->codes_left = CODES_TO_ISSUE;
    /* The current school year: the one containing today, the next one in
     * the summer gap, the last one after both. */
    clock_today(d->today);
    d->year = strcmp(d->today, years[0].ends_on) <= 0 ? 0 : 1;
    double t0 = clock_elapsed();
    bool in_transaction = false;
    if (days_make(d) < 0) {
        log_error("demo_generate", "cannot compute the days of the school year");
        goto fail;
    }
    if (auth_password_hash(DEMO_PASSWORD, d->password_hash) < 0) {
        log_error("demo_generate", "cannot hash the demo password: out of memory");
        goto fail;
    }
    for (int i = 0; i < COUNT(fixed_logins); i++)
        if (nameset_take(&d->logins, fixed_logins[i]) < 0) goto fail;
    /* The school calendar, before any timetable (the lesson changes fall on
     * school days of zone B). The import has its own transaction and is
     * idempotent: it stays if what follows fails. */
    const struct asset *calendar = assets_find(assets_data, assets_data_count, DEMO_CALENDAR);
    char err[256] = "";
    if (!calendar || calendar_import_csv(s, (const char *)calendar->data, calendar->len, err, sizeof err) < 0) {
        log_error("demo_generate", "cannot import the school calendar %s: %s", DEMO_CALENDAR,
                  calendar ? err : "not embedded");
        goto fail;
    }
    if (store_begin(s) < 0) goto fail;
    in_transaction = true;
    if (territory_build(d, scale) < 0 || demo_messages(d) < 0 || demo_reps(d) < 0 || demo_inbox_times(d) < 0 ||
        demo_notices(s, d->now) < 0 || store_commit(s) < 0)
        goto fail;
    log_info("demo_generate",
             "scale %d, school year %s: %ld establishments, %ld classes, %ld pupils, %ld parents, %ld teachers,"
             " %ld accounts, %ld rooms, %ld timetable slots (%ld lessons dropped), %ld lesson changes, %ld class log"
             " entries, %ld homework (%ld ticked done), %ld assessments (%ld marks, %ld skill results), %ld roll"
             " calls, %ld absences, %ld lateness, %ld attendance alerts, %ld threads (%ld messages, %ld messages to"
             " the parents of a class) in %.1f s",
             scale, years[d->year].label, out->establishments, out->classes, out->pupils, out->parents, out->teachers,
             out->accounts, d->rooms, d->slots, d->dropped, d->changes, d->entries, d->homework, d->done,
             d->assessments, d->marks, d->skill_results, d->roll_calls, d->absences, d->lates, d->alerts, d->threads,
             d->messages, d->broadcasts, clock_elapsed() - t0);
    out->threads = d->threads;
    out->messages = d->messages;
    demo_free(d);
    return 0;

fail:
    /* The failing statement is logged by the store; nothing is kept. */
    log_error("demo_generate", "demo generation failed at scale %d: nothing written (but the school calendar)",
              scale);
    if (in_transaction) store_rollback(s);
    demo_free(d);
    memset(out, 0, sizeof *out);
    return -1;
}
