// The console's whole logic (a standard ES module, no build step).
// Sign-in is signin.js's: a name and password give an HttpOnly session
// cookie, sent by every fetch here (credentials 'same-origin') and never
// seen by this script; the daemon refuses cookie writes from other sites.
// Everything shown from the server goes through textContent, never
// innerHTML (no XSS sink).  See docs/security.md.
import { startSignIn, signOut, sessionEnded } from './signin.js';

import { renderUnitReview, reviewFilterMatch, reviewText, initBoardTools } from './review.js';   // the office's review (issue 17)

const $ = (id) => document.getElementById(id);
const STATE_TEXT = { missing: '未报', ok: '无问题', warnings: '有警告', errors: '有错误' };
const STATE_ORDER = { errors: 0, warnings: 1, missing: 2, ok: 3 };
const SEVERITY_TEXT = { error: '错误', warning: '警告', info: '提示' };
const POLL_MS = 2000;

let session = null;       // {name, role, region, year}
let boardEtag = null;
let boardData = null;
let pollTimer = null;

class ApiError extends Error {
  constructor(status, code, message) { super(message); this.status = status; this.code = code; }
}

async function api(path, { method = 'GET', body = null, etag = null } = {}) {
  const headers = {};
  if (body !== null) headers['Content-Type'] = 'application/json';
  if (etag) headers['If-None-Match'] = etag;
  let res;
  try {
    res = await fetch(path, { method, headers, body, cache: 'no-store', credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'network', '无法连接服务器，请检查网络后重试');
  }
  if (res.status === 304) return { status: 304, etag, json: null };
  let json = null;
  try { json = await res.json(); } catch { json = null; }
  if (!res.ok) {
    const e = json && json.error ? json.error : { code: 'http_' + res.status, message: `服务器返回错误（${res.status}）` };
    let message = e.message;
    if (res.status === 401) message = `登录已失效：${e.message}`;
    else if (res.status === 403) message = `无权进行此操作：${e.message}`;
    throw new ApiError(res.status, e.code, message);
  }
  return { status: res.status, etag: res.headers.get('ETag'), json };
}

function showMessage(text) {
  const m = $('message');
  m.textContent = text || '';
  m.hidden = !text;
}

function show(section) {
  for (const id of ['login', 'board', 'unit', 'rollup', 'submit']) $(id).hidden = id !== section;
  $('nav').hidden = section === 'login';
  if (section !== 'board' && pollTimer) { clearTimeout(pollTimer); pollTimer = null; }
}

function handleError(e) {
  showMessage(e.message);
  if (e.status === 401) {
    session = null;
    sessionEnded(e);
  }
}

// ---- 报送情况 board ----

function cell(tr, text, cls) {
  const td = document.createElement('td');
  td.textContent = text;
  if (cls) td.className = cls;
  tr.appendChild(td);
  return td;
}

function renderBoard() {
  const d = boardData;
  if (!d) return;
  const ents = d.entities || [];
  const late = ents.filter((e) => e.late).length;
  const missing = d.summary.missing;
  $('board-title').textContent = `报送情况 · ${d.region.name}（${d.region.code}）· ${d.year} 年度`;
  $('c-expected').textContent = String(ents.length);
  $('c-submitted').textContent = String(ents.length - missing);
  $('c-missing').textContent = String(missing);
  $('c-late').textContent = String(late);
  $('c-errors').textContent = String(d.summary.errors);
  $('c-warnings').textContent = String(d.summary.warnings);
  $('c-ok').textContent = String(d.summary.ok);
  const f = $('filter').value;
  let rows = ents.filter((e) => !f || (f === 'late' ? e.late : e.state === f)).filter(reviewFilterMatch);
  const s = $('sort').value;
  rows = rows.slice().sort((a, b) =>
    s === 'state' ? (STATE_ORDER[a.state] - STATE_ORDER[b.state]) || a.code.localeCompare(b.code)
      : s === 'errors' ? (b.errors - a.errors) || a.code.localeCompare(b.code)
        : a.code.localeCompare(b.code));
  const tbody = $('units').tBodies[0];
  tbody.replaceChildren();
  for (const e of rows) {
    const tr = document.createElement('tr');
    tr.dataset.code = e.code;
    const codeCell = cell(tr, '');
    const link = document.createElement('button');
    link.type = 'button';
    link.className = 'link';
    link.textContent = e.code;
    link.addEventListener('click', () => openUnit(e.code, e.name, e.late));
    codeCell.appendChild(link);
    cell(tr, e.name);
    cell(tr, STATE_TEXT[e.state] || e.state, 'state-' + e.state);
    cell(tr, e.late ? '逾期' : '');
    cell(tr, e.revision === null ? '' : String(e.revision), 'num');
    cell(tr, String(e.errors), 'num');
    cell(tr, String(e.warnings), 'num');
    cell(tr, reviewText(e.review), 'review-' + (e.review || 'none'));
    tbody.appendChild(tr);
  }
}

// Polls with the ETag: an unchanged board costs a 304 and no redraw.
async function pollBoard() {
  pollTimer = null;
  try {
    const r = await api(`/api/v1/regions/${encodeURIComponent(session.region)}/compliance?year=${session.year}`,
      { etag: boardEtag });
    if (r.status !== 304) {
      boardEtag = r.etag;
      boardData = r.json;
      renderBoard();
    }
    $('updated').textContent = `更新于 ${new Date().toLocaleTimeString('zh-CN')}`;
    if (!$('board').hidden) pollTimer = setTimeout(pollBoard, POLL_MS);
  } catch (e) {
    handleError(e);
    if (e.status !== 401 && e.status !== 403 && !$('board').hidden) pollTimer = setTimeout(pollBoard, POLL_MS * 5);
  }
}

function openBoard() {
  showMessage('');
  show('board');
  boardEtag = null;
  pollBoard();
}

// ---- a unit's report: findings, revisions, prose ----

// The prose sections as the regulation numbers them (FORMAT.md §2).
const NARRATIVE_TEXT = { overview: '一、总体情况', problems: '五、存在的主要问题及改进情况', other: '六、其他需要报告的事项' };
const STATUS_TEXT = { errors: '有错误', warnings: '有警告', info: '无问题（有提示）', ok: '无问题' };

async function openUnit(code, name, late) {
  showMessage('');
  show('unit');
  $('unit-title').textContent = `单位报告 · ${name}（${code}）· ${session.year} 年度`;
  for (const id of ['unit-meta', 'unit-findings', 'unit-review', 'unit-narrative']) $(id).replaceChildren();
  $('unit-revisions').tBodies[0].replaceChildren();
  let rep;
  try {
    rep = (await api(`/api/v1/reports/${encodeURIComponent(code)}/${session.year}`)).json;
  } catch (e) {
    if (e.status === 404) { $('unit-meta').textContent = `该单位尚未报送 ${session.year} 年度报告。`; return; }
    handleError(e);
    return;
  }
  $('unit-meta').textContent = `当前第 ${rep.revision} 次修订，提交于 ${rep.submitted_at}，` +
    `${STATUS_TEXT[rep.status] || rep.status}${late ? '，逾期报送' : ''}。`;
  renderResult('检查结果', rep, $('unit-findings'));
  reviewHook(code, name, late, rep);
  const narrative = (rep.report && rep.report.narrative) || {};
  for (const [key, text] of Object.entries(narrative)) {
    if (typeof text !== 'string') continue;
    const h = document.createElement('h4');
    h.textContent = NARRATIVE_TEXT[key] || key;
    const p = document.createElement('p');
    p.textContent = text;
    $('unit-narrative').append(h, p);
  }
  try {
    const revs = (await api(`/api/v1/reports/${encodeURIComponent(code)}/${session.year}/revisions`)).json.revisions;
    const tbody = $('unit-revisions').tBodies[0];
    for (const v of revs) {
      const tr = document.createElement('tr');
      cell(tr, String(v.revision), 'num');
      cell(tr, v.submitted_at);
      cell(tr, STATUS_TEXT[v.status] || v.status);
      cell(tr, String(v.errors), 'num');
      cell(tr, String(v.warnings), 'num');
      tbody.appendChild(tr);
    }
  } catch (e) {
    handleError(e);
  }
}

// review.js draws the review panel and each finding's mark (own module)
function reviewHook(code, name, late, rep) {
  renderUnitReview({ api, handleError, showMessage, year: session.year,
    mayReview: (c) => c !== session.region, reload: () => openUnit(code, name, late) },
  code, rep, $('unit-review'), $('unit-findings').querySelector('ul.findings'));
}

// ---- 汇总: the rollup table by table, in the format's own order ----

const formats = {};

async function formatOf(version) {
  if (!formats[version]) formats[version] = (await api(`/api/v1/formats/${encodeURIComponent(version)}`)).json;
  return formats[version];
}

function cellDetail(label, c) {
  $('cell-detail').textContent =
    `${label}：合计 ${c.sum}；已填 ${c.reported} 个单位，不适用 ${c.not_applicable} 个，未填 ${c.blank} 个`;
}

function renderTable(t, data) {
  const table = document.createElement('table');
  table.dataset.table = t.key;
  const cap = document.createElement('caption');
  cap.textContent = `${t.section}、${t.label}`;
  table.appendChild(cap);
  // A row without its own column list has every column of the table.
  const has = (row, key) => !row.columns || row.columns.includes(key);
  const used = t.columns.filter((c) => t.rows.some((r) => has(r, c.key)));
  const head = document.createElement('tr');
  for (const text of ['项目', ...used.map((c) => c.label)]) {
    const th = document.createElement('th');
    th.textContent = text;
    head.appendChild(th);
  }
  table.appendChild(head);
  for (const row of t.rows) {
    const tr = document.createElement('tr');
    cell(tr, row.label);
    for (const col of used) {
      if (!has(row, col.key)) { cell(tr, '', 'na'); continue; }
      const c = data && data[row.key] ? data[row.key][col.key] : null;
      const td = cell(tr, c ? (c.reported > 0 ? String(c.sum) : (c.not_applicable > 0 ? '/' : '')) : '', 'num');
      td.dataset.cell = `${t.key}.${row.key}.${col.key}`;
      td.tabIndex = 0;
      const show = () => cellDetail(`${row.label} · ${col.label}`,
        c || { sum: 0, reported: 0, not_applicable: 0, blank: 0 });
      td.addEventListener('click', show);
      td.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); show(); } });
    }
    table.appendChild(tr);
  }
  return table;
}

