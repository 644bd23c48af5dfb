/* fmtcheck.c — build-time check of every call to the escaping printf
 * (out(), buf_fmt()): the format must be a string literal, every conversion
 * one of %h %u %j %d %I %z %R %%, the number of arguments must match, and
 * each %R (raw HTML) must be justified by a RAW_OK comment on the call.
 * Usage: fmtcheck FILE… ; exit status 1 and a message per fault. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int faults;

static void fault(const char *file, int line, const char *msg, const char *detail)
{
    fprintf(stderr, "%s:%d: fmtcheck: %s%s%s\n", file, line, msg, detail ? ": " : "", detail ? detail : "");
    faults++;
}

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(2); }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)len + 1);
    if (fread(s, 1, (size_t)len, f) != (size_t)len) { perror(path); exit(2); }
    s[len] = 0;
    fclose(f);
    *n = (size_t)len;
    return s;
}

/* Skip a string or char literal starting at s[i]; returns index after it. */
static size_t skip_lit(const char *s, size_t i)
{
    char q = s[i++];
    while (s[i] && s[i] != q) {
        if (s[i] == '\\' && s[i + 1]) i++;
        i++;
    }
    return s[i] ? i + 1 : i;
}

static size_t skip_comment(const char *s, size_t i)
{
    if (s[i] == '/' && s[i + 1] == '/') {
        while (s[i] && s[i] != '\n') i++;
        return i;
    }
    if (s[i] == '/' && s[i + 1] == '*') {
        const char *e = strstr(s + i + 2, "*/");
        return e ? (size_t)(e - s) + 2 : strlen(s);
    }
    return i;
}

static int line_of(const char *s, size_t i)
{
    int l = 1;
    for (size_t k = 0; k < i; k++) l += s[k] == '\n';
    return l;
}

/* Concatenate the string literals of arg [b, e); -1 if anything else is there. */
static int literal(const char *s, size_t b, size_t e, char *outbuf, size_t cap)
{
    size_t o = 0;
    size_t i = b;
    int seen = 0;
    while (i < e) {
        if (isspace((unsigned char)s[i])) { i++; continue; }
        size_t c = skip_comment(s, i);
        if (c != i) { i = c; continue; }
        if (s[i] != '"') return -1;
        seen = 1;
        i++;
        while (i < e && s[i] != '"') {
            if (s[i] == '\\') {
                if (o + 2 < cap) { outbuf[o++] = s[i]; outbuf[o++] = s[i + 1]; }
                i += 2;
                continue;
            }
            if (o + 1 < cap) outbuf[o++] = s[i];
            i++;
        }
        i++;
    }
    outbuf[o] = 0;
    return seen ? 0 : -1;
}

static void check_call(const char *file, const char *s, size_t name_at, size_t open)
{
    /* Split arguments at top-level commas. */
    size_t args[64], nargs = 0, i = open + 1;
    int depth = 0;
    args[nargs++] = i;
    while (s[i]) {
        size_t c = skip_comment(s, i);
        if (c != i) { i = c; continue; }
        char ch = s[i];
        if (ch == '"' || ch == '\'') { i = skip_lit(s, i); continue; }
        if (ch == '(' || ch == '[' || ch == '{') depth++;
        else if (ch == ')' || ch == ']' || ch == '}') {
            if (depth == 0) break;
            depth--;
        } else if (ch == ',' && depth == 0 && nargs < 63) {
            args[nargs++] = i + 1;
        }
        i++;
    }
    size_t close = i;
    args[nargs] = close + 1;
    int line = line_of(s, name_at);
    /* Declarations and definitions: first argument starts with a type. */
    const char *a0 = s + args[0];
    while (isspace((unsigned char)*a0)) a0++;
    if (!strncmp(a0, "struct ", 7) || !strncmp(a0, "const ", 6)) return;
    if (nargs < 2) { fault(file, line, "call without a format", NULL); return; }
    static char fmt[65536];
    if (literal(s, args[1], args[2] - 1, fmt, sizeof fmt) < 0) {
        fault(file, line, "format is not a string literal", NULL);
        return;
    }
    int convs = 0, raw = 0;
    for (const char *f = fmt; *f; f++) {
        if (*f != '%') continue;
        f++;
        if (*f == '%') continue;
        if (!*f || !strchr("hujdIzR", *f)) {
            char d[8] = {'%', *f ? *f : '?', 0};
            fault(file, line, "conversion not allowed (use %h for text)", d);
            continue;
        }
        if (*f == 'R') raw++;
        convs++;
    }
    if ((size_t)convs != nargs - 2) {
        char d[64];
        snprintf(d, sizeof d, "%d conversions, %zu arguments", convs, nargs - 2);
        fault(file, line, "argument count does not match the format", d);
    }
    if (raw) {
        /* The call's text, from the name to the closing parenthesis. */
        size_t len = close - name_at;
        char *call = strndup(s + name_at, len);
        /* Also accept the marker on the line of the closing parenthesis. */
        const char *eol = strchr(s + close, '\n');
        char *tail = strndup(s + close, eol ? (size_t)(eol - (s + close)) : strlen(s + close));
        if (!strstr(call, "RAW_OK") && !strstr(tail, "RAW_OK"))
            fault(file, line, "%R (raw HTML) without a RAW_OK comment saying why it is safe", NULL);
        free(call);
        free(tail);
    }
}

static void check_file(const char *file)
{
    size_t n;
    char *s = slurp(file, &n);
    static const char *const names[] = {"out", "buf_fmt"};
    for (size_t i = 0; i < n;) {
        size_t c = skip_comment(s, i);
        if (c != i) { i = c; continue; }
        if (s[i] == '"' || s[i] == '\'') { i = skip_lit(s, i); continue; }
        if (s[i] == '#' && !strncmp(s + i, "#include", 8)) { /* macros are checked like code */
            while (i < n && s[i] != '\n') i++;
            continue;
        }
        if (isalpha((unsigned char)s[i]) || s[i] == '_') {
            size_t b = i;
            while (isalnum((unsigned char)s[i]) || s[i] == '_') i++;
            size_t len = i - b;
            for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
                if (len != strlen(names[k]) || strncmp(s + b, names[k], len)) continue;
                if (b > 0 && (s[b - 1] == '.' || (b > 1 && s[b - 1] == '>' && s[b - 2] == '-'))) continue;
                size_t p = i;
                while (isspace((unsigned char)s[p])) p++;
                if (s[p] == '(') check_call(file, s, b, p);
            }
            continue;
        }
        i++;
    }
    free(s);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) check_file(argv[i]);
    if (faults) fprintf(stderr, "fmtcheck: %d fault(s)\n", faults);
    return faults ? 1 : 0;
}
