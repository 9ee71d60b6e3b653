// indicator page (#/indicator/CODE): the indicator's definition, its ranking chart with the
// targets, and the full ranking table from /api/rankings — value, rank, tier, movement,
// growth, completion against time progress, 双过半, forecast and forecast rank, warnings.
import { t, code, periodLabel, lang } from '../i18n.js';
import * as api from '../api.js';
import { sel, setSel } from '../state.js';
import { h, mount, num, pct, move, tierBadge, levelBadge, rankText, table, errorBox, loading, select, card, chart } from '../ui.js';
import { rankingOption } from '../charts.js';
import { openExplain } from '../explain.js';
import { toolbar, defaultGroup, showPeriod, visibility } from './dashboard.js';

function progressCell(r) {
  if (r.completion === null || r.completion === undefined) return '—';
  const time = r.time_seasonal !== null && r.time_seasonal !== undefined ? r.time_seasonal : r.time_linear;
  const behind = time !== null && time !== undefined && r.completion < time;
  return h(
    'div.progress' + (behind ? '.behind' : ''),
    { title: t('col.completion') + ' ' + pct(r.completion) + ' / ' + t('col.time_linear') + ' ' + pct(r.time_linear) + ' / ' + t('col.time_seasonal') + ' ' + pct(r.time_seasonal) },
    h('div.progress-track', h('div.progress-fill', { style: 'width:' + Math.max(0, Math.min(100, r.completion)) + '%' }), time !== null && time !== undefined ? h('div.progress-mark', { style: 'left:' + Math.max(0, Math.min(100, time)) + '%' }) : null),
    h('span.progress-text', pct(r.completion)),
  );
}

function warnCell(r) {
  const ws = r.warnings || [];
  if (!ws.length) return h('span.muted', '—');
  return h('span.warn-cell', levelBadge(r.level), ' ', ws.map((w) => code('warn', w)).join(lang() === 'en' ? ', ' : '、'));
}

function rankingTable(rk, p, self) {
  return table(
    [
      { label: t('common.unit'), render: (r) => h('a', { href: '#/unit/' + encodeURIComponent(r.unit) }, api.unitName(r.unit, r.name)) },
      { label: t('col.value'), cls: 'num', render: (r) => num(r.value, p) },
      {
        label: t('col.rank'),
        cls: 'num',
        render: (r) =>
          r.rank === null || r.rank === undefined
            ? '—'
            : h('button.link.rank-link', { type: 'button', title: t('explain.hint'), on: { click: () => openExplain({ unit: r.unit, indicator: rk.indicator.code, period: rk.period }) } }, rankText(r.rank, r.ties)),
      },
      { label: t('col.tier'), render: (r) => tierBadge(r.tier) },
      { label: t('col.move_prev'), cls: 'num', render: (r) => move(r.move_prev) },
      { label: t('col.move_year'), cls: 'num', render: (r) => move(r.move_year) },
      { label: t('col.growth'), cls: 'num', render: (r) => h('span' + (r.growth < 0 ? '.neg' : ''), pct(r.growth, 2)) },
      { label: t('col.target'), cls: 'num', render: (r) => num(r.target, p) },
      { label: t('col.completion') + ' / ' + t('col.time_linear'), render: progressCell },
      { label: t('col.half_half'), render: (r) => (r.half_half === null || r.half_half === undefined ? '—' : r.half_half ? '✓' : h('span.neg', '✗')) },
      { label: t('col.forecast'), cls: 'num', render: (r) => num(r.forecast, p) },
      { label: t('col.forecast_rank'), cls: 'num', render: (r) => (r.forecast_rank === null || r.forecast_rank === undefined ? '—' : String(r.forecast_rank)) },
      { label: t('col.warnings'), render: warnCell },
    ],
    rk.rows || [],
    { cls: 'ranking', rowClass: (r) => (r.unit === self ? 'self' : '') },
  );
}

/** Draws the indicator page. */
export async function render(root, ctx) {
  const indCode = ctx.args[0] || sel.indicator || Array.from(api.refData().indicators.keys())[0];
  if (!sel.group) setSel({ group: defaultGroup() });
  if (indCode !== sel.indicator && api.indicator(indCode)) setSel({ indicator: indCode });
  const ind = api.indicator(indCode);
  const self = api.selfUnit();
  const body = h('div#indicator-body');
  const opts = Array.from(api.refData().indicators.values()).map((i) => ({ value: i.code, label: api.indName(i.code, i.name) }));
  const pick = select(t('ind.pick'), opts, indCode, (v) => {
    location.hash = '#/indicator/' + encodeURIComponent(v);
  }, 'sel-indicator');

  const draw = async () => {
    mount(body, loading());
    try {
      const rk = await api.get('/api/rankings', { indicator: indCode, group: sel.group, period: sel.period });
      if (!ctx.alive()) return;
      showPeriod(rk.period);
      rk.self = self ? self.code : null;
      const info = rk.indicator || {};
      const p = info.precision !== undefined ? info.precision : ind ? ind.precision : 2;
      const box = h('div.chart#ranking-chart', { style: 'height:300px' });
      mount(
        body,
        h(
          'div.ind-meta',
          h('span', api.groupName(rk.group && rk.group.code, rk.group && rk.group.name) + ' · ' + periodLabel(rk.period)),
          h('span', (info.unit || (ind && ind.measure) || '') + ' · ' + code('dir', info.direction || (ind && ind.direction))),
          ind && ind.leader ? h('span', ind.leader) : null,
          visibility(rk.published_only),
        ),
        ind && ind.definition ? h('p.definition', h('b', t('ind.definition') + '：'), ind.definition, ind.source ? ' （' + t('ind.source') + '：' + ind.source + '）' : '') : null,
        card(t('ind.chart'), { id: 'card-ind-chart' }, box),
        card(t('ind.table'), { id: 'card-ind-table', hint: t('explain.hint') }, rankingTable(rk, p, self && self.code)),
      );
      const c = chart(box, rankingOption(rk, api.unitName));
      c.on('click', (x) => {
        const r = rk.rows[x.dataIndex];
        if (r) openExplain({ unit: r.unit, indicator: indCode, period: rk.period });
      });
    } catch (e) {
      if (ctx.alive()) mount(body, errorBox(e));
    }
  };

  mount(
    root,
    h('div.page-head', h('h1', t('ind.title', { name: api.indName(indCode) })), toolbar(draw, pick)),
    body,
  );
  await draw();
}