async function openRollup() {
  showMessage('');
  show('rollup');
  $('cell-detail').textContent = '';
  try {
    const r = (await api(`/api/v1/regions/${encodeURIComponent(session.region)}/rollup?year=${session.year}`)).json;
    const cov = r.coverage;
    $('rollup-title').textContent = `汇总 · ${r.region.name}（${r.region.code}）· ${r.year} 年度`;
    $('coverage').textContent = `应报 ${cov.expected} 个单位，已报 ${cov.submitted} 个，未报 ${cov.missing_count} 个，逾期 ${cov.late_count} 个；` +
      `汇总 ${r.rollup.reports} 份报告（${r.format} 版格式）。`;
    const fmt = await formatOf(r.format);
    const box = $('rollup-tables');
    box.replaceChildren();
    for (const t of fmt.tables) box.appendChild(renderTable(t, r.rollup.tables ? r.rollup.tables[t.key] : null));
  } catch (e) {
    handleError(e);
  }
}

// The CSV is fetched here (with the session cookie) and handed to the
// browser as a Blob download under a file name of ours.
async function downloadCsv() {
  showMessage('');
  try {
    const res = await fetch(`/api/v1/regions/${encodeURIComponent(session.region)}/rollup?year=${session.year}&format=csv`,
      { cache: 'no-store', credentials: 'same-origin' });
    if (!res.ok) throw new ApiError(res.status, 'http', `下载失败（${res.status}）`);
    const a = $('csv-link');
    if (a.href) URL.revokeObjectURL(a.href);
    a.href = URL.createObjectURL(await res.blob());
    a.download = `汇总-${session.region}-${session.year}.csv`;
    a.click();
  } catch (e) {
    handleError(e.status === undefined ? new ApiError(0, 'network', '无法连接服务器，请检查网络后重试') : e);
  }
}

