// Browser tests of the web console: Debian's chromium (headless) driven by
// playwright-core against the real gongkaid and PostgreSQL that run.sh
// started.  They check what a person sees: the board's numbers, a township's
// submission changing the office's open board without reload, refusals shown
// in Chinese (a wrong password, an expired session, a viewer submitting, a
// township reading its county), the session cookie's attributes with nothing
// kept in the page's storage, and no console errors or CSP violations.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const URL_ = process.env.GK_URL;
const ROOT = process.env.GK_ROOT;
// name → password of the users run.sh made with `gongkaid user add`
const passwords = Object.fromEntries(readFileSync(process.env.GK_USERS, 'utf8').trim().split('\n')
  .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
// Screenshots go to the run's temporary directory; GK_SCREENSHOTS=$PWD/docs
// refreshes the ones the README shows (so a plain test run dirties no file).
const SHOTS = process.env.GK_SCREENSHOTS || process.env.GK_TMP;
const SAMPLE = join(ROOT, 'tests/data/sample-350481101-2020.json');
// The fixture registry's townships under 永安市: what the board must expect.
const EXPECTED = readFileSync(join(ROOT, 'tests/integration/fixtures/regions.csv'), 'utf8')
  .split('\n').filter((l) => l.endsWith(',350481')).length;

let browser;
const problems = [];   // console errors and CSP violations of every page
const sessionIds = [];  // every session cookie seen: none may reach the log

before(async () => {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    // launch() gives every run a fresh temporary user-data-dir of its own
    // (it refuses --user-data-dir), removed when the browser closes.
  });
});
after(async () => { await browser.close(); });

async function newPage(viewport = { width: 1366, height: 768 }) {
  const ctx = await browser.newContext({ viewport });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // A refused API call (401/403/404, which some tests provoke on purpose,
    // each asserting what the page then says) is
    // logged by Chromium as a failed resource; anything else is a defect.
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 40[134]/.test(m.text()))
      problems.push(`console: ${m.text()}`);
  });
  await page.goto(`${URL_}/console/`);
  return page;
}

