/* report.c — the report model: JSON in, canonical JSON out.
 *
 * Parsing is lenient about the body (every problem becomes a finding with its
 * path, so the city sees what was submitted) and strict about identity: a
 * document without a known format, a year and an entity code is not a report
 * and is refused with a gk_error. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gongkai/report.h"
#include "gongkai/textutil.h"
#include "cellref.h"
#include "fastparse.h"
#include "gongkai/exactjson.h"
#include "util.h"

const char *const gk_narrative_keys[GK_NARR_COUNT] = {"overview", "problems", "other"};
const char *const gk_narrative_labels[GK_NARR_COUNT] = {
    "一、总体情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"};

/* Duplicate keys would make the report ambiguous: which one counts?  A
 * scalar at the top is valid JSON (RFC 8259), just not a report. */
#define GK_JSON_LOAD_FLAGS (JSON_REJECT_DUPLICATES | JSON_DECODE_ANY)


__attribute__((format(printf, 4, 5)))
static void set_error(gk_error *err, const char *code, const char *path, const char *fmt, ...)
{
    if (!err)
        return;
    memset(err, 0, sizeof *err);
    snprintf(err->code, sizeof err->code, "%s", code);
    snprintf(err->path, sizeof err->path, "%s", path);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
}

/* gk_report_parse_tolerant turns a number jansson cannot hold into a JSON
 * string: this mark (U+FDD0, a Unicode noncharacter, which no real text
 * contains) followed by the number as written.  The text of such a number,
 * or NULL for any other value. */
#define NUMBER_MARK "\xEF\xB7\x90"

static const char *overflowed_number(const json_t *v)
{
    if (!json_is_string(v))
        return NULL;
    const char *s = json_string_value(v);
    size_t ml = sizeof NUMBER_MARK - 1, n = json_string_length(v);
    if (n <= ml || memcmp(s, NUMBER_MARK, ml))
        return NULL;
    for (size_t i = ml; i < n; i++)
        if (!strchr("0123456789+-.eE", s[i]) || !s[i])
            return NULL;
    return s + ml;
}

gk_report *gk_report_new(const gk_format *f, int year, const char *entity)
{
    gk_report *r = gk_xcalloc(1, sizeof *r);
    r->format = f;
    r->year = year;
    snprintf(r->entity, sizeof r->entity, "%s", entity ? entity : "");
    r->cells = gk_xcalloc(f->n_cells, sizeof *r->cells);
    return r;
}

gk_report *gk_report_template(const gk_format *f, int year, const char *entity)
{
    gk_report *r = gk_report_new(f, year, entity);
    for (int i = 0; i < GK_NARR_COUNT; i++)
        r->narrative[i] = gk_xstrdup("");
    r->has_tables = true;
    for (size_t t = 0; t < f->n_tables; t++)
        r->table_present[t] = true;
    for (size_t c = 0; c < f->n_cells; c++)
        r->cells[c].state = GK_CELL_NUMBER;
    return r;
}

void gk_report_free(gk_report *r)
{
    if (!r)
        return;
    for (int i = 0; i < GK_NARR_COUNT; i++)
        free(r->narrative[i]);
    for (size_t c = 0; r->cells && c < r->format->n_cells; c++)
        json_decref(r->cells[c].raw);
    free(r->cells);
    free(r);
}

bool gk_fastparse_valid_date(const char *s)
{
    int y, m, d;
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return false;
    if (sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3)
        return false;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return !(m == 2 && d == 29 && !leap);
}