// ---- 填报 ----

function renderResult(title, r, box = $('result')) {
  box.replaceChildren();
  const h = document.createElement('h3');
  h.textContent = title;
  box.appendChild(h);
  const findings = r.findings || [];
  const p = document.createElement('p');
  p.textContent = findings.length === 0 ? '未发现问题。' : `共发现 ${findings.length} 个问题：`;
  box.appendChild(p);
  const ul = document.createElement('ul');
  ul.className = 'findings';
  for (const f of findings) {
    const li = document.createElement('li');
    li.className = f.severity;
    li.textContent = `【${SEVERITY_TEXT[f.severity] || f.severity}】${f.message} `;
    const code = document.createElement('code');
    code.textContent = f.path ? `${f.path} · ${f.code}` : f.code;
    li.appendChild(code);
    ul.appendChild(li);
  }
  box.appendChild(ul);
}

// The three tables as a form in the format's layout.  The JSON in the
// textarea stays the one source of truth: the inputs are filled from it and
// write back into it, so a file, last year's report or typing all agree.
function parseReport() {
  try { return JSON.parse($('report').value); } catch { return null; }
}

async function renderForm() {
  const rep = parseReport();
  const box = $('form-tables');
  if (!rep || typeof rep !== 'object') { box.replaceChildren(); return; }
  let fmt;
  try { fmt = await formatOf(rep.format || '2019'); } catch (e) { handleError(e); return; }
  box.replaceChildren();
  for (const t of fmt.tables) {
    const table = document.createElement('table');
    const cap = document.createElement('caption');
    cap.textContent = `${t.section}、${t.label}`;
    cap.dataset.path = `tables.${t.key}`;
    table.appendChild(cap);
    const has = (row, key) => !row.columns || row.columns.includes(key);
    const used = t.columns.filter((c) => t.rows.some((r) => has(r, c.key)));
    const head = document.createElement('tr');
    for (const text of ['项目', ...used.map((c) => c.label)]) {
      const th = document.createElement('th');
      th.textContent = text;
      head.appendChild(th);
    }
    table.appendChild(head);
    for (const row of t.rows) {
      const tr = document.createElement('tr');
      cell(tr, row.label);
      for (const col of used) {
        if (!has(row, col.key)) { cell(tr, '', 'na'); continue; }
        const td = cell(tr, '');
        const input = document.createElement('input');
        input.inputMode = col.kind === 'amount' ? 'decimal' : 'numeric';
        input.dataset.path = `tables.${t.key}.${row.key}.${col.key}`;
        input.setAttribute('aria-label', `${row.label} ${col.label}`);
        const v = rep.tables && rep.tables[t.key] && rep.tables[t.key][row.key]
          ? rep.tables[t.key][row.key][col.key] : undefined;
        input.value = v === undefined ? '' : v === null ? '/' : String(v);
        input.addEventListener('change', () => writeCell(t.key, row.key, col.key, input.value.trim()));
        td.appendChild(input);
      }
      table.appendChild(tr);
    }
    box.appendChild(table);
  }
}

