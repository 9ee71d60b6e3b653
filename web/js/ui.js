// ui: small DOM helpers shared by the pages — element building (text only, never HTML from
// data), number and movement formatting, tables, badges, error boxes, the toast, and the
// registry of ECharts instances (resized with the window, disposed when the page changes).
import { t, code, lang } from './i18n.js';

/**
 * Creates an element: h('div.card#id', {attrs / on: {click}}, children...).
 * Strings become text nodes; null/false children are skipped.
 */
export function h(spec, attrs, ...children) {
  const m = /^([a-z0-9]+)?((?:[.#][\w-]+)*)$/i.exec(spec);
  const el = document.createElement((m && m[1]) || 'div');
  if (m && m[2]) {
    m[2].replace(/([.#])([\w-]+)/g, (x, kind, name) => {
      if (kind === '.') el.classList.add(name);
      else el.id = name;
      return x;
    });
  }
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  Object.keys(attrs || {}).forEach((k) => {
    const v = attrs[k];
    if (v === undefined || v === null || v === false) return;
    if (k === 'on') Object.keys(v).forEach((ev) => el.addEventListener(ev, v[ev]));
    else if (k === 'class') String(v).split(/\s+/).filter(Boolean).forEach((c) => el.classList.add(c));
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked' || k === 'disabled' || k === 'hidden' || k === 'selected') el[k] = !!v;
    else el.setAttribute(k, v === true ? '' : String(v));
  });
  append(el, children);
  return el;
}

function append(el, children) {
  children.forEach((c) => {
    if (c === null || c === undefined || c === false) return;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  });
}

/** Replaces an element's children. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A number with a fixed count of decimals, grouped; "—" for null. */
export function num(v, precision) {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  const p = precision === undefined || precision === null ? 2 : precision;
  return Number(v).toLocaleString(lang() === 'en' ? 'en-US' : 'zh-CN', {
    minimumFractionDigits: p,
    maximumFractionDigits: p,
  });
}

/** A percentage (the API sends 80.75 for 80.75 %). */
export function pct(v, precision) {
  if (v === null || v === undefined) return '—';
  return num(v, precision === undefined ? 1 : precision) + '%';
}

/** A movement cell: ▲2 (up, good), ▼1 (down), "–" unchanged, "—" unknown. */
export function move(v) {
  if (v === null || v === undefined) return h('span.move.move-none', '—');
  if (v > 0) return h('span.move.move-up', { title: t('move.up', { n: v }) }, '▲' + v);
  if (v < 0) return h('span.move.move-down', { title: t('move.down', { n: -v }) }, '▼' + -v);
  return h('span.move.move-same', { title: t('move.same') }, '–');
}

/** A tier badge (前三 green, 中游 neutral, 后三 red). */
export function tierBadge(tier) {
  const k = tier || 'none';
  return h('span.badge.tier-' + k, code('tier', k));
}

/** A warning level badge (red / yellow / blue). */
export function levelBadge(level) {
  return h('span.badge.level-' + (level || 'none'), code('level', level || 'none'));
}

/** A submission state badge. */
export function stateBadge(state) {
  return h('span.badge.state-' + (state || 'missing'), code('state', state || 'missing'));
}

/** A rank with its ties: "3" or "3=" (tied). */
export function rankText(rank, ties) {
  if (rank === null || rank === undefined) return '—';
  return ties && ties > 1 ? rank + '=' : String(rank);
}

/**
 * A table: cols = [{key, label, cls, render(row) → node|string}], rows = objects.
 * rowClass(row) may add a class to the row (e.g. our own region).
 */
export function table(cols, rows, opts) {
  const o = opts || {};
  const thead = h('thead', h('tr', cols.map((c) => h('th', { class: c.cls || '', title: c.title || null }, c.label))));
  const tbody = h(
    'tbody',
    rows.length
      ? rows.map((r) =>
          h(
            'tr',
            { class: o.rowClass ? o.rowClass(r) : '', dataset: o.rowData ? o.rowData(r) : null },
            cols.map((c) => h('td', { class: c.cls || '' }, c.render ? c.render(r) : r[c.key] === null || r[c.key] === undefined ? '—' : String(r[c.key]))),
          ),
        )
      : h('tr', h('td.empty', { colspan: cols.length }, t('common.empty'))),
  );
  return h('div.table-wrap', h('table.grid', { class: o.cls || '' }, thead, tbody));
}

/** The message for an ApiError (or any error), in the current language, with the server's detail. */
export function errorText(e) {
  if (!e) return '';
  if (e.status === 0) return t('err.network');
  const key = 'err.' + (e.code || '');
  const head = key !== 'err.' && t(key) !== key ? t(key) : t('err.title');
  const detail = e.message && e.message !== e.code ? e.message : '';
  return detail ? head + '：' + detail : head;
}

/** An error box for a failed load; shows status and message plainly. */
export function errorBox(e) {
  return h(
    'div.error-box',
    { role: 'alert', dataset: { status: String(e && e.status !== undefined ? e.status : '') } },
    h('strong', e && e.status ? e.status + ' ' : ''),
    errorText(e),
  );
}

/** A "loading" placeholder. */
export function loading() {
  return h('div.loading', t('common.loading'));
}

let toastTimer = null;
/** Shows a short message at the bottom (kind: ok | error). */
export function toast(msg, kind) {
  const el = document.getElementById('toast');
  el.textContent = msg;
  el.className = 'toast toast-' + (kind || 'ok');
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    el.hidden = true;
  }, kind === 'error' ? 6000 : 3000);
}

/** A labelled <select>; options = [{value, label}]; onChange(value). */
export function select(label, options, value, onChange, id) {
  const sel = h(
    'select',
    { id: id || null, on: { change: (ev) => onChange(ev.target.value) } },
    options.map((o) => h('option', { value: o.value, selected: o.value === value }, o.label)),
  );
  return h('label.field', h('span.field-label', label), sel);
}

/** A card with a title, optional hint and right-side tools. */
export function card(title, opts, ...body) {
  const o = opts || {};
  return h(
    'section.card' + (o.cls ? '.' + o.cls.split(' ').join('.') : ''),
    { id: o.id || null },
    h('header.card-head', h('div', h('h2', title), o.hint ? h('p.hint', o.hint) : null), o.tools ? h('div.card-tools', o.tools) : null),
    h('div.card-body', ...body),
  );
}

// ECharts instances of the current page.
const charts = new Set();

/** Creates (or reuses) the chart on el and sets its option. */
export function chart(el, option) {
  /* global echarts */
  let c = echarts.getInstanceByDom(el);
  if (!c) {
    c = echarts.init(el, null, { renderer: 'canvas' });
    charts.add(c);
  }
  c.setOption(option, true);
  return c;
}

/** Disposes every chart (called when the page changes). */
export function disposeCharts() {
  charts.forEach((c) => c.dispose());
  charts.clear();
}

window.addEventListener('resize', () => charts.forEach((c) => c.resize()));
