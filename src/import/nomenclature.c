/* nomenclature.c — national facts shared by the importers. */
#include "nomenclature.h"
#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Académies by zone of the school calendar (arrêté fixing the zones):
 * the départements of each, as the first three digits of a UAI. */
static const struct { const char *zone; const char *depts; } zones[] = {
    {"A", "025 039 070 090 024 033 040 047 064 003 015 043 063 021 058 071 089 007 026 038 073 "
          "074 019 023 087 001 042 069 016 017 079 086"},
    {"B", "004 005 013 084 002 060 080 059 062 054 055 057 088 044 049 053 072 085 006 083 014 "
          "027 050 061 076 018 028 036 037 041 045 008 010 051 052 022 029 035 056 067 068"},
    {"C", "077 093 094 011 030 034 048 066 075 009 012 031 032 046 065 081 082 078 091 092 095"},
    {"Corse", "620 720"},
    {"Guadeloupe", "971"}, {"Martinique", "972"}, {"Guyane", "973"},
    {"La Réunion", "974"}, {"Mayotte", "976"},
};

const char *nomenclature_zone_of_uai(const char *uai)
{
    if (!uai || strlen(uai) != 8 || !isalpha((unsigned char)uai[7])) return NULL;
    for (int i = 0; i < 7; i++)
        if (!isdigit((unsigned char)uai[i])) return NULL;
    char dept[4] = {uai[0], uai[1], uai[2], 0};
    for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++)
        if (strstr(zones[i].depts, dept)) return zones[i].zone;
    return NULL;
}

int nomenclature_ascii(const unsigned char *p, char *c)
{
    if (*p == 0xC3 && p[1]) {
        unsigned char x = p[1] | 0x20; /* the lower-case form of the second byte */
        *c = x >= 0xA0 && x <= 0xA5 ? 'A' : x == 0xA7 ? 'C' : x >= 0xA8 && x <= 0xAB ? 'E'
           : x >= 0xAC && x <= 0xAF ? 'I' : x >= 0xB2 && x <= 0xB6 ? 'O'
           : x >= 0xB9 && x <= 0xBC ? 'U' : x == 0xBF || x == 0xBD ? 'Y' : 0;
        return 2;
    }
    if (*p == 0xC5 && (p[1] == 0x93 || p[1] == 0x92)) { /* œ, Œ */
        *c = 'O';
        return 2;
    }
    *c = *p < 0x80 ? (char)toupper(*p) : 0;
    return 1;
}

/* s upper-cased, accents of Latin-1 letters in UTF-8 dropped, into out. */
static void fold(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && n + 1 < cap;) {
        char c;
        p += nomenclature_ascii(p, &c);
        out[n++] = c ? c : '?';
    }
    out[n] = 0;
}

const char *nomenclature_establishment_kind(const char *type, const char *name)
{
    char t[160];
    for (int pass = 0; pass < 2; pass++) {
        const char *s = pass ? name : type;
        if (!s) continue;
        fold(s, t, sizeof t);
        if (strstr(t, "ECOLE") || !strncmp(t, "EPPU", 4) || !strncmp(t, "EMPU", 4)
            || strstr(t, "MATERNELLE") || strstr(t, "ELEMENTAIRE") || strstr(t, "PRIMAIRE"))
            return "ecole";
        if (strstr(t, "COLL") || !strncmp(t, "CLG", 3)) return "college";
        if (strstr(t, "LYC") || !strncmp(t, "LP", 2) || !strncmp(t, "LGT", 3)
            || !strncmp(t, "LEGT", 4) || !strncmp(t, "EREA", 4))
            return "lycee";
    }
    return NULL;
}

const char *nomenclature_level(const char *text)
{
    if (!text) return NULL;
    char t[160];
    fold(text, t, sizeof t);
    static const struct { const char *word, *code; } words[] = {
        {"TOUTE PETITE", "PS"}, {"PETITE", "PS"}, {"MOYENNE", "MS"}, {"GRANDE SECTION", "GS"},
        {"SIXIEME", "6E"}, {"CINQUIEME", "5E"}, {"QUATRIEME", "4E"}, {"TROISIEME", "3E"},
        {"SECONDE", "2NDE"}, {"PREMIERE", "1ERE"}, {"TERMINALE", "TLE"},
        {"2NDE", "2NDE"}, {"2ND", "2NDE"}, {"1ERE", "1ERE"}, {"TERM", "TLE"},
        {"CE1", "CE1"}, {"CE2", "CE2"}, {"CM1", "CM1"}, {"CM2", "CM2"}, {"CP", "CP"},
        {"TPS", "PS"}, {"PS", "PS"}, {"MS", "MS"}, {"GS", "GS"}};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (!strncmp(t, words[i].word, strlen(words[i].word))) return words[i].code;
    /* A class code: a digit first ("4B", "6EME A", "3-2"), or T then a
     * letter or digit ("TG1", "TSTMG"). */
    switch (t[0]) {
    case '6': return "6E";
    case '5': return "5E";
    case '4': return "4E";
    case '3': return "3E";
    case '2': return "2NDE";
    case '1': return "1ERE";
    case 'T': return isalnum((unsigned char)t[1]) ? "TLE" : NULL;
    default: break;
    }
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strlen(words[i].word) >= 3 && strstr(t, words[i].word)) return words[i].code;
    return NULL;
}