static bool valid_entity(const char *s)
{
    size_t n = strlen(s);
    if (n < 2 || n > GK_ENTITY_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

static void parse_cell(gk_report *r, size_t cell, const json_t *v, gk_findings *fs)
{
    const gk_format *f = r->format;
    const gk_cell_def *d = &f->cells[cell];
    gk_cell *c = &r->cells[cell];
    if (json_is_null(v)) {
        c->state = GK_CELL_NULL;
        return;
    }
    char why[96];
    gk_value_kind kind = f->tables[d->table].columns[d->column].kind;
    const char *huge = overflowed_number(v);
    if (huge) {
        /* kept as the text written: jansson holds no such number */
        c->state = GK_CELL_INVALID;
        c->value = 0;
        c->raw = json_string(huge);
        if (fs) {
            char ref[256];
            gk_cellref(f, cell, ref, sizeof ref);
            gk_findings_add(fs, "value.invalid", GK_SEV_ERROR, d->path,
                            "%s：值 %.40s%s 超出可表示的范围", ref, huge,
                            strlen(huge) > 40 ? "…" : "");
        }
        return;
    }
    if (gk_value_from_json(kind, v, &c->value, why, sizeof why) == 0) {
        c->state = GK_CELL_NUMBER;
        return;
    }
    c->state = GK_CELL_INVALID;
    c->value = 0;
    c->raw = json_deep_copy(v);
    const char *exact = gk_json_exact_text(v);
    if (json_is_real(v)) {
        /* Canonical JSON writes reals with 15 significant digits; keep an
         * invalid real at that precision too, so parse → serialise → parse
         * stays the identity (the body as submitted is kept elsewhere). */
        char digits[32];
        snprintf(digits, sizeof digits, "%.15g", json_real_value(v));
        json_real_set(c->raw, strtod(digits, NULL));
    }
    if (fs) {
        char ref[256];
        /* Shown as people wrote it: 1.23456, not jansson's 1.2345600000000001. */
        char *shown = exact ? gk_xstrdup(exact) : json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | GK_JSON_REAL_FLAGS);
        gk_cellref(f, cell, ref, sizeof ref);
        gk_findings_add(fs, "value.invalid", GK_SEV_ERROR, d->path, "%s：值 %.40s %s", ref,
                        shown ? shown : "?", why);
        free(shown);
    }
}

static void unknown_key(gk_findings *fs, const char *parent, const char *key)
{
    if (!fs)
        return;
    char *path = parent[0] ? gk_xasprintf("%s.%s", parent, key) : gk_xstrdup(key);
    gk_findings_add(fs, "structure.unknown_cell", GK_SEV_ERROR, path,
                    "“%s”不是本格式的内容，请删除或改正键名", path);
    free(path);
}

static void not_object(gk_findings *fs, const char *path, const char *what)
{
    if (fs)
        gk_findings_add(fs, "value.invalid", GK_SEV_ERROR, path, "“%s”应为 JSON 对象（%s）", path,
                        what);
}

/* A table counts as present when at least one of the format's cells is given
 * (a number, null or an invalid value): an empty object, or one with only
 * unknown keys, is a missing table — one structure.missing_table finding, not
 * one structure.missing_cell per cell (FORMAT.md §3).  Both parsers call this
 * after reading a table, so they agree. */
void gk_report_settle_table(gk_report *r, size_t ti)
{
    const gk_table *t = &r->format->tables[ti];
    r->table_present[ti] = false;
    for (size_t c = t->first_cell; c < t->first_cell + t->n_cells; c++)
        if (r->cells[c].state != GK_CELL_ABSENT) {
            r->table_present[ti] = true;
            return;
        }
}

static void parse_table(gk_report *r, size_t ti, const json_t *jt, gk_findings *fs)
{
    const gk_table *t = &r->format->tables[ti];
    char tpath[64];
    snprintf(tpath, sizeof tpath, "tables.%s", t->key);
    if (!json_is_object(jt)) {
        not_object(fs, tpath, t->label);
        return;
    }
    const char *rk;
    json_t *jr;
    json_object_foreach((json_t *)jt, rk, jr) {
        int ri = gk_table_row_index(t, rk);
        if (ri < 0) {
            unknown_key(fs, tpath, rk);
            continue;
        }
        const gk_row *row = &t->rows[ri];
        char rpath[128];
        snprintf(rpath, sizeof rpath, "%s.%s", tpath, rk);
        if (!json_is_object(jr)) {
            not_object(fs, rpath, row->label);
            continue;
        }
        const char *ck;
        json_t *jc;
        json_object_foreach(jr, ck, jc) {
            int ci = gk_table_column_index(t, ck);
            int pos = ci < 0 ? -1 : gk_row_column_pos(row, (size_t)ci);
            if (pos < 0) {
                unknown_key(fs, rpath, ck);
                continue;
            }
            parse_cell(r, row->first_cell + (size_t)pos, jc, fs);
        }
    }
}

static void parse_narrative(gk_report *r, const json_t *jn, gk_findings *fs)
{
    if (!json_is_object(jn)) {
        not_object(fs, "narrative", "正文第一、五、六部分");
        return;
    }
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)jn, k, v) {
        int i;
        for (i = 0; i < GK_NARR_COUNT && strcmp(k, gk_narrative_keys[i]); i++)
            ;
        if (i == GK_NARR_COUNT) {
            unknown_key(fs, "narrative", k);
            continue;
        }
        if (json_is_null(v))
            continue; /* absent: structure.missing_narrative says so */
        if (!json_is_string(v) || overflowed_number(v)) {
            if (fs) {
                char path[48];
                snprintf(path, sizeof path, "narrative.%s", k);
                gk_findings_add(fs, "value.invalid", GK_SEV_ERROR, path, "%s（%s）应为文本",
                                gk_narrative_labels[i], path);
            }
            continue;
        }
        r->narrative[i] = gk_xstrdup(json_string_value(v));
    }
}

