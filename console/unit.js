// A unit's report, for the office: the printed tables and prose with every
// finding marked (numbered) on the cell or section it concerns, the
// passages a narrative.similar finding names side by side with the other
// unit's report, the revisions with what changed between each and the one
// before (GET …/diff), and the timeliness.  The office's review (marks on
// the findings, the review panel) is review.js's, drawn through
// ctx.unitDrawn once the findings are listed.

import { $, el, cell, NARRATIVE_TEXT, printedTable, findingsList, markFindings, shown } from './ui.js';

const STATUS_TEXT = { errors: '有错误', warnings: '有警告', info: '无问题（有提示）', ok: '无问题' };
const STATE_TEXT = { number: null, null: '/（不适用）', absent: '（未填）', invalid: '（无效）', not_in_format: '（该格式无此项）' };

let ctx = null;

function timeliness(rep) {
  const late = (rep.findings || []).find((f) => f.code === 'timeliness.late');
  if (late) return `逾期报送：${late.message}`;
  return `按时报送（首次提交于 ${rep.first_submitted_at || rep.submitted_at}）`;
}

function renderTables(fmt, rep) {
  const box = $('unit-tables');
  box.replaceChildren();
  const tables = (rep.report && rep.report.tables) || {};
  for (const t of fmt.tables) {
    box.appendChild(printedTable(t, (td, tt, row, col) => {
      const r = tables[tt.key] && tables[tt.key][row.key];
      td.textContent = shown(r ? r[col.key] : undefined);
      td.className = 'num';
      td.dataset.path = `tables.${tt.key}.${row.key}.${col.key}`;
    }));
  }
}

function renderProse(rep) {
  const box = $('unit-narrative');
  box.replaceChildren();
  const narrative = (rep.report && rep.report.narrative) || {};
  for (const [key, label] of Object.entries(NARRATIVE_TEXT)) {
    const sec = el('section', null, 'prose-section');
    sec.dataset.path = `narrative.${key}`;
    sec.appendChild(el('h4', label));
    const text = typeof narrative[key] === 'string' ? narrative[key] : '';
    sec.appendChild(el('p', text || '（本部分缺失）'));
    box.appendChild(sec);
  }
  // Findings on a section are written out under its title, not only in a
  // tooltip: prose has no cell to colour.
  for (const f of rep.findings || []) {
    if (!f.path || !f.path.startsWith('narrative')) continue;
    const key = f.path.split('.')[1];
    const sec = key ? box.querySelector(`[data-path="narrative.${CSS.escape(key)}"]`) : null;
    if (sec) sec.insertBefore(el('p', `【${f.severity === 'error' ? '错误' : '警告'}】${f.message}`, 'section-finding ' + f.severity), sec.children[1]);
  }
}

// The other report's text around the passage, the passage itself marked.
function otherSide(otherText, passage) {
  const p = el('p');
  const needle = passage.replace(/…$/, '');
  const at = otherText.indexOf(needle.slice(0, 40));
  if (at < 0) {
    p.textContent = otherText.slice(0, 300) + (otherText.length > 300 ? '…' : '');
    p.appendChild(el('span', '（对方报告中文字略有不同，以上为该部分开头）', 'hint'));
    return p;
  }
  const from = Math.max(0, at - 60);
  const end = Math.min(otherText.length, at + needle.length + 60);
  p.append((from > 0 ? '…' : '') + otherText.slice(from, at));
  p.appendChild(el('mark', otherText.slice(at, Math.min(end, at + needle.length))));
  p.append(otherText.slice(Math.min(end, at + needle.length), end) + (end < otherText.length ? '…' : ''));
  return p;
}

async function renderSimilar(rep) {
  const box = $('unit-similar');
  box.replaceChildren();
  const sims = (rep.findings || []).filter((f) => f.code === 'narrative.similar');
  if (sims.length === 0) return;
  box.appendChild(el('h3', '雷同段落对照'));
  for (const f of sims) {
    const block = el('div', null, 'similar');
    block.appendChild(el('p', `与 ${f.name || ''}（${f.similar_to}）的 ${rep.year} 年度报告：相似度约 ${Math.round((f.similarity || 0) * 100)}%`));
    let other = null;
    try {
      other = (await ctx.api(`/api/v1/reports/${encodeURIComponent(f.similar_to)}/${rep.year}`)).json.report;
    } catch (e) {
      block.appendChild(el('p', `无法读取对方报告：${e.message}`, 'hint'));
    }
    const passages = f.passages || [];
    const paths = f.passage_paths || [];
    passages.forEach((text, i) => {
      const key = (paths[i] || '').split('.')[1];
      const row = el('div', null, 'side-by-side');
      const mine = el('div');
      mine.append(el('h5', `本报告 · ${NARRATIVE_TEXT[key] || key || '正文'}`), el('p'));
      mine.lastChild.appendChild(el('mark', text));
      const theirs = el('div');
      theirs.appendChild(el('h5', `${f.name || f.similar_to} · ${NARRATIVE_TEXT[key] || key || '正文'}`));
      const otherText = other && other.narrative && typeof other.narrative[key] === 'string' ? other.narrative[key] : '';
      theirs.appendChild(other ? otherSide(otherText, text) : el('p', '—'));
      row.append(mine, theirs);
      block.appendChild(row);
    });
    box.appendChild(block);
  }
}

