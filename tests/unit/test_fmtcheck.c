/* test_fmtcheck.c — the build-time check of the escaping printf
 * (tools/fmtcheck.c, built as build/tools/fmtcheck). Each test writes a small
 * C file into a temporary directory and runs the checker on it. Run from the
 * project root (as tests/run.sh does). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define FMTCHECK "build/tools/fmtcheck"

static char dir[64];
static char last_stderr[4096];

static int group_setup(void **state)
{
    (void)state;
    if (access(FMTCHECK, X_OK) != 0) {
        fprintf(stderr, "%s not found: run from the project root after `make build/tools/fmtcheck`\n", FMTCHECK);
        return -1;
    }
    strcpy(dir, "/tmp/carnet-test-fmtcheck-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    char p[128];
    for (int i = 0; i < 100; i++) {
        snprintf(p, sizeof p, "%s/t%d.c", dir, i);
        unlink(p);
    }
    snprintf(p, sizeof p, "%s/err.txt", dir);
    unlink(p);
    rmdir(dir);
    return 0;
}

/* Write src to a new file and run fmtcheck on it; returns its exit status
 * (-1 if it did not exit normally). Its stderr is kept in last_stderr. */
static int run_on(const char *src)
{
    static int n;
    char path[128], errp[128];
    snprintf(path, sizeof path, "%s/t%d.c", dir, n++);
    snprintf(errp, sizeof errp, "%s/err.txt", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("#include \"core/http.h\"\n", f);
    fputs(src, f);
    fclose(f);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0) { dup2(fd, 2); dup2(fd, 1); close(fd); }
        execl(FMTCHECK, FMTCHECK, path, (char *)NULL);
        _exit(127);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    last_stderr[0] = 0;
    FILE *e = fopen(errp, "r");
    if (e) {
        size_t k = fread(last_stderr, 1, sizeof last_stderr - 1, e);
        last_stderr[k] = 0;
        fclose(e);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#define PASSES(src)                                                                          \
    do {                                                                                     \
        int rc_ = run_on(src);                                                               \
        if (rc_ != 0) fail_msg("fmtcheck refused (status %d): %s", rc_, last_stderr);         \
    } while (0)
#define FAILS(src)                                                                           \
    do {                                                                                     \
        int rc_ = run_on(src);                                                               \
        if (rc_ != 1) fail_msg("fmtcheck status %d, expected 1 for:\n%s", rc_, (src));       \
    } while (0)

static void test_literal_format_with_escaping_conversions_passes(void **state)
{
    (void)state;
    PASSES("static void f(struct req *r, const char *name, int n)\n"
           "{\n"
           "    out(r, \"<p>%h</p><a href=\\\"/p?q=%u\\\">%d</a>\", name, name, n);\n"
           "    out(r, \"<script>var x = \\\"%j\\\";</script>\", name);\n"
           "    out(r, \"100%% done\");\n"
           "}\n");
}

static void test_buf_fmt_calls_are_checked_too(void **state)
{
    (void)state;
    PASSES("static void f(struct buf *b, int64_t id, size_t n) { buf_fmt(b, \"%I/%z\", id, n); }\n");
    FAILS("static void f(struct buf *b, const char *s) { buf_fmt(b, \"%s\", s); }\n");
}

static void test_concatenated_literals_pass(void **state)
{
    (void)state;
    PASSES("static void f(struct req *r, const char *a, const char *b)\n"
           "{\n"
           "    out(r, \"<p>%h\"\n"
           "           \" and %h</p>\", a, b);\n"
           "}\n");
}

static void test_non_literal_format_fails(void **state)
{
    (void)state;
    FAILS("static void f(struct req *r, const char *fmt, const char *x) { out(r, fmt, x); }\n");
    assert_non_null(strstr(last_stderr, "literal"));
}

static void test_format_from_a_function_call_fails(void **state)
{
    (void)state;
    FAILS("static void f(struct req *r) { out(r, tr(r, \"nav.skip\")); }\n");
}

static void test_non_literal_format_inside_a_one_line_macro_fails(void **state)
{
    (void)state;
    /* A one-line macro is a call like any other: wrapping out() must not be
     * a way around the check. */
    FAILS("#define SAY(r, s) out(r, s)\n"
          "static void f(struct req *r, const char *x) { SAY(r, x); }\n");
}

static void test_percent_s_fails(void **state)
{
    (void)state;
    FAILS("static void f(struct req *r, const char *x) { out(r, \"<p>%s</p>\", x); }\n");
    FAILS("static void f(struct req *r, int x) { out(r, \"%x\", x); }\n");
    FAILS("static void f(struct req *r, const char *x) { out(r, \"%5h\", x); }\n");
}

static void test_trailing_lone_percent_fails(void **state)
{
    (void)state;
    FAILS("static void f(struct req *r) { out(r, \"50%\"); }\n");
}

static void test_argument_count_mismatch_fails(void **state)
{
    (void)state;
    FAILS("static void f(struct req *r, const char *x) { out(r, \"<p>%h %h</p>\", x); }\n");
    FAILS("static void f(struct req *r, const char *x) { out(r, \"<p>%h</p>\", x, x); }\n");
    FAILS("static void f(struct req *r, const char *x) { out(r, \"<p></p>\", x); }\n");
    assert_non_null(strstr(last_stderr, "argument"));
}

static void test_commas_inside_nested_calls_and_strings_are_not_arguments(void **state)
{
    (void)state;
    PASSES("static void f(struct req *r, int a, int b)\n"
           "{\n"
           "    out(r, \"%h|%d\", tr_fmt(r, \"k, with comma\", \"a,b\", NULL), max(a, b));\n"
           "    out(r, \"%d\", (int)sizeof(char[2]));\n"
           "    out(r, \"%h\", \",\");\n"
           "    out(r, \"%d\", ',');\n"
           "}\n");
}

static void test_raw_without_raw_ok_comment_fails(void **state)
{
    (void)state;
    FAILS("static void f(struct req *r, const char *html) { out(r, \"<div>%R</div>\", html); }\n");
    assert_non_null(strstr(last_stderr, "RAW_OK"));
}

static void test_raw_with_raw_ok_comment_passes(void **state)
{
    (void)state;
    PASSES("static void f(struct req *r, const char *html)\n"
           "{\n"
           "    out(r, \"<div>%R</div>\", html); /* RAW_OK: html is built by page_menu() from escaped parts */\n"
           "}\n");
    PASSES("static void f(struct req *r, const char *html)\n"
           "{\n"
           "    out(r, \"<div>%R</div>\", /* RAW_OK: escaped by the caller */ html);\n"
           "}\n");
}

static void test_raw_ok_on_another_line_does_not_count(void **state)
{
    (void)state;
    FAILS("static void f(struct req *r, const char *html)\n"
          "{\n"
          "    /* RAW_OK */\n"
          "    out(r, \"<div>%R</div>\", html);\n"
          "}\n");
}

static void test_declaration_of_out_is_ignored(void **state)
{
    (void)state;
    PASSES("void out(struct req *r, const char *fmt, ...);\n"
           "void buf_fmt(struct buf *b, const char *fmt, ...);\n");
}

static void test_other_functions_and_members_named_out_are_ignored(void **state)
{
    (void)state;
    PASSES("struct s { void (*out)(int); };\n"
           "static void f(struct s *p, struct s v, const char *x) { p->out(1); v.out(2); puts(x); checkout(x); }\n");
}

static void test_calls_in_comments_and_strings_are_ignored(void **state)
{
    (void)state;
    PASSES("/* out(r, fmt, x) would be wrong */\n"
           "// out(r, \"%s\", x);\n"
           "static const char *doc = \"out(r, fmt)\";\n");
}

static void test_every_fault_is_reported_with_its_line(void **state)
{
    (void)state;
    FAILS("static void f(struct req *r, const char *x)\n"
          "{\n"
          "    out(r, \"%s\", x);\n"
          "    out(r, x);\n"
          "}\n");
    /* Line 1 is the #include added by run_on. */
    assert_non_null(strstr(last_stderr, ":4:"));
    assert_non_null(strstr(last_stderr, ":5:"));
    assert_non_null(strstr(last_stderr, "fault(s)"));
}

static void test_project_sources_pass(void **state)
{
    (void)state;
    int rc = system(FMTCHECK " src/core/*.c src/policy/*.c src/store/*.c src/modules/*/*.c >/dev/null 2>&1");
    assert_true(WIFEXITED(rc));
    assert_int_equal(WEXITSTATUS(rc), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_literal_format_with_escaping_conversions_passes),
        cmocka_unit_test(test_buf_fmt_calls_are_checked_too),
        cmocka_unit_test(test_concatenated_literals_pass),
        cmocka_unit_test(test_non_literal_format_fails),
        cmocka_unit_test(test_format_from_a_function_call_fails),
        cmocka_unit_test(test_non_literal_format_inside_a_one_line_macro_fails),
        cmocka_unit_test(test_percent_s_fails),
        cmocka_unit_test(test_trailing_lone_percent_fails),
        cmocka_unit_test(test_argument_count_mismatch_fails),
        cmocka_unit_test(test_commas_inside_nested_calls_and_strings_are_not_arguments),
        cmocka_unit_test(test_raw_without_raw_ok_comment_fails),
        cmocka_unit_test(test_raw_with_raw_ok_comment_passes),
        cmocka_unit_test(test_raw_ok_on_another_line_does_not_count),
        cmocka_unit_test(test_declaration_of_out_is_ignored),
        cmocka_unit_test(test_other_functions_and_members_named_out_are_ignored),
        cmocka_unit_test(test_calls_in_comments_and_strings_are_ignored),
        cmocka_unit_test(test_every_fault_is_reported_with_its_line),
        cmocka_unit_test(test_project_sources_pass),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
