/* test_csv.c — the streaming CSV reader of the imports (src/import/csv.c):
 * quoting, delimiters, BOM and encodings, line ends, header names and
 * their lookup, repeated columns, ragged rows, line numbers and limits. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/limits.h"
#include "import/csv.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char err[256];

/* A reader on the text s (its length, so that it may hold NUL bytes). */
static struct csv *open_n(const char *s, size_t n)
{
    err[0] = 0;
    return csv_open_mem(s, n, err, sizeof err);
}

static struct csv *open_s(const char *s)
{
    return open_n(s, strlen(s));
}

static void test_csv_quoting_follows_rfc4180(void **state)
{
    (void)state;
    struct csv *c = open_s("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\r\nlines\"\r\n"
                           "last,,\"\"\r\n");
    assert_non_null(c);
    assert_int_equal(csv_delimiter(c), ',');
    assert_int_equal(csv_next(c), 1);
    assert_string_equal(csv_field(c, 0), "x, y");
    assert_string_equal(csv_field(c, 1), "say \"hi\"");
    assert_string_equal(csv_field(c, 2), "two\nlines");
    assert_int_equal(csv_line(c), 2);
    assert_int_equal(csv_next(c), 1);
    assert_int_equal(csv_line(c), 4); /* the quoted line break counts */
    assert_string_equal(csv_field(c, 0), "last");
    assert_string_equal(csv_field(c, 1), "");
    assert_string_equal(csv_field(c, 2), "");
    assert_int_equal(csv_next(c), 0);
    assert_int_equal(csv_next(c), 0);
    csv_close(c);
}

static void test_csv_lenient_quotes(void **state)
{
    (void)state;
    /* blanks before an opening quote and after a closing one are dropped;
     * a quote inside plain text is text; text after a closing quote is kept
     * and said */
    struct csv *c = open_s("a;b;c\n  \"x;y\"  ;ab\"c;\"d\"e\n");
    assert_int_equal(csv_next(c), 1);
    assert_string_equal(csv_field(c, 0), "x;y");
    assert_string_equal(csv_field(c, 1), "ab\"c");
    assert_string_equal(csv_field(c, 2), "de");
    assert_true(csv_stray_quote(c));
    csv_close(c);
}

static void test_csv_delimiter_from_the_header(void **state)
{
    (void)state;
    static const struct { const char *text; char delim; } cases[] = {
        {"Nom;Prénom;Date\nA;B;C\n", ';'}, {"Nom,Prénom,Date\nA,B,C\n", ','},
        {"Nom\tPrénom\tDate\nA\tB\tC\n", '\t'}, {"Nom|Prénom|Date\nA|B|C\n", '|'},
        /* a comma inside a quoted name does not count */
        {"\"Nom, usage\";Prénom;Date\nA;B;C\n", ';'},
        {"Seul\nA\n", ';'},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct csv *c = open_s(cases[i].text);
        assert_non_null(c);
        assert_int_equal(csv_delimiter(c), cases[i].delim);
        assert_int_equal(csv_next(c), 1);
        assert_string_equal(csv_field(c, 0), "A");
        csv_close(c);
    }
}

static void test_csv_bom_and_encodings(void **state)
{
    (void)state;
    /* a BOM, UTF-8 kept */
    struct csv *c = open_s("\xEF\xBB\xBFNom;Ville\nL\xC3\xA9\x61;Orl\xC3\xA9\x61ns\n");
    assert_string_equal(csv_name(c, 0), "Nom");
    assert_int_equal(csv_next(c), 1);
    assert_string_equal(csv_field(c, 0), "L\xC3\xA9\x61");
    assert_int_equal(csv_converted(c), 0);
    csv_close(c);
    /* Latin-1 / Windows-1252 bytes converted, field by field */
    c = open_s("Nom;Pr\xE9nom;Note\nC\xF4t\xE9;\xC9lo\xEFse;\x80 \x9C\x93ok\x94\n");
    assert_string_equal(csv_name(c, 1), "Pr\xC3\xA9nom");
    assert_int_equal(csv_next(c), 1);
    assert_string_equal(csv_field(c, 0), "C\xC3\xB4t\xC3\xA9");
    assert_string_equal(csv_field(c, 1), "\xC3\x89lo\xC3\xAFse");
    assert_string_equal(csv_field(c, 2), "\xE2\x82\xAC \xC5\x93\xE2\x80\x9Cok\xE2\x80\x9D");
    assert_int_equal(csv_converted(c), 4);
    csv_close(c);
    /* UTF-16 is refused, with a reason */
    assert_null(open_n("\xFF\xFEN\0o\0m\0", 8));
    assert_non_null(strstr(err, "UTF-16"));
    /* a NUL byte is not text */
    c = open_n("a;b\nx\0y;z\n", 10);
    assert_int_equal(csv_next(c), -1);
    assert_non_null(strstr(csv_error(c), "octet nul"));
    csv_close(c);
}