// Polls a condition from the test's side with a deadline: page.waitForFunction
// would evaluate a string in the page, which our CSP rightly refuses.
async function until(what, cond, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// Signs in with a name and its password (wrong one if given); region ''
// means the account's own.
async function login(page, name, region = '', year = 2020, password = passwords[name]) {
  await page.locator('#login').waitFor();
  await page.fill('#signin-name', name);
  await page.fill('#signin-password', password);
  await page.fill('#login-region', region);
  await page.fill('#login-year', String(year));
  await page.click('#login-form button[type=submit]');
}

test('the console is served embedded, with CSP, type, ETag and caching', async () => {
  const r = await fetch(`${URL_}/console/`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.match(r.headers.get('content-security-policy'), /script-src 'self'/);
  assert.doesNotMatch(r.headers.get('content-security-policy'), /unsafe-inline/);
  assert.equal(r.headers.get('cache-control'), 'no-cache');
  const html = await r.text();
  assert.doesNotMatch(html, /<script>(?!<)/, 'no inline script');
  const again = await fetch(`${URL_}/console/`, { headers: { 'If-None-Match': r.headers.get('etag') } });
  assert.equal(again.status, 304);
  const js = await fetch(`${URL_}/console/app.js`);
  assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.match(js.headers.get('cache-control'), /max-age=\d+/);
  const none = await fetch(`${URL_}/console/nothing.js`);
  assert.equal(none.status, 404);
  assert.equal((await none.json()).error.code, 'not_found');
});

test('a wrong password is refused in the page, in Chinese', async () => {
  const page = await newPage();
  await login(page, 'office-viewer', '350481', 2020, 'not-the-password');
  await page.locator('#message').waitFor({ state: 'visible' });
  assert.match(await page.textContent('#message'), /用户名或密码错误/);
  assert.equal(await page.isVisible('#login'), true);
  assert.equal(await page.inputValue('#signin-password'), '', 'the password field is emptied');
  await page.screenshot({ path: join(SHOTS, 'console-signin.png') });
  assert.deepEqual(await page.context().cookies(), [], 'no cookie for a refused sign-in');
  await page.context().close();
});

test('sign-in keeps only an HttpOnly, SameSite=Strict cookie; sign-out ends it', async () => {
  const page = await newPage();
  await login(page, 'office-viewer', '350481');
  await page.locator('#units tbody tr').first().waitFor();
  const cookies = await page.context().cookies();
  assert.equal(cookies.length, 1);
  assert.equal(cookies[0].name, 'gk_session');
  assert.equal(await page.textContent('#whoami'), 'office-viewer（查阅 · 350481）');
  assert.equal(cookies[0].httpOnly, true);
  assert.equal(cookies[0].sameSite, 'Strict');
  assert.equal(cookies[0].path, '/');
  assert.match(cookies[0].value, /^[0-9a-f]{64}$/);
  sessionIds.push(cookies[0].value);
  // the page's script sees no cookie and stores nothing
  assert.deepEqual(await page.evaluate(() => [document.cookie, localStorage.length, sessionStorage.length]), ['', 0, 0]);
  assert.equal(await page.inputValue('#signin-password'), '');
  assert.doesNotMatch(page.url(), /password|gk_session/);
  // a reload resumes the session the browser holds
  await page.reload();
  await page.locator('#units tbody tr').first().waitFor();
  await page.click('#logout');
  await page.locator('#login').waitFor();
  assert.match(await page.textContent('#message'), /已退出登录/);
  // and it is over on the server too: a reload shows the sign-in form
  await page.reload();
  await page.locator('#login').waitFor();
  assert.equal(await page.isVisible('#board'), false);
  await page.context().close();
});

test('an expired session sends the page back to sign-in, in Chinese', async () => {
  const page = await newPage();
  await login(page, 'expiring-viewer', '350481');
  await page.locator('#units tbody tr').first().waitFor();
  // the session's absolute expiry passes (as after --session-max-s)
  execFileSync('psql', [process.env.GK_DATABASE, '-qAtc',
    "UPDATE sessions SET expires_at = now() WHERE user_id = (SELECT id FROM users WHERE name = 'expiring-viewer')"]);
  // the board's next poll is refused: the form comes back with the reason
  await page.locator('#login').waitFor({ timeout: 15000 });
  assert.match(await page.textContent('#message'), /登录已过期/);
  assert.equal(await page.isVisible('#board'), false);
  await login(page, 'expiring-viewer', '350481');
  await page.locator('#units tbody tr').first().waitFor();
  assert.equal(await page.isHidden('#message'), true);
  await page.context().close();
});

test('a township cannot read its county board: refused in Chinese', async () => {
  const page = await newPage();
  await login(page, 'gongchuan-clerk', '350481');
  await page.locator('#message').waitFor({ state: 'visible' });
  assert.match(await page.textContent('#message'), /无权进行此操作/);
  assert.equal(await page.locator('#units tbody tr').count(), 0);
  await page.context().close();
});

test('board, submission from the form, and the open board changing without reload', async () => {
  const office = await newPage();
  await login(office, 'office-viewer', '350481');
  await office.locator('#units tbody tr').first().waitFor();
  assert.equal(await office.textContent('#c-expected'), String(EXPECTED));
  assert.equal(await office.textContent('#c-submitted'), '0');
  assert.equal(await office.textContent('#c-missing'), String(EXPECTED));
  assert.equal(await office.locator('#units tbody tr').count(), EXPECTED);
  assert.equal(await office.textContent('#units tr[data-code="350481101"] td:nth-child(3)'), '未报');

  const town = await newPage({ width: 390, height: 844 });   // a phone-width screen
  await login(town, 'gongchuan-clerk');   // the account's own region
  await town.locator('#board').waitFor();
  await town.click('#go-submit');
  // A broken report is refused before it leaves the page, and what was typed stays.
  await town.fill('#report', '{"format": "2019", ');
  await town.click('#send');
  await town.locator('#message').waitFor({ state: 'visible' });
  assert.match(await town.textContent('#message'), /报告内容不是有效的 JSON/);
  assert.equal(await town.inputValue('#report'), '{"format": "2019", ');

  await town.setInputFiles('#file', SAMPLE);
  await until('the file in the form', async () => (await town.inputValue('#report')).includes('"entity"'));
  await town.click('#check');
  await town.locator('#result h3').waitFor();
  assert.match(await town.textContent('#result h3'), /检查结果（未保存）/);
  await town.click('#send');
  await town.locator('#result h3', { hasText: '已提交' }).waitFor();
  assert.match(await town.textContent('#result h3'), /已提交：第 1 次修订/);
  assert.equal(await town.isHidden('#message'), true);
  await town.screenshot({ path: join(SHOTS, 'console-submit-phone.png'), fullPage: true });

  // A deliberate arithmetic error typed into the table: its finding is marked
  // on the cell; fixed and submitted again, the mark is gone.
  const cellInput = town.locator('input[data-path="tables.requests.received.natural_person"]');
  assert.equal(await cellInput.inputValue(), '0');
  await cellInput.fill('5');
  await cellInput.press('Tab');
  assert.match(await town.inputValue('#report'), /"natural_person": 5/);
  await town.click('#send');
  await town.locator('#result h3', { hasText: '第 2 次修订' }).waitFor();
  const marked = town.locator('#form-tables .finding-error');
  await marked.first().waitFor();
  const marks = async () => town.locator('#form-tables .finding-error').evaluateAll((els) => els.map((e) => e.dataset.path).sort());
  assert.deepEqual(await marks(), ['tables.appeals', 'tables.requests.received.natural_person', 'tables.requests.received.total'].sort());
  assert.match(await cellInput.getAttribute('title'), /本年新收 \+ 上年结转 5/);
  await cellInput.scrollIntoViewIfNeeded();
  await town.screenshot({ path: join(SHOTS, 'console-submit-finding.png') });
  await cellInput.fill('0');
  await cellInput.press('Tab');
  await town.click('#send');
  await town.locator('#result h3', { hasText: '第 3 次修订' }).waitFor();
  assert.deepEqual(await marks(), ['tables.appeals'], 'only the missing table stays marked');

  // The office's page polls with its ETag: the submission shows within seconds.
  await until('the board to show the third revision', async () =>
    (await office.textContent('#units tr[data-code="350481101"] td:nth-child(5)')) === '3');
  assert.equal(await office.textContent('#c-submitted'), '1');
  assert.equal(await office.textContent('#c-missing'), String(EXPECTED - 1));
  assert.notEqual(await office.textContent('#units tr[data-code="350481101"] td:nth-child(3)'), '未报');
  assert.equal(await office.textContent('#units tr[data-code="350481101"] td:nth-child(5)'), '3');
  // Filter: only the one that reported remains when showing those not 未报 … here 逾期
  // (submitted long after 31 January 2021).
  await office.selectOption('#filter', 'late');
  assert.equal(await office.locator('#units tbody tr').count(), 1);
  assert.equal(await office.textContent('#c-late'), '1');
  await office.selectOption('#filter', 'missing');
  assert.equal(await office.locator('#units tbody tr').count(), EXPECTED - 1);
  await office.selectOption('#filter', '');
  await office.screenshot({ path: join(SHOTS, 'console-board.png') });

  // A unit's report from its row: findings with messages, revisions, prose.
  await office.click('#units tr[data-code="350481101"] button');
  await office.locator('#unit-revisions tbody tr').first().waitFor();
  assert.match(await office.textContent('#unit-title'), /贡川镇（350481101）/);
  assert.match(await office.textContent('#unit-meta'), /当前第 3 次修订.*逾期报送/);
  assert.match(await office.textContent('#unit-findings'), /缺少第四部分/);
  assert.equal(await office.locator('#unit-revisions tbody tr').count(), 3);
  const revRows = await office.locator('#unit-revisions tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.cells].map((td) => td.textContent)));
  assert.deepEqual(revRows.map((r) => [r[0], r[3]]), [['1', '1'], ['2', '3'], ['3', '1']],
    'revision 2 had the two typed arithmetic errors, revision 3 not');
  assert.match(await office.textContent('#unit-narrative'), /一、总体情况2020年，我镇党委、政府高度重视/);
  await office.screenshot({ path: join(SHOTS, 'console-unit.png') });
  // A unit that has not reported says so.
  await office.click('#go-board');
  await office.click('#units tr[data-code="350481102"] button');
  await office.locator('#unit-meta', { hasText: '尚未报送' }).waitFor();
  assert.equal(await office.isHidden('#message'), true);

  // 汇总: coverage, a summed cell and its contributors, and the CSV download.
  await office.click('#go-rollup');
  await office.locator('#rollup-tables table').first().waitFor();
  assert.match(await office.textContent('#coverage'), new RegExp(`应报 ${EXPECTED} 个单位，已报 1 个，未报 ${EXPECTED - 1} 个，逾期 1 个`));
  const format = JSON.parse(readFileSync(join(ROOT, 'formats/2019.json'), 'utf8'));
  await until('every table of the format', async () =>
    (await office.locator('#rollup-tables table').count()) === format.tables.length);
  assert.equal(await office.isHidden('#message'), true);
  const sample = JSON.parse(readFileSync(SAMPLE, 'utf8'));
  const received = office.locator('td[data-cell="requests.received.natural_person"]');
  assert.equal(await received.textContent(), String(sample.tables.requests.received.natural_person));
  const prior = office.locator('td[data-cell="active.licensing.prior_items"]');
  assert.equal(await prior.textContent(), String(sample.tables.active.licensing.prior_items));
  await prior.click();
  assert.match(await office.textContent('#cell-detail'), /已填 1 个单位，不适用 0 个，未填 0 个/);
  const [download] = await Promise.all([office.waitForEvent('download'), office.click('#csv')]);
  assert.equal(download.suggestedFilename(), '汇总-350481-2020.csv');
  const csv = readFileSync(await download.path(), 'utf8');
  assert.ok(csv.startsWith('\ufeff'), 'UTF-8 with BOM');
  assert.match(csv, /行政许可/);
  await office.screenshot({ path: join(SHOTS, 'console-rollup.png'), fullPage: true });

  // A viewer trying to submit is refused in the page.
  await office.click('#go-submit');
  await office.setInputFiles('#file', SAMPLE);
  await until('the file in the form', async () => (await office.inputValue('#report')).includes('"entity"'));
  await office.click('#send');
  await office.locator('#message').waitFor({ state: 'visible' });
  assert.match(await office.textContent('#message'), /无权进行此操作/);
  assert.ok((await office.inputValue('#report')).includes('"entity"'), 'the report stays');
  await office.context().close();
  await town.context().close();
});

// The office's review on the unit page (console/review.js, issue 17): marks
// on a finding (确认, then 不予采纳 with its reason), returning the report with
// a comment; the township then sees the state and the comment, without the
// office's controls.  Runs after the test above (贡川镇 has three revisions).
test('review: marks on findings, return with a comment, seen by the township', async () => {
  const office = await newPage();
  await login(office, tokens.GK_T_VIEWER, '350481');
  await office.locator('#units tr[data-code="350481101"] button').click();
  await office.locator('#unit-review .review-state').waitFor();
  assert.equal(await office.getAttribute('#unit-review .review-state', 'data-state'), 'pending');
  const first = office.locator('#unit-findings ul.findings > li').first();
  await first.locator('.mark-confirm').click();
  await office.locator('#unit-findings ul.findings > li .mark-confirmed').first().waitFor();
  // 不予采纳 without a reason is refused in the page; with one it replaces the 确认
  const again = office.locator('#unit-findings ul.findings > li').first();
  await again.locator('.mark-dismiss').click();
  await again.locator('.mark-ok').click();
  assert.match(await office.textContent('#message'), /不予采纳须写明理由/);
  await again.locator('.mark-tools input').fill('经核实已在附件说明');
  await again.locator('.mark-ok').click();
  await office.locator('#unit-findings .mark-dismissed', { hasText: '经核实已在附件说明' }).waitFor();
  assert.equal(await office.locator('#unit-findings .mark-confirmed').count(), 0);
  // returning needs a comment
  await office.click('#review-return');
  assert.match(await office.textContent('#message'), /退回修改须写明需要修改的内容/);
  await office.fill('#review-comment', '请补充第四部分（行政复议、行政诉讼）');
  await office.click('#review-return');
  await office.locator('#unit-review .review-state[data-state="returned"]').waitFor();
  assert.match(await office.textContent('#unit-review'), /审核意见：请补充第四部分/);
  assert.equal(await office.isDisabled('#review-accept'), true, 'a returned report is not accepted before it is corrected');
  // the board shows the state and filters by it
  await office.click('#go-board');
  await until('the board to show the returned state', async () =>
    (await office.textContent('#units tr[data-code="350481101"] td:nth-child(8)')) === '退回修改');
  await office.selectOption('#review-filter', 'returned');
  assert.equal(await office.locator('#units tbody tr').count(), 1);
  await office.selectOption('#review-filter', 'accepted');
  assert.equal(await office.locator('#units tbody tr').count(), 0);
  await office.selectOption('#review-filter', '');
  // the supervision list downloads from the board (a workbook: a zip)
  const [dl] = await Promise.all([office.waitForEvent('download'), office.click('#supervision-xlsx')]);
  assert.equal(dl.suggestedFilename(), '通报-350481-2020.xlsx');
  assert.equal(readFileSync(await dl.path()).subarray(0, 2).toString(), 'PK');
  await office.click('#units tr[data-code="350481101"] button');
  await office.locator('#unit-review .review-state[data-state="returned"]').waitFor();
  await office.screenshot({ path: join(SHOTS, 'console-review.png'), fullPage: true });

  const town = await newPage();
  await login(town, tokens.GK_T_TOWN, '350481101');
  await town.locator('#units tr[data-code="350481101"] button').click();
  await town.locator('#unit-review .review-state[data-state="returned"]').waitFor();
  assert.match(await town.textContent('#unit-review'), /审核状态：退回修改.*审核意见：请补充第四部分/s);
  assert.match(await town.textContent('#unit-findings'), /不予采纳：经核实已在附件说明/);
  assert.equal(await town.locator('#review-return').count(), 0, 'a township never reviews');
  assert.equal(await town.locator('.mark-tools').count(), 0);
  await office.context().close();
  await town.context().close();
});

test('no console errors and no CSP violations in any page', () => {
  assert.deepEqual(problems, []);
});

test('no password and no session id in the daemon log', () => {
  const log = readFileSync(join(process.env.GK_TMP, 'daemon.log'), 'utf8');
  assert.ok(log.includes('POST /api/v1/session 200'), 'the sign-ins are logged');
  for (const pw of Object.values(passwords)) assert.ok(!log.includes(pw), 'a password is in the log');
  assert.doesNotMatch(log, /gk_session=/);
  assert.ok(sessionIds.length > 0);
  for (const sid of sessionIds) assert.ok(!log.includes(sid), 'a session id is in the log');
});
