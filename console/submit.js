// 填报: the township's form.  It starts from a file (a JSON report as is;
// a Word/Excel/PDF/HTML/text report through POST /api/v1/import, whose
// placement notes are shown), from last year's report, or empty; the three
// tables in the printed layout and the prose sections are edited in place;
// the report is checked as one types (POST /api/v1/check, debounced, each
// finding marked on its cell); a refused submission keeps what was typed.
//
// The JSON in the textarea stays the one source of truth: the inputs are
// filled from it and write back into it, so a file, last year's report,
// the raw JSON and typing all agree.

import { $, el, SEVERITY_TEXT, NARRATIVE_TEXT, printedTable, findingsList, markFindings, elementOfPath, shown } from './ui.js';

const CHECK_DELAY_MS = 600;
// A count, or an amount with at most six decimals (the daemon's precision).
const NUMBER = /^-?\d+(\.\d{1,6})?$/;

let ctx = null;
let checkTimer = null;
let checkSeq = 0;        // answers of older checks are dropped

function parseReport() {
  try { return JSON.parse($('report').value); } catch { return null; }
}

function writeReport(rep) {
  $('report').value = JSON.stringify(rep, null, 2);
}

function cellValue(text) {
  if (text === '') return { ok: true, value: undefined };
  if (text === '/') return { ok: true, value: null };
  if (NUMBER.test(text)) return { ok: true, value: Number(text) };
  return { ok: false };
}

function writeCell(tk, rk, ck, text) {
  const rep = parseReport();
  if (!rep) return false;
  const v = cellValue(text);
  if (!v.ok) return false;
  rep.tables = rep.tables || {};
  rep.tables[tk] = rep.tables[tk] || {};
  rep.tables[tk][rk] = rep.tables[tk][rk] || {};
  if (v.value === undefined) delete rep.tables[tk][rk][ck];
  else rep.tables[tk][rk][ck] = v.value;
  writeReport(rep);
  return true;
}

function writeProse(key, text) {
  const rep = parseReport();
  if (!rep) return;
  rep.narrative = rep.narrative || {};
  if (text === '') delete rep.narrative[key];
  else rep.narrative[key] = text;
  writeReport(rep);
}

export async function renderForm() {
  const rep = parseReport();
  const box = $('form-tables');
  if (!rep || typeof rep !== 'object') { box.replaceChildren(); return; }
  let fmt;
  try { fmt = await ctx.formatOf(rep.format || '2019'); } catch (e) { ctx.handleError(e); return; }
  box.replaceChildren();
  for (const t of fmt.tables) {
    box.appendChild(printedTable(t, (td, tt, row, col) => {
      const input = document.createElement('input');
      input.inputMode = col.kind === 'amount' ? 'decimal' : 'numeric';
      input.dataset.path = `tables.${tt.key}.${row.key}.${col.key}`;
      input.setAttribute('aria-label', `${row.label} ${col.label}`);
      const r = rep.tables && rep.tables[tt.key] && rep.tables[tt.key][row.key];
      input.value = shown(r ? r[col.key] : undefined);
      // Typing: a valid value is written and checked soon; a half-typed one
      // is only shown as such until the field is left.
      input.addEventListener('input', () => {
        const ok = writeCell(tt.key, row.key, col.key, input.value.trim());
        input.classList.toggle('bad-input', !ok);
        if (ok) scheduleCheck();
      });
      input.addEventListener('change', () => {
        const text = input.value.trim();
        if (!cellValue(text).ok) ctx.showMessage(`“${text}”不是有效的数字（留空表示未填，“/”表示不适用）`);
        else ctx.showMessage('');
      });
      td.appendChild(input);
    }));
  }
  // The prose sections, each marked by its path like a cell.
  for (const [key, label] of Object.entries(NARRATIVE_TEXT)) {
    const wrap = el('div', null, 'prose');
    const id = `prose-${key}`;
    const lab = el('label', label);
    lab.htmlFor = id;
    const ta = document.createElement('textarea');
    ta.id = id;
    ta.rows = 5;
    ta.dataset.path = `narrative.${key}`;
    const text = rep.narrative && typeof rep.narrative[key] === 'string' ? rep.narrative[key] : '';
    ta.value = text;
    ta.addEventListener('input', () => { writeProse(key, ta.value); scheduleCheck(); });
    wrap.append(lab, ta);
    box.appendChild(wrap);
  }
}

function reportBody() {
  const text = $('report').value;
  try { JSON.parse(text); } catch (e) {
    throw new ctx.ApiError(400, 'invalid_json', `报告内容不是有效的 JSON：${e.message}`);
  }
  return text;
}

