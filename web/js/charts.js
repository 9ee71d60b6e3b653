// charts: ECharts options for the dashboard's three charts — the rank heat map
// (indicators × units, colour by tier, number = rank), the ranking bars with the targets,
// and our 24-month trend (value bars, target line, rank line on an inverted axis).
import { t, code, lang } from './i18n.js';
import { num, rankText } from './ui.js';

export const COLORS = {
  accent: '#1d4f91',
  accentSoft: '#8fb0db',
  bar: '#b9c6d6',
  text: '#1f2937',
  muted: '#6b7280',
  grid: '#e5e7eb',
  target: '#4b5563',
  top: '#2f8f5b',
  middle: '#e8ecf1',
  bottom: '#c9453c',
  none: '#f7f8fa',
};

const TIERS = ['top', 'middle', 'bottom', 'none'];
const FONT = '"PingFang SC","Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif';

function tierIndex(tier) {
  const i = TIERS.indexOf(tier);
  return i < 0 ? 3 : i;
}

/**
 * The cell of indicator y and unit x of a /api/heatmap reply as {rank, ties, tier, value,
 * move_prev}, or null when the unit is unranked there (the reply keeps one matrix per field).
 */
export function heatCell(hm, y, x) {
  const g = hm.cells || {};
  const at = (k) => ((g[k] || [])[y] || [])[x];
  const rank = at('rank');
  if (rank === null || rank === undefined) return null;
  return { rank, ties: at('ties'), tier: at('tier'), value: at('value'), move_prev: at('move_prev') };
}

/**
 * The heat map: hm is the /api/heatmap object; names(code) gives display names.
 * Every (indicator, unit) pair is one data item, missing cells included (drawn pale, "—").
 */
export function heatmapOption(hm, unitName, indName) {
  const units = hm.units || [];
  const inds = hm.indicators || [];
  const data = [];
  inds.forEach((ind, y) => {
    units.forEach((u, x) => {
      const c = heatCell(hm, y, x);
      const ti = c && c.rank !== null && c.rank !== undefined ? tierIndex(c.tier) : 3;
      data.push({
        value: [x, y, c && c.rank !== null && c.rank !== undefined ? c.rank : 0, ti],
        cell: c,
        label: { color: ti === 0 || ti === 2 ? '#fff' : COLORS.text, fontWeight: u.is_self ? 'bold' : 'normal' },
        itemStyle: u.is_self ? { borderColor: COLORS.accent, borderWidth: 2 } : { borderColor: '#fff', borderWidth: 1 },
      });
    });
  });
  const selfIdx = units.findIndex((u) => u.is_self);
  return {
    textStyle: { fontFamily: FONT },
    animation: false,
    grid: { left: 8, right: 12, top: 34, bottom: 8, containLabel: true },
    tooltip: {
      formatter: (p) => {
        const c = p.data.cell;
        const u = units[p.value[0]];
        const ind = inds[p.value[1]];
        const head = indName(ind.code, ind.name) + ' · ' + unitName(u.code, u.name);
        if (!c || c.rank === null || c.rank === undefined) return head + '<br>' + t('tier.missing');
        const mv = c.move_prev === null || c.move_prev === undefined ? '—' : c.move_prev > 0 ? '▲' + c.move_prev : c.move_prev < 0 ? '▼' + -c.move_prev : '–';
        return (
          head +
          '<br>' + t('common.value') + '：' + num(c.value, null) + ' ' + (ind.unit || '') +
          '<br>' + t('common.rank') + '：' + rankText(c.rank, c.ties) + '（' + code('tier', c.tier) + '）' +
          '<br>' + t('col.move_prev') + '：' + mv
        );
      },
    },
    xAxis: {
      type: 'category',
      position: 'top',
      data: units.map((u) => unitName(u.code, u.name)),
      splitArea: { show: false },
      axisTick: { show: false },
      axisLine: { show: false },
      axisLabel: {
        interval: 0,
        rotate: lang() === 'en' ? 30 : 0,
        color: COLORS.text,
        fontSize: 12,
        formatter: (v, i) => (i === selfIdx ? '{self|' + v + '}' : v),
        rich: { self: { color: COLORS.accent, fontWeight: 'bold', fontSize: 12 } },
      },
    },
    yAxis: {
      type: 'category',
      inverse: true,
      data: inds.map((i) => indName(i.code, i.name)),
      axisTick: { show: false },
      axisLine: { show: false },
      triggerEvent: true,
      axisLabel:
        lang() === 'en'
          ? { color: COLORS.text, fontSize: 11, lineHeight: 12, width: 230, overflow: 'break' }
          : { color: COLORS.text, fontSize: 12, width: 160, overflow: 'truncate' },
    },
    visualMap: {
      type: 'piecewise',
      dimension: 3,
      orient: 'horizontal',
      right: 8,
      top: -4,
      show: false,
      pieces: TIERS.map((k, i) => ({ value: i, color: COLORS[k], label: code('tier', k === 'none' ? 'missing' : k) })),
    },
    series: [
      {
        type: 'heatmap',
        name: 'heatmap',
        data,
        label: {
          show: true,
          fontSize: 12,
          formatter: (p) => {
            const c = p.data.cell;
            return c && c.rank !== null && c.rank !== undefined ? rankText(c.rank, c.ties) : '—';
          },
        },
        emphasis: { itemStyle: { borderColor: COLORS.text, borderWidth: 2 } },
      },
    ],
  };
}

