// 汇总: the rollup of a region in the printed layout, with coverage; the
// office walks down the hierarchy (each sub-region's own rollup, a path of
// links back up), and a click on a cell shows which units contributed what
// to it and who left it blank or not applicable
// (GET /api/v1/regions/{code}/rollup/cell).

import { $, el, cell, printedTable } from './ui.js';

const CELL_STATE = { reported: '已填', not_applicable: '不适用', blank: '未填', missing: '未报', other_format: '其他格式（不计入）' };

let ctx = null;
let current = null;      // the region shown
let trail = [];          // [{code, name}] from the signed-in region down to current

function cellSummary(label, c) {
  $('cell-detail').textContent =
    `${label}：合计 ${c.sum}；已填 ${c.reported} 个单位，不适用 ${c.not_applicable} 个，未填 ${c.blank} 个`;
}

async function showCell(label, path) {
  const box = $('cell-units');
  box.replaceChildren(el('p', '正在读取各单位的填报…', 'hint'));
  try {
    const s = ctx.session();
    const d = (await ctx.api(`/api/v1/regions/${encodeURIComponent(current)}/rollup/cell?year=${s.year}` +
      `&cell=${encodeURIComponent(path)}`)).json;
    box.replaceChildren(el('h3', `${d.row_label} · ${d.column_label}：各单位填报（合计 ${d.sum}）`));
    box.appendChild(el('p', `已填 ${d.reported} 个，不适用 ${d.not_applicable} 个，未填 ${d.blank} 个，未报 ${d.missing} 个` +
      (d.other_format ? `，其他格式 ${d.other_format} 个` : '') + '。'));
    const t = el('table', null, 'cell-units');
    const head = document.createElement('tr');
    for (const h of ['代码', '单位', '填报', '数值']) head.appendChild(el('th', h));
    t.appendChild(head);
    // Those who contributed first, largest first; then the rest by code.
    const order = { reported: 0, not_applicable: 1, blank: 2, other_format: 3, missing: 4 };
    const units = d.units.slice().sort((a, b) => (order[a.state] - order[b.state]) ||
      (a.state === 'reported' ? Number(b.value) - Number(a.value) : 0) || a.code.localeCompare(b.code));
    for (const u of units) {
      const tr = document.createElement('tr');
      tr.dataset.code = u.code;
      tr.dataset.state = u.state;
      const c = cell(tr, '');
      const b = el('button', u.code, 'link');
      b.type = 'button';
      b.addEventListener('click', () => ctx.go(`#unit/${u.code}`));
      c.appendChild(b);
      cell(tr, u.name);
      cell(tr, CELL_STATE[u.state] || u.state, 'cellstate-' + u.state);
      cell(tr, u.state === 'reported' ? String(u.value) : u.state === 'not_applicable' ? '/' : '', 'num');
      t.appendChild(tr);
    }
    box.appendChild(t);
  } catch (e) {
    box.replaceChildren();
    ctx.handleError(e);
  }
}

function renderTrail(region) {
  const nav = $('rollup-trail');
  nav.replaceChildren();
  trail.forEach((r, i) => {
    if (i > 0) nav.append(' › ');
    if (r.code === region.code) { nav.appendChild(el('strong', r.name)); return; }
    const b = el('button', r.name, 'link');
    b.type = 'button';
    b.addEventListener('click', () => ctx.go(`#rollup/${r.code}`));
    nav.appendChild(b);
  });
  const kids = $('rollup-children');
  kids.replaceChildren();
  const children = region.children || [];
  if (children.length === 0) return;
  kids.appendChild(el('span', '下级区划：', 'hint'));
  for (const c of children) {
    const b = el('button', c.name, 'link');
    b.type = 'button';
    b.dataset.code = c.code;
    b.addEventListener('click', () => ctx.go(`#rollup/${c.code}`));
    kids.append(b, ' ');
  }
}

export async function openRollup(code) {
  const s = ctx.session();
  code = code || s.region;
  ctx.showMessage('');
  ctx.show('rollup');
  $('cell-detail').textContent = '';
  $('cell-units').replaceChildren();
  $('rollup-tables').before($('cell-panel'));
  current = code;
  try {
    const region = (await ctx.api(`/api/v1/regions/${encodeURIComponent(code)}`)).json;
    // The trail: cut back to the region when it is on it, else extend it
    // (a link from a child), else start again at the signed-in region.
    const at = trail.findIndex((r) => r.code === code);
    if (at >= 0) trail = trail.slice(0, at + 1);
    else if (trail.length > 0 && trail[trail.length - 1].code === region.parent) trail.push({ code, name: region.name });
    else trail = code === s.region ? [{ code, name: region.name }]
      : [{ code: s.region, name: (await ctx.regionName(s.region)) || s.region }, { code, name: region.name }];
    renderTrail(region);
    const r = (await ctx.api(`/api/v1/regions/${encodeURIComponent(code)}/rollup?year=${s.year}`)).json;
    const cov = r.coverage;
    $('rollup-title').textContent = `汇总 · ${r.region.name}（${r.region.code}）· ${r.year} 年度`;
    $('coverage').textContent = `应报 ${cov.expected} 个单位，已报 ${cov.submitted} 个，未报 ${cov.missing_count} 个，逾期 ${cov.late_count} 个；` +
      `汇总 ${r.rollup.reports} 份报告（${r.format} 版格式）。`;
    const fmt = await ctx.formatOf(r.format);
    const box = $('rollup-tables');
    box.replaceChildren();
    for (const t of fmt.tables) {
      const data = r.rollup.tables ? r.rollup.tables[t.key] : null;
      box.appendChild(printedTable(t, (td, tt, row, col) => {
        const c = data && data[row.key] ? data[row.key][col.key] : null;
        td.textContent = c ? (c.reported > 0 ? String(c.sum) : (c.not_applicable > 0 ? '/' : '')) : '';
        td.className = 'num';
        td.dataset.cell = `${tt.key}.${row.key}.${col.key}`;
        td.tabIndex = 0;
        td.setAttribute('role', 'button');
        const label = `${row.label} · ${col.label}`;
        const open = () => {
          // The answer goes right under the table clicked in, not out of sight above.
          td.closest('table').after($('cell-panel'));
          for (const x of box.querySelectorAll('td.selected')) x.classList.remove('selected');
          td.classList.add('selected');
          cellSummary(label, c || { sum: 0, reported: 0, not_applicable: 0, blank: 0 });
          showCell(label, `tables.${tt.key}.${row.key}.${col.key}`);
        };
        td.addEventListener('click', open);
        td.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); open(); } });
      }));
    }
  } catch (e) {
    ctx.handleError(e);
  }
}

// The CSV or the office's workbook (the daemon's rollup?format=xlsx: the
// tables, 报送情况, 检查结果) is fetched here (with the session cookie,
// ctx.fetchRaw) and handed to the browser as a Blob download under a file
// name of ours.
async function download(format) {
  ctx.showMessage('');
  const s = ctx.session();
  try {
    const res = await ctx.fetchRaw(`/api/v1/regions/${encodeURIComponent(current || s.region)}/rollup?year=${s.year}&format=${format}`);
    const a = $('download-link');
    if (a.href) URL.revokeObjectURL(a.href);
    a.href = URL.createObjectURL(await res.blob());
    a.download = `汇总-${current || s.region}-${s.year}.${format}`;
    a.click();
  } catch (e) {
    ctx.handleError(e);
  }
}

export function setupRollup(c) {
  ctx = c;
  $('csv').addEventListener('click', () => download('csv'));
  $('xlsx').addEventListener('click', () => download('xlsx'));
}
