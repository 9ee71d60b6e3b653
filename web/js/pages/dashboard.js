// dashboard page ("挂图作战"): group and month selectors, the leaders' summary line, the rank
// heat map, a ranking chart with targets, our 24-month trend, 标兵/追兵 gaps, warnings,
// movers, red flag holders and a quarter's contest. Each card loads on its own, so one
// failing endpoint shows its error in its card and leaves the rest readable.
import { t, code, periodLabel, lang } from '../i18n.js';
import * as api from '../api.js';
import { sel, setSel } from '../state.js';
import { h, mount, num, pct, move, tierBadge, levelBadge, rankText, table, errorBox, loading, select, card, chart } from '../ui.js';
import { heatmapOption, rankingOption, trendOption } from '../charts.js';
import { openExplain } from '../explain.js';

/** The default group: the peer group holding our own region, else the first. */
export function defaultGroup() {
  const ref = api.refData();
  const peers = ref.groups.find((g) => g.kind === 'peers');
  return (peers || ref.groups[0] || {}).code || '';
}

/** Group and month selectors; onChange() after either changes. */
export function toolbar(onChange, extra) {
  const ref = api.refData();
  const groups = ref.groups.map((g) => ({ value: g.code, label: api.groupName(g.code, g.name) }));
  const months = [{ value: '', label: '—' }].concat(api.months().map((m) => ({ value: m, label: periodLabel(m) })));
  return h(
    'div.toolbar',
    select(t('common.group'), groups, sel.group, (v) => {
      setSel({ group: v });
      onChange();
    }, 'sel-group'),
    select(t('common.period'), months, sel.period, (v) => {
      setSel({ period: v });
      onChange();
    }, 'sel-period'),
    extra || null,
  );
}

/** Sets the month select to the period a reply used (when the server chose the default). */
export function showPeriod(period) {
  const s = document.getElementById('sel-period');
  if (s && period && s.value !== period) {
    if (![...s.options].some((o) => o.value === period)) s.appendChild(h('option', { value: period }, periodLabel(period)));
    s.value = period;
  }
}

/** A badge saying whether the figures are published only. */
export function visibility(publishedOnly) {
  return publishedOnly
    ? h('span.vis.vis-public', t('common.published_only'))
    : h('span.vis.vis-internal', t('common.unpublished_incl'));
}

function indicatorOptions() {
  return Array.from(api.refData().indicators.values()).map((i) => ({ value: i.code, label: api.indName(i.code, i.name) }));
}

async function section(el, fn) {
  mount(el, loading());
  try {
    await fn(el);
  } catch (e) {
    mount(el, errorBox(e));
  }
}

function params() {
  return { group: sel.group, period: sel.period };
}

function drawSummary(el, g) {
  showPeriod(g.period);
  const s = g.summary || {};
  const self = api.unitName(g.unit);
  mount(
    el,
    h(
      'div.summary',
      h('div.summary-unit', self, h('span.summary-period', periodLabel(g.period))),
      h(
        'p.summary-line#summary-line',
        s.indicators
          ? t('dash.summary', {
              n: s.indicators,
              first: s.first,
              second: s.second,
              third: s.third,
              first_tier: s.first_tier,
              bottom: s.bottom_three,
            })
          : t('dash.summary.none'),
      ),
      h(
        'div.summary-stats',
        [
          ['first', s.first, 'stat-top'],
          ['second', s.second, 'stat-top'],
          ['third', s.third, 'stat-top'],
          ['first_tier', s.first_tier, ''],
          ['bottom_three', s.bottom_three, 'stat-bottom'],
        ].map(([k, v, cls]) => h('div.stat' + (cls ? '.' + cls : ''), h('b', v === undefined ? '—' : String(v)), h('span', statLabel(k)))),
      ),
      visibility(g.published_only),
    ),
  );
  return g;
}

function statLabel(k) {
  return t('stat.' + k);
}

async function drawHeatmap(el, ctx) {
  const hm = await api.get('/api/heatmap', params());
  if (!ctx.alive()) return;
  showPeriod(hm.period);
  const rowsN = (hm.indicators || []).length;
  const box = h('div.chart#heatmap', { style: 'height:' + Math.max(220, (lang() === 'en' ? 110 : 60) + rowsN * (lang() === 'en' ? 30 : 27)) + 'px' });
  const legend = h(
    'div.legend',
    ['top', 'middle', 'bottom'].map((k) => h('span.legend-item', h('i.swatch.tier-' + k), code('tier', k))),
    h('span.legend-item', h('i.swatch.swatch-self'), t('common.self')),
    visibility(hm.published_only),
  );
  mount(el, legend, box);
  const c = chart(box, heatmapOption(hm, api.unitName, api.indName));
  c.on('click', (p) => {
    if (p.componentType === 'yAxis') {
      const ind = hm.indicators[p.dataIndex !== undefined ? p.dataIndex : hm.indicators.findIndex((i) => api.indName(i.code, i.name) === p.value)];
      if (ind) location.hash = '#/indicator/' + encodeURIComponent(ind.code);
      return;
    }
    if (p.componentType !== 'series') return;
    const u = hm.units[p.value[0]];
    const ind = hm.indicators[p.value[1]];
    if (u && ind) openExplain({ unit: u.code, indicator: ind.code, period: hm.period });
  });
}

