// Sign-in of the console (issue 16 §6; docs/security.md): a name and a
// password sent once to POST /api/v1/session, which answers with an
// HttpOnly, SameSite=Strict session cookie.  This script never sees the
// session id (HttpOnly) and stores nothing secret: no token, no password
// (app.js caches only the formats' public descriptions in sessionStorage).
// The password field is emptied as soon as it was read.  A 401 anywhere (expired, signed out elsewhere, the
// user disabled) brings the sign-in form back with the reason in Chinese.
// The year and region chosen at sign-in go into the page's URL
// (?year=2020&region=350481, before the page's #hash), not into storage:
// a reload or a copied link opens the same year's pages again.

const $ = (id) => document.getElementById(id);

let hooks = null;   // {show(section), showMessage(text), onSignedIn(who, region, year)}
const ROLE_TEXT = { submitter: '填报', viewer: '查阅', admin: '管理' };

// The year and region a reload should open ({} when the URL names none).
function viewOfUrl() {
  const q = new URLSearchParams(location.search);
  const year = Number(q.get('year'));
  const region = q.get('region') || '';
  return { year: Number.isInteger(year) && year >= 2000 && year <= 2100 ? year : null,
    region: /^[0-9]{1,12}$/.test(region) ? region : '' };
}

// Who is signed in, in the header, then the caller's own start.
function signedIn(who, region, year) {
  $('whoami').textContent = `${who.name}（${ROLE_TEXT[who.role] || who.role} · ${who.region}）`;
  const q = new URLSearchParams({ year: String(year) });
  if (region !== who.region) q.set('region', region);
  history.replaceState(null, '', `${location.pathname}?${q}${location.hash}`);
  hooks.onSignedIn(who, region, year);
}

async function call(method, body) {
  const init = { method, cache: 'no-store', credentials: 'same-origin', headers: {} };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch('/api/v1/session', init);
  } catch {
    return { status: 0, json: { error: { code: 'network', message: '无法连接服务器，请检查网络后重试' } } };
  }
  let json = null;
  try { json = await res.json(); } catch { json = null; }
  return { status: res.status, json };
}

// The message for a refused sign-in, in the words a clerk needs.
function refusal(r) {
  const e = (r.json && r.json.error) || { code: 'http_' + r.status, message: `服务器返回错误（${r.status}）` };
  if (r.status === 401) return '用户名或密码错误，请重新输入。';
  if (r.status === 429) return `${e.message}（为防止猜测密码，登录已被暂时限制）。`;
  if (r.status === 403 && e.code === 'csrf') return '登录请求被拒绝：请直接在本站页面登录。';
  return e.message;
}

// Shows the sign-in form, with a reason when there is one.
export function showSignIn(message = '') {
  $('signin-password').value = '';
  $('whoami').textContent = '';
  hooks.show('login');
  hooks.showMessage(message);
  $('signin-name').focus();
}

// A request was answered 401: the session is over.
export function sessionEnded(error) {
  const expired = error && error.code === 'session_expired';
  showSignIn(expired ? '登录已过期或已在别处退出，请重新登录。' : `请先登录：${(error && error.message) || ''}`);
}

export async function signOut() {
  const r = await call('DELETE');
  showSignIn(r.status === 200 ? '已退出登录。' : refusal(r));
}

async function submit(ev) {
  ev.preventDefault();
  hooks.showMessage('');
  const name = $('signin-name').value.trim();
  const password = $('signin-password').value;
  $('signin-password').value = '';
  const region = $('login-region').value.trim();
  const year = Number($('login-year').value);
  const button = $('login-form').querySelector('button[type=submit]');
  button.disabled = true;
  try {
    const r = await call('POST', { name, password });
    if (r.status !== 200) { showSignIn(refusal(r)); return; }
    signedIn(r.json, region || r.json.region, year);
  } finally {
    button.disabled = false;
  }
}

// Wires the form; resumes a session the browser still holds (after a
// reload), else shows the form.
export async function startSignIn(h) {
  hooks = h;
  const view = viewOfUrl();
  $('login-year').value = String(view.year || new Date().getFullYear() - 1);
  $('login-region').value = view.region;
  $('login-form').addEventListener('submit', submit);
  const r = await call('GET');
  if (r.status === 200 && r.json.kind === 'session') {
    signedIn(r.json, view.region || r.json.region, Number($('login-year').value));
  } else {
    const expired = r.json && r.json.error && r.json.error.code === 'session_expired';
    showSignIn(expired ? '登录已过期，请重新登录。' : '');
  }
}