function writeCell(tk, rk, ck, text) {
  const rep = parseReport();
  if (!rep) return;
  rep.tables = rep.tables || {};
  rep.tables[tk] = rep.tables[tk] || {};
  rep.tables[tk][rk] = rep.tables[tk][rk] || {};
  if (text === '') delete rep.tables[tk][rk][ck];
  else if (text === '/') rep.tables[tk][rk][ck] = null;
  else if (/^-?\d+(\.\d{1,2})?$/.test(text)) rep.tables[tk][rk][ck] = Number(text);
  else { showMessage(`“${text}”不是有效的数字（留空表示未填，“/”表示不适用）`); return; }
  showMessage('');
  $('report').value = JSON.stringify(rep, null, 2);
}

// Marks each finding on its cell (or its table's caption), with its message.
function markFindings(findings) {
  for (const el of $('form-tables').querySelectorAll('[data-path]')) {
    el.classList.remove('finding-error', 'finding-warning');
    el.removeAttribute('title');
  }
  for (const f of findings || []) {
    if (!f.path) continue;
    let el = null;
    for (let p = f.path; p && !el; p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '')
      el = $('form-tables').querySelector(`[data-path="${CSS.escape(p)}"]`);
    if (!el) continue;
    el.classList.add(f.severity === 'error' ? 'finding-error' : 'finding-warning');
    el.title = (el.title ? el.title + '\n' : '') + f.message;
  }
}

function reportBody() {
  const text = $('report').value;
  try { JSON.parse(text); } catch (e) {
    throw new ApiError(400, 'invalid_json', `报告内容不是有效的 JSON：${e.message}`);
  }
  return text;
}

async function checkOrSend(submit) {
  showMessage('');
  try {
    const body = reportBody();
    const r = await api(submit ? '/api/v1/reports' : '/api/v1/check', { method: 'POST', body });
    if (submit) {
      const j = r.json;
      renderResult(j.created ? `已提交：第 ${j.revision} 次修订（${j.submitted_at}）`
        : `内容与第 ${j.revision} 次修订相同，未新建修订`, j);
    } else {
      renderResult('检查结果（未保存）', r.json);
    }
    markFindings(r.json.findings);
  } catch (e) {
    handleError(e);   // the typed report stays in the textarea
  }
}

async function loadLastYear() {
  showMessage('');
  try {
    const r = await api(`/api/v1/reports/${encodeURIComponent(session.region)}/${session.year - 1}`);
    const rep = r.json.report || r.json;
    rep.year = session.year;
    $('report').value = JSON.stringify(rep, null, 2);
    await renderForm();
  } catch (e) {
    handleError(e);
  }
}

// ---- wiring ----

function init() {
  $('logout').addEventListener('click', () => signOut());
  $('go-board').addEventListener('click', openBoard);
  $('go-rollup').addEventListener('click', openRollup);
  $('csv').addEventListener('click', downloadCsv);
  $('go-submit').addEventListener('click', () => { showMessage(''); show('submit'); renderForm(); });
  $('report').addEventListener('change', renderForm);
  $('filter').addEventListener('change', renderBoard);
  $('sort').addEventListener('change', renderBoard);
  $('review-filter').addEventListener('change', renderBoard);
  initBoardTools({ session: () => session, handleError, showMessage });
  $('check').addEventListener('click', () => checkOrSend(false));
  $('send').addEventListener('click', () => checkOrSend(true));
  $('load-last').addEventListener('click', loadLastYear);
  $('file').addEventListener('change', async () => {
    const f = $('file').files[0];
    if (f) { $('report').value = await f.text(); await renderForm(); }
  });
  startSignIn({
    show, showMessage,
    onSignedIn: (who, region, year) => {
      session = { name: who.name, role: who.role, region, year };
      openBoard();
    },
  });
}

init();
