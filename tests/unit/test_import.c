/* test_import.c — the national facts and small pieces the importers share
 * (src/import): the holiday zone of a UAI, an establishment's kind from its
 * type, a class's level from its code or label, AAF file names, the folded
 * names that match one human across sources (R-ID), the key map. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "import/aaf.h"
#include "import/keymap.h"
#include "import/nomenclature.h"
#include "import/apply_impl.h"
#include <stdio.h>
#include <string.h>

static void zones_from_uai(void **state)
{
    (void)state;
    assert_string_equal(nomenclature_zone_of_uai("0441234X"), "B");   /* Nantes */
    assert_string_equal(nomenclature_zone_of_uai("0691670R"), "A");   /* Lyon */
    assert_string_equal(nomenclature_zone_of_uai("0750001A"), "C");   /* Paris */
    assert_string_equal(nomenclature_zone_of_uai("6200001A"), "Corse");
    assert_string_equal(nomenclature_zone_of_uai("9740001A"), "La Réunion");
    assert_null(nomenclature_zone_of_uai("044123X"));   /* too short */
    assert_null(nomenclature_zone_of_uai("04412345"));  /* no letter */
    assert_null(nomenclature_zone_of_uai("9990001A"));  /* no such département */
    assert_null(nomenclature_zone_of_uai(NULL));
}

static void kinds_from_type(void **state)
{
    (void)state;
    assert_string_equal(nomenclature_establishment_kind("COLLEGE", NULL), "college");
    assert_string_equal(nomenclature_establishment_kind("LYCEE PROFESSIONNEL", NULL), "lycee");
    assert_string_equal(nomenclature_establishment_kind("ECOLE ELEMENTAIRE PUBLIQUE", NULL), "ecole");
    assert_string_equal(nomenclature_establishment_kind("Lycée général", NULL), "lycee");
    assert_string_equal(nomenclature_establishment_kind("EREA", NULL), "lycee");
    assert_string_equal(nomenclature_establishment_kind("SEGPA?", "COLLÈGE JULES VERNE"), "college");
    assert_null(nomenclature_establishment_kind("CIO", "CENTRE D'INFORMATION"));
}

static void levels_from_labels(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"6A", "6E"}, {"6EME A", "6E"}, {"3-2", "3E"}, {"SIXIÈME B", "6E"}, {"2NDE1", "2NDE"},
        {"SECONDE GENERALE", "2NDE"}, {"1G3", "1ERE"}, {"TG1", "TLE"}, {"TERMINALE PRO", "TLE"},
        {"CE2-CM1", "CE2"}, {"CM2 B", "CM2"}, {"CP", "CP"}, {"PS/MS", "PS"},
        {"GRANDE SECTION", "GS"}, {"Petite section", "PS"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = nomenclature_level(cases[i][0]);
        if (!got || strcmp(got, cases[i][1])) fail_msg("%s → %s, not %s", cases[i][0],
                                                       got ? got : "NULL", cases[i][1]);
    }
    assert_null(nomenclature_level("ULIS"));
    assert_null(nomenclature_level(NULL));
}

static void aaf_file_names(void **state)
{
    (void)state;
    struct aaf_name n;
    assert_true(aaf_name_parse("/x/ENT_0691670R_Complet_20120504_PersRelEleve_0003.xml", &n));
    assert_int_equal(n.kind, IMP_RELATIVE);
    assert_false(n.delta);
    assert_int_equal(n.date, 20120504);
    assert_int_equal(n.batch, 3);
    assert_true(aaf_name_parse("EnvOLE_ENT2DVA_0940072T_Delta_20180830_Eleve_0000.XML", &n));
    assert_int_equal(n.kind, IMP_PUPIL);
    assert_true(n.delta);
    assert_true(aaf_name_parse("FULL_ENTTSSERVICES_Complet_20130117_EtabEducNat_0001.xml", &n));
    assert_int_equal(n.kind, IMP_ESTABLISHMENT);
    /* Eleve is not mistaken for PersRelEleve, nor the reverse */
    assert_true(aaf_name_parse("A_Complet_20260901_PersEducNat_0000.xml", &n));
    assert_int_equal(n.kind, IMP_STAFF);
    assert_false(aaf_name_parse("eleves.xml", &n));
    assert_false(aaf_name_parse("A_Complet_2026091_Eleve_0000.xml", &n));   /* 7-digit date */
    assert_false(aaf_name_parse("A_Complet_20260901_Eleves_0000.xml", &n)); /* unknown type */
    assert_false(aaf_name_parse("A_Complet_20260901_Eleve_0000.csv", &n));
}

/* R-ID: one folded key whatever the accents, case, hyphens and blanks. */
static void folded_names(void **state)
{
    (void)state;
    char a[160], b[160];
    identity_fold("Le Breton", "Élodie", a, sizeof a);
    assert_string_equal(a, "LE BRETON|ELODIE");
    identity_fold("LE-BRETON", "elodie", b, sizeof b);
    assert_string_equal(a, b);
    identity_fold("N'DIAYE", "  Awa ", a, sizeof a);
    assert_string_equal(a, "N DIAYE|AWA");
    identity_fold("Müller", "Jean-François", a, sizeof a);
    assert_string_equal(a, "MULLER|JEAN FRANCOIS");
    identity_fold(NULL, NULL, a, sizeof a);
    assert_string_equal(a, "|");
    char tiny[6];
    identity_fold("MARTINEZ", "PAUL", tiny, sizeof tiny);
    assert_true(strlen(tiny) < sizeof tiny);
}

static void key_map(void **state)
{
    (void)state;
    struct keymap m;
    keymap_init(&m);
    char k[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(k, sizeof k, "key%d", i);
        keymap_put(&m, k)->id = i + 1;
    }
    assert_int_equal(m.n, 5000);
    for (int i = 0; i < 5000; i++) {
        snprintf(k, sizeof k, "key%d", i);
        struct keymap_entry *e = keymap_get(&m, k);
        assert_non_null(e);
        assert_int_equal(e->id, i + 1);
    }
    assert_null(keymap_get(&m, "key5000"));
    keymap_put(&m, "key7")->flags = 3; /* the same entry again */
    assert_int_equal(m.n, 5000);
    assert_int_equal(keymap_get(&m, "key7")->id, 8);
    assert_string_equal(keymap_key2(k, sizeof k, 42, "6A"), "42\t6A");
    keymap_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(zones_from_uai),   cmocka_unit_test(kinds_from_type),
        cmocka_unit_test(levels_from_labels), cmocka_unit_test(aaf_file_names),
        cmocka_unit_test(folded_names),     cmocka_unit_test(key_map),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
