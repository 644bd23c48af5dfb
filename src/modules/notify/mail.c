/* mail.c — an e-mail as bytes (see internal.h): RFC 5322 headers, RFC 2047
 * encoded words for the names and the subject, a quoted-printable UTF-8
 * body written from the catalogue's templates (keys notify.mail.*). */
#include "internal.h"
#include "../../core/i18n.h"
#include <stdio.h>
#include <string.h>
#include <time.h>

#define MAIL_LINE 76         /* longest line of a header or of the encoded body */

bool mail_address_ok(const char *a)
{
    size_t n = a ? strlen(a) : 0;
    const char *at = a ? strchr(a, '@') : NULL;
    if (n < 3 || n > 254 || !at || at == a || !at[1] || strchr(at + 1, '@')) return false;
    for (const unsigned char *p = (const unsigned char *)a; *p; p++)
        if (*p <= ' ' || *p == 127 || strchr("<>()[]\\,;:\"", *p)) return false;
    return true;
}

bool mail_address(const char *from, char *out, size_t len)
{
    if (!from) return false;
    const char *lt = strchr(from, '<'), *gt = lt ? strchr(lt, '>') : NULL;
    if (lt && !gt) return false;
    const char *a = lt ? lt + 1 : from;
    size_t n = lt ? (size_t)(gt - a) : strlen(a);
    while (!lt && n && (a[n - 1] == ' ' || a[n - 1] == '\t')) n--;
    while (!lt && n && (*a == ' ' || *a == '\t')) a++, n--;
    if (n >= len) return false;
    memcpy(out, a, n);
    out[n] = 0;
    return mail_address_ok(out);
}

/* Bytes of the UTF-8 character starting at p (1 for a stray byte). */
static size_t utf8_len(const unsigned char *p)
{
    size_t n = *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : *p >= 0xC0 ? 2 : 1;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80) return 1;
    return n;
}

static void hex_byte(struct buf *b, unsigned char c)
{
    static const char hex[] = "0123456789ABCDEF";
    char e[3] = {'=', hex[c >> 4], hex[c & 15]};
    buf_put(b, e, 3);
}

static bool q_literal(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c && strchr("!*+-/", c));
}

void mail_encode_words(struct buf *b, const char *text, size_t used)
{
    static const char open[] = "=?utf-8?q?";
    size_t col = used + sizeof open - 1, content = 0;
    buf_puts(b, open);
    for (const unsigned char *p = (const unsigned char *)text; *p;) {
        size_t n = utf8_len(p), enc = 0;
        for (size_t i = 0; i < n; i++) enc += q_literal(p[i]) || p[i] == ' ' ? 1 : 3;
        if (content && col + enc + 2 > MAIL_LINE) {
            buf_puts(b, "?=\r\n ");
            buf_puts(b, open);
            col = 1 + sizeof open - 1;
            content = 0;
        }
        for (size_t i = 0; i < n; i++) {
            unsigned char c = p[i] < ' ' ? ' ' : p[i]; /* a header is one line */
            if (q_literal(c)) buf_putc(b, (char)c);
            else if (c == ' ') buf_putc(b, '_');
            else hex_byte(b, c);
        }
        col += enc;
        content += enc;
        p += n;
    }
    buf_puts(b, "?=");
}

/* Must byte c, at column col of a line where it is followed by next, be
 * encoded? '=' and what is not printable ASCII always; a space or tab at
 * the end of a line; a '.' or the F of "From " opening a line (SMTP and
 * mbox readers treat them specially). */
static bool qp_encode(unsigned char c, size_t col, const char *rest)
{
    bool eol = !*rest || *rest == '\n' || *rest == '\r';
    if (c == '=' || c < ' ' || c > '~') return c != '\t' || eol;
    if (c == ' ') return eol;
    return col == 0 && (c == '.' || (c == 'F' && !strncmp(rest, "rom ", 4)));
}

void mail_qp(struct buf *b, const char *text)
{
    size_t col = 0;
    for (const char *p = text; *p; p++) {
        if (*p == '\r') continue;
        if (*p == '\n') {
            buf_puts(b, "\r\n");
            col = 0;
            continue;
        }
        unsigned char c = (unsigned char)*p;
        size_t len = qp_encode(c, col, p + 1) ? 3 : 1;
        if (col + len > MAIL_LINE - 1) {
            buf_puts(b, "=\r\n");
            col = 0;
            len = qp_encode(c, col, p + 1) ? 3 : 1;
        }
        if (len == 3) hex_byte(b, c);
        else buf_putc(b, (char)c);
        col += len;
    }
}

/* A catalogue text with {1} replaced by a1 (plain text). */
static void fill(struct buf *b, const char *lang, const char *key, const char *a1)
{
    for (const char *p = i18n_text(lang, key); *p; p++) {
        if (p[0] == '{' && p[1] == '1' && p[2] == '}') {
            buf_puts(b, a1 ? a1 : "");
            p += 2;
        } else {
            buf_putc(b, *p);
        }
    }
}

/* One line of plain text: control characters become spaces. */
static void one_line(struct buf *b, const char *s)
{
    for (; s && *s; s++) buf_putc(b, (unsigned char)*s < ' ' ? ' ' : *s);
}

/* "Name <address>" with the name in encoded words (nothing but the address
 * when there is no name). */
