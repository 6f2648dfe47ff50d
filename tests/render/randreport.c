/* randreport.c — see randreport.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "randreport.h"

static uint64_t next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * UINT64_C(2685821657736338717);
}

static uint64_t below(uint64_t *s, uint64_t n)
{
    return n ? next(s) % n : 0;
}

/* Prose that a report really holds: no line that is itself a section
 * heading, a date or a portal footer (those are structure, not prose). */
static const char *const phrases[] = {
    "本镇认真贯彻落实《中华人民共和国政府信息公开条例》，推进政务公开。",
    "全年通过政府网站主动公开信息 1,234 条，其中政策文件 56 件。",
    "依申请公开办理及时率 100%，答复规范。",
    "公开内容还不够丰富，个别栏目更新不及时。",
    "下一步将加强培训，完善“五公开”工作机制 & 考核办法。",
    "本年度未收取信息处理费。",
    "按照 <政务公开> 标准目录，梳理事项 48 项。",
    "无其他需要报告的事项。",
    "（一）主动公开：坚持以公开为常态、不公开为例外。",
    "政府信息公开平台建设：新增“惠民政策”专栏 'A' 区。",
};

static char *random_prose(uint64_t *s)
{
    size_t lines = 1 + (size_t)below(s, 3), cap = 1024;
    char *out = malloc(cap);
    out[0] = '\0';
    for (size_t i = 0; i < lines; i++) {
        if (i)
            strcat(out, "\n");
        strcat(out, phrases[below(s, sizeof phrases / sizeof *phrases)]);
        if (below(s, 2))
            strcat(out, phrases[below(s, sizeof phrases / sizeof *phrases)]);
    }
    return out;
}

static int64_t random_value(uint64_t *s, gk_value_kind kind)
{
    switch (kind) {
    case GK_KIND_AMOUNT: {
        /* whole part of up to 8 digits, six decimals (24252.311082) */
        static const int64_t whole_max[] = {10, 1000, 100000, GK_AMOUNT_MAX};
        int64_t whole = (int64_t)below(s, (uint64_t)whole_max[below(s, 4)]);
        int64_t frac = below(s, 3) ? (int64_t)below(s, GK_AMOUNT_SCALE) : 0;
        return whole * GK_AMOUNT_SCALE + frac;
    }
    case GK_KIND_SIGNED_COUNT: {
        int64_t v = (int64_t)below(s, below(s, 4) ? 1000 : GK_VALUE_MAX);
        return below(s, 2) ? -v : v;
    }
    default:
        return (int64_t)below(s, below(s, 5) ? 1000 : GK_VALUE_MAX + 1);
    }
}

gk_report *tr_random_report(const gk_format *f, uint64_t *s)
{
    int span = f->year_to ? f->year_to - f->year_from + 1 : 10;
    int year = f->year_from + (int)below(s, (uint64_t)span);
    static const char *const entities[] = {"350481101", "350481001", "350481204", "350403100",
                                           "110101001"};
    gk_report *r = gk_report_new(f, year, entities[below(s, 5)]);
    for (int k = 0; k < GK_NARR_COUNT; k++) {
        uint64_t p = below(s, 10);
        r->narrative[k] = p == 0 ? NULL : p == 1 ? strdup("") : random_prose(s);
    }
    if (below(s, 2))
        snprintf(r->published_at, sizeof r->published_at, "%04d-%02d-%02d", year + 1,
                 1 + (int)below(s, 3), 1 + (int)below(s, 28));
    r->has_tables = true;
    for (size_t ti = 0; ti < f->n_tables; ti++) {
        const gk_table *t = &f->tables[ti];
        bool table_absent = below(s, 12) == 0;
        /* per table, how often a cell is absent / null / 0 */
        uint64_t p_absent = below(s, 4) * 5, p_null = below(s, 4) * 5, p_zero = 10 + below(s, 30);
        for (size_t ci = t->first_cell; ci < t->first_cell + t->n_cells; ci++) {
            gk_cell *c = &r->cells[ci];
            const gk_cell_def *def = &f->cells[ci];
            uint64_t p = below(s, 100);
            if (table_absent || p < p_absent) {
                c->state = GK_CELL_ABSENT;
            } else if (p < p_absent + p_null) {
                c->state = GK_CELL_NULL;
            } else {
                c->state = GK_CELL_NUMBER;
                c->value = p < p_absent + p_null + p_zero
                               ? 0
                               : random_value(s, t->columns[def->column].kind);
            }
            if (c->state != GK_CELL_ABSENT)
                r->table_present[ti] = true;
        }
    }
    return r;
}