gk_report *gk_report_from_json(const json_t *root, gk_findings *fs, gk_error *err)
{
    if (!json_is_object(root)) {
        set_error(err, "not_a_report", "", "不是报告：顶层应为 JSON 对象");
        return NULL;
    }
    const json_t *jf = json_object_get(root, "format");
    const gk_format *f = json_is_string(jf) ? gk_format_find(json_string_value(jf)) : NULL;
    if (!f) {
        char known[128], given[96];
        gk_format_versions("、", known, sizeof known);
        if (!jf) {
            set_error(err, "unknown_format", "format",
                      "不是报告：缺少 format（报告格式版本，已知：%s）", known);
        } else if (json_is_string(jf) && !overflowed_number(jf)) {
            gk_text_excerpt(json_string_value(jf), json_string_length(jf), 20, given, sizeof given);
            set_error(err, "unknown_format", "format",
                      "不是报告：未知的报告格式 format “%s”（已知：%s）", given, known);
        } else {
            const char *huge = overflowed_number(jf);
            char *dump = huge ? gk_xstrdup(huge) : json_dumps(jf, JSON_ENCODE_ANY | JSON_COMPACT);
            gk_text_excerpt(dump ? dump : "?", dump ? strlen(dump) : 1, 20, given, sizeof given);
            free(dump);
            set_error(err, "unknown_format", "format",
                      "不是报告：format 应为表示格式版本的字符串（已知：%s），收到 %s", known, given);
        }
        return NULL;
    }
    const json_t *jy = json_object_get(root, "year");
    if (!json_is_integer(jy) || json_integer_value(jy) < GK_YEAR_MIN ||
        json_integer_value(jy) > GK_YEAR_MAX) {
        set_error(err, "invalid_year", "year", "不是报告：year 应为 %d 至 %d 之间的整数年份",
                  GK_YEAR_MIN, GK_YEAR_MAX);
        return NULL;
    }
    const json_t *je = json_object_get(root, "entity");
    if (!json_is_string(je) || !valid_entity(json_string_value(je))) {
        set_error(err, "invalid_entity", "entity",
                  "不是报告：entity 应为统计用区划代码（2 至 12 位数字的字符串）");
        return NULL;
    }
    gk_report *r = gk_report_new(f, (int)json_integer_value(jy), json_string_value(je));

    const char *k;
    json_t *v;
    json_object_foreach((json_t *)root, k, v) {
        if (!strcmp(k, "format") || !strcmp(k, "year") || !strcmp(k, "entity"))
            continue;
        if (!strcmp(k, "published_at")) {
            if (json_is_string(v) && gk_fastparse_valid_date(json_string_value(v)))
                snprintf(r->published_at, sizeof r->published_at, "%s", json_string_value(v));
            else if (!json_is_null(v) && fs)
                gk_findings_add(fs, "value.invalid", GK_SEV_ERROR, "published_at",
                                "published_at 应为 YYYY-MM-DD 格式的日期");
        } else if (!strcmp(k, "narrative")) {
            parse_narrative(r, v, fs);
        } else if (!strcmp(k, "tables")) {
            r->has_tables = true;
            if (!json_is_object(v)) {
                not_object(fs, "tables", "表格部分");
                continue;
            }
            const char *tk;
            json_t *jt;
            json_object_foreach(v, tk, jt) {
                int ti = gk_format_table_index(f, tk);
                if (ti < 0)
                    unknown_key(fs, "tables", tk);
                else {
                    parse_table(r, (size_t)ti, jt, fs);
                    gk_report_settle_table(r, (size_t)ti);
                }
            }
        } else {
            unknown_key(fs, "", k);
        }
    }
    return r;
}