function valueText(side) {
  if (!side) return '';
  return side.state === 'number' || side.state === 'invalid' ? String(side.value) : STATE_TEXT[side.state] || side.state;
}

async function showDiff(code, year, from, to) {
  const box = $('unit-diff');
  box.replaceChildren(el('p', '正在比较…'));
  try {
    const d = (await ctx.api(`/api/v1/reports/${encodeURIComponent(code)}/${year}/diff?from=${from}&to=${to}`)).json;
    box.replaceChildren(el('h4', `第 ${from} 次 → 第 ${to} 次修订：${d.cells_changed} 个单元格、${d.sections_changed} 个正文部分有变化`));
    if (d.cells.length > 0) {
      const t = el('table', null, 'diff');
      const head = document.createElement('tr');
      for (const h of ['单元格', `第 ${from} 次`, `第 ${to} 次`]) head.appendChild(el('th', h));
      t.appendChild(head);
      for (const c of d.cells) {
        const tr = document.createElement('tr');
        tr.dataset.path = c.path;
        cell(tr, c.label);
        cell(tr, valueText(c.from), 'num removed');
        cell(tr, valueText(c.to), 'num added');
        t.appendChild(tr);
      }
      box.appendChild(t);
    }
    for (const n of d.narrative || []) {
      if (!n.changed) continue;
      box.appendChild(el('h5', n.label));
      for (const s of n.removed || []) box.appendChild(el('p', '− ' + s, 'removed'));
      for (const s of n.added || []) box.appendChild(el('p', '+ ' + s, 'added'));
    }
  } catch (e) {
    box.replaceChildren();
    ctx.handleError(e);
  }
}

function renderRevisions(code, year, revs) {
  const tbody = $('unit-revisions').tBodies[0];
  tbody.replaceChildren();
  $('unit-diff').replaceChildren();
  for (const v of revs) {
    const tr = document.createElement('tr');
    tr.dataset.revision = String(v.revision);
    cell(tr, String(v.revision), 'num');
    cell(tr, v.submitted_at);
    cell(tr, STATUS_TEXT[v.status] || v.status);
    cell(tr, String(v.errors), 'num');
    cell(tr, String(v.warnings), 'num');
    const td = cell(tr, '');
    if (v.revision > 1) {
      const b = el('button', `与第 ${v.revision - 1} 次比较`, 'link');
      b.type = 'button';
      b.addEventListener('click', () => showDiff(code, year, v.revision - 1, v.revision));
      td.appendChild(b);
    }
    tbody.appendChild(tr);
  }
}

export async function openUnit(code) {
  ctx.showMessage('');
  ctx.show('unit');
  const s = ctx.session();
  $('unit-title').textContent = `单位报告 · ${code} · ${s.year} 年度`;
  for (const id of ['unit-meta', 'unit-time', 'unit-findings', 'unit-review', 'unit-narrative', 'unit-tables', 'unit-similar', 'unit-diff'])
    $(id).replaceChildren();
  $('unit-revisions').tBodies[0].replaceChildren();
  // The report, the unit's name and the revisions are asked for at once.
  const nameP = ctx.regionName(code);
  const revsP = ctx.api(`/api/v1/reports/${encodeURIComponent(code)}/${s.year}/revisions`).then((r) => r.json.revisions);
  revsP.catch(() => null);
  let rep;
  try {
    rep = (await ctx.api(`/api/v1/reports/${encodeURIComponent(code)}/${s.year}`)).json;
  } catch (e) {
    if (e.status === 404) {
      $('unit-meta').textContent = `该单位尚未报送 ${s.year} 年度报告。`;
      nameP.then((n) => { if (n) $('unit-title').textContent = `单位报告 · ${n}（${code}）· ${s.year} 年度`; });
      return;
    }
    ctx.handleError(e);
    return;
  }
  const fmtP = ctx.formatOf(rep.format);
  const name = await nameP;
  $('unit-title').textContent = `单位报告 · ${name || ''}（${code}）· ${s.year} 年度`;
  const late = (rep.findings || []).some((f) => f.code === 'timeliness.late');
  $('unit-meta').textContent = `当前第 ${rep.revision} 次修订，提交于 ${rep.submitted_at}，` +
    `${STATUS_TEXT[rep.status] || rep.status}${late ? '，逾期报送' : ''}。`;
  $('unit-time').textContent = timeliness(rep);
  const list = findingsList($('unit-findings'), '检查结果', rep.findings || []);
  if (ctx.unitDrawn) ctx.unitDrawn(code, rep, list);
  try {
    renderTables(await fmtP, rep);
  } catch (e) { ctx.handleError(e); }
  renderProse(rep);
  markFindings($('unit-tables'), (rep.findings || []).map((f) => (f.path && f.path.startsWith('tables') ? f : {})), true);
  try {
    renderRevisions(code, s.year, await revsP);
  } catch (e) { ctx.handleError(e); }
  await renderSimilar(rep);
}

export function setupUnit(c) { ctx = c; }
