/* fuzz_calendar.c — libFuzzer target for calendar_import_csv: any input is
 * either imported or refused whole; a refused input leaves the table as it
 * was, and an import of the same input twice changes nothing. */
#include "calendar/calendar.h"
#include "core/log.h"
#include "store/store.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct store *db;

static int64_t rows(void)
{
    int64_t n = -1;
    store_int(db, &n, "SELECT count(*) FROM school_calendar", NULL);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!db) {
        char err[256];
        log_set_quiet(1);
        db = store_open(":memory:", err, sizeof err);
        if (!db || store_migrate(db) < 0) abort();
    }
    char *copy = malloc(size ? size : 1); /* exact size: ASan sees reads past the end */
    if (size) memcpy(copy, data, size);
    char err[256];
    int64_t before = rows();
    int n = calendar_import_csv(db, copy, size, err, sizeof err);
    int64_t after = rows();
    if (n < 0 && after != before) abort();           /* refused: nothing stored */
    if (n >= 0 && calendar_import_csv(db, copy, size, err, sizeof err) != n) abort();
    if (n >= 0 && rows() != after) abort();          /* idempotent */
    free(copy);
    store_run(db, "DELETE FROM school_calendar", NULL);
    return 0;
}
