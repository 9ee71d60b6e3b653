// unit page (#/unit/CODE): one unit's ranks across the group's indicators (GET /api/gaps for
// that unit) and its score under the group's scheme (GET /api/scores); ranks and the score
// open the explanation panel.
import { t, periodLabel } from '../i18n.js';
import * as api from '../api.js';
import { sel, setSel } from '../state.js';
import { h, mount, num, pct, move, tierBadge, rankText, table, errorBox, loading, select, card } from '../ui.js';
import { openExplain } from '../explain.js';
import { toolbar, defaultGroup, showPeriod, visibility, prec } from './dashboard.js';

async function members(group) {
  const g = await api.get('/api/groups/' + encodeURIComponent(group));
  return g.members || [];
}

function scoreBox(sc, unitCode, period, scheme) {
  const units = sc.units || [];
  const u = units.find((x) => x.unit === unitCode);
  if (!u) return h('p.muted', t('common.empty'));
  const open = () => openExplain({ unit: unitCode, period, scheme });
  return h(
    'div.score-box',
    h('button.score-big#unit-score', { type: 'button', title: t('explain.hint'), on: { click: open } }, h('b', num(u.total, 2)), h('span', t('unit.score'))),
    h('div.score-fact', h('b', rankText(u.rank) + ' / ' + units.length), h('span', t('unit.total_rank'))),
    h('div.score-fact', h('b', u.grade || '—'), h('span', t('unit.grade'))),
    h('div.score-fact', h('b', '+' + num(u.bonus, 2) + ' / −' + num(u.deduction, 2)), h('span', t('unit.bonus') + ' / ' + t('unit.deduction'))),
    u.veto ? h('div.score-fact.neg', h('b', '✗'), h('span', t('unit.veto'))) : null,
  );
}

/** Draws the unit page. */
export async function render(root, ctx) {
  if (!sel.group) setSel({ group: defaultGroup() });
  let list = await members(sel.group);
  if (!ctx.alive()) return;
  const self = api.selfUnit();
  const unitCode = ctx.args[0] || (self && list.some((m) => m.code === self.code) ? self.code : (list[0] || {}).code);
  if (unitCode && !list.some((m) => m.code === unitCode)) {
    for (const g of api.refData().groups) {
      const ms = await members(g.code);
      if (ms.some((m) => m.code === unitCode)) {
        setSel({ group: g.code });
        list = ms;
        break;
      }
    }
  }
  const scoreEl = h('div#unit-score-body');
  const ranksEl = h('div#unit-ranks-body');
  const pick = select(
    t('unit.pick'),
    list.map((m) => ({ value: m.code, label: api.unitName(m.code, m.name) })),
    unitCode,
    (v) => {
      location.hash = '#/unit/' + encodeURIComponent(v);
    },
    'sel-unit',
  );

  const draw = async () => {
    mount(scoreEl, loading());
    mount(ranksEl, loading());
    const scheme = api.schemeOf(sel.group);
    api
      .get('/api/scores', { scheme, period: sel.period })
      .then((sc) => ctx.alive() && mount(scoreEl, scoreBox(sc, unitCode, sc.period || sel.period, sc.scheme || scheme)))
      .catch((e) => ctx.alive() && mount(scoreEl, errorBox(e)));
    try {
      const g = await api.get('/api/gaps', { unit: unitCode, group: sel.group, period: sel.period });
      if (!ctx.alive()) return;
      showPeriod(g.period);
      mount(
        ranksEl,
        h('p.chart-note', periodLabel(g.period) + ' · ', visibility(g.published_only)),
        table(
          [
            { label: t('common.indicator'), render: (r) => h('a', { href: '#/indicator/' + encodeURIComponent(r.indicator) }, api.indName(r.indicator, r.indicator_name)) },
            { label: t('col.value'), cls: 'num', render: (r) => num(r.value, prec(r.indicator)) },
            {
              label: t('col.rank'),
              cls: 'num',
              render: (r) => h('button.link.rank-link', { type: 'button', on: { click: () => openExplain({ unit: unitCode, indicator: r.indicator, period: g.period }) } }, rankText(r.rank, r.ties)),
            },
            { label: t('col.tier'), render: (r) => tierBadge(r.tier) },
            { label: t('col.move_prev'), cls: 'num', render: (r) => move(r.move_prev) },
            { label: t('col.growth'), cls: 'num', render: (r) => pct(r.growth, 2) },
            { label: t('col.completion'), cls: 'num', render: (r) => pct(r.completion) },
            { label: t('gap.above'), render: (r) => (r.above ? api.unitName(r.above, r.above_name) + ' (' + num(r.gap_above, prec(r.indicator)) + ')' : '—') },
            { label: t('gap.below'), render: (r) => (r.below ? api.unitName(r.below, r.below_name) + ' (' + num(r.lead_below, prec(r.indicator)) + ')' : '—') },
          ],
          g.indicators || [],
          { rowClass: (r) => 'tier-row-' + (r.tier || 'none') },
        ),
      );
    } catch (e) {
      if (ctx.alive()) mount(ranksEl, errorBox(e));
    }
  };

  const onToolbar = async () => {
    const ms = await members(sel.group);
    if (ms.some((m) => m.code === unitCode)) draw();
    else if (location.hash === '#/unit') ctx.rerender();
    else location.hash = '#/unit';
  };

  mount(
    root,
    h('div.page-head', h('h1', t('unit.title', { name: api.unitName(unitCode) })), toolbar(onToolbar, pick)),
    card(t('unit.score'), { id: 'card-unit-score', hint: t('explain.hint') }, scoreEl),
    card(t('nav.indicator'), { id: 'card-unit-ranks' }, ranksEl),
  );
  await draw();
}
