/* xml.c — the importers' safe XML reader (see xml.h). */
#include "xml.h"
#include "../core/text.h"
#include <libxml/encoding.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Parser options: no DTD loaded, no entity substituted, no network. */
#define XML_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_COMPACT)
/* Bytes of a file looked at a time by xml_sniff. */
#define SNIFF_BLOCK 65536

/* libxml2's error handler: keep the first error and its line. */
static void on_error(void *ctx, xmlErrorPtr e)
{
    struct xml_in *in = ctx;
    if (!e || e->level < XML_ERR_ERROR || in->error[0]) return;
    char msg[240];
    snprintf(msg, sizeof msg, "%s", e->message ? e->message : "erreur");
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' ')) msg[--n] = 0;
    /* what libxml2 says of a file cut short */
    bool cut = e->code == XML_ERR_DOCUMENT_EMPTY || e->code == XML_ERR_DOCUMENT_END
               || e->code == XML_ERR_TAG_NOT_FINISHED;
    snprintf(in->error, sizeof in->error, "XML mal formé : %s%s", msg,
             cut ? " (fichier tronqué ?)" : "");
    in->error_line = e->line;
}

int xml_open(struct xml_in *in, const char *path, const char *encoding)
{
    *in = (struct xml_in){0};
    int options = XML_OPTIONS | (encoding ? XML_PARSE_IGNORE_ENC : 0);
    in->x = xmlReaderForFile(path, encoding, options);
    if (!in->x) {
        snprintf(in->error, sizeof in->error, "fichier illisible");
        return -1;
    }
    xmlTextReaderSetStructuredErrorHandler(in->x, on_error, in);
    return 0;
}

void xml_close(struct xml_in *in)
{
    if (in->x) xmlFreeTextReader(in->x);
    in->x = NULL;
}

/* Whether the DOCTYPE read declares entities. (Its node, not the reader's
 * document: xmlTextReaderCurrentDoc would hand the document over to us,
 * to be freed by hand.) */
static bool declares_entities(xmlTextReaderPtr x)
{
    xmlNodePtr n = xmlTextReaderCurrentNode(x);
    if (!n || n->type != XML_DTD_NODE) return false;
    xmlDtdPtr dtd = (xmlDtdPtr)n;
    return dtd->entities || dtd->pentities;
}

/* Refuse the file for reason at the current line; returns -1. */
static int refuse(struct xml_in *in, const char *reason)
{
    snprintf(in->error, sizeof in->error, "%s", reason);
    in->error_line = xmlTextReaderGetParserLineNumber(in->x);
    return -1;
}

int xml_next(struct xml_in *in)
{
    int rc = xmlTextReaderRead(in->x);
    if (rc < 0) {
        if (!in->error[0]) snprintf(in->error, sizeof in->error, "XML mal formé : lecture "
                                    "interrompue");
        return -1;
    }
    if (rc == 0) return 0;
    int type = xmlTextReaderNodeType(in->x);
    if (type == XML_READER_TYPE_DOCUMENT_TYPE && declares_entities(in->x))
        return refuse(in, "le DOCTYPE déclare des entités : fichier refusé (aucune entité n'est "
                          "jamais développée)");
    if (type == XML_READER_TYPE_ENTITY_REFERENCE)
        return refuse(in, "référence à une entité : fichier refusé");
    return 1;
}

int xml_type(const struct xml_in *in)
{
    return xmlTextReaderNodeType(in->x);
}

int xml_depth(const struct xml_in *in)
{
    return xmlTextReaderDepth(in->x);
}

const char *xml_name(const struct xml_in *in)
{
    const xmlChar *n = xmlTextReaderConstLocalName(in->x);
    return n ? (const char *)n : "";
}

long xml_line(const struct xml_in *in)
{
    /* The node's own line: the parser's may be ahead of it (it reads in
     * blocks); the node's stops at 65535 (libxml2 keeps it in 16 bits). */
    xmlNodePtr node = xmlTextReaderCurrentNode(in->x);
    long line = node ? xmlGetLineNo(node) : -1;
    return line > 0 && line < 65535 ? line : xmlTextReaderGetParserLineNumber(in->x);
}