gk_report *gk_report_parse(const char *text, size_t len, gk_findings *fs, gk_error *err)
{
    gk_report *r;
    /* Most reports take the fast path; it yields no findings by design. */
    if (gk_fastparse_report(text, len, &r))
        return r;
    return gk_report_parse_general(text, len, fs, err);
}

/* jansson's error texts (load.c, 2.14), by prefix, in Chinese.  People read
 * these: `gongkai check` prints them and the daemon returns them in its 400
 * invalid_json answer.  Longer prefixes come before their own prefixes. */
static const struct {
    const char *prefix, *text;
} json_error_texts[] = {
    {"string or '}' expected", "此处应为带引号的键名或 }"},
    {"'}' expected", "此处应为逗号或 }"},
    {"']' expected", "此处应为逗号或 ]"},
    {"':' expected", "键名后应为冒号"},
    {"'[' or '{' expected", "应以 { 开始"},
    {"unexpected token", "此处应为一个值（字符串、数字、对象、数组、true、false 或 null）"},
    {"invalid token", "无法识别的内容（值只能是带引号的字符串、数字、对象、数组、true、false 或 null）"},
    {"end of file expected", "JSON 已经结束，后面还有多余的内容"},
    {"unexpected newline", "字符串中不能直接换行（应写作 \\n）"},
    {"control character", "字符串中不能直接出现控制字符（如制表符应写作 \\t）"},
    {"invalid escape", "无效的转义（反斜杠后只能是 \" \\ / b f n r t 或 u 加四位十六进制数）"},
    {"invalid Unicode escape", "无效的 \\u 转义（应为四位十六进制数）"},
    {"invalid Unicode", "无效的 \\u 转义：UTF-16 代理项不成对"},
    {"\\u0000 is not allowed", "字符串中不能含有 \\u0000（空字符）"},
    {"NUL byte in object key", "键名中不能含有 \\u0000（空字符）"},
    {"duplicate object key", "同一对象中的键名重复，无法确定以哪个为准"},
    {"too big", "整数超出可表示的范围"},
    {"real number overflow", "数值超出可表示的范围"},
    {"maximum parsing depth", "嵌套层数过多"},
    {"unable to decode byte", "不是有效的 UTF-8 编码（文件应以 UTF-8 保存）"},
    {"premature end of input", "字符串缺少结束的引号，文件就结束了"},
};

/* Fills err for a jansson error: a Chinese message with the place, line and
 * column 1-based and at least 1.  An unknown text gets a generic message:
 * jansson's own words (and its flag names) never reach people. */
