// The console's whole logic (a standard ES module, no build step).
// Sign-in is signin.js's: a name and password give an HttpOnly session
// cookie, sent by every fetch here (credentials 'same-origin') and never
// seen by this script; the daemon refuses cookie writes from other sites.
// Everything shown from the server goes through textContent, never
// innerHTML (no XSS sink).  See docs/security.md.
// The pages other than the board are modules of their own (submit.js,
// unit.js, rollup.js, findings.js); they get what they need of this one
// (the API call, the session, messages) through setup*(ctx).  Pages are
// reached by URL hash (#board, #unit/<code>, #rollup/<code>, #findings…,
// #submit), so each can be linked to and the browser's back button works.
// The office's review (review.js, issue 17) is hooked into the unit page
// (unitDrawn) and the board (its column, filter and 通报 downloads).

import { startSignIn, signOut, sessionEnded } from './signin.js';
import { setupSubmit, openSubmit } from './submit.js';
import { setupUnit, openUnit } from './unit.js';
import { setupRollup, openRollup } from './rollup.js';
import { setupFindings, openFindings } from './findings.js';
import { GROUP_HEAD, UNIT_HEAD, groupUnits, renderGroups } from './boardgroups.js';
import { renderUnitReview, reviewFilterMatch, reviewText, initBoardTools, REVIEW_HEAD } from './review.js';

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

// Every call carries the session cookie (credentials 'same-origin') and
// nothing else: no Authorization header, no token anywhere in the page.
// type: the body's Content-Type (a file for /import is sent as itself).
async function api(path, { method = 'GET', body = null, etag = null, type = 'application/json' } = {}) {
  const headers = {};
  if (body !== null) headers['Content-Type'] = type;
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
  const s = $('sort').value;
  // The header row follows the rows: child regions (no review state of
  // their own, so no 审核 column or filter) or units.
  const head = boardChildren ? GROUP_HEAD : [...UNIT_HEAD, REVIEW_HEAD];
  $('units').tHead.rows[0].replaceChildren(...head.map((text) => {
    const th = document.createElement('th');
    th.textContent = text;
    return th;
  }));
  $('review-filter').closest('label').hidden = Boolean(boardChildren);
  if (boardChildren) {
    renderGroups($('units').tBodies[0], groupUnits(ents, boardChildren), f, s, go);
    return;
  }
  let rows = ents.filter((e) => !f || (f === 'late' ? e.late : e.state === f)).filter(reviewFilterMatch);
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

// ---- the office's review on the unit page (review.js, its own module) ----

// unit.js calls this once a report's findings are listed: review.js adds
// each finding's mark and the review panel.  The unit's own account (its
// home region) never reviews; the server decides for everyone else.
function unitDrawn(code, rep, list) {
  renderUnitReview({ api, handleError, showMessage, year: session.year,
    mayReview: (c) => c !== session.home, reload: () => openUnit(code) },
  code, rep, $('unit-review'), list);
}

// ---- what the page modules share ----

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

// A download (the CSV, the 通报 files) with the session cookie, handed over
// as the Response (the caller makes it a Blob download under a file name
// of ours); a refusal carries the server's message.
async function fetchRaw(path) {
  let res;
  try {
    res = await fetch(path, { cache: 'no-store', credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'network', '无法连接服务器，请检查网络后重试');
  }
  if (!res.ok) {
    let e = null;
    try { e = (await res.json()).error; } catch { e = null; }
    const why = e && e.message ? `：${e.message}` : `（${res.status}）`;
    throw new ApiError(res.status, (e && e.code) || 'http_' + res.status,
      res.status === 401 ? `登录已失效${why}` : `下载失败${why}`);
  }
  return res;
}

// ---- hash routes ----

function route() {
  if (!session) return;
  const [page, a, b] = location.hash.replace(/^#/, '').split('/').map(decodeURIComponent);
  if (page === 'unit' && a) openUnit(a);
  else if (page === 'rollup') openRollup(a);
  else if (page === 'findings') openFindings(a === 'severity' ? { severity: b } : a === 'rule' ? { rule: b } : {});
  else if (page === 'submit') openSubmit();
  else openBoard(page === 'board' ? a : undefined);
}

// To a page: through the hash (so back works), or at once when the hash
// is already that page's (a click on the current page reloads it).
function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

// ---- wiring ----

function init() {
  $('logout').addEventListener('click', () => { session = null; signOut(); });
  const ctx = { api, ApiError, handleError, showMessage, show, formatOf, regionName, fetchRaw, go,
    session: () => session, unitDrawn };
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
  $('review-filter').addEventListener('change', renderBoard);
  // The 通报 downloads are of the region on the board.
  initBoardTools({ region: () => boardCode || session.region, year: () => session.year,
    fetchRaw, handleError, showMessage });
  // A session the browser still holds (a reload, a link) resumes at the
  // page its hash names; a new sign-in likewise.
  startSignIn({
    show, showMessage,
    onSignedIn: (who, region, year) => {
      session = { name: who.name, role: who.role, home: who.region, region, year };
      route();
    },
  });
}

init();