// Under each table and prose section, its findings written out (a colour
// and a tooltip alone would not say what is wrong); a click on one goes to
// its cell.
function listFindings(findings) {
  const box = $('form-tables');
  for (const ul of box.querySelectorAll('ul.table-findings')) ul.remove();
  const byAnchor = new Map();
  for (const f of findings || []) {
    if (!f.path) continue;
    const m = /^(tables\.[a-z_]+|narrative\.[a-z_]+)/.exec(f.path);
    const anchor = m && box.querySelector(`[data-path="${CSS.escape(m[1])}"]`);
    const where = anchor && (anchor.tagName === 'CAPTION' ? anchor.parentElement : anchor);
    if (!where) continue;
    if (!byAnchor.has(where)) byAnchor.set(where, []);
    byAnchor.get(where).push(f);
  }
  for (const [where, list] of byAnchor) {
    const ul = el('ul', null, 'table-findings');
    for (const f of list) {
      const li = el('li', `【${SEVERITY_TEXT[f.severity] || f.severity}】${f.message}`, f.severity);
      li.dataset.path = f.path;
      li.tabIndex = 0;
      const focus = () => { const t = elementOfPath(box, f.path); if (t && t.focus) t.focus(); };
      li.addEventListener('click', focus);
      li.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') focus(); });
      ul.appendChild(li);
    }
    where.after(ul);
  }
}

function mark(findings) {
  markFindings($('form-tables'), findings);
  listFindings(findings);
}

function showLive(r) {
  const n = (r.findings || []).length;
  const errors = (r.findings || []).filter((f) => f.severity === 'error').length;
  $('live-check').textContent = n === 0 ? '自动检查：未发现问题。'
    : `自动检查：${errors} 个错误，${n - errors} 个警告或提示（已标在对应的单元格或段落上，说明列在各表之下）。`;
}

// The check while typing: only the latest answer is shown, and a
// submission in between wins over it.
function scheduleCheck() {
  if (checkTimer) clearTimeout(checkTimer);
  checkTimer = setTimeout(liveCheck, CHECK_DELAY_MS);
}

async function liveCheck() {
  checkTimer = null;
  const seq = ++checkSeq;
  let body;
  try { body = reportBody(); } catch { $('live-check').textContent = '自动检查：报告内容不是有效的 JSON。'; return; }
  try {
    const r = await ctx.api('/api/v1/check', { method: 'POST', body });
    if (seq !== checkSeq) return;
    showLive(r.json);
    mark(r.json.findings);
  } catch (e) {
    if (seq !== checkSeq) return;
    $('live-check').textContent = `自动检查未完成：${e.message}`;
  }
}

async function checkOrSend(submit) {
  ctx.showMessage('');
  if (checkTimer) { clearTimeout(checkTimer); checkTimer = null; }
  const seq = ++checkSeq;
  try {
    const body = reportBody();
    const r = await ctx.api(submit ? '/api/v1/reports' : '/api/v1/check', { method: 'POST', body });
    const j = r.json;
    if (submit) {
      findingsList($('result'), j.created ? `已提交：第 ${j.revision} 次修订（${j.submitted_at}）`
        : `内容与第 ${j.revision} 次修订相同，未新建修订`, j.findings || []);
    } else {
      findingsList($('result'), '检查结果（未保存）', j.findings || []);
    }
    if (seq === checkSeq) { mark(j.findings); showLive(j); }
  } catch (e) {
    ctx.handleError(e);   // the typed report stays, in the form and the textarea
  }
}

// The format of a year (GET /api/v1/formats: each version with its years).
async function formatForYear(year) {
  const list = (await ctx.api('/api/v1/formats')).json.formats;
  return list.find((x) => x.years.from <= year && (x.years.to === null || year <= x.years.to)) || null;
}

// Last year's report in this year's format: when the format changed
// (2020 → 2021), the cells the new format also has are kept, the others
// dropped, and the notes say how many.
async function toFormat(rep, version) {
  if (rep.format === version) return 0;
  const fmt = await ctx.formatOf(version);
  const old = rep.tables || {};
  const tables = {};
  let dropped = 0, kept = 0;
  for (const [tk, rows] of Object.entries(old)) {
    const t = fmt.tables.find((x) => x.key === tk);
    for (const [rk, cols] of Object.entries(rows || {})) {
      const row = t && t.rows.find((x) => x.key === rk);
      for (const [ck, v] of Object.entries(cols || {})) {
        if (row && t.columns.some((c) => c.key === ck) && (!row.columns || row.columns.includes(ck))) {
          ((tables[tk] = tables[tk] || {})[rk] = tables[tk][rk] || {})[ck] = v;
          kept++;
        } else dropped++;
      }
    }
  }
  rep.format = version;
  rep.tables = tables;
  return { kept, dropped };
}