static void address_header(struct buf *b, const char *header, const char *name, const char *addr)
{
    buf_puts(b, header);
    buf_puts(b, ": ");
    if (name && *name) {
        mail_encode_words(b, name, strlen(header) + 2);
        buf_puts(b, " <");
        buf_puts(b, addr);
        buf_puts(b, ">\r\n");
    } else {
        buf_puts(b, addr);
        buf_puts(b, "\r\n");
    }
}

/* The display name of "Name <address>" (quotes dropped), in out[len]. */
static void display_name(const char *from, char *out, size_t len)
{
    const char *lt = from ? strchr(from, '<') : NULL;
    size_t n = lt ? (size_t)(lt - from) : 0;
    while (n && (from[n - 1] == ' ' || from[n - 1] == '"')) n--;
    while (n && (*from == ' ' || *from == '"')) from++, n--;
    if (n >= len) n = len - 1;
    if (n) memcpy(out, from, n);
    out[n] = 0;
}

static void date_header(struct buf *b, int64_t t)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    char d[64];
    snprintf(d, sizeof d, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
             tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    buf_puts(b, d);
}

static void headers(struct buf *b, const struct mail *m, const char *subject)
{
    char from[256], name[128], id[320];
    if (!mail_address(m->from, from, sizeof from)) snprintf(from, sizeof from, "carnet@localhost");
    display_name(m->from, name, sizeof name);
    const char *at = strchr(from, '@');
    date_header(b, m->date);
    address_header(b, "From", name, from);
    address_header(b, "To", m->to_name, m->to_addr);
    buf_puts(b, "Subject: ");
    mail_encode_words(b, subject, strlen("Subject: "));
    snprintf(id, sizeof id, "\r\nMessage-ID: <carnet.mail.%lld.%lld@%s>\r\n", (long long)m->id, (long long)m->created_at, at + 1);
    buf_puts(b, id);
    buf_puts(b, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n"
                "Auto-Submitted: auto-generated\r\n");
    if (!strncmp(m->public_url, "http", 4)) {
        buf_puts(b, "List-Unsubscribe: <");
        buf_puts(b, m->public_url);
        buf_puts(b, "/compte/notifications>\r\n");
    }
    buf_puts(b, "\r\n");
}

static void body(struct buf *t, const struct mail *m)
{
    char num[24];
    snprintf(num, sizeof num, "%lld", (long long)m->total);
    fill(t, m->lang, "notify.mail.hello", m->to_name);
    buf_puts(t, "\n\n");
    fill(t, m->lang, m->total > 1 ? "notify.mail.lead_many" : "notify.mail.lead_one", num);
    buf_puts(t, "\n\n");
    for (size_t i = 0; i < m->n; i++) {
        char key[48], link[32];
        snprintf(key, sizeof key, "notify.service.%s", m->items[i].service);
        snprintf(link, sizeof link, "/notifications/%lld", (long long)m->items[i].id);
        buf_puts(t, "• ");
        buf_puts(t, i18n_text(m->lang, key));
        buf_puts(t, " — ");
        one_line(t, m->items[i].title);
        buf_puts(t, "\n  ");
        buf_puts(t, m->public_url);
        buf_puts(t, link);
        buf_puts(t, "\n\n");
    }
    if ((int64_t)m->n < m->total) {
        snprintf(num, sizeof num, "%lld", (long long)(m->total - (int64_t)m->n));
        fill(t, m->lang, m->total - (int64_t)m->n > 1 ? "notify.mail.more" : "notify.mail.more_one", num);
        buf_puts(t, "\n  ");
        buf_puts(t, m->public_url);
        buf_puts(t, "/notifications\n\n");
    }
    buf_puts(t, "-- \n");
    fill(t, m->lang, "notify.mail.footer", NULL);
    buf_puts(t, "\n  ");
    buf_puts(t, m->public_url);
    buf_puts(t, "/compte/notifications\n");
}

/* An account e-mail: a greeting, what it is about, the one-time link, what
 * to do if one did not ask. */
static void account_mail(struct buf *b, const struct mail *m)
{
    char key[64];
    struct buf t;
    buf_init(&t);
    snprintf(key, sizeof key, "notify.mail.%s.subject", m->kind);
    fill(&t, m->lang, key, NULL);
    headers(b, m, buf_cstr(&t));
    buf_reset(&t);
    fill(&t, m->lang, "notify.mail.hello", m->to_name);
    buf_puts(&t, "\n\n");
    snprintf(key, sizeof key, "notify.mail.%s.body", m->kind);
    fill(&t, m->lang, key, NULL);
    buf_puts(&t, "\n\n  ");
    buf_puts(&t, m->link ? m->link : "");
    buf_puts(&t, "\n\n");
    snprintf(key, sizeof key, "notify.mail.%s.end", m->kind);
    fill(&t, m->lang, key, NULL);
    buf_puts(&t, "\n");
    mail_qp(b, buf_cstr(&t));
    buf_free(&t);
}

void mail_compose(struct buf *b, const struct mail *m)
{
    if (m->kind) {
        account_mail(b, m);
        return;
    }
    struct buf t;
    buf_init(&t);
    char num[24];
    snprintf(num, sizeof num, "%lld", (long long)m->total);
    if (m->total > 1) {
        fill(&t, m->lang, "notify.mail.subject_many", num);
    } else {
        struct buf title;
        buf_init(&title);
        one_line(&title, m->n ? m->items[0].title : "");
        fill(&t, m->lang, "notify.mail.subject_one", buf_cstr(&title));
        buf_free(&title);
    }
    headers(b, m, buf_cstr(&t));
    buf_reset(&t);
    body(&t, m);
    mail_qp(b, buf_cstr(&t));
    buf_free(&t);
}
