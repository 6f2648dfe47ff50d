// The board above county level: a city's board lists its counties and the
// national board its provinces, each with the counts of the townships below
// it (issue 16, item 1), instead of thousands of township rows; a row leads
// to that region's own board.  Region codes are hierarchical (a township's
// code starts with its county's, city's and province's), so a unit belongs
// to the child whose code it starts with.

import { el, cell } from './ui.js';

export const GROUP_HEAD = ['代码', '下级区划', '已报 / 应报', '逾期', '未报', '有错误', '有警告'];
export const UNIT_HEAD = ['代码', '单位', '状态', '逾期', '修订', '错误', '警告'];

export function groupUnits(entities, children) {
  const groups = children.map((c) => ({ code: c.code, name: c.name, expected: 0, missing: 0, late: 0, errors: 0, warnings: 0, ok: 0 }));
  const sorted = groups.slice().sort((a, b) => b.code.length - a.code.length);   // longest prefix first
  for (const e of entities) {
    const g = sorted.find((x) => e.code.startsWith(x.code));
    if (!g) continue;
    g.expected++;
    if (e.state === 'missing') g.missing++;
    else if (e.state === 'errors') g.errors++;
    else if (e.state === 'warnings') g.warnings++;
    else g.ok++;
    if (e.late) g.late++;
  }
  return groups;
}

const has = { missing: (g) => g.missing > 0, late: (g) => g.late > 0, errors: (g) => g.errors > 0,
  warnings: (g) => g.warnings > 0, ok: (g) => g.ok > 0 };

export function renderGroups(tbody, groups, filter, sort, go) {
  let rows = groups.filter((g) => g.expected > 0 && (!filter || has[filter](g)));
  rows = rows.slice().sort((a, b) =>
    sort === 'state' ? (b.missing / b.expected - a.missing / a.expected) || a.code.localeCompare(b.code)
      : sort === 'errors' ? (b.errors - a.errors) || a.code.localeCompare(b.code)
        : a.code.localeCompare(b.code));
  tbody.replaceChildren();
  for (const g of rows) {
    const tr = document.createElement('tr');
    tr.dataset.code = g.code;
    tr.className = 'group';
    const b = el('button', g.code, 'link');
    b.type = 'button';
    b.addEventListener('click', () => go(`#board/${g.code}`));
    cell(tr, '').appendChild(b);
    cell(tr, g.name);
    cell(tr, `${g.expected - g.missing} / ${g.expected}`, 'num');
    cell(tr, String(g.late), 'num');
    cell(tr, String(g.missing), 'num');
    cell(tr, String(g.errors), 'num');
    cell(tr, String(g.warnings), 'num');
    tbody.appendChild(tr);
  }
}
