/* ooxml.h — reading one part of an Office Open XML package (.docx, .xlsx),
 * with the bounds that keep a hostile zip harmless.
 *
 * Why its own file: the Word and the Excel readers need the same guarded
 * zip access and the same refusal of DTDs; written once here, the readers
 * only walk XML trees. */
#ifndef GONGKAI_IMPORT_OOXML_H
#define GONGKAI_IMPORT_OOXML_H

#include <stddef.h>
#include <libxml/tree.h>

/* Bounds (docs/import.md cites them). */
#define GK_OOXML_MAX_PACKAGE (16u * 1024 * 1024)   /* the .docx/.xlsx file itself */
#define GK_OOXML_MAX_ENTRIES 2000                   /* files in the package */
#define GK_OOXML_MAX_PART (32u * 1024 * 1024)       /* one part, uncompressed */
#define GK_OOXML_MAX_TOTAL (64u * 1024 * 1024)      /* all parts read, uncompressed */
#define GK_OOXML_MAX_RATIO 200                      /* uncompressed / compressed, per part > 1 MiB */

typedef struct gk_ooxml gk_ooxml;

/* Opens a package held in memory (data must outlive the handle).  NULL with
 * an English code and a Chinese message on failure. */
gk_ooxml *gk_ooxml_open(const char *data, size_t len, char code[48], char msg[320]);
void gk_ooxml_close(gk_ooxml *z);
/* Whether the package has this part (e.g. "word/document.xml"). */
int gk_ooxml_has(gk_ooxml *z, const char *name);
/* Parses a part as XML: no DTD (refused), no entities, no network.  NULL
 * with code/msg when absent, too large or not XML; missing_ok: an absent
 * part is NULL with code "" (not an error). */
xmlDocPtr gk_ooxml_xml(gk_ooxml *z, const char *name, int missing_ok, char code[48],
                       char msg[320]);
/* Like gk_ooxml_xml (the part must exist), but a part holding more than
 * max elements of this local name (counted in the text, before any tree is
 * built) is refused with code "xml_too_many" and an empty message: the
 * caller says what was too many. */
xmlDocPtr gk_ooxml_xml_bounded(gk_ooxml *z, const char *name, const char *local, size_t max,
                               char code[48], char msg[320]);
/* Local name test for an element in any namespace. */
int gk_ooxml_is(const xmlNode *n, const char *local);
/* An attribute by local name (w:val, r:id, …), whatever its prefix; caller
 * xmlFree()s. */
char *gk_ooxml_attr(const xmlNode *n, const char *local);

#endif
