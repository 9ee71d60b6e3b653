// explain: the side panel that shows how a rank or a score came about — GET /api/explain
// for a unit (and an indicator): the scheme, each item's method, inputs and the formula
// with its numbers, and the totals (bonus, deduction, veto, grade).
import { t, code, periodLabel } from './i18n.js';
import * as api from './api.js';
import { h, mount, num, errorBox, loading } from './ui.js';

let seq = 0;

/** Closes the panel. */
export function closeExplain() {
  seq++;
  const d = document.getElementById('drawer');
  if (d) d.hidden = true;
}

function inputs(obj) {
  const keys = Object.keys(obj || {});
  if (!keys.length) return '—';
  return h(
    'dl.inputs',
    keys.map((k) => [h('dt', code('input', k)), h('dd', num(obj[k], Number.isInteger(obj[k]) ? 0 : 2))]),
  );
}

function item(it) {
  return h(
    'div.explain-item',
    h('h3', api.indName(it.indicator, it.name), h('span.explain-score', t('explain.score') + ' ' + num(it.score, 2))),
    h(
      'p.explain-rank',
      t('common.value') + ' ' + num(it.value, it.precision) + ' ' + (it.measure || '') + ' · ',
      it.rank !== null && it.rank !== undefined
        ? t('explain.rank_detail', { rank: it.rank, better: it.better, ranked: it.ranked }) + (it.ties > 1 ? t('explain.ties', { ties: it.ties }) : '')
        : '—',
    ),
    h('div.explain-row', h('span.k', t('explain.method')), h('span.v', code('method', it.method))),
    h('div.explain-row', h('span.k', t('explain.inputs')), h('div.v', inputs(it.inputs))),
    h('div.explain-row', h('span.k', t('explain.formula')), h('code.formula', it.formula || '—')),
  );
}

function totals(d) {
  const rows = [
    [t('unit.items_total'), num(d.items_total, 2)],
    [t('unit.bonus'), '+' + num(d.bonus, 2)],
    [t('unit.deduction'), '−' + num(d.deduction, 2)],
    [t('explain.total'), num(d.total, 2)],
    [t('unit.total_rank'), d.rank === null || d.rank === undefined ? '—' : String(d.rank)],
    [t('unit.grade'), d.grade || '—'],
    [t('unit.veto'), d.veto ? t('yes') : t('no')],
  ];
  return h('table.grid.compact.totals', h('tbody', rows.map((r) => h('tr', h('td', r[0]), h('td.num', r[1])))));
}

/** Opens the panel for a unit, optionally one indicator, at a period (and scheme). */
export async function openExplain(opts) {
  const my = ++seq;
  const d = document.getElementById('drawer');
  const body = document.getElementById('drawer-body');
  const title = document.getElementById('drawer-title');
  title.textContent = t('explain.title');
  d.hidden = false;
  mount(body, loading());
  try {
    const res = await api.get('/api/explain', {
      unit: opts.unit,
      indicator: opts.indicator,
      period: opts.period,
      scheme: opts.scheme,
    });
    if (my !== seq) return;
    const items = res.items || [];
    const head = opts.indicator
      ? t('explain.of', { unit: api.unitName(res.unit || opts.unit), indicator: api.indName(opts.indicator, items[0] && items[0].name) })
      : api.unitName(res.unit || opts.unit);
    mount(
      body,
      h('p.explain-head', h('strong', head)),
      h('p.muted', t('explain.scheme') + '：' + api.schemeName(res.scheme) + ' · ' + periodLabel(res.period)),
      items.length ? items.map(item) : h('p.muted', t('common.empty')),
      h('h3.explain-totals-title', t('unit.score')),
      totals(res),
    );
  } catch (e) {
    if (my === seq) mount(body, errorBox(e));
  }
}

document.getElementById('drawer-close').addEventListener('click', closeExplain);
document.addEventListener('keydown', (ev) => {
  if (ev.key === 'Escape') closeExplain();
});