/* s trimmed of blanks and line breaks, copied into a. */
static const char *trim_in(struct arena *a, const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n')) n--;
    return arena_strndup(a, s, n);
}

const char *xml_text(const struct xml_in *in, struct arena *a)
{
    if (xmlTextReaderIsEmptyElement(in->x)) return "";
    xmlChar *s = xmlTextReaderReadString(in->x);
    const char *t = trim_in(a, s ? (const char *)s : "");
    xmlFree(s);
    return t;
}

const char *xml_attr(const struct xml_in *in, struct arena *a, const char *name)
{
    xmlChar *v = xmlTextReaderGetAttribute(in->x, (const xmlChar *)name);
    const char *t = v ? trim_in(a, (const char *)v) : NULL;
    xmlFree(v);
    return t && *t ? t : NULL;
}

/* ---- looking at the bytes ------------------------------------------------------ */

/* The encoding named by the XML declaration at the start of b[0..n) into
 * out ("" when there is none). */
static void declared_encoding(const unsigned char *b, size_t n, char *out, size_t cap)
{
    out[0] = 0;
    size_t lim = n < 300 ? n : 300;
    if (lim < 5 || memcmp(b, "<?xml", 5)) return;
    const unsigned char *end = memmem(b, lim, "?>", 2), *e = memmem(b, lim, "encoding", 8);
    if (!end || !e || e > end) return;
    const unsigned char *p = e + 8;
    while (p < end && (*p == ' ' || *p == '=' || *p == '\t')) p++;
    if (p >= end || (*p != '"' && *p != '\'')) return;
    unsigned char q = *p++;
    size_t k = 0;
    while (p < end && *p != q && k + 1 < cap) out[k++] = (char)*p++;
    out[k] = 0;
}

/* The length of b[0..n) without a UTF-8 sequence cut at its end. */
static size_t whole_sequences(const unsigned char *b, size_t n)
{
    for (size_t k = 1; k <= 3 && k <= n; k++) {
        unsigned char c = b[n - k];
        if ((c & 0xC0) == 0x80) continue;
        size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        return need > k ? n - k : n;
    }
    return n;
}

/* Whether libxml2 has a decoder for the encoding name. */
static bool encoding_known(const char *name)
{
    xmlCharEncodingHandlerPtr h = xmlFindCharEncodingHandler(name);
    if (!h) return false;
    xmlCharEncCloseFunc(h);
    return true;
}

int xml_sniff(const char *path, struct xml_sniff *s)
{
    *s = (struct xml_sniff){.utf8 = true, .known = true};
    FILE *f = fopen(path, "rb");
    unsigned char *b = f ? malloc(SNIFF_BLOCK + 4) : NULL;
    if (!b) {
        if (f) fclose(f);
        return -1;
    }
    size_t carry = 0, n;
    bool first = true;
    while ((n = fread(b + carry, 1, SNIFF_BLOCK, f)) > 0) {
        size_t len = carry + n, start = 0;
        if (first) {
            s->bom = len >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF;
            start = s->bom ? 3 : 0;
            declared_encoding(b + start, len - start, s->declared, sizeof s->declared);
            first = false;
        }
        for (size_t i = 0; i < len && !s->non_ascii; i++) s->non_ascii = b[i] >= 0x80;
        size_t whole = whole_sequences(b, len);
        if (s->utf8 && !text_utf8_valid((const char *)b, whole)) s->utf8 = false;
        carry = len - whole;
        memmove(b, b + whole, carry);
    }
    if (carry) s->utf8 = false;
    bool bad = ferror(f) != 0;
    fclose(f);
    free(b);
    if (s->declared[0]) s->known = encoding_known(s->declared);
    return bad ? -1 : 0;
}
