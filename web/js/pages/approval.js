// approval page (#/approval): the assessment office's view of a period's submissions
// (GET /api/submissions?period=) with states and late flags, a unit's figures, approve /
// return with a reason, and the 催报 box (GET /api/reminders). Leaders see it read-only;
// for anyone else the server's refusal is shown as it comes.
import { t, periodLabel } from '../i18n.js';
import * as api from '../api.js';
import { h, mount, num, stateBadge, table, errorBox, loading, select, card, toast } from '../ui.js';

function base(unit, period) {
  return '/api/submissions/' + encodeURIComponent(unit) + '/' + encodeURIComponent(period);
}

function fmtTime(s) {
  return s ? String(s).replace('T', ' ').replace(/(:\d\d)(\.\d+)?Z?$/, '$1') : '—';
}

function reminders(r) {
  const missing = r.missing || [];
  const late = r.late || [];
  if (!missing.length && !late.length) return h('p.muted', t('appr.none_missing'));
  return h(
    'div.reminders',
    h('h3', t('appr.missing') + ' (' + missing.length + ')'),
    missing.length ? h('ul.chips', missing.map((m) => h('li.chip.chip-warn', api.unitName(m.unit, m.name), ' ', stateBadge(m.state)))) : h('p.muted', t('common.none')),
    h('h3', t('appr.late_units') + ' (' + late.length + ')'),
    late.length ? h('ul.chips', late.map((m) => h('li.chip', api.unitName(m.unit, m.name), h('span.muted', ' ' + (m.submitted_at ? fmtTime(m.submitted_at) : t('state.missing')))))) : h('p.muted', t('common.none')),
  );
}

async function figures(panel, it, period) {
  mount(panel, loading());
  try {
    const sub = await api.get(base(it.unit, period));
    mount(
      panel,
      h('h3', t('appr.figures', { name: api.unitName(it.unit, it.name), period: periodLabel(period) })),
      table(
        [
          { label: t('common.indicator'), render: (x) => api.indName(x.indicator, x.name) },
          { label: t('col.previous'), cls: 'num', render: (x) => num(x.previous, x.precision) },
          { label: t('col.current'), cls: 'num strong', render: (x) => num(x.value, x.precision) },
          { label: t('col.measure'), render: (x) => x.unit || '' },
          { label: t('col.note'), render: (x) => x.note || '' },
        ],
        sub.items || [],
        { cls: 'compact' },
      ),
    );
  } catch (e) {
    mount(panel, errorBox(e));
  }
}

function actions(it, period, reload, panel) {
  const can = it.state === 'submitted';
  const approve = async () => {
    try {
      await api.post(base(it.unit, period) + '/approve', {});
      toast(t('appr.approved'));
      reload();
    } catch (e) {
      toast(e.status + ' ' + e.message, 'error');
      mount(panel, errorBox(e));
    }
  };
  const askReturn = () => {
    const reason = h('textarea#return-reason', { rows: 2, placeholder: t('appr.reason.placeholder') });
    const err = h('p.form-error', { hidden: true });
    mount(
      panel,
      h(
        'div.return-form',
        h('label.field.field-block', h('span.field-label', t('appr.reason') + ' · ' + api.unitName(it.unit, it.name)), reason),
        err,
        h(
          'button.btn.btn-danger#return-confirm',
          {
            type: 'button',
            on: {
              click: async () => {
                if (!reason.value.trim()) {
                  err.textContent = t('err.reason_required');
                  err.hidden = false;
                  return;
                }
                try {
                  await api.post(base(it.unit, period) + '/return', { reason: reason.value.trim() });
                  toast(t('appr.returned'));
                  reload();
                } catch (e) {
                  mount(err, e.status + ' ' + e.message);
                  err.hidden = false;
                }
              },
            },
          },
          t('appr.return'),
        ),
      ),
    );
    reason.focus();
  };
  return h(
    'span.row-actions',
    h('button.btn.btn-small.btn-ghost', { type: 'button', on: { click: () => figures(panel, it, period) } }, t('common.view')),
    api.me().role === 'admin' && can
      ? [
          h('button.btn.btn-small.btn-primary.approve', { type: 'button', dataset: { unit: it.unit }, on: { click: approve } }, t('appr.approve')),
          h('button.btn.btn-small.btn-ghost.return', { type: 'button', dataset: { unit: it.unit }, on: { click: askReturn } }, t('appr.return')),
        ]
      : null,
  );
}

/** Draws the approval page. */
export async function render(root, ctx) {
  const months = api.months();
  const period = ctx.query.get('period') || months[0] || '';
  const listEl = h('div#approval-list');
  const remEl = h('div#reminders-body');
  const panel = h('div#approval-panel.approval-panel');
  const reload = () => draw();
  const periodSel = select(t('entry.period'), months.map((m) => ({ value: m, label: periodLabel(m) })), period, (v) => {
    location.hash = '#/approval?period=' + encodeURIComponent(v);
  }, 'approval-period');

  const draw = async () => {
    mount(listEl, loading());
    mount(remEl, loading());
    mount(panel);
    api
      .get('/api/reminders', { period })
      .then((r) => ctx.alive() && mount(remEl, reminders(r)))
      .catch((e) => ctx.alive() && mount(remEl, errorBox(e)));
    try {
      const list = await api.get('/api/submissions', { period });
      if (!ctx.alive()) return;
      const items = list.items || [];
      const count = (s) => items.filter((x) => x.state === s).length;
      mount(
        listEl,
        h(
          'p.chart-note',
          t('appr.count', { total: items.length, approved: count('approved'), submitted: count('submitted'), missing: count('missing') }),
          list.deadline ? ' · ' + t('entry.deadline') + ' ' + list.deadline : '',
        ),
        table(
          [
            { label: t('common.unit'), render: (x) => api.unitName(x.unit, x.name) },
            { label: t('col.state'), render: (x) => h('span', stateBadge(x.state), x.late ? h('span.badge.late', t('entry.late')) : null) },
            { label: t('col.filled'), cls: 'num', render: (x) => (x.filled === undefined ? '—' : x.filled + ' / ' + x.expected) },
            { label: t('col.submitted'), render: (x) => (x.submitted_by ? x.submitted_by + ' · ' + fmtTime(x.submitted_at) : '—') },
            { label: t('col.reviewed'), render: (x) => (x.reviewed_by ? x.reviewed_by + ' · ' + fmtTime(x.reviewed_at) : '—') },
            { label: t('col.reasons'), render: (x) => x.reason || '' },
            { label: t('col.actions'), render: (x) => actions(x, period, reload, panel) },
          ],
          items,
          { rowClass: (x) => 'state-row-' + x.state, rowData: (x) => ({ unit: x.unit, state: x.state }) },
        ),
      );
    } catch (e) {
      if (ctx.alive()) mount(listEl, errorBox(e));
    }
  };

  mount(
    root,
    h('div.page-head', h('h1', t('appr.title')), h('div.toolbar', periodSel)),
    api.me().role === 'leader' ? h('p.notice', t('appr.readonly')) : null,
    h(
      'div.approval-layout',
      h('div', card(t('appr.list'), { id: 'card-approval' }, listEl), panel),
      card(t('appr.reminders'), { id: 'card-reminders', cls: 'reminders-card' }, remEl),
    ),
  );
  await draw();
}