static void test_csv_line_ends_and_blank_lines(void **state)
{
    (void)state;
    struct csv *c = open_s("\r\n\r\na;b\r\n1;2\r\n\r\n;\r\n3;4\r5;6\n7;8");
    assert_non_null(c);
    assert_string_equal(csv_name(c, 1), "b");
    assert_int_equal(csv_next(c), 1);
    assert_int_equal(csv_line(c), 4);
    assert_string_equal(csv_field(c, 1), "2");
    assert_int_equal(csv_next(c), 1); /* the empty line and ";" are skipped */
    assert_int_equal(csv_line(c), 7);
    assert_string_equal(csv_field(c, 0), "3");
    assert_int_equal(csv_next(c), 1); /* a lone CR ends a line too */
    assert_int_equal(csv_line(c), 8);
    assert_string_equal(csv_field(c, 1), "6");
    assert_int_equal(csv_next(c), 1); /* no final line end */
    assert_int_equal(csv_line(c), 9);
    assert_string_equal(csv_field(c, 1), "8");
    assert_int_equal(csv_next(c), 0);
    csv_close(c);
    assert_null(open_s("\r\n\n"));
    assert_non_null(strstr(err, "vide"));
}

static void test_csv_header_names_and_lookup(void **state)
{
    (void)state;
    struct csv *c = open_s("Nom \u00e9l\u00e8ve; Cycle ;DATE_NAISSANCE;Pr\u00c9NOM-\u00c9L\u00c8VE;"
                           "\u00a0Niveau\nDupont;2;01/02/2019;L\u00e9a;CP\n");
    assert_string_equal(csv_name(c, 1), "Cycle");
    assert_string_equal(csv_name(c, 4), "Niveau");
    assert_int_equal(csv_index(c, "Cycle", 0), 1);
    assert_int_equal(csv_index(c, "cycle", 0), 1);
    assert_int_equal(csv_index(c, "Date naissance", 0), 2);
    assert_int_equal(csv_index(c, "date-de naissance", 0), -1);
    assert_int_equal(csv_index(c, "Prénom élève", 0), 3);
    assert_int_equal(csv_index(c, "NOM_ELEVE", 0), 0);
    assert_int_equal(csv_index(c, "Niveau", 1), -1);
    assert_int_equal(csv_next(c), 1);
    assert_string_equal(csv_get(c, "prenom eleve", 0), "L\u00e9a");
    assert_null(csv_get(c, "INE", 0));
    csv_close(c);
    assert_true(csv_same_name("Nom enfant 2", "nom_enfant", true));
    assert_false(csv_same_name("Nom enfant 2", "nom_enfant", false));
    assert_false(csv_same_name("Nom enfants", "nom enfant", true));
    assert_false(csv_same_name("Adresse 2", "Adresse 1", true));
}

static void test_csv_repeated_columns_and_ragged_rows(void **state)
{
    (void)state;
    struct csv *c = open_s("Nom;Nom enfant;Pr\u00e9nom enfant;Nom enfant;Pr\u00e9nom enfant\n"
                           "Martin;Martin;Zo\u00e9;Martin;Hugo\n"
                           "Durand;Durand;Lou\n"
                           "Petit;Petit;Eva;Petit;Jules;en trop;encore\n");
    assert_int_equal(csv_columns(c), 5);
    assert_int_equal(csv_index(c, "Nom enfant", 0), 1);
    assert_int_equal(csv_index(c, "Nom enfant", 1), 3);
    assert_int_equal(csv_index(c, "Nom enfant", 2), -1);
    assert_int_equal(csv_find(c, "Prénom enfant", 3, 5, false), 4);
    assert_int_equal(csv_find(c, "Prénom enfant", 0, 2, false), -1);
    assert_int_equal(csv_next(c), 1);
    assert_string_equal(csv_get(c, "Prénom enfant", 1), "Hugo");
    assert_int_equal(csv_next(c), 1);
    assert_int_equal(csv_fields(c), 3);
    assert_string_equal(csv_get(c, "Prénom enfant", 0), "Lou");
    assert_null(csv_get(c, "Nom enfant", 1));
    assert_null(csv_field(c, 4));
    assert_int_equal(csv_next(c), 1);
    assert_int_equal(csv_fields(c), 7); /* two more than the header: the caller reports */
    assert_string_equal(csv_field(c, 6), "encore");
    csv_close(c);
}

static void test_csv_numbered_names(void **state)
{
    (void)state;
    struct csv *c = open_s("Nom;Nom enfant 1;Adresse 1;Adresse 2;Nom enfant 2\nx\n");
    assert_int_equal(csv_find(c, "Nom enfant", 0, 5, true), 1);
    assert_int_equal(csv_find(c, "Nom enfant", 2, 5, true), 4);
    assert_int_equal(csv_find(c, "Nom enfant", 0, 5, false), -1);
    assert_int_equal(csv_find(c, "Adresse 2", 0, 5, true), 3);
    assert_int_equal(csv_find(c, "Nom", 0, 5, true), 0);
    csv_close(c);
}

