// Browser tests of the web console: Debian's chromium (headless) driven by
// playwright-core against the real gongkaid and PostgreSQL that run.sh
// started.  They check what a person sees: the board's numbers, a township's
// submission changing the office's open board without reload, refusals shown
// in Chinese (a wrong password, an expired session, a viewer submitting, a
// township reading its county), the session cookie's attributes with nothing
// kept in the page's storage, the pages reached by hash (import into the
// form and checking while typing, the hierarchy's rollups and a cell's
// contributors, a unit's report with its findings, similar passages and
// diffs, 检查结果, a city's board by county), the office's review (marks,
// return, the 审核 column, 通报), and no console errors or CSP violations.
// Every page signs in by name and password (users run.sh made).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const URL_ = process.env.GK_URL;
const ROOT = process.env.GK_ROOT;
// name → password of the users run.sh made with `gongkaid user add`
const keyValues = (file) => Object.fromEntries(readFileSync(file, 'utf8').trim().split('\n')
  .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
const passwords = keyValues(process.env.GK_USERS);
// The one API token run.sh made, for a test's direct POST (no browser).
const apiTokens = keyValues(process.env.GK_TOKENS);
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
    // A refused import (422, a bad file on purpose) likewise.
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of (40[134]|422)/.test(m.text()))
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
  // The page names its assets under the build's version: those are cached
  // for good; the bare names (and another version) are revalidated.
  const version = /src="\/console\/(v-[0-9a-f]{16})\/app\.js"/.exec(html);
  assert.ok(version, 'app.js under a content-hash version');
  assert.match(html, new RegExp(`href="/console/${version[1]}/style\\.css"`));
  const js = await fetch(`${URL_}/console/${version[1]}/app.js`);
  assert.equal(js.status, 200);
  assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.ok(js.headers.get('etag'));
  const mod = await fetch(`${URL_}/console/${version[1]}/ui.js`);
  assert.equal(mod.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  const bare = await fetch(`${URL_}/console/app.js`);
  assert.equal(bare.headers.get('cache-control'), 'no-cache');
  assert.equal(await bare.text(), await js.text());
  const old = await fetch(`${URL_}/console/v-0000000000000000/app.js`);
  assert.equal(old.status, 200);
  assert.equal(old.headers.get('cache-control'), 'no-cache');
  assert.equal((await fetch(`${URL_}/console/${version[1]}/nothing.js`)).status, 404);
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
  // the office's workbook (the daemon's rollup?format=xlsx): a zip package
  const [book] = await Promise.all([office.waitForEvent('download'), office.click('#xlsx')]);
  assert.equal(book.suggestedFilename(), '汇总-350481-2020.xlsx');
  const bytes = readFileSync(await book.path());
  assert.equal(bytes.subarray(0, 2).toString(), 'PK');
  assert.ok(bytes.includes(Buffer.from('xl/workbook.xml')), 'an OOXML workbook');
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

const CORPUS = join(ROOT, 'tests/import/corpus');

test('a form filled from a Word file, a finding on its cell while typing, a refused submission keeps what was typed', async () => {
  const town = await newPage();
  await login(town, 'gongchuan-clerk', '350481101');
  await town.locator('#board').waitFor();
  await town.click('#go-submit');
  await town.locator('#submit').waitFor();
  // A bad file: refused with the importer's Chinese message, nothing replaced.
  await town.click('#start-empty');
  await until('the empty form', async () => (await town.inputValue('#report')).includes('"tables": {}'));
  await town.setInputFiles('#file', join(CORPUS, 'docx_bad_encrypted/input.docx'));
  await town.locator('#import-notes', { hasText: '未能导入' }).waitFor();
  assert.match(await town.textContent('#message'), /加密/);
  assert.ok((await town.inputValue('#report')).includes('"tables": {}'), 'the form is left as it was');

  // The Word report: imported by the daemon, the form filled, the notes shown.
  const expected = JSON.parse(readFileSync(join(CORPUS, 'docx_lo_sample/expected.json'), 'utf8'));
  await town.setInputFiles('#file', join(CORPUS, 'docx_lo_sample/input.docx'));
  await town.locator('#import-notes', { hasText: '已从文件“input.docx”导入' }).waitFor();
  const prior = town.locator('input[data-path="tables.active.licensing.prior_items"]');
  assert.equal(await prior.inputValue(), String(expected.tables.active.licensing.prior_items));
  assert.equal(JSON.parse(await town.inputValue('#report')).entity, '350481101');
  assert.equal(await town.inputValue('#prose-other'), expected.narrative.other);
  // Checked without a click: the missing appeals table is marked on its caption.
  await town.locator('#form-tables caption.finding-error[data-path="tables.appeals"]').waitFor();
  assert.match(await town.textContent('#live-check'), /自动检查：\d+ 个错误/);
  await town.screenshot({ path: join(SHOTS, 'console-import.png') });

  // Typing an arithmetic error: the finding appears on the cell by itself
  // (the debounced /check), with its message; fixing it removes it.
  const np = town.locator('input[data-path="tables.requests.received.natural_person"]');
  await np.fill('5');
  await until('the typed error marked on its cell', async () =>
    (await np.getAttribute('class') || '').includes('finding-error'));
  assert.match(await np.getAttribute('title'), /5/);
  assert.equal(await town.locator('#result h3').count(), 0, 'nothing was submitted or explicitly checked');
  // … and its message written out under the table, leading back to the cell.
  const written = town.locator('ul.table-findings li[data-path="tables.requests.received.natural_person"]');
  assert.match(await written.textContent(), /【错误】.*5/);
  await written.click();
  assert.equal(await np.evaluate((e) => document.activeElement === e), true);
  await np.evaluate((e) => e.scrollIntoView({ block: 'center' }));
  await town.screenshot({ path: join(SHOTS, 'console-typing-finding.png') });
  await np.fill('0');
  await until('the mark gone after the fix', async () =>
    !(await np.getAttribute('class') || '').includes('finding-error'));

  // A refused submission (another township's code: 403) keeps the form.
  await np.fill('7');
  const rep = JSON.parse(await town.inputValue('#report'));
  rep.entity = '350481102';
  await town.fill('#report', JSON.stringify(rep, null, 2));
  await town.locator('#report').dispatchEvent('change');
  await town.click('#send');
  await town.locator('#message').waitFor({ state: 'visible' });
  assert.match(await town.textContent('#message'), /无权进行此操作/);
  assert.equal(await town.locator('input[data-path="tables.requests.received.natural_person"]').inputValue(), '7');
  assert.match(await town.inputValue('#report'), /"natural_person": 7/);
  await town.context().close();
});

test('汇总: walk down the hierarchy and drill into a cell', async () => {
  // A second township reports (the sample as 安砂镇, 15 licensing items).
  const sample = JSON.parse(readFileSync(SAMPLE, 'utf8'));
  sample.entity = '350481102';
  sample.tables.active.licensing.prior_items = 15;
  const res = await fetch(`${URL_}/api/v1/reports`, { method: 'POST', body: JSON.stringify(sample),
    headers: { Authorization: `Bearer ${apiTokens.GK_T_TOWN2}`, 'Content-Type': 'application/json' } });
  assert.equal(res.status, 201);

  const office = await newPage();
  await login(office, 'office-viewer', '350481');
  await office.locator('#units tbody tr').first().waitFor();
  await office.click('#go-rollup');
  await office.locator('#rollup-tables table').first().waitFor();
  const cellTd = office.locator('td[data-cell="active.licensing.prior_items"]');
  assert.equal(await cellTd.textContent(), '25');
  await cellTd.click();
  await office.locator('#cell-units tr[data-code="350481102"]').waitFor();
  const rows = await office.locator('#cell-units tr[data-code]').evaluateAll((trs) =>
    trs.map((tr) => [tr.dataset.code, tr.dataset.state, tr.cells[3].textContent]));
  assert.deepEqual(rows.slice(0, 2), [['350481102', 'reported', '15'], ['350481101', 'reported', '10']],
    'the contributors first, largest first');
  assert.equal(rows.length, EXPECTED);
  assert.equal(rows.filter((r) => r[1] === 'missing').length, EXPECTED - 2);
  assert.match(await office.textContent('#cell-units h3'), /行政许可.*合计 25/);
  assert.equal(await office.locator('table[data-table="active"] + #cell-panel').count(), 1,
    'the answer right under the table clicked in');
  await office.screenshot({ path: join(SHOTS, 'console-rollup-cell.png'), fullPage: true });

  // Down to 安砂镇: its own rollup, then back up by the trail.
  await office.click('#rollup-children button[data-code="350481102"]');
  await office.locator('#rollup-title', { hasText: '安砂镇' }).waitFor();
  assert.match(office.url(), /#rollup\/350481102$/);
  await until('the township rollup', async () =>
    (await office.locator('td[data-cell="active.licensing.prior_items"]').textContent()) === '15');
  assert.match(await office.textContent('#coverage'), /应报 1 个单位，已报 1 个/);
  await office.click('#rollup-trail button');
  await office.locator('#rollup-title', { hasText: '永安市' }).waitFor();
  await until('the county rollup again', async () =>
    (await office.locator('td[data-cell="active.licensing.prior_items"]').textContent()) === '25');
  // And from a contributor in the cell list to its report.
  await office.locator('td[data-cell="active.licensing.prior_items"]').click();
  await office.click('#cell-units tr[data-code="350481102"] button');
  await office.locator('#unit-title', { hasText: '安砂镇' }).waitFor();
  await office.context().close();
});

test("a unit's report: findings on cells and sections, similar passages side by side, a revision's diff", async () => {
  const office = await newPage();
  await login(office, 'office-viewer', '350481');
  await office.locator('#units tbody tr').first().waitFor();
  await office.click('#units tr[data-code="350481101"] button');
  await office.locator('#unit-revisions tbody tr').first().waitFor();
  assert.match(await office.textContent('#unit-time'), /逾期报送/);
  // Still nothing secret kept by the page: sessionStorage holds only the
  // formats' descriptions (a cache), the cookie stays out of the script's reach.
  const [cookie, local, keys] = await office.evaluate(() => [document.cookie, localStorage.length, Object.keys(sessionStorage)]);
  assert.equal(cookie, '');
  assert.equal(local, 0);
  assert.ok(keys.length > 0 && keys.every((k) => k.startsWith('gk-format:')), `sessionStorage keys: ${keys}`);
  // The missing table on its caption, the foreign name on its section, with the message.
  const cap = office.locator('#unit-tables caption[data-path="tables.appeals"]');
  assert.match(await cap.getAttribute('class'), /finding-error/);
  assert.match(await cap.textContent(), /\d+$/, 'the finding number on the caption');
  const problems = office.locator('#unit-narrative [data-path="narrative.problems"]');
  assert.match(await problems.textContent(), /高桥镇/);
  assert.match(await problems.locator('.section-finding').first().textContent(), /不是本单位/);
  // 安砂镇 submitted the same prose: the passages side by side, marked on both sides.
  await office.locator('#unit-similar .side-by-side').first().waitFor();
  assert.match(await office.textContent('#unit-similar'), /安砂镇（350481102）/);
  const sides = office.locator('#unit-similar .side-by-side').first().locator(':scope > div');
  assert.equal(await sides.count(), 2);
  const mine = await sides.nth(0).locator('mark').textContent();
  const theirs = await sides.nth(1).locator('mark').textContent();
  assert.ok(mine.length > 12 && theirs.length > 0, 'a shared passage on both sides');
  assert.ok(mine.replace(/…$/, '').startsWith(theirs.slice(0, 10)), 'the same passage');
  await office.locator('#unit-similar').evaluate((e) => e.scrollIntoView({ block: 'start' }));
  await office.screenshot({ path: join(SHOTS, 'console-unit-similar.png') });
  // Revision 3 against 2: the typed 5 back to 0.
  await office.click('#unit-revisions tr[data-revision="3"] button');
  await office.locator('#unit-diff tr[data-path="tables.requests.received.natural_person"]').waitFor();
  const diffCells = await office.locator('#unit-diff tr[data-path="tables.requests.received.natural_person"] td')
    .allTextContents();
  assert.deepEqual(diffCells.slice(1), ['5', '0']);
  assert.match(await office.textContent('#unit-diff h4'), /第 2 次 → 第 3 次修订：\d+ 个单元格/);
  await office.context().close();
});

test('检查结果: every unit\'s findings by severity and rule, linkable', async () => {
  const office = await newPage();
  await login(office, 'office-viewer', '350481');
  await office.locator('#units tbody tr').first().waitFor();
  await office.click('#go-findings');
  await office.locator('#findings-groups .rule-group').first().waitFor();
  assert.match(await office.textContent('#findings-title'), /检查结果 · 永安市/);
  const sevs = await office.locator('#findings-groups .severity-group').evaluateAll((s) => s.map((x) => x.dataset.severity));
  assert.deepEqual(sevs, ['error', 'warning'], 'errors first, then warnings');
  const missing = office.locator('#findings-groups .severity-group.error .rule-group[data-rule="structure.missing_table"]');
  const units = await missing.locator('li').evaluateAll((ls) => ls.map((l) => l.dataset.code).sort());
  assert.deepEqual(units, ['350481101', '350481102']);
  assert.ok(await office.locator('.rule-group[data-rule="narrative.similar"] li').count() >= 2);
  await office.screenshot({ path: join(SHOTS, 'console-findings.png'), fullPage: true });
  // One rule by its link; the link (the year chosen at sign-in in its query,
  // the page in its hash) survives a reload of the tab.
  await office.click('.rule-group[data-rule="narrative.similar"] h4 a');
  await until('only that rule', async () => (await office.locator('#findings-groups .rule-group').count()) === 1);
  assert.match(office.url(), /\/console\/\?year=2020#findings\/rule\/narrative\.similar$/);
  await office.reload();
  await office.locator('#findings-groups .rule-group[data-rule="narrative.similar"]').waitFor();
  assert.equal(await office.locator('#findings-groups .rule-group').count(), 1);
  await office.goto(`${URL_}/console/?year=2020#findings/severity/error`);
  await until('only errors', async () => (await office.locator('#findings-groups .severity-group').count()) === 1 &&
    (await office.locator('#findings-groups .severity-group.error').count()) === 1);
  // From a finding to the unit's report, and back.
  await office.click('#findings-groups li[data-code="350481102"] a');
  await office.locator('#unit-title', { hasText: '安砂镇' }).waitFor();
  await office.goBack();
  await office.locator('#findings-groups .severity-group.error').waitFor();
  await office.context().close();
  // A phone-width screen.
  const phone = await newPage({ width: 390, height: 844 });
  await login(phone, 'office-viewer', '350481');
  await phone.locator('#units tbody tr').first().waitFor();
  await phone.click('#go-findings');
  await phone.locator('#findings-groups .rule-group').first().waitFor();
  await phone.screenshot({ path: join(SHOTS, 'console-findings-phone.png') });
  await phone.context().close();
});

test("starting from last year's report: 2020's (format 2019) becomes a 2021 report in format 2021", async () => {
  const town = await newPage();
  await login(town, 'gongchuan-clerk', '350481101', 2021);
  await town.locator('#board').waitFor();
  await town.click('#go-submit');
  await town.click('#load-last');
  await town.locator('#import-notes', { hasText: '已载入 2020 年度报告' }).waitFor();
  assert.match(await town.textContent('#import-notes'), /格式由 2019 年版改为 2021 年版：保留两版共有的 \d+ 个单元格/);
  const rep = JSON.parse(await town.inputValue('#report'));
  assert.equal(rep.year, 2021);
  assert.equal(rep.format, '2021');
  assert.equal(rep.entity, '350481101');
  // The kept cells are in the form, and the check finds no format/year mismatch.
  await town.locator('#form-tables input[data-path^="tables.requests."]').first().waitFor();
  await town.locator('#live-check', { hasText: '自动检查' }).waitFor();
  await town.click('#check');
  await town.locator('#result h3', { hasText: '检查结果（未保存）' }).waitFor();
  assert.doesNotMatch(await town.textContent('#result'), /format_year_mismatch/);
  await town.context().close();
});

test("a city's board lists its counties with counts, each leading to the county's own board", async () => {
  const city = await newPage();
  await login(city, 'city-viewer', '3504');
  await city.locator('#units tr.group').first().waitFor();
  const heads = await city.locator('#units thead th').allTextContents();
  assert.equal(heads[1], '下级区划');
  const rows = await city.locator('#units tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [tr.dataset.code, tr.cells[2].textContent, tr.cells[4].textContent]));
  // 永安市 has two reports (贡川镇, 安砂镇) of its townships; the others none.
  assert.deepEqual(rows.find((r) => r[0] === '350481'), ['350481', `2 / ${EXPECTED}`, String(EXPECTED - 2)]);
  assert.equal(rows.length, 3, 'the three counties of the fixture with townships');
  assert.equal(await city.textContent('#c-expected'), String(EXPECTED + 3));
  assert.equal(await city.textContent('#c-submitted'), '2');
  await city.screenshot({ path: join(SHOTS, 'console-board-city.png') });
  await city.click('#units tr[data-code="350481"] button');
  await city.locator('#units tr[data-code="350481101"]').waitFor();
  assert.match(city.url(), /#board\/350481$/);
  assert.equal(await city.locator('#units tbody tr').count(), EXPECTED);
  assert.equal((await city.locator('#units thead th').allTextContents())[1], '单位');
  await city.goBack();
  await city.locator('#units tr.group').first().waitFor();
  await city.context().close();
});

// The office's review on the unit page (console/review.js, issue 17): marks
// on a finding (确认, then 不予采纳 with its reason), returning the report with
// a comment; the township then sees the state and the comment, without the
// office's controls.  Runs after the tests above (贡川镇 has three revisions), last, so that
// its marks and the returned state change no other test's page.
test('review: marks on findings, return with a comment, seen by the township', async () => {
  const office = await newPage();
  await login(office, 'office-viewer', '350481');
  await office.locator('#units tr[data-code="350481101"] button').click();
  await office.locator('#unit-review .review-state').waitFor();
  assert.equal(await office.getAttribute('#unit-review .review-state', 'data-state'), 'pending');
  const first = office.locator('#unit-findings ol.findings > li').first();
  await first.locator('.mark-confirm').click();
  await office.locator('#unit-findings ol.findings > li .mark-confirmed').first().waitFor();
  // 不予采纳 without a reason is refused in the page; with one it replaces the 确认
  const again = office.locator('#unit-findings ol.findings > li').first();
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
  await login(town, 'gongchuan-clerk', '350481101');
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