async function loadLastYear() {
  ctx.showMessage('');
  const s = ctx.session();
  try {
    const r = await ctx.api(`/api/v1/reports/${encodeURIComponent(s.region)}/${s.year - 1}`);
    const rep = r.json.report || r.json;
    const from = rep.format;
    rep.year = s.year;
    delete rep.published_at;
    const f = await formatForYear(s.year);
    const moved = f ? await toFormat(rep, f.version) : 0;
    writeReport(rep);
    $('import-notes').replaceChildren(el('p', `已载入 ${s.year - 1} 年度报告（第 ${r.json.revision} 次修订）作为起点，年度已改为 ${s.year}。` +
      (moved ? `格式由 ${from} 年版改为 ${f.version} 年版：保留两版共有的 ${moved.kept} 个单元格，去掉 ${moved.dropped} 个新格式没有的单元格，请补填新格式的其余项目。` : '')));
    await renderForm();
    scheduleCheck();
  } catch (e) {
    ctx.handleError(e);
  }
}

// An empty report of the year's format for the signed-in unit.
async function startEmpty() {
  ctx.showMessage('');
  const s = ctx.session();
  try {
    const f = await formatForYear(s.year);
    if (!f) { ctx.showMessage(`没有适用于 ${s.year} 年度的报告格式`); return; }
    writeReport({ format: f.version, year: s.year, entity: s.region, narrative: {}, tables: {} });
    $('import-notes').replaceChildren(el('p', `空白报告：${f.title || f.version + ' 年版格式'}。`));
    await renderForm();
    scheduleCheck();
  } catch (e) {
    ctx.handleError(e);
  }
}

function showImportNotes(j, name) {
  const box = $('import-notes');
  box.replaceChildren();
  const unplaced = j.unplaced || [];
  const notes = j.notes || [];
  box.appendChild(el('p', `已从文件“${name}”导入：` + (j.status === 'ok' ? '全部内容已放入表格和正文。'
    : `有 ${unplaced.length} 处内容未能放入，请对照原文补填。`)));
  const list = (title, items, cls) => {
    if (items.length === 0) return;
    box.appendChild(el('h4', title));
    const ul = el('ul', null, cls);
    for (const it of items) ul.appendChild(el('li', `${it.where}：${it.text ? `“${it.text}”：` : ''}${it.reason}`));
    box.appendChild(ul);
  };
  list('未能放入的内容', unplaced, 'unplaced');
  list('导入说明', notes, 'notes');
}

// A township's own code goes with the file, so a title naming the unit
// differently still lands on it; an office lets the importer find the unit
// from the title among the units of its region.
async function fromFile() {
  const f = $('file').files[0];
  if (!f) return;
  ctx.showMessage('');
  if (f.type === 'application/json' || /\.json$/i.test(f.name)) {
    $('report').value = await f.text();
    $('import-notes').replaceChildren(el('p', `已载入 JSON 文件“${f.name}”。`));
    await renderForm();
    scheduleCheck();
    return;
  }
  const s = ctx.session();
  const q = new URLSearchParams();
  if (/^\d{9,}$/.test(s.region)) q.set('entity', s.region);
  $('import-notes').replaceChildren(el('p', `正在导入“${f.name}”…`));
  try {
    const r = await ctx.api(`/api/v1/import?${q}`, { method: 'POST', body: f, type: f.type || 'application/octet-stream' });
    writeReport(r.json.report);
    showImportNotes(r.json, f.name);
    await renderForm();
    scheduleCheck();
  } catch (e) {
    $('import-notes').replaceChildren(el('p', `文件“${f.name}”未能导入：${e.message}`, 'bad'));
    ctx.handleError(e);
  }
}

export function openSubmit() {
  ctx.showMessage('');
  ctx.show('submit');
  renderForm();
}

export function setupSubmit(c) {
  ctx = c;
  $('report').addEventListener('change', () => { renderForm(); scheduleCheck(); });
  $('check').addEventListener('click', () => checkOrSend(false));
  $('send').addEventListener('click', () => checkOrSend(true));
  $('load-last').addEventListener('click', loadLastYear);
  $('start-empty').addEventListener('click', startEmpty);
  $('file').addEventListener('change', fromFile);
}