async function drawRanking(el, ctx) {
  const rk = await api.get('/api/rankings', Object.assign({ indicator: sel.indicator }, params()));
  if (!ctx.alive()) return;
  const self = api.selfUnit();
  rk.self = self ? self.code : null;
  const box = h('div.chart#ranking-chart', { style: 'height:320px' });
  const ind = rk.indicator || {};
  mount(
    el,
    h(
      'p.chart-note',
      (ind.unit ? ind.unit + ' · ' : '') + code('dir', ind.direction) + ' · ',
      h('a', { href: '#/indicator/' + encodeURIComponent(ind.code || sel.indicator) }, t('ind.table') + ' →'),
    ),
    box,
  );
  const c = chart(box, rankingOption(rk, api.unitName));
  c.on('click', (p) => {
    const r = rk.rows[p.dataIndex];
    if (r) openExplain({ unit: r.unit, indicator: r.indicator || ind.code, period: rk.period });
  });
}

async function drawTrend(el, ctx) {
  const tr = await api.get('/api/trend', Object.assign({ indicator: sel.indicator }, params()));
  if (!ctx.alive()) return;
  const box = h('div.chart#trend-chart', { style: 'height:320px' });
  let size = 0;
  try {
    const g = await api.get('/api/groups/' + encodeURIComponent((tr.group && tr.group.code) || sel.group));
    size = (g.members || []).filter((m) => m.kind !== 'reference').length;
  } catch (e) {
    size = 0;
  }
  if (!ctx.alive()) return;
  mount(el, h('p.chart-note', api.unitName(tr.unit && tr.unit.code, tr.unit && tr.unit.name) + ' · ' + api.indName(tr.indicator && tr.indicator.code)), box);
  chart(box, trendOption(tr, size));
}

function gapRows(g) {
  const self = g.unit;
  return table(
    [
      {
        label: t('common.indicator'),
        render: (r) => h('a', { href: '#/indicator/' + encodeURIComponent(r.indicator) }, api.indName(r.indicator, r.indicator_name)),
      },
      { label: t('col.value'), cls: 'num', render: (r) => num(r.value, prec(r.indicator)) },
      {
        label: t('col.rank'),
        cls: 'num',
        render: (r) =>
          h('button.link.rank-link', { type: 'button', on: { click: () => openExplain({ unit: self, indicator: r.indicator, period: g.period }) } }, rankText(r.rank, r.ties)),
      },
      { label: t('col.tier'), render: (r) => tierBadge(r.tier) },
      { label: t('col.move_prev'), cls: 'num', render: (r) => move(r.move_prev) },
      { label: t('gap.above'), render: (r) => (r.above ? api.unitName(r.above, r.above_name) : h('span.muted', t('gap.first'))) },
      { label: t('gap.gap'), cls: 'num', render: (r) => num(r.gap_above, prec(r.indicator)) },
      { label: t('gap.pct'), cls: 'num', render: (r) => pct(r.pct_to_overtake, 2) },
      { label: t('gap.below'), render: (r) => (r.below ? api.unitName(r.below, r.below_name) : h('span.muted', t('gap.last'))) },
      { label: t('gap.lead'), cls: 'num', render: (r) => num(r.lead_below, prec(r.indicator)) },
    ],
    g.indicators || [],
    { cls: 'gaps', rowClass: (r) => 'tier-row-' + (r.tier || 'none') },
  );
}

/** The declared precision of an indicator (2 when unknown). */
export function prec(indCode) {
  const i = api.indicator(indCode);
  return i && i.precision !== undefined ? i.precision : 2;
}

function reasons(r) {
  if (r.reasons && lang() !== 'en') return r.reasons;
  return (r.warnings || []).map((w) => code('warn', w)).join(lang() === 'en' ? ', ' : '、');
}