/** The ranking bars of /api/rankings (rank order), ours in the accent colour, targets as a dashed line. */
export function rankingOption(rk, unitName) {
  const rows = (rk.rows || []).slice();
  const ind = rk.indicator || {};
  const p = ind.precision === undefined ? 2 : ind.precision;
  const selfCodes = new Set(rk.self ? [rk.self] : []);
  const names = rows.map((r) => unitName(r.unit, r.name));
  return {
    textStyle: { fontFamily: FONT },
    animationDuration: 300,
    grid: { left: 8, right: 16, top: 44, bottom: 8, containLabel: true },
    legend: { top: 0, right: 0, itemWidth: 14, itemHeight: 8, textStyle: { color: COLORS.muted } },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v) => num(v, p) },
    xAxis: {
      type: 'category',
      data: names,
      axisTick: { show: false },
      axisLine: { lineStyle: { color: COLORS.grid } },
      axisLabel: { interval: 0, rotate: lang() === 'en' ? 35 : names.length > 10 ? 30 : 0, color: COLORS.text, fontSize: 12 },
    },
    yAxis: {
      type: 'value',
      name: ind.unit || '',
      nameTextStyle: { color: COLORS.muted, align: 'left' },
      splitLine: { lineStyle: { color: COLORS.grid } },
      axisLabel: { color: COLORS.muted },
    },
    series: [
      {
        type: 'bar',
        name: t('common.value'),
        barMaxWidth: 34,
        data: rows.map((r) => {
          const self = r.is_self || selfCodes.has(r.unit);
          return {
            value: r.value,
            unit: r.unit,
            itemStyle: { color: self ? COLORS.accent : COLORS.bar, borderRadius: [3, 3, 0, 0] },
            label: self ? { color: '#fff', fontWeight: 'bold' } : undefined,
          };
        }),
        label: {
          show: true,
          position: 'insideBottom',
          distance: 4,
          fontSize: 11,
          color: COLORS.text,
          formatter: (x) => {
            const r = rows[x.dataIndex];
            return r.rank === null || r.rank === undefined ? '' : rankText(r.rank, r.ties);
          },
        },
      },
      {
        type: 'line',
        name: t('common.target'),
        data: rows.map((r) => (r.target === undefined ? null : r.target)),
        symbol: 'rect',
        symbolSize: [16, 3],
        showSymbol: true,
        showAllSymbol: true,
        connectNulls: true,
        itemStyle: { color: COLORS.target },
        lineStyle: { color: COLORS.target, width: 1, type: 'dashed', opacity: 0.6 },
        z: 5,
      },
    ],
  };
}

/** Our 24 months: value bars (left axis), the year's target (dashed), our rank (right axis, 1 at the top). */
export function trendOption(tr, groupSize) {
  const months = tr.months || [];
  const ind = tr.indicator || {};
  const p = ind.precision === undefined ? 2 : ind.precision;
  const maxRank = Math.max(groupSize || 0, ...months.map((m) => m.rank || 0), 1);
  return {
    textStyle: { fontFamily: FONT },
    animationDuration: 300,
    grid: { left: 8, right: 8, top: 52, bottom: 8, containLabel: true },
    legend: { top: 0, left: 'center', itemWidth: 14, itemHeight: 8, textStyle: { color: COLORS.muted } },
    tooltip: { trigger: 'axis' },
    xAxis: {
      type: 'category',
      data: months.map((m) => m.period),
      axisTick: { show: false },
      axisLine: { lineStyle: { color: COLORS.grid } },
      axisLabel: {
        color: COLORS.muted,
        fontSize: 11,
        formatter: (v) => (v.endsWith('-01') ? v.slice(0, 4) : lang() === 'en' ? v.slice(5) : Number(v.slice(5)) + '月'),
      },
    },
    yAxis: [
      {
        type: 'value',
        name: ind.unit || '',
        nameTextStyle: { color: COLORS.muted, align: 'left' },
        splitLine: { lineStyle: { color: COLORS.grid } },
        axisLabel: { color: COLORS.muted },
      },
      {
        type: 'value',
        name: t('common.rank'),
        nameLocation: 'start',
        nameTextStyle: { color: COLORS.muted, align: 'right' },
        inverse: true,
        min: 1,
        max: maxRank,
        minInterval: 1,
        splitLine: { show: false },
        axisLabel: { color: COLORS.muted },
      },
    ],
    series: [
      {
        type: 'bar',
        name: t('dash.trend.value'),
        data: months.map((m) => m.value),
        itemStyle: { color: COLORS.accentSoft, borderRadius: [2, 2, 0, 0] },
        barMaxWidth: 16,
        tooltip: { valueFormatter: (v) => num(v, p) },
      },
      {
        type: 'line',
        name: t('common.target'),
        data: months.map((m) => m.target),
        symbol: 'none',
        step: 'middle',
        lineStyle: { color: COLORS.target, type: 'dashed', width: 1 },
        itemStyle: { color: COLORS.target },
        tooltip: { valueFormatter: (v) => num(v, p) },
      },
      {
        type: 'line',
        name: t('dash.trend.rank'),
        yAxisIndex: 1,
        data: months.map((m) => m.rank),
        symbol: 'circle',
        symbolSize: 6,
        connectNulls: false,
        lineStyle: { color: COLORS.accent, width: 2 },
        itemStyle: { color: COLORS.accent },
      },
    ],
  };
}

