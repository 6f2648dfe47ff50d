/* ooxml.c — guarded access to the parts of an Office Open XML package.
 *
 * A zip is outside data: its directory may lie about sizes, it may be a
 * "zip bomb" (a small file inflating to gigabytes), encrypted, or hold XML
 * with a DTD whose entities expand without end or point at the network.
 * So: the package, the entry count, each part and the total inflated are
 * bounded (the bounds are checked against the bytes actually inflated, not
 * the sizes the directory claims), and any part with a DTD is refused before
 * libxml2 parses it (which it then does with XML_PARSE_NONET and without
 * entity substitution). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>
#include <libxml/parser.h>
#include "imp.h"
#include "ooxml.h"

struct gk_ooxml {
    zip_t *zip;
    size_t total;   /* bytes inflated so far */
};

static void set(char code[48], char msg[320], const char *c, const char *m)
{
    snprintf(code, 48, "%s", c);
    snprintf(msg, 320, "%s", m);
}

gk_ooxml *gk_ooxml_open(const char *data, size_t len, char code[48], char msg[320])
{
    if (len > GK_OOXML_MAX_PACKAGE) {
        set(code, msg, "package_too_large", "文件超过 16 MiB，不像是一份年度报告");
        return NULL;
    }
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t *src = zip_source_buffer_create(data, len, 0, &err);
    zip_t *zip = src ? zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &err) : NULL;
    if (!zip) {
        if (src)
            zip_source_free(src);
        zip_error_fini(&err);
        set(code, msg, "zip_invalid", "文件不是完整的 Office 文档（zip 包损坏或被截断），请重新保存后再导入");
        return NULL;
    }
    zip_error_fini(&err);
    zip_int64_t n = zip_get_num_entries(zip, 0);
    if (n < 0 || n > GK_OOXML_MAX_ENTRIES) {
        zip_close(zip);
        set(code, msg, "zip_too_many_entries", "文件包含的条目超过 2000 个，拒绝读取（可能是恶意压缩包）");
        return NULL;
    }
    for (zip_int64_t i = 0; i < n; i++) {
        zip_stat_t st;
        if (zip_stat_index(zip, (zip_uint64_t)i, 0, &st) == 0 && (st.valid & ZIP_STAT_ENCRYPTION_METHOD) &&
            st.encryption_method != ZIP_EM_NONE) {
            zip_close(zip);
            set(code, msg, "package_encrypted", "文件已加密（设置了打开密码），请去掉密码另存后再导入");
            return NULL;
        }
    }
    gk_ooxml *z = gk_imp_xmalloc(sizeof *z);
    z->zip = zip;
    z->total = 0;
    return z;
}

void gk_ooxml_close(gk_ooxml *z)
{
    if (!z)
        return;
    zip_discard(z->zip);
    free(z);
}

int gk_ooxml_has(gk_ooxml *z, const char *name)
{
    return zip_name_locate(z->zip, name, 0) >= 0;
}

/* Inflates a part, trusting nothing the directory says: reading stops one
 * byte past the bound. */
static char *read_part(gk_ooxml *z, const char *name, size_t *len, char code[48], char msg[320])
{
    zip_int64_t idx = zip_name_locate(z->zip, name, 0);
    if (idx < 0)
        return NULL;
    zip_stat_t st;
    zip_uint64_t csize = 0;
    if (zip_stat_index(z->zip, (zip_uint64_t)idx, 0, &st) == 0 && (st.valid & ZIP_STAT_COMP_SIZE))
        csize = st.comp_size;
    zip_file_t *f = zip_fopen_index(z->zip, (zip_uint64_t)idx, 0);
    if (!f) {
        set(code, msg, "zip_invalid", "文件中的部件无法解压（zip 包损坏或已加密）");
        return NULL;
    }
    size_t cap = 65536, n = 0;
    char *buf = gk_imp_xmalloc(cap + 1);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            buf = gk_imp_xrealloc(buf, cap + 1);
        }
        zip_int64_t k = zip_fread(f, buf + n, cap - n);
        if (k < 0) {
            set(code, msg, "zip_invalid", "文件中的部件解压出错（zip 包损坏或被截断）");
            goto bad;
        }
        if (k == 0)
            break;
        n += (size_t)k;
        if (n > GK_OOXML_MAX_PART || z->total + n > GK_OOXML_MAX_TOTAL ||
            (n > 1024 * 1024 && n / (csize ? csize : 1) > GK_OOXML_MAX_RATIO)) {
            set(code, msg, "zip_bomb",
                "文件解压后过大（单个部件上限 32 MiB，合计 64 MiB，压缩比上限 200 倍），拒绝读取");
            goto bad;
        }
    }
    zip_fclose(f);
    z->total += n;
    buf[n] = '\0';
    *len = n;
    return buf;