async function drawWarnings(el, ctx) {
  const w = await api.get('/api/warnings', params());
  if (!ctx.alive()) return;
  const self = api.selfUnit();
  const order = { red: 0, yellow: 1, blue: 2, none: 3 };
  const rows = (w.rows || [])
    .filter((r) => r.level && r.level !== 'none')
    .sort((a, b) => (self && (b.unit === self.code) - (a.unit === self.code)) || order[a.level] - order[b.level]);
  const ours = self ? rows.filter((r) => r.unit === self.code) : [];
  const shown = ours.length ? ours : rows.slice(0, 12);
  const list = (rs) =>
    rs.length
      ? h(
          'ul.warn-list',
          rs.map((r) =>
            h(
              'li.warn.warn-' + r.level,
              levelBadge(r.level),
              h('span.warn-what', api.indName(r.indicator, r.indicator_name), h('span.muted', ' · ' + api.unitName(r.unit, r.name))),
              h('span.warn-why', reasons(r)),
              h('span.warn-rank', t('common.rank') + ' ' + rankText(r.rank, r.ties)),
            ),
          ),
        )
      : h('p.muted', t('dash.no_warnings'));
  const body = h('div', list(shown));
  const extra =
    rows.length > shown.length
      ? h(
          'button.link.more',
          {
            type: 'button',
            on: {
              click: (ev) => {
                mount(body, list(rows));
                ev.target.remove();
              },
            },
          },
          t('common.all') + ' (' + rows.length + ')',
        )
      : null;
  mount(el, body, extra);
}

async function drawMovers(el, ctx) {
  const m = await api.get('/api/movers', Object.assign({ limit: 10 }, params()));
  if (!ctx.alive()) return;
  const self = api.selfUnit();
  const rows = m.rows || [];
  if (!rows.length) {
    mount(el, h('p.muted', t('dash.no_movers')));
    return;
  }
  mount(
    el,
    table(
      [
        { label: t('common.indicator'), render: (r) => api.indName(r.indicator, r.indicator_name) },
        { label: t('common.unit'), render: (r) => api.unitName(r.unit, r.name) },
        { label: t('col.rank'), cls: 'num', render: (r) => (r.rank_prev === null || r.rank_prev === undefined ? '—' : r.rank_prev) + ' → ' + (r.rank === null || r.rank === undefined ? '—' : r.rank) },
        { label: t('col.move_prev'), cls: 'num', render: (r) => move(r.move_prev) },
      ],
      rows,
      { cls: 'compact', rowClass: (r) => (self && r.unit === self.code ? 'self' : '') },
    ),
  );
}

function currentHolders(flags) {
  const hist = flags.history || [];
  const latest = {};
  hist.forEach((e) => {
    if (!latest[e.group] || e.period > latest[e.group]) latest[e.group] = e.period;
  });
  const records = flags.records || [];
  return hist
    .filter((e) => e.period === latest[e.group] && e.change !== 'lost')
    .map((e) => {
      const rec = records.find((r) => r.group === e.group && r.unit === e.unit) || {};
      return Object.assign({}, e, { streak: rec.streak, flags: rec.flags });
    });
}

async function drawFlags(el, ctx) {
  const f = await api.get('/api/flags');
  if (!ctx.alive()) return;
  const rows = currentHolders(f);
  mount(
    el,
    table(
      [
        { label: t('common.group'), render: (r) => api.groupName(r.group) },
        { label: t('col.holder'), render: (r) => h('span.flag-holder', h('i.flag-icon'), api.unitName(r.unit, r.name)) },
        { label: t('common.quarter'), render: (r) => periodLabel(r.period) + ' · ' + code('flag.change', r.change) },
        { label: t('col.streak'), cls: 'num', render: (r) => (r.streak > 1 ? h('b.streak', t('flag.streak', { n: r.streak })) : r.streak === undefined ? '—' : String(r.streak)) },
        { label: t('col.flags_total'), cls: 'num', render: (r) => (r.flags === undefined ? '—' : String(r.flags)) },
      ],
      rows,
      { cls: 'compact' },
    ),
  );
}

function contestList(c) {
  if (Array.isArray(c)) return c;
  return c.contests || c.groups || c.items || (c.units ? [c] : []);
}

async function drawContests(el, ctx) {
  const quarters = api.quarters();
  if (!sel.quarter || !quarters.includes(sel.quarter)) setSel({ quarter: quarters[0] || '' });
  const res = await api.get('/api/contests', { period: sel.quarter });
  if (!ctx.alive()) return;
  const list = contestList(res);
  const pick = h('div.tabs');
  const body = h('div');
  const show = (i) => {
    [...pick.children].forEach((b, j) => b.classList.toggle('active', i === j));
    const ct = list[i];
    if (!ct) return mount(body, h('p.muted', t('common.empty')));
    if (ct.ran === false) return mount(body, h('p.muted', t('contest.not_run')));
    const cats = [];
    (ct.units || []).forEach((u) => Object.keys(u.points || {}).forEach((k) => cats.includes(k) || cats.push(k)));
    mount(
      body,
      table(
        [
          { label: t('col.rank'), cls: 'num', render: (u) => String(u.rank) },
          { label: t('common.unit'), render: (u) => h('span', u.flag ? h('i.flag-icon', { title: t('dash.flags') }) : null, api.unitName(u.unit, u.name)) },
          ...cats.map((k) => ({ label: code('contest.category', k), cls: 'num', render: (u) => pointsCell(u.points && u.points[k]) })),
          { label: t('col.total'), cls: 'num strong', render: (u) => pointsCell(u.total) },
        ],
        ct.units || [],
        { cls: 'compact contest' },
      ),
      awards(ct.awards),
    );
  };
  list.forEach((ct, i) => pick.appendChild(h('button.tab', { type: 'button', on: { click: () => show(i) } }, api.groupName(ct.group, ct.name))));
  mount(el, pick, body);
  show(0);
}

