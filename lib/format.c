/* format.c — the format registry, built once from the embedded the formats/ JSON files.
 *
 * The JSON is kept (gk_format.source) and every string in the C structures
 * points into it, so the registry is one copy of the data.  A data file that
 * does not describe a consistent format aborts at load: it is a build defect,
 * and the unit tests load every file. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gongkai/format.h"
#include "util.h"

struct gk_embedded_format { const char *name; const char *data; size_t len; };
extern const struct gk_embedded_format gk_embedded_formats[];

static gk_format *registry;
static size_t registry_n;

__attribute__((noreturn, format(printf, 2, 3)))
static void data_fail(const char *file, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "gongkai: format data %s: ", file);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

static const char *req_string(const char *file, const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    if (!s)
        data_fail(file, "missing string \"%s\"", key);
    return s;
}

static const char *opt_string(const json_t *o, const char *key, const char *dflt)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : dflt;
}

static gk_value_kind parse_kind(const char *file, const char *s)
{
    if (!strcmp(s, "count"))
        return GK_KIND_COUNT;
    if (!strcmp(s, "signed_count"))
        return GK_KIND_SIGNED_COUNT;
    if (!strcmp(s, "amount"))
        return GK_KIND_AMOUNT;
    data_fail(file, "unknown kind \"%s\"", s);
}

static int find_column(const gk_table *t, const char *key)
{
    for (size_t i = 0; i < t->n_columns; i++)
        if (!strcmp(t->columns[i].key, key))
            return (int)i;
    return -1;
}

static int find_row(const gk_table *t, const char *key)
{
    for (size_t i = 0; i < t->n_rows; i++)
        if (!strcmp(t->rows[i].key, key))
            return (int)i;
    return -1;
}

static void load_table(const char *file, gk_table *t, const json_t *jt)
{
    t->key = req_string(file, jt, "key");
    t->label = req_string(file, jt, "label");
    t->short_label = opt_string(jt, "short_label", t->label);
    t->section = opt_string(jt, "section", "");
    const json_t *cols = json_object_get(jt, "columns");
    const json_t *rows = json_object_get(jt, "rows");
    if (!json_array_size(cols) || !json_array_size(rows))
        data_fail(file, "table %s needs columns and rows", t->key);
    t->n_columns = json_array_size(cols);
    t->columns = gk_xcalloc(t->n_columns, sizeof *t->columns);
    for (size_t i = 0; i < t->n_columns; i++) {
        const json_t *jc = json_array_get(cols, i);
        t->columns[i].key = req_string(file, jc, "key");
        t->columns[i].label = req_string(file, jc, "label");
        t->columns[i].kind = parse_kind(file, opt_string(jc, "kind", "count"));
    }
    t->n_rows = json_array_size(rows);
    t->rows = gk_xcalloc(t->n_rows, sizeof *t->rows);
    for (size_t i = 0; i < t->n_rows; i++) {
        const json_t *jr = json_array_get(rows, i);
        gk_row *r = &t->rows[i];
        r->key = req_string(file, jr, "key");
        r->label = req_string(file, jr, "label");
        r->short_label = opt_string(jr, "short_label", r->label);
        const json_t *rc = json_object_get(jr, "columns");
        /* A row without its own list has every column of the table. */
        r->n_columns = rc ? json_array_size(rc) : t->n_columns;
        r->columns = gk_xcalloc(r->n_columns, sizeof *r->columns);
        for (size_t c = 0; c < r->n_columns; c++) {
            if (!rc) {
                r->columns[c] = c;
                continue;
            }
            const char *ck = json_string_value(json_array_get(rc, c));
            int ci = ck ? find_column(t, ck) : -1;
            if (ci < 0)
                data_fail(file, "row %s.%s names unknown column", t->key, r->key);
            r->columns[c] = (size_t)ci;
        }
    }
}

/* Resolves a list of row or column keys ("*" = all) to indexes. */
static size_t *resolve_keys(const char *file, const gk_table *t, gk_sum_scope lines_are_rows,
                            const json_t *keys, size_t *n_out, int is_lines)
{
    /* lines of a PER_ROW rule are rows; its lhs/rhs are columns — and the
     * other way round for PER_COLUMN. */
    int want_rows = is_lines ? (lines_are_rows == GK_SUM_PER_ROW) : (lines_are_rows == GK_SUM_PER_COLUMN);
    size_t all = want_rows ? t->n_rows : t->n_columns;
    size_t *idx;
    if (json_is_string(keys) && !strcmp(json_string_value(keys), "*")) {
        idx = gk_xcalloc(all, sizeof *idx);
        for (size_t i = 0; i < all; i++)
            idx[i] = i;
        *n_out = all;
        return idx;
    }
    if (!json_array_size(keys))
        data_fail(file, "rule on %s: empty key list", t->key);
    *n_out = json_array_size(keys);
    idx = gk_xcalloc(*n_out, sizeof *idx);
    for (size_t i = 0; i < *n_out; i++) {
        const char *k = json_string_value(json_array_get(keys, i));
        int j = !k ? -1 : want_rows ? find_row(t, k) : find_column(t, k);
        if (j < 0)
            data_fail(file, "rule on %s names unknown %s \"%s\"", t->key,
                      want_rows ? "row" : "column", k ? k : "?");
        idx[i] = (size_t)j;
    }
    return idx;
}