/* A text of n copies of byte b, then tail. Allocated. */
static char *repeat(char b, size_t n, const char *head, const char *tail)
{
    size_t h = strlen(head), t = strlen(tail);
    char *s = malloc(h + n + t + 1);
    memcpy(s, head, h);
    memset(s + h, b, n);
    memcpy(s + h + n, tail, t + 1);
    return s;
}

static void test_csv_limits_stop_with_the_line(void **state)
{
    (void)state;
    /* a field too long */
    char *s = repeat('x', LIMIT_CSV_FIELD_BYTES + 1, "a;b\n1;2\n", ";z\n");
    struct csv *c = open_s(s);
    assert_int_equal(csv_next(c), 1);
    assert_int_equal(csv_next(c), -1);
    assert_non_null(strstr(csv_error(c), "ligne 3"));
    assert_non_null(strstr(csv_error(c), "4096 octets"));
    assert_int_equal(csv_next(c), -1); /* and it stays stopped */
    csv_close(c);
    free(s);
    /* exactly the limit is fine */
    s = repeat('x', LIMIT_CSV_FIELD_BYTES, "a;b\n", ";z\n");
    c = open_s(s);
    assert_int_equal(csv_next(c), 1);
    assert_int_equal(strlen(csv_field(c, 0)), LIMIT_CSV_FIELD_BYTES);
    csv_close(c);
    free(s);
    /* too many columns */
    s = repeat(';', LIMIT_CSV_COLUMNS, "a;b\n", "x\n");
    c = open_s(s);
    assert_int_equal(csv_next(c), -1);
    assert_non_null(strstr(csv_error(c), "plus de 256 champs"));
    csv_close(c);
    free(s);
    /* a line too long, its fields short enough: 250 fields of 300 bytes */
    s = malloc(250 * 301 + 8);
    size_t k = 0;
    k += (size_t)sprintf(s, "a;b\n");
    for (int i = 0; i < 250; i++) {
        memset(s + k, 'y', 300);
        k += 300;
        s[k++] = ';';
    }
    strcpy(s + k, "\n");
    c = open_s(s);
    assert_int_equal(csv_next(c), -1);
    assert_non_null(strstr(csv_error(c), "ligne 2 : la ligne dépasse 65536 octets"));
    csv_close(c);
    free(s);
}

static void test_csv_unclosed_quote_is_a_truncated_file(void **state)
{
    (void)state;
    struct csv *c = open_s("a;b\n1;2\n3;\"open\nand on\n");
    assert_int_equal(csv_next(c), 1);
    assert_int_equal(csv_next(c), -1);
    assert_non_null(strstr(csv_error(c), "ouvert ligne 3"));
    csv_close(c);
}

static void test_csv_reads_a_file_in_blocks(void **state)
{
    (void)state;
    char path[] = "/tmp/carnet-test-csv-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    fputs("Nom,Valeur\r\n", f);
    for (int i = 0; i < 20000; i++) fprintf(f, "\"ligne %d\",\"%d\r\nsuite\"\r\n", i, i);
    fclose(f);
    struct csv *c = csv_open_file(path, err, sizeof err);
    assert_non_null(c);
    int n = 0;
    while (csv_next(c) == 1) {
        char want[32];
        snprintf(want, sizeof want, "%d\nsuite", n);
        assert_string_equal(csv_field(c, 1), want);
        assert_int_equal(csv_line(c), 2 + 2 * n);
        n++;
    }
    assert_int_equal(n, 20000);
    assert_string_equal(csv_error(c), "");
    csv_close(c);
    unlink(path);
    assert_null(csv_open_file("/nonexistent/x.csv", err, sizeof err));
}

static void test_csv_fold(void **state)
{
    (void)state;
    char out[64];
    csv_fold("N'Diaye-L\u00ea  \u0152uvre \u00e6 \u00df", out, sizeof out, CSV_FOLD_KEY);
    assert_string_equal(out, "N DIAYE LE OEUVRE AE SS");
    csv_fold("  Date_de naissance (\u00e9l\u00e8ve) ", out, sizeof out, CSV_FOLD_NAME);
    assert_string_equal(out, "DATEDENAISSANCEELEVE");
    assert_int_equal(csv_fold("\u00c9l\u00e9onore", out, 4, CSV_FOLD_KEY), 3);
    assert_string_equal(out, "ELE");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_quoting_follows_rfc4180),
        cmocka_unit_test(test_csv_lenient_quotes),
        cmocka_unit_test(test_csv_delimiter_from_the_header),
        cmocka_unit_test(test_csv_bom_and_encodings),
        cmocka_unit_test(test_csv_line_ends_and_blank_lines),
        cmocka_unit_test(test_csv_header_names_and_lookup),
        cmocka_unit_test(test_csv_repeated_columns_and_ragged_rows),
        cmocka_unit_test(test_csv_numbered_names),
        cmocka_unit_test(test_csv_limits_stop_with_the_line),
        cmocka_unit_test(test_csv_unclosed_quote_is_a_truncated_file),
        cmocka_unit_test(test_csv_reads_a_file_in_blocks),
        cmocka_unit_test(test_csv_fold),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
