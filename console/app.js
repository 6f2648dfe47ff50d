// The console's whole logic (a standard ES module, no build step).
<<<<<<< HEAD
// Sign-in is signin.js's: a name and password give an HttpOnly session
// cookie, sent by every fetch here (credentials 'same-origin') and never
// seen by this script; the daemon refuses cookie writes from other sites.
// Everything shown from the server goes through textContent, never
// innerHTML (no XSS sink).  See docs/security.md.
import { startSignIn, signOut, sessionEnded } from './signin.js';

import { renderUnitReview, reviewFilterMatch, reviewText, initBoardTools } from './review.js';   // the office's review (issue 17)
=======
// Sign-in: the API token is kept in sessionStorage (this tab only, gone when
// it closes) and sent as an Authorization header; no cookie is ever set, so
// no other site can make the browser send it (no CSRF).  Everything shown
// from the server goes through textContent, never innerHTML (no XSS sink).
// See docs/security.md.
// The pages other than the board are modules of their own (submit.js,
// unit.js, rollup.js, findings.js); they get what they need of this one
// (the API call, the session, messages) through setup*(ctx).  Pages are
// reached by URL hash (#board, #unit/<code>, #rollup/<code>, #findings…,
// #submit), so each can be linked to and the browser's back button works.

import { setupSubmit, openSubmit } from './submit.js';
import { setupUnit, openUnit } from './unit.js';
import { setupRollup, openRollup } from './rollup.js';
import { setupFindings, openFindings } from './findings.js';
import { GROUP_HEAD, UNIT_HEAD, groupUnits, renderGroups } from './boardgroups.js';
>>>>>>> console2

const $ = (id) => document.getElementById(id);
const STATE_TEXT = { missing: '未报', ok: '无问题', warnings: '有警告', errors: '有错误' };
const STATE_ORDER = { errors: 0, warnings: 1, missing: 2, ok: 3 };
const POLL_MS = 2000;

let session = null;       // {name, role, region, year}
let boardEtag = null;
let boardData = null;
let boardCode = null;       // the region on the board (the signed-in one, or one below it)
let boardChildren = null;   // above county level: the child regions the board groups by
let boardGen = 0;           // a poll of an earlier opening of the board stops
let pollTimer = null;

class ApiError extends Error {
  constructor(status, code, message) { super(message); this.status = status; this.code = code; }
}

