// entry page (#/entry[/UNIT/PERIOD]): a reporter fills in its own unit's figures for a period
// (an admin any unit's): GET /api/submissions/{unit}/{period} gives the indicators, last
// month's values, the state, deadline and history; save (PUT .../values), upload a CSV
// (POST .../csv), submit (POST .../submit). Errors stand next to the field they concern.
import { t, periodLabel } from '../i18n.js';
import * as api from '../api.js';
import { h, mount, num, stateBadge, errorBox, errorText, loading, select, card, toast } from '../ui.js';

function base(unit, period) {
  return '/api/submissions/' + encodeURIComponent(unit) + '/' + encodeURIComponent(period);
}

function fmtTime(s) {
  if (!s) return '—';
  return String(s).replace('T', ' ').replace(/(:\d\d)(\.\d+)?Z?$/, '$1');
}

/** The row an error message concerns: by indicator code, or by the indicator's name. */
function rowOf(e, items) {
  const d = (e && e.detail) || {};
  const msg = String((e && e.message) || '');
  if (d.indicator) return items.findIndex((it) => it.indicator === d.indicator);
  let best = -1;
  items.forEach((it, i) => {
    const hit = new RegExp("(^|[^\\w])" + it.indicator.replace(/[^\w]/g, '') + "($|[^\\w])").test(msg) || (it.name && msg.includes(it.name));
    if (hit && (best < 0 || it.indicator.length > items[best].indicator.length)) best = i;
  });
  return best;
}

function history(list) {
  if (!list || !list.length) return h('p.muted', t('common.empty'));
  return h(
    'ol.history',
    list.map((x) => h('li', stateBadge(x.state), h('span.history-by', (x.by ? api.unitName(x.by, x.by) : '') + ' · ' + fmtTime(x.at)), x.reason ? h('span.history-reason', x.reason) : null)),
  );
}

async function reportingUnits(period) {
  try {
    const list = await api.get('/api/submissions', { period });
    return (list.items || []).map((it) => ({ value: it.unit, label: api.unitName(it.unit, it.name) }));
  } catch (e) {
    return Array.from(api.refData().units.values())
      .filter((u) => u.kind === 'region')
      .map((u) => ({ value: u.code, label: api.unitName(u.code, u.name) }));
  }
}

/** Draws the entry page. */
export async function render(root, ctx) {
  const user = api.me();
  if (user.role === 'public') {
    location.hash = '#/login?next=' + encodeURIComponent('/entry');
    return;
  }
  const months = api.months();
  const period = ctx.args[1] || ctx.query.get('period') || months[0] || '';
  let unit = ctx.args[0] || user.unit || '';
  const isAdmin = user.role === 'admin';
  const tools = [];
  tools.push(
    select(t('entry.period'), months.map((m) => ({ value: m, label: periodLabel(m) })), period, (v) => {
      location.hash = '#/entry/' + encodeURIComponent(unit) + '/' + encodeURIComponent(v);
    }, 'entry-period'),
  );
  if (isAdmin) {
    const units = await reportingUnits(period);
    if (!ctx.alive()) return;
    if (!unit) unit = (units[0] || {}).value || '';
    tools.unshift(
      select(t('entry.unit'), units, unit, (v) => {
        location.hash = '#/entry/' + encodeURIComponent(v) + '/' + encodeURIComponent(period);
      }, 'entry-unit'),
    );
  }
  const body = h('div#entry-body');
  mount(root, h('div.page-head', h('h1', t('entry.title')), h('div.toolbar', tools)), body);
  if (!unit) {
    mount(body, h('p.error-box', t('entry.no_unit')));
    return;
  }
  await drawForm(body, ctx, unit, period);
}