bad:
    zip_fclose(f);
    free(buf);
    return NULL;
}

/* Elements named local in the text ("<row " or "<x:row>"), counted up to
 * max + 1: cheap, and before libxml2 spends memory on a tree. */
static size_t count_elements(const char *xml, size_t len, const char *local, size_t max)
{
    size_t n = 0, k = strlen(local);
    for (const char *p = xml; (p = memchr(p, '<', len - (size_t)(p - xml))) != NULL && n <= max; p++) {
        const char *q = p + 1, *end = xml + len;
        const char *colon = NULL;
        for (const char *r = q; r < end && r < q + 32 && (*r == ':' || *r == '_' || *r == '-' ||
                                                        (*r >= 'a' && *r <= 'z') || (*r >= 'A' && *r <= 'Z') ||
                                                        (*r >= '0' && *r <= '9'));
             r++)
            if (*r == ':')
                colon = r;
        if (colon)
            q = colon + 1;
        if ((size_t)(end - q) > k && !memcmp(q, local, k) &&
            (q[k] == ' ' || q[k] == '>' || q[k] == '/' || q[k] == '\t' || q[k] == '\n' || q[k] == '\r'))
            n++;
    }
    return n;
}

static xmlDocPtr parse_part(gk_ooxml *z, const char *name, int missing_ok, const char *local,
                            size_t max, char code[48], char msg[320])
{
    code[0] = '\0';
    size_t len = 0;
    char *xml = read_part(z, name, &len, code, msg);
    if (!xml) {
        if (!code[0] && !missing_ok)
            set(code, msg, "ooxml_part_missing", "文件缺少必需的部件，不是 Word/Excel 文档或已损坏");
        return NULL;
    }
    if (local && count_elements(xml, len, local, max) > max) {
        free(xml);
        set(code, msg, "xml_too_many", "");
        return NULL;
    }
    /* Office never writes a DTD; one here can only be an entity attack. */
    if (strstr(xml, "<!DOCTYPE") || strstr(xml, "<!ENTITY")) {
        free(xml);
        set(code, msg, "xml_dtd", "文件中的 XML 含有 DTD 或实体声明（Office 不会写入），拒绝读取");
        return NULL;
    }
    xmlDocPtr d = xmlReadMemory(xml, (int)len, name, NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    free(xml);
    if (!d || d->intSubset || d->extSubset) {
        if (d)
            xmlFreeDoc(d);
        set(code, msg, "xml_invalid", "文件中的 XML 部件无法解析（文件损坏）");
        return NULL;
    }
    return d;
}

xmlDocPtr gk_ooxml_xml(gk_ooxml *z, const char *name, int missing_ok, char code[48],
                       char msg[320])
{
    return parse_part(z, name, missing_ok, NULL, 0, code, msg);
}

xmlDocPtr gk_ooxml_xml_bounded(gk_ooxml *z, const char *name, const char *local, size_t max,
                               char code[48], char msg[320])
{
    return parse_part(z, name, 0, local, max, code, msg);
}

int gk_ooxml_is(const xmlNode *n, const char *local)
{
    return n && n->type == XML_ELEMENT_NODE && n->name && !strcmp((const char *)n->name, local);
}

char *gk_ooxml_attr(const xmlNode *n, const char *local)
{
    for (const xmlAttr *a = n->properties; a; a = a->next)
        if (a->name && !strcmp((const char *)a->name, local)) {
            xmlChar *v = xmlNodeGetContent((const xmlNode *)a);
            return (char *)v;
        }
    return NULL;
}
