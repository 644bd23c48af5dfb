/* xml.h — libxml2's streaming reader set up the one safe way for the
 * importers' XML (AAF, SIECLE…): no DTD loaded, no entity substituted,
 * nothing read from the network; a DOCTYPE that declares entities, and any
 * entity reference, refuse the file; the first error is kept with its
 * line, in French for the report. And a look at a file's bytes before it
 * is parsed, for exports whose declared encoding is not their bytes'. */
#ifndef CARNET_IMPORT_XML_H
#define CARNET_IMPORT_XML_H
#include "../core/arena.h"
#include <libxml/xmlreader.h>
#include <stdbool.h>

struct xml_in {
    xmlTextReaderPtr x;
    char error[320]; /* why the file is refused, "" while it is not */
    long error_line;
};

/* Open path in *in. encoding, when not NULL, replaces the encoding the
 * file declares. 0, or -1 when the file cannot be opened (in->error says
 * so). Allocates: xml_close frees. */
int xml_open(struct xml_in *in, const char *path, const char *encoding);
void xml_close(struct xml_in *in);
/* Move to the next node: 1, 0 at the end of the document, -1 when the
 * file is refused (entities) or is not well-formed XML: the reason in
 * in->error, its line in in->error_line. */
int xml_next(struct xml_in *in);
/* The current node's type, depth, local name and line. */
int xml_type(const struct xml_in *in);
int xml_depth(const struct xml_in *in);
const char *xml_name(const struct xml_in *in);
long xml_line(const struct xml_in *in);
/* The current element's text, trimmed, copied into a ("" when empty). */
const char *xml_text(const struct xml_in *in, struct arena *a);
/* The current element's attribute name, trimmed, copied into a; NULL when
 * it has none or it is empty. */
const char *xml_attr(const struct xml_in *in, struct arena *a, const char *name);

/* What a file's bytes say of its encoding. */
struct xml_sniff {
    bool bom;           /* it starts with a UTF-8 BOM */
    char declared[40];  /* the XML declaration's encoding ("" when none) */
    bool known;         /* libxml2 can decode the declared encoding (or none is) */
    bool utf8;          /* all its bytes are valid UTF-8 */
    bool non_ascii;     /* some byte is not ASCII */
};
/* Look at path's bytes (all of them, a block at a time). 0, or -1 when it
 * cannot be read. Allocates a block, freed before it returns. */
int xml_sniff(const char *path, struct xml_sniff *s);

#endif