async function drawForm(body, ctx, unit, period) {
  mount(body, loading());
  let sub;
  try {
    sub = await api.get(base(unit, period));
  } catch (e) {
    if (ctx.alive()) mount(body, errorBox(e));
    return;
  }
  if (!ctx.alive()) return;
  const items = sub.items || [];
  const locked = sub.state === 'approved' || sub.state === 'submitted';
  const inputs = [];
  const notes = [];
  const errs = [];
  const banner = h('div#entry-message', { role: 'alert' });
  const clearErrors = () => {
    errs.forEach((e) => {
      e.textContent = '';
      e.hidden = true;
    });
    inputs.forEach((i) => i.classList.remove('invalid'));
    mount(banner);
  };
  const showError = (e) => {
    const i = rowOf(e, items);
    if (i >= 0) {
      errs[i].textContent = e.message || errorText(e);
      errs[i].hidden = false;
      inputs[i].classList.add('invalid');
      inputs[i].focus();
    }
    mount(banner, errorBox(e));
  };
  const reload = () => drawForm(body, ctx, unit, period);

  const rows = items.map((it, i) => {
    const inp = h('input.num-input', {
      type: 'text',
      inputmode: 'decimal',
      name: 'value-' + it.indicator,
      dataset: { indicator: it.indicator },
      value: it.value === null || it.value === undefined ? '' : String(it.value),
      disabled: locked,
      'aria-label': api.indName(it.indicator, it.name),
    });
    const note = h('input.note-input', { type: 'text', name: 'note-' + it.indicator, value: it.note || '', disabled: locked, maxlength: 200 });
    const err = h('span.field-error', { hidden: true, id: 'err-' + it.indicator });
    inp.addEventListener('input', () => {
      inp.classList.remove('invalid');
      err.hidden = true;
    });
    inputs.push(inp);
    notes.push(note);
    errs.push(err);
    return h(
      'tr',
      h('td', h('b', api.indName(it.indicator, it.name)), h('span.muted.small.code', it.indicator)),
      h('td', it.unit || ''),
      h('td.num', num(it.previous, it.precision)),
      h('td', inp, err),
      h('td', note),
    );
  });

  const collect = () => {
    const values = [];
    let bad = false;
    items.forEach((it, i) => {
      const raw = inputs[i].value.trim().replace(/,/g, '');
      if (raw === '') return;
      if (!/^-?\d+(\.\d+)?$/.test(raw)) {
        errs[i].textContent = t('err.number');
        errs[i].hidden = false;
        inputs[i].classList.add('invalid');
        bad = true;
        return;
      }
      values.push({ indicator: it.indicator, value: Number(raw), note: notes[i].value.trim() });
    });
    return bad ? null : values;
  };

  const save = async (quiet) => {
    clearErrors();
    const values = collect();
    if (!values) return false;
    try {
      await api.put(base(unit, period) + '/values', { values });
      if (!quiet) toast(t('entry.saved'));
      return true;
    } catch (e) {
      showError(e);
      return false;
    }
  };
  const submit = async () => {
    if (!(await save(true))) return;
    try {
      await api.post(base(unit, period) + '/submit', {});
      toast(t('entry.submitted'));
      reload();
    } catch (e) {
      showError(e);
    }
  };
  const fileIn = h('input#entry-csv-file', { type: 'file', accept: '.csv,text/csv', hidden: true });
  fileIn.addEventListener('change', async () => {
    const f = fileIn.files && fileIn.files[0];
    if (!f) return;
    clearErrors();
    try {
      const text = await f.text();
      await api.post(base(unit, period) + '/csv', { csv: text });
      toast(t('entry.csv_done'));
      reload();
    } catch (e) {
      showError(e);
    } finally {
      fileIn.value = '';
    }
  });

  const facts = h(
    'div.entry-facts',
    h('div.fact', h('span', t('entry.unit')), h('b', api.unitName(sub.unit || unit, sub.name))),
    h('div.fact', h('span', t('entry.period')), h('b', periodLabel(sub.period || period))),
    h('div.fact', h('span', t('entry.state')), h('b#entry-state', { dataset: { state: sub.state || '' } }, stateBadge(sub.state), sub.late ? h('span.badge.late', t('entry.late')) : null)),
    h('div.fact', h('span', t('entry.deadline')), h('b', sub.deadline || '—')),
  );
  const actions = h(
    'div.form-actions',
    h('button.btn#entry-save', { type: 'button', disabled: locked, on: { click: () => save(false).then((ok) => ok && reload()) } }, t('entry.save')),
    h('button.btn#entry-csv', { type: 'button', disabled: locked, title: t('entry.csv.hint'), on: { click: () => fileIn.click() } }, t('entry.csv')),
    fileIn,
    h('button.btn.btn-primary#entry-submit', { type: 'button', disabled: locked, on: { click: submit } }, t('entry.submit')),
  );
  const returned = sub.state === 'returned' ? (sub.history || []).filter((x) => x.state === 'returned').pop() : null;
  mount(
    body,
    facts,
    sub.state === 'approved' ? h('p.notice', t('entry.locked')) : null,
    returned && returned.reason ? h('p.notice.notice-warn', t('appr.reason') + '：' + returned.reason) : null,
    banner,
    h(
      'div.entry-layout',
      card(
        t('entry.title'),
        { id: 'card-entry-form', hint: t('entry.csv.hint') },
        h(
          'div.table-wrap',
          h(
            'table.grid.entry-table',
            h('thead', h('tr', h('th', t('common.indicator')), h('th', t('col.measure')), h('th.num', t('col.previous')), h('th', t('col.current')), h('th', t('col.note')))),
            h('tbody', rows.length ? rows : h('tr', h('td.empty', { colspan: 5 }, t('common.empty')))),
          ),
        ),
        actions,
      ),
      card(t('entry.history'), { id: 'card-entry-history' }, history(sub.history)),
    ),
  );
}
