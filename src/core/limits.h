/* limits.h — every limit of Carnet, as a named constant, in one place. */
#ifndef CARNET_LIMITS_H
#define CARNET_LIMITS_H

/* HTTP */
#define LIMIT_BODY_BYTES          (11 * 1024 * 1024) /* largest request body (10 MB of attachments to a message and its form) */
#define LIMIT_DISCARD_BYTES       (24 * 1024 * 1024) /* larger bodies: answer 413 at once and close */
#define LIMIT_URL_BYTES           2048               /* longest request target */
#define LIMIT_HEADER_POOL_BYTES   (32 * 1024)        /* libmicrohttpd memory per connection */
#define LIMIT_FIELDS              512                /* form or query fields per request (a class's marks and skills) */
#define LIMIT_FIELD_NAME_BYTES    64
#define LIMIT_FIELD_VALUE_BYTES   (64 * 1024)
#define LIMIT_MULTIPART_PARTS     16
#define LIMIT_COOKIES             16
#define LIMIT_PATH_SEGMENTS       8
#define LIMIT_CONNECTIONS         1024
#define LIMIT_CONNECTION_TIMEOUT_S 30
#define LIMIT_THREADS_MAX         16

/* Text fields */
#define LIMIT_LOGIN_BYTES         64
#define LIMIT_PASSWORD_BYTES      256
#define LIMIT_NAME_BYTES          200
#define LIMIT_TITLE_BYTES         120
#define LIMIT_DESCRIPTION_BYTES   400
#define LIMIT_SERVICE_URL_BYTES   500

/* Sessions (seconds) */
#define SESSION_IDLE_S            (2 * 3600)         /* signed out after 2 h without use */
#define SESSION_ABSOLUTE_S        (12 * 3600)        /* and in any case after 12 h */
#define SESSION_TOUCH_S           60                 /* last-use time written at most once a minute */
#define SESSION_TOKEN_BYTES       32
#define SESSION_PURGE_AFTER_S     (30 * 24 * 3600)   /* ended sessions are deleted after 30 days */

/* Pre-session CSRF token (sign-in, activation and language forms before
 * sign-in): issued and signed by the server, never chosen by the client. */
#define PRESESSION_VALID_S        (2 * 3600)         /* a sign-in form stays usable 2 h, like an idle session */
#define PRESESSION_NONCE_BYTES    16

/* Login throttling */
#define THROTTLE_WINDOW_S         (15 * 60)
#define THROTTLE_ACCOUNT_FAILURES 5                  /* per login, per window */
#define THROTTLE_ADDRESS_FAILURES 20                 /* per client address, per window */

/* Account activation by one-time code (paper letter) */
#define ACTIVATION_CODE_CHARS     12
#define ACTIVATION_VALID_S        (60 * 24 * 3600)   /* a letter stays valid 60 days */
#define PASSWORD_RESET_VALID_S    (30 * 60)          /* a "mot de passe oublié" link */
#define EMAIL_CONFIRM_VALID_S     (48 * 3600)        /* the link that confirms a new address */
#define PASSWORD_MIN_CHARS        10
#define PASSWORD_PHRASE_CHARS     16                 /* any phrase this long is accepted */

/* Message search (S-MESSAGES) */
#define LIMIT_SEARCH_QUERY_CHARS  100                /* the text typed in the search box */
#define LIMIT_SEARCH_TERMS        8                  /* words of a query used; the others are ignored */
#define LIMIT_SEARCH_TERM_BYTES   64                 /* a longer word is cut (and matches as a prefix) */
#define LIMIT_SEARCH_RESULTS      50                 /* messages one search returns */

/* Attachments that are ZIP archives (docx, xlsx, pptx, odt, ods, odp): what
 * their central directory may announce, read without decompressing. A zip
 * bomb of 1 MB that expands to 1 GiB is refused by each of the three. */
#define UPLOAD_ZIP_MAX_EXPANDED_BYTES (100 * 1024 * 1024) /* all the entries, expanded */
#define UPLOAD_ZIP_MAX_RATIO      100                /* expanded size / size of the file */
#define UPLOAD_ZIP_MAX_ENTRIES    10000              /* files in it (a long slide show: hundreds) */

/* Grades (S-GRADES) */
/* Pupils and parents see a class statistic (lowest, highest, mean) only
 * when it is made of at least this many marks, or pupils' averages: with
 * fewer, their own mark and the statistic give a classmate's mark away. */
#define GRADES_STATS_MIN_MARKS    5

/* Imports (AAF, ONDE, SIECLE, STS-web, OneRoster) */
#define IMPORT_REPORT_PROBLEMS_MAX 2000              /* problems a report lists; more are only counted */
#define IMPORT_MAX_FILES          512                /* files one run takes */
/* CSV files of an import (ONDE…), read as a stream: what one record may
 * hold. The field and line sizes are counted in the file's bytes. */
#define LIMIT_CSV_FIELD_BYTES     4096               /* one field */
#define LIMIT_CSV_COLUMNS         256                /* fields of a record, header included */
#define LIMIT_CSV_LINE_BYTES      (64 * 1024)        /* a record, quoted line breaks included */
/* A OneRoster zip (src/import/orzip.c): a roster of a whole territory is
 * larger than an attachment (UPLOAD_ZIP_MAX_EXPANDED_BYTES would refuse it),
 * but it is a few CSV files. Checked on what the archive announces and
 * again on the bytes actually inflated; the ratio is UPLOAD_ZIP_MAX_RATIO. */
#define IMPORT_ZIP_MAX_ENTRIES    64                 /* files in it (OneRoster 1.2: about 20) */
#define IMPORT_ZIP_MAX_ENTRY_BYTES (1024LL * 1024 * 1024) /* one entry, expanded */
#define IMPORT_ZIP_MAX_EXPANDED_BYTES (2048LL * 1024 * 1024) /* all the entries, expanded */

/* Arena */
#define ARENA_BLOCK_BYTES         (16 * 1024)

#endif