static gk_sum_scope parse_scope(const char *file, const json_t *o)
{
    const char *s = req_string(file, o, "scope");
    if (!strcmp(s, "per_row"))
        return GK_SUM_PER_ROW;
    if (!strcmp(s, "per_column"))
        return GK_SUM_PER_COLUMN;
    data_fail(file, "unknown scope \"%s\"", s);
}

static gk_severity parse_sev(const char *file, const json_t *o)
{
    gk_severity sev;
    if (gk_severity_parse(req_string(file, o, "severity"), &sev) < 0)
        data_fail(file, "bad severity");
    return sev;
}

static size_t table_of(const char *file, const gk_format *f, const json_t *o)
{
    int ti = gk_format_table_index(f, req_string(file, o, "table"));
    if (ti < 0)
        data_fail(file, "rule names unknown table");
    return (size_t)ti;
}

static void load_rules(const char *file, gk_format *f, const json_t *jrules)
{
    f->n_rules = json_array_size(jrules);
    f->rules = gk_xcalloc(f->n_rules, sizeof *f->rules);
    for (size_t i = 0; i < f->n_rules; i++) {
        const json_t *o = json_array_get(jrules, i);
        gk_sum_rule *r = &f->rules[i];
        r->code = req_string(file, o, "code");
        r->severity = parse_sev(file, o);
        r->table = table_of(file, f, o);
        r->scope = parse_scope(file, o);
        const gk_table *t = &f->tables[r->table];
        r->lines = resolve_keys(file, t, r->scope, json_object_get(o, "lines"), &r->n_lines, 1);
        r->lhs = resolve_keys(file, t, r->scope, json_object_get(o, "lhs"), &r->n_lhs, 0);
        r->rhs = resolve_keys(file, t, r->scope, json_object_get(o, "rhs"), &r->n_rhs, 0);
        r->lhs_label = req_string(file, o, "lhs_label");
        r->rhs_label = req_string(file, o, "rhs_label");
    }
}

static const char **key_list(const char *file, const json_t *a, size_t *n)
{
    *n = json_array_size(a);
    if (!*n)
        data_fail(file, "history rule: empty key list");
    const char **keys = gk_xcalloc(*n, sizeof *keys);
    for (size_t i = 0; i < *n; i++)
        if (!(keys[i] = json_string_value(json_array_get(a, i))))
            data_fail(file, "history rule: keys must be strings");
    return keys;
}

static void load_history(const char *file, gk_format *f, const json_t *jh)
{
    f->n_history = json_array_size(jh);
    f->history = gk_xcalloc(f->n_history ? f->n_history : 1, sizeof *f->history);
    for (size_t i = 0; i < f->n_history; i++) {
        const json_t *o = json_array_get(jh, i);
        gk_history_rule *h = &f->history[i];
        h->code = req_string(file, o, "code");
        h->severity = parse_sev(file, o);
        h->table = table_of(file, f, o);
        h->scope = parse_scope(file, o);
        h->lhs = key_list(file, json_object_get(o, "lhs"), &h->n_lhs);
        h->rhs = key_list(file, json_object_get(o, "rhs"), &h->n_rhs);
        h->lhs_label = req_string(file, o, "lhs_label");
        h->rhs_label = req_string(file, o, "rhs_label");
    }
}

static void load_one(gk_format *f, const char *file, const char *data, size_t len)
{
    json_error_t jerr;
    json_t *root = json_loadb(data, len, 0, &jerr);
    if (!root)
        data_fail(file, "line %d: %s", jerr.line, jerr.text);
    f->source = root;
    f->version = req_string(file, root, "version");
    f->title = opt_string(root, "title", f->version);
    f->basis = opt_string(root, "basis", "");
    const json_t *years = json_object_get(root, "years");
    f->year_from = (int)json_integer_value(json_object_get(years, "from"));
    f->year_to = (int)json_integer_value(json_object_get(years, "to"));
    if (f->year_from <= 0)
        data_fail(file, "years.from missing");
    const json_t *tables = json_object_get(root, "tables");
    f->n_tables = json_array_size(tables);
    if (!f->n_tables || f->n_tables > 8)
        data_fail(file, "1..8 tables expected");
    f->tables = gk_xcalloc(f->n_tables, sizeof *f->tables);
    size_t cells = 0;
    for (size_t i = 0; i < f->n_tables; i++) {
        gk_table *t = &f->tables[i];
        load_table(file, t, json_array_get(tables, i));
        t->first_cell = cells;
        for (size_t r = 0; r < t->n_rows; r++) {
            t->rows[r].first_cell = cells;
            cells += t->rows[r].n_columns;
        }
        t->n_cells = cells - t->first_cell;
    }
    f->n_cells = cells;
    f->cells = gk_xcalloc(cells, sizeof *f->cells);
    for (size_t i = 0; i < f->n_tables; i++) {
        const gk_table *t = &f->tables[i];
        for (size_t r = 0; r < t->n_rows; r++)
            for (size_t c = 0; c < t->rows[r].n_columns; c++) {
                gk_cell_def *d = &f->cells[t->rows[r].first_cell + c];
                d->table = i;
                d->row = r;
                d->column = t->rows[r].columns[c];
                d->path = gk_xasprintf("tables.%s.%s.%s", t->key, t->rows[r].key,
                                       t->columns[d->column].key);
            }
    }
    load_rules(file, f, json_object_get(root, "rules"));
    load_history(file, f, json_object_get(root, "history"));
}