function awards(a) {
  const list = Array.isArray(a) ? a : [];
  if (!list.length) return null;
  return h(
    'p.awards',
    h('b', t('contest.awards') + '：'),
    list.map((w) =>
      h(
        'span.award' + (w.worst ? '.award-worst' : ''),
        { title: w.rule || '' },
        (w.name || w.code || '') + '：',
        (w.winners || (w.unit ? [w.unit] : [])).map((u) => api.unitName(u)).join('、') || '—',
      ),
    ),
  );
}

function pointsCell(v) {
  if (v === null || v === undefined) return '—';
  const s = (v > 0 ? '+' : '') + num(v, 1);
  return h('span' + (v > 0 ? '.pos' : v < 0 ? '.neg' : ''), s);
}

function contestTools(ctx, el) {
  const q = api.quarters().map((x) => ({ value: x, label: periodLabel(x) }));
  return select(t('common.quarter'), q, sel.quarter || (q[0] && q[0].value), (v) => {
    setSel({ quarter: v });
    section(el, (e) => drawContests(e, ctx));
  }, 'sel-quarter');
}

/** Draws the dashboard. */
export async function render(root, ctx) {
  if (!sel.group || !api.refData().groups.some((g) => g.code === sel.group)) setSel({ group: defaultGroup() });
  if (!sel.indicator || !api.indicator(sel.indicator)) setSel({ indicator: (Array.from(api.refData().indicators.keys())[0]) || '' });

  const summary = h('div#summary');
  const heat = h('div#heatmap-body');
  const ranking = h('div#ranking-body');
  const trend = h('div#trend-body');
  const gaps = h('div#gaps-body');
  const warnings = h('div#warnings-body');
  const movers = h('div#movers-body');
  const flags = h('div#flags-body');
  const contests = h('div#contests-body');

  const drawIndicatorCharts = () => {
    section(ranking, (e) => drawRanking(e, ctx));
    section(trend, (e) => drawTrend(e, ctx));
  };
  const indSel = select(t('ind.pick'), indicatorOptions(), sel.indicator, (v) => {
    setSel({ indicator: v });
    drawIndicatorCharts();
  }, 'sel-indicator');

  const drawAll = () => {
    section(heat, (e) => drawHeatmap(e, ctx));
    drawGapsAndSummary(summary, gaps, ctx);
    drawIndicatorCharts();
    section(warnings, (e) => drawWarnings(e, ctx));
    section(movers, (e) => drawMovers(e, ctx));
  };

  mount(
    root,
    h('div.page-head', h('h1', t('dash.title')), toolbar(drawAll)),
    summary,
    card(t('dash.heatmap'), { id: 'card-heatmap', hint: t('dash.heatmap.hint') }, heat),
    h(
      'div.cols-2',
      card(t('dash.ranking'), { id: 'card-ranking', tools: indSel }, ranking),
      card(t('dash.trend'), { id: 'card-trend' }, trend),
    ),
    card(t('dash.gaps'), { id: 'card-gaps', hint: t('dash.gaps.hint') }, gaps),
    h('div.cols-2', card(t('dash.warnings'), { id: 'card-warnings' }, warnings), card(t('dash.movers'), { id: 'card-movers' }, movers)),
    h(
      'div.cols-2',
      card(t('dash.flags'), { id: 'card-flags' }, flags),
      card(t('dash.contests'), { id: 'card-contests', tools: contestTools(ctx, contests) }, contests),
    ),
  );
  drawAll();
  section(flags, (e) => drawFlags(e, ctx));
  section(contests, (e) => drawContests(e, ctx));
}

async function drawGapsAndSummary(summaryEl, gapsEl, ctx) {
  mount(summaryEl, loading());
  mount(gapsEl, loading());
  let g;
  try {
    g = await api.get('/api/gaps', params());
  } catch (e) {
    if (ctx.alive()) {
      mount(summaryEl, errorBox(e));
      mount(gapsEl, errorBox(e));
    }
    return;
  }
  if (!ctx.alive()) return;
  drawSummary(summaryEl, g);
  mount(gapsEl, gapRows(g));
}
