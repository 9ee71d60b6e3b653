// Browser test of the dashboard, run by tests/e2e/run.sh against a live server on the demo:
// the public and the admin dashboard (heat map and ranking chart drawn with data), the
// explanation panel, the English switch, a reporter filling in and submitting a figure that
// must change the ranking, the reporter refused approval (403), the admin approving it, and
// the public ranking showing the new value and rank. Screenshots go to E2E_SHOTS.
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

const BASE = process.argv[2];
const SHOTS = process.env.E2E_SHOTS || 'tests/e2e/screenshots';
const ADMIN = { login: 'e2e_admin', password: 'E2e-Admin-pass-2026' };
const REPORTER = { login: 'e2e_reporter', password: 'E2e-Report-pass-2026' };
const T0 = Date.now();

if (!BASE) {
  console.error('usage: node dashboard.mjs http://127.0.0.1:PORT/');
  process.exit(2);
}
mkdirSync(SHOTS, { recursive: true });

let step = 0;
function log(msg) {
  console.log(`e2e [${((Date.now() - T0) / 1000).toFixed(1)}s] ${msg}`);
}
function check(cond, msg) {
  if (!cond) throw new Error('check failed: ' + msg);
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
const page = await context.newPage();
const problems = [];
page.on('pageerror', (e) => problems.push('page error: ' + e.message));
page.on('console', (m) => {
  if (m.type() === 'error' && !/status of 40[13]/.test(m.text())) problems.push('console error: ' + m.text());
});
page.setDefaultTimeout(15000);

async function shot(name, full) {
  step++;
  const file = path.join(SHOTS, String(step).padStart(2, '0') + '-' + name + '.png');
  await page.screenshot({ path: file, fullPage: !!full });
  log('screenshot ' + file);
}

/** JSON from the API inside the page (the browser's cookie: the signed-in user's view). */
async function api(p, opts) {
  return page.evaluate(
    async ([p2, o]) => {
      const init = { headers: { Accept: 'application/json' } };
      if (o && o.method) {
        const me = await (await fetch('/api/me')).json();
        init.method = o.method;
        init.headers['Content-Type'] = 'application/json';
        if (me.csrf) init.headers['X-CSRF-Token'] = me.csrf;
        init.body = JSON.stringify(o.body || {});
      }
      const r = await fetch(p2, init);
      let body = null;
      try {
        body = await r.json();
      } catch (e) {
        body = null;
      }
      return { status: r.status, body };
    },
    [p, opts || null],
  );
}

async function ok(p) {
  const r = await api(p);
  check(r.status === 200, `GET ${p} → ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

async function signIn(who) {
  await page.goto(BASE + '#/login');
  await page.fill('#login-name', who.login);
  await page.fill('#login-password', who.password);
  await page.click('#login-submit');
  await page.waitForSelector('#user-who');
  log('signed in as ' + who.login);
}

async function signOut() {
  await page.click('#signout');
  await page.waitForSelector('#signin');
}

/** Waits until the chart on #id has a series with data, and returns its option. */
async function chartOption(id) {
  await page.waitForFunction(
    (i) => {
      const el = document.getElementById(i);
      const c = el && window.echarts && window.echarts.getInstanceByDom(el);
      const o = c && c.getOption();
      return !!(o && o.series && o.series.length && o.series[0].data && o.series[0].data.length);
    },
    id,
    { timeout: 20000 },
  );
  return page.evaluate((i) => {
    const o = window.echarts.getInstanceByDom(document.getElementById(i)).getOption();
    return {
      x: o.xAxis[0].data,
      y: o.yAxis[0].data,
      series: o.series.map((s) => ({ type: s.type, name: s.name, data: s.data.map((d) => (d && typeof d === 'object' && 'value' in d ? d.value : d)) })),
    };
  }, id);
}

async function checkHeatmap(lang) {
  const hm = await ok('/api/heatmap');
  const o = await chartOption('heatmap');
  const nInd = hm.indicators.length;
  const nUnits = hm.units.length;
  check(nInd > 0 && nUnits > 0, 'the heat map has indicators and units');
  check(o.series[0].type === 'heatmap', 'the heat map series is a heatmap');
  check(o.series[0].data.length === nInd * nUnits, `heat map cells ${o.series[0].data.length} = ${nInd} × ${nUnits}`);
  check(o.y.length === nInd && o.x.length === nUnits, 'heat map axes match the indicators and units');
  // Every ranked cell carries the rank the API gave, at its (unit, indicator) place.
  let ranked = 0;
  hm.cells.rank.forEach((row, y) =>
    row.forEach((rank, x) => {
      if (rank === null) return;
      const d = o.series[0].data[y * nUnits + x];
      check(d[0] === x && d[1] === y && d[2] === rank, `heat map cell (${x},${y}) shows rank ${rank}`);
      ranked++;
    }),
  );
  check(ranked > nInd, 'the heat map has ranked cells');
  const gdp = hm.indicators.findIndex((i) => i.code === 'gdp');
  const want = lang === 'en' ? 'Gross domestic product' : '地区生产总值';
  check(gdp >= 0 && o.y[gdp] === want, `the heat map row label is "${want}" (got "${o.y[gdp]}")`);
  log(`heat map: ${nInd} × ${nUnits} cells, ${ranked} ranked`);
  return hm;
}

async function checkRankingChart() {
  const o = await chartOption('ranking-chart');
  const bars = o.series.find((s) => s.type === 'bar');
  const target = o.series.find((s) => s.type === 'line');
  check(bars && bars.data.filter((v) => typeof v === 'number').length >= 3, 'the ranking chart has bars with values');
  check(target && target.data.filter((v) => typeof v === 'number').length >= 3, 'the ranking chart has a target line with values');
  log(`ranking chart: ${bars.data.length} bars, target line "${target.name}"`);
}

try {
  // 1. The public dashboard: published results, no sign-in.
  await page.goto(BASE);
  await page.waitForSelector('#summary-line');
  const publicHm = await checkHeatmap('zh');
  const period = publicHm.period;
  check(/^\d{4}-\d{2}$/.test(period), 'the heat map names its month');
  const summary = await page.textContent('#summary-line');
  check(/项指标排名中/.test(summary), 'the leaders\u2019 summary line: ' + summary);
  check((await page.textContent('#userbox')).includes('公众查看'), 'the public sees "公众查看"');
  const publicBefore = await ok(`/api/rankings?indicator=gdp&period=${period}`);
  check(publicBefore.published_only === true, 'the public sees published figures only');
  await shot('public-dashboard', true);

  // 2. The admin's dashboard, the ranking chart with targets, the explanation panel.
  await page.goto(BASE + '#/login');
  await page.waitForSelector('#login-submit');
  await shot('login');
  await signIn(ADMIN);
  await page.goto(BASE + '#/dashboard');
  await checkHeatmap('zh');
  await checkRankingChart();
  check((await page.textContent('#user-who')).includes('考核办'), 'the user box shows the role');
  await chartOption('trend-chart');
  await page.waitForSelector('#gaps-body .rank-link');
  await shot('admin-dashboard', true);
  await page.click('#gaps-body .rank-link');
  await page.waitForSelector('#drawer-body .formula');
  const formula = await page.textContent('#drawer-body .formula');
  check(/=/.test(formula), 'the explanation shows a formula with numbers: ' + formula);
  await shot('explain-panel');
  await page.click('#drawer-close');

  // 3. English, remembered across a reload.
  await page.click('#lang-toggle');
  await page.waitForFunction(() => document.querySelector('#card-heatmap h2') && document.querySelector('#card-heatmap h2').textContent === 'Rank heat map');
  await page.reload();
  await page.waitForSelector('#card-heatmap');
  check((await page.textContent('#nav')).includes('Dashboard'), 'the English navigation after a reload');
  await checkHeatmap('en');
  check(/indicators/.test(await page.textContent('#summary-line')), 'the summary line in English');
  await shot('english-dashboard');
  await page.click('#lang-toggle');
  await page.waitForFunction(() => document.querySelector('#card-heatmap h2') && document.querySelector('#card-heatmap h2').textContent === '指标排名热力图');

  // The unit page: ranks across indicators and the score, which opens its explanation.
  await page.goto(BASE + '#/unit/linjiang');
  await page.waitForSelector('#unit-score');
  await page.waitForSelector('#unit-ranks-body .rank-link');
  await page.click('#unit-score');
  await page.waitForSelector('#drawer-body .totals');
  await shot('unit-page');
  await page.click('#drawer-close');

  // 4. Which unit has figures still open in that month: a region (it ranks in the peer group).
  const subs = await ok('/api/submissions?period=' + period);
  const units = (await ok('/api/units?limit=1000')).items;
  const regions = new Set(units.filter((u) => u.kind === 'region' && !u.is_self).map((u) => u.code));
  const order = ['returned', 'draft', 'missing', 'submitted'];
  const open = subs.items.filter((s) => s.state !== 'approved' && regions.has(s.unit)).sort((a, b) => order.indexOf(a.state) - order.indexOf(b.state));
  check(open.length > 0, `a region with figures not yet approved in ${period}`);
  const target = open[0];
  log(`open submission: ${target.unit} ${period} (${target.state})`);

  // The public gdp ranking before: the unit is not first; the new value beats every figure
  // on record (published or not), so once published it must rank first.
  const internal = await ok(`/api/rankings?indicator=gdp&period=${period}`);
  const values = publicBefore.rows.concat(internal.rows).map((r) => r.value).filter((v) => typeof v === 'number');
  const top = Math.max(...values);
  const beforeRow = publicBefore.rows.find((r) => r.unit === target.unit);
  const formerFirst = publicBefore.rows.find((r) => r.rank === 1);
  check(!beforeRow || beforeRow.rank !== 1, 'the unit is not first in the public ranking before');
  check(formerFirst && formerFirst.unit !== target.unit, 'the public ranking has a first place before');
  const newValue = Math.ceil(top * 1.25) + 0.37;
  log(`gdp: highest ${top}, public first ${formerFirst.unit}, ${target.unit} was ${beforeRow && beforeRow.rank ? beforeRow.rank : 'unranked'} publicly, enters ${newValue}`);

  execFileSync(process.env.SAIMA_BIN, ['--db', process.env.E2E_DB, 'user', 'add', REPORTER.login, '--role', 'reporter', '--unit', target.unit, '--name', '测试填报员'], {
    input: REPORTER.password + '\n',
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  await signOut();

  // 5. The reporter fills in the month (last month's values where empty, gdp above the first), saves, submits.
  await signIn(REPORTER);
  await page.goto(BASE + `#/entry/${target.unit}/${period}`);
  await page.waitForSelector('#entry-state');
  const sheet = await ok(`/api/submissions/${target.unit}/${period}`);
  check(sheet.items.some((i) => i.indicator === 'gdp'), 'the entry form has gdp');
  for (const it of sheet.items) {
    const v = it.indicator === 'gdp' ? newValue : it.value !== null ? it.value : it.previous !== null ? it.previous : 1;
    await page.fill(`input[data-indicator="${it.indicator}"]`, String(v));
  }
  await shot('entry-filled', true);
  await page.click('#entry-save');
  await page.waitForSelector('#toast:not([hidden])');
  const saved = await ok(`/api/submissions/${target.unit}/${period}`);
  check(saved.items.find((i) => i.indicator === 'gdp').value === newValue, 'gdp saved as ' + newValue);
  await page.click('#entry-submit');
  await page.waitForSelector('#entry-state[data-state="submitted"]');
  await shot('entry-submitted');

  // 6. The reporter may not approve: the page shows the server's 403, and so does the API.
  await page.goto(BASE + `#/approval?period=${period}`);
  await page.waitForSelector('#reminders-body .error-box[data-status="403"]');
  const denied = await api(`/api/submissions/${target.unit}/${period}/approve`, { method: 'POST', body: {} });
  check(denied.status === 403, `the reporter approving → ${denied.status} (want 403)`);
  await shot('reporter-denied');
  await signOut();

  // 7. The admin approves it.
  await signIn(ADMIN);
  await page.goto(BASE + `#/approval?period=${period}`);
  const btn = `#approval-list tr[data-unit="${target.unit}"] button.approve`;
  await page.waitForSelector(btn);
  await shot('approval-list', true);
  await page.click(btn);
  await page.waitForSelector(`#approval-list tr[data-unit="${target.unit}"][data-state="approved"]`);
  await shot('approved');
  await signOut();

  // 8. The public ranking shows the new value first; the former first moved down.
  const after = await ok(`/api/rankings?indicator=gdp&period=${period}`);
  check(after.published_only === true, 'the public ranking is published figures only');
  const row = after.rows.find((r) => r.unit === target.unit);
  check(row && row.value === newValue && row.rank === 1, `public gdp ranking: ${target.unit} first with ${newValue} (got ${JSON.stringify(row && { value: row.value, rank: row.rank })})`);
  const moved = after.rows.find((r) => r.unit === formerFirst.unit);
  check(moved && moved.rank === 2, `the former first ${formerFirst.unit} is now second (got ${moved && moved.rank})`);
  await page.goto(BASE + '#/indicator/gdp');
  const o = await chartOption('ranking-chart');
  const name = units.find((u) => u.code === target.unit).name;
  check(o.x[0] === name, `the ranking chart's first bar is ${name} (got ${o.x[0]})`);
  check(o.series[0].data[0] === newValue, 'the first bar is the new value');
  const firstRow = await page.textContent('#card-ind-table tbody tr:first-child');
  check(firstRow.includes(name), 'the ranking table starts with ' + name);
  await shot('public-ranking-after', true);

  check(problems.length === 0, 'no page errors:\n  ' + problems.join('\n  '));
  log('all checks passed');
  await browser.close();
} catch (e) {
  console.error('e2e: ' + (e && e.stack ? e.stack : e));
  if (problems.length) console.error('e2e: page problems:\n  ' + problems.join('\n  '));
  try {
    await shot('failure', true);
  } catch (e2) {
    /* no screenshot of a dead page */
  }
  await browser.close();
  process.exit(1);
}
