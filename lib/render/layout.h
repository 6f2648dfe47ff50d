/* layout.h — one table of the format on a gk_rtable (private to lib/render). */
#ifndef GONGKAI_RENDER_LAYOUT_H
#define GONGKAI_RENDER_LAYOUT_H

#include "render.h"

void gk_render_layout_table(gk_rdoc *d, const gk_format *f, const gk_table *t,
                            gk_render_cell_fn text, void *ud);

#endif