static void json_error(gk_error *err, const json_error_t *je, const char *text, size_t len)
{
    if (!err)
        return;
    const char *msg = je->text, *near = strstr(msg, " near '");
    size_t base = near ? (size_t)(near - msg) : strlen(msg);
    bool at_eof = false;
    static const char eof_tail[] = " near end of file";
    if (!near && base >= sizeof eof_tail - 1 && !strcmp(msg + base - (sizeof eof_tail - 1), eof_tail)) {
        base -= sizeof eof_tail - 1;
        at_eof = true;
    }
    const char *what = "无法解析此处的内容";
    for (size_t i = 0; i < sizeof json_error_texts / sizeof *json_error_texts; i++) {
        size_t pl = strlen(json_error_texts[i].prefix);
        if (pl <= base && !strncmp(msg, json_error_texts[i].prefix, pl)) {
            what = json_error_texts[i].text;
            break;
        }
    }
    char where[96] = "", byte[96];
    size_t ws = 0;
    while (ws < len && (text[ws] == ' ' || text[ws] == '\t' || text[ws] == '\r' || text[ws] == '\n'))
        ws++;
    if (ws == len) {
        what = "内容为空，不是 JSON";
    } else if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3) && je->position <= 3) {
        what = "文件以 UTF-8 BOM 开头，请去掉 BOM 后再提交";
    } else if (json_error_code(je) == json_error_invalid_utf8) {
        /* the context jansson gives is what came before the byte: no help */
        unsigned b;
        if (sscanf(msg, "unable to decode byte 0x%x", &b) == 1) {
            snprintf(byte, sizeof byte, "字节 0x%02X 不是有效的 UTF-8 编码（文件应以 UTF-8 保存）", b & 0xFF);
            what = byte;
        }
    } else if ((json_error_code(je) == json_error_premature_end_of_input || at_eof) &&
               memchr(text, '\0', len)) {
        /* jansson reads a NUL byte as the end of its context text */
        what = "文本中有空字节 0x00（JSON 文本中不能出现）";
    } else if (json_error_code(je) == json_error_premature_end_of_input) {
        if (strncmp(msg, "premature end of input", 22))
            what = "内容不完整，文件提前结束";
    } else if (near) {
        const char *tok = near + 7;
        size_t tl = strlen(tok);
        if (tl && tok[tl - 1] == '\'')
            tl--;
        if (tl > sizeof NUMBER_MARK && !memcmp(tok, "\"" NUMBER_MARK, sizeof NUMBER_MARK)) {
            /* a number gk_report_parse_tolerant marked: show it as written */
            tok += sizeof NUMBER_MARK;
            tl -= sizeof NUMBER_MARK + (tok[tl - sizeof NUMBER_MARK - 1] == '"');
        }
        char shown[64];
        gk_text_excerpt(tok, tl, 20, shown, sizeof shown);
        snprintf(where, sizeof where, "（在“%s”处）", shown);
    }
    int line = je->line < 1 ? 1 : je->line;
    /* jansson counts the characters read on the line; a byte that is not
     * UTF-8 was not counted, so it is the next column. */
    int column = je->column + (json_error_code(je) == json_error_invalid_utf8);
    if (column < 1)
        column = 1;
    set_error(err, "invalid_json", "", "JSON 格式错误（第 %d 行第 %d 列）：%s%s", line, column, what,
              where);
    err->line = line;
    err->column = column;
}

/* The tables of the document loaded again with every decimal literal kept
 * as its text (gk_json_loadb_exact), so gk_value_from_json reads amounts
 * from their digits, never a double.  Only the tables: elsewhere a number
 * must stay a number (a decimal in place of a text is still no text). */
static void exact_tables(json_t *root, const char *text, size_t len)
{
    if (!json_is_object(root) || !json_object_get(root, "tables"))
        return;
    json_t *ex = gk_json_loadb_exact(text, len, GK_JSON_LOAD_FLAGS, NULL);
    json_t *t = json_is_object(ex) ? json_object_get(ex, "tables") : NULL;
    if (t)
        json_object_set(root, "tables", t);
    json_decref(ex);
}