<<<<<<< HEAD
async function api(path, { method = 'GET', body = null, etag = null } = {}) {
  const headers = {};
  if (body !== null) headers['Content-Type'] = 'application/json';
=======
function loadSession() {
  try { session = JSON.parse(sessionStorage.getItem('gk-session')); } catch { session = null; }
}

async function api(path, { method = 'GET', body = null, etag = null, type = 'application/json' } = {}) {
  const headers = { Authorization: `Bearer ${session.token}` };
  if (body !== null) headers['Content-Type'] = type;
>>>>>>> console2
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
  for (const id of ['login', 'board', 'unit', 'rollup', 'submit', 'findings']) $(id).hidden = id !== section;
  for (const b of $('nav').querySelectorAll('button[data-page]')) b.setAttribute('aria-current', String(b.dataset.page === section));
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
<<<<<<< HEAD
  let rows = ents.filter((e) => !f || (f === 'late' ? e.late : e.state === f)).filter(reviewFilterMatch);
=======
>>>>>>> console2
  const s = $('sort').value;
  const head = boardChildren ? GROUP_HEAD : UNIT_HEAD;
  [...$('units').tHead.rows[0].cells].forEach((th, i) => { th.textContent = head[i]; });
  if (boardChildren) {
    renderGroups($('units').tBodies[0], groupUnits(ents, boardChildren), f, s, go);
    return;
  }
  let rows = ents.filter((e) => !f || (f === 'late' ? e.late : e.state === f));
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
    link.addEventListener('click', () => go(`#unit/${e.code}`));
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
async function pollBoard(before = null) {
  pollTimer = null;
  const gen = boardGen;
  try {
    const r = await api(`/api/v1/regions/${encodeURIComponent(boardCode)}/compliance?year=${session.year}`,
      { etag: boardEtag });
    if (before) await before;
    if (gen !== boardGen) return;
    if (r.status !== 304) {
      boardEtag = r.etag;
      boardData = r.json;
      renderBoard();
    }
    $('updated').textContent = `更新于 ${new Date().toLocaleTimeString('zh-CN')}`;
    if (!$('board').hidden) pollTimer = setTimeout(pollBoard, POLL_MS);
  } catch (e) {
    if (gen !== boardGen) return;
    handleError(e);
    if (e.status !== 401 && e.status !== 403 && !$('board').hidden) pollTimer = setTimeout(pollBoard, POLL_MS * 5);
  }
}

async function openBoard(code) {
  showMessage('');
  show('board');
  if (pollTimer) { clearTimeout(pollTimer); pollTimer = null; }
  const gen = ++boardGen;
  boardEtag = null;
  boardData = null;
  boardCode = code || session.region;
  boardChildren = null;
  $('units').tBodies[0].replaceChildren();
  // Above county level (city 2, province 1, nation 0) the rows are the
  // child regions; a refusal here is shown by the compliance poll itself.
  // The region (for its children) and the first poll go out together; the
  // poll draws once both are in.
  const region = api(`/api/v1/regions/${encodeURIComponent(boardCode)}`).then((r) => {
    const reg = r.json;
    if (gen === boardGen && reg.level < 3 && (reg.children || []).length > 0) boardChildren = reg.children;
  }, () => null);
  await pollBoard(region);
}

<<<<<<< HEAD
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
=======
// ---- what the page modules share ----
>>>>>>> console2

const formats = {};
// A format's description is fixed for a build of the daemon, and the
// console's own URL names that build (/console/v-<hash>/app.js): kept in
// this tab's sessionStorage under that name, a page load needs no round
// trip for it (it holds nothing secret).
const BUILD = new URL(import.meta.url).pathname;

async function formatOf(version) {
  if (formats[version]) return formats[version];
  const key = `gk-format:${version}:${BUILD}`;
  try { formats[version] = JSON.parse(sessionStorage.getItem(key)); } catch { formats[version] = null; }
  if (!formats[version]) {
    formats[version] = (await api(`/api/v1/formats/${encodeURIComponent(version)}`)).json;
    try { sessionStorage.setItem(key, JSON.stringify(formats[version])); } catch { /* full: fetched next time */ }
  }
  return formats[version];
}

const names = {};

// A region's name (for titles), or null when it cannot be read.
async function regionName(code) {
  if (!(code in names)) {
    try { names[code] = (await api(`/api/v1/regions/${encodeURIComponent(code)}`)).json.name; } catch { return null; }
  }
  return names[code];
}

// A download (CSV) needs the Authorization header too: fetched here and
// handed over as the Response, so no token ever goes into a URL.
async function fetchRaw(path) {
  let res;
  try {
    res = await fetch(path, { headers: { Authorization: `Bearer ${session.token}` }, cache: 'no-store', credentials: 'omit' });
  } catch {
    throw new ApiError(0, 'network', '无法连接服务器，请检查网络后重试');
  }
  if (!res.ok) throw new ApiError(res.status, 'http', `下载失败（${res.status}）`);
  return res;
}

<<<<<<< HEAD
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
=======
// ---- hash routes ----

function route() {
  if (!session) return;
  const [page, a, b] = location.hash.replace(/^#/, '').split('/').map(decodeURIComponent);
  if (page === 'unit' && a) openUnit(a);
  else if (page === 'rollup') openRollup(a);
  else if (page === 'findings') openFindings(a === 'severity' ? { severity: b } : a === 'rule' ? { rule: b } : {});
  else if (page === 'submit') openSubmit();
  else openBoard(page === 'board' ? a : undefined);
>>>>>>> console2
}

// To a page: through the hash (so back works), or at once when the hash
// is already that page's (a click on the current page reloads it).
function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

// ---- wiring ----

function init() {
<<<<<<< HEAD
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
=======
  loadSession();
  $('login-year').value = String(new Date().getFullYear() - 1);
  $('login-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    session = { token: $('token').value.trim(), region: $('login-region').value.trim(),
      year: Number($('login-year').value) };
    sessionStorage.setItem('gk-session', JSON.stringify(session));
    $('token').value = '';
    openBoard();
  });
  $('logout').addEventListener('click', () => {
    sessionStorage.removeItem('gk-session');
    session = null;
    showMessage('');
    show('login');
  });
  const ctx = { api, ApiError, handleError, showMessage, show, formatOf, regionName, fetchRaw, go,
    session: () => session };
  setupSubmit(ctx);
  setupUnit(ctx);
  setupRollup(ctx);
  setupFindings(ctx);
  $('go-board').addEventListener('click', () => go('#board'));
  $('go-rollup').addEventListener('click', () => go(`#rollup/${session.region}`));
  $('go-findings').addEventListener('click', () => go('#findings'));
  $('go-submit').addEventListener('click', () => go('#submit'));
  window.addEventListener('hashchange', route);
  $('filter').addEventListener('change', renderBoard);
  $('sort').addEventListener('change', renderBoard);
  if (session) route(); else show('login');
>>>>>>> console2
}

init();