static void load_registry(void)
{
    if (registry)
        return;
    size_t n = 0;
    while (gk_embedded_formats[n].name)
        n++;
    registry = gk_xcalloc(n, sizeof *registry);
    for (size_t i = 0; i < n; i++)
        load_one(&registry[i], gk_embedded_formats[i].name, gk_embedded_formats[i].data,
                 gk_embedded_formats[i].len);
    registry_n = n;
}

/* Frees the registry at exit so leak checkers see a clean heap. */
__attribute__((destructor)) static void free_registry(void)
{
    for (size_t i = 0; i < registry_n; i++) {
        gk_format *f = &registry[i];
        for (size_t t = 0; t < f->n_tables; t++) {
            for (size_t r = 0; r < f->tables[t].n_rows; r++)
                free(f->tables[t].rows[r].columns);
            free(f->tables[t].rows);
            free(f->tables[t].columns);
        }
        for (size_t c = 0; c < f->n_cells; c++)
            free((char *)f->cells[c].path);
        for (size_t r = 0; r < f->n_rules; r++) {
            free(f->rules[r].lines);
            free(f->rules[r].lhs);
            free(f->rules[r].rhs);
        }
        for (size_t h = 0; h < f->n_history; h++) {
            free(f->history[h].lhs);
            free(f->history[h].rhs);
        }
        free(f->history);
        free(f->rules);
        free(f->cells);
        free(f->tables);
        json_decref(f->source);
    }
    free(registry);
    registry = NULL;
    registry_n = 0;
}

size_t gk_format_count(void)
{
    load_registry();
    return registry_n;
}

const gk_format *gk_format_at(size_t i)
{
    load_registry();
    return i < registry_n ? &registry[i] : NULL;
}

const char *gk_format_versions(const char *sep, char *buf, size_t len)
{
    size_t o = 0;
    if (len)
        buf[0] = '\0';
    for (size_t i = 0; i < gk_format_count(); i++) {
        const char *v = gk_format_at(i)->version, *s = i ? sep : "";
        size_t need = strlen(s) + strlen(v);
        if (o + need >= len)
            break; /* whole entries only: never cut a character of sep */
        snprintf(buf + o, len - o, "%s%s", s, v);
        o += need;
    }
    return buf;
}

const gk_format *gk_format_find(const char *version)
{
    load_registry();
    for (size_t i = 0; version && i < registry_n; i++)
        if (!strcmp(registry[i].version, version))
            return &registry[i];
    return NULL;
}

const gk_format *gk_format_for_year(int year)
{
    load_registry();
    for (size_t i = 0; i < registry_n; i++)
        if (year >= registry[i].year_from && (!registry[i].year_to || year <= registry[i].year_to))
            return &registry[i];
    return NULL;
}

int gk_format_table_index(const gk_format *f, const char *key)
{
    for (size_t i = 0; i < f->n_tables; i++)
        if (!strcmp(f->tables[i].key, key))
            return (int)i;
    return -1;
}

int gk_table_row_index(const gk_table *t, const char *key)
{
    return find_row(t, key);
}

int gk_table_column_index(const gk_table *t, const char *key)
{
    return find_column(t, key);
}

int gk_row_column_pos(const gk_row *r, size_t column)
{
    for (size_t i = 0; i < r->n_columns; i++)
        if (r->columns[i] == column)
            return (int)i;
    return -1;
}

bool gk_row_same_columns(const gk_row *a, const gk_row *b)
{
    if (a->n_columns != b->n_columns)
        return false;
    for (size_t i = 0; i < a->n_columns; i++)
        if (a->columns[i] != b->columns[i])
            return false;
    return true;
}

int gk_format_cell_index(const gk_format *f, const char *table, const char *row,
                         const char *column)
{
    int ti = gk_format_table_index(f, table);
    if (ti < 0)
        return -1;
    const gk_table *t = &f->tables[ti];
    int ri = find_row(t, row), ci = find_column(t, column);
    if (ri < 0 || ci < 0)
        return -1;
    int pos = gk_row_column_pos(&t->rows[ri], (size_t)ci);
    return pos < 0 ? -1 : (int)(t->rows[ri].first_cell + (size_t)pos);
}

json_t *gk_format_describe(const gk_format *f)
{
    return json_deep_copy(f->source);
}