gk_report *gk_report_parse_general(const char *text, size_t len, gk_findings *fs, gk_error *err)
{
    json_error_t jerr;
    json_t *root = json_loadb(text, len, GK_JSON_LOAD_FLAGS, &jerr);
    if (!root) {
        json_error(err, &jerr, text, len);
        return NULL;
    }
    exact_tables(root, text, len);
    gk_report *r = gk_report_from_json(root, fs, err);
    json_decref(root);
    return r;
}

#define MAX_NUMBER_REPAIRS 64

/* The number jansson stopped at: it ends at byte `end` (jansson's error
 * position); true and its start when the bytes before read as one. */
static bool number_before(const char *text, size_t len, size_t end, size_t *start)
{
    if (end == 0 || end > len)
        return false;
    size_t b = end;
    while (b > 0 && text[b - 1] && strchr("0123456789+-.eE", text[b - 1]))
        b--;
    if (b == end || !(text[b] == '-' || (text[b] >= '0' && text[b] <= '9')))
        return false;
    *start = b;
    return true;
}

/* Line and column (jansson's way: characters read on the line) of byte
 * offset pos of text. */
static void place_of(const char *text, size_t pos, int *line, int *column)
{
    int l = 1, c = 0;
    for (size_t i = 0; i < pos; i++) {
        if (text[i] == '\n')
            l++, c = 0;
        else if (((unsigned char)text[i] & 0xC0) != 0x80)
            c++;
    }
    *line = l;
    *column = c;
}

gk_report *gk_report_parse_tolerant(const char *text, size_t len, gk_findings *fs, gk_error *err)
{
    gk_report *r = NULL;
    if (gk_fastparse_report(text, len, &r))
        return r;
    /* Each number jansson refuses (json_error_numeric_overflow) is replaced
     * by a marked string holding its text, and the whole text parsed again;
     * parse_cell turns the mark into a value.invalid finding at the cell's
     * path.  grow[k] is the bytes added by the k-th replacement, at
     * at[k] of the working text, to map an error back to the original. */
    char *work = NULL;
    const char *cur = text;
    size_t cur_len = len, at[MAX_NUMBER_REPAIRS], grow = sizeof NUMBER_MARK + 1;
    int repairs = 0;
    json_error_t jerr;
    json_t *root;
    while (!(root = json_loadb(cur, cur_len, GK_JSON_LOAD_FLAGS, &jerr))) {
        size_t start, end = jerr.position < 0 ? 0 : (size_t)jerr.position;
        if (json_error_code(&jerr) != json_error_numeric_overflow || repairs == MAX_NUMBER_REPAIRS ||
            !number_before(cur, cur_len, end, &start)) {
            if (repairs) {
                /* the error's place in the text as given */
                size_t pos = end;
                for (int k = repairs - 1; k >= 0; k--)
                    if (pos >= at[k] + grow)
                        pos -= grow;
                    else if (pos > at[k])
                        pos = at[k];
                place_of(text, pos, &jerr.line, &jerr.column);
            }
            json_error(err, &jerr, text, len);
            free(work);
            return NULL;
        }
        size_t n = cur_len + grow;
        char *next = gk_xmalloc(n);
        memcpy(next, cur, start);
        next[start] = '"';
        memcpy(next + start + 1, NUMBER_MARK, sizeof NUMBER_MARK - 1);
        memcpy(next + start + sizeof NUMBER_MARK, cur + start, end - start);
        next[end + sizeof NUMBER_MARK] = '"';
        memcpy(next + end + grow, cur + end, cur_len - end);
        free(work);
        work = next;
        cur = work;
        cur_len = n;
        at[repairs++] = start;
    }
    exact_tables(root, cur, cur_len);
    free(work);
    r = gk_report_from_json(root, fs, err);
    json_decref(root);
    return r;
}

static json_t *cell_to_json(const gk_report *r, size_t cell)
{
    const gk_cell *c = &r->cells[cell];
    const gk_cell_def *d = &r->format->cells[cell];
    gk_value_kind kind = r->format->tables[d->table].columns[d->column].kind;
    switch (c->state) {
    case GK_CELL_NULL:
        return json_null();
    case GK_CELL_INVALID:
        return json_deep_copy(c->raw);
    case GK_CELL_NUMBER:
        if (kind == GK_KIND_AMOUNT && c->value % GK_AMOUNT_SCALE) {
            /* exact decimal (gk_json_dumps_exact), never a double */
            char digits[32];
            gk_value_format(kind, c->value, digits, sizeof digits);
            return gk_json_exact_number(digits);
        }
        return json_integer(kind == GK_KIND_AMOUNT ? c->value / GK_AMOUNT_SCALE : c->value);
    default:
        return NULL;
    }
}

json_t *gk_report_to_json(const gk_report *r)
{
    const gk_format *f = r->format;
    json_t *o = json_object();
    json_object_set_new(o, "format", json_string(f->version));
    json_object_set_new(o, "year", json_integer(r->year));
    json_object_set_new(o, "entity", json_string(r->entity));
    if (r->published_at[0])
        json_object_set_new(o, "published_at", json_string(r->published_at));
    json_t *n = json_object();
    for (int i = 0; i < GK_NARR_COUNT; i++)
        if (r->narrative[i])
            json_object_set_new(n, gk_narrative_keys[i], json_string(r->narrative[i]));
    if (json_object_size(n))
        json_object_set_new(o, "narrative", n);
    else
        json_decref(n);
    if (r->has_tables) {
        json_t *tables = json_object();
        for (size_t ti = 0; ti < f->n_tables; ti++) {
            if (!r->table_present[ti])
                continue;
            const gk_table *t = &f->tables[ti];
            json_t *jt = json_object();
            for (size_t ri = 0; ri < t->n_rows; ri++) {
                const gk_row *row = &t->rows[ri];
                json_t *jr = json_object();
                for (size_t p = 0; p < row->n_columns; p++) {
                    json_t *v = cell_to_json(r, row->first_cell + p);
                    if (v)
                        json_object_set_new(jr, t->columns[row->columns[p]].key, v);
                }
                if (json_object_size(jr))
                    json_object_set_new(jt, row->key, jr);
                else
                    json_decref(jr);
            }
            json_object_set_new(tables, t->key, jt);
        }
        json_object_set_new(o, "tables", tables);
    }
    return o;
}

char *gk_report_dump(const gk_report *r, bool pretty)
{
    json_t *o = gk_report_to_json(r);
    char *s = gk_json_dumps_exact(o, GK_JSON_REAL_FLAGS | (pretty ? JSON_INDENT(2) : JSON_COMPACT));
    json_decref(o);
    return s;
}

bool gk_report_equal(const gk_report *a, const gk_report *b)
{
    if (a->format != b->format || a->year != b->year || strcmp(a->entity, b->entity) ||
        strcmp(a->published_at, b->published_at) || a->has_tables != b->has_tables)
        return false;
    for (int i = 0; i < GK_NARR_COUNT; i++) {
        if (!a->narrative[i] != !b->narrative[i])
            return false;
        if (a->narrative[i] && strcmp(a->narrative[i], b->narrative[i]))
            return false;
    }
    for (size_t t = 0; t < a->format->n_tables; t++)
        if (a->table_present[t] != b->table_present[t])
            return false;
    for (size_t c = 0; c < a->format->n_cells; c++) {
        const gk_cell *x = &a->cells[c], *y = &b->cells[c];
        if (x->state != y->state)
            return false;
        if (x->state == GK_CELL_NUMBER && x->value != y->value)
            return false;
        if (x->state == GK_CELL_INVALID && !json_equal(x->raw, y->raw))
            return false;
    }
    return true;
}

const gk_cell *gk_report_cell(const gk_report *r, const char *table, const char *row,
                              const char *column)
{
    int i = gk_format_cell_index(r->format, table, row, column);
    return i < 0 ? NULL : &r->cells[i];
}
