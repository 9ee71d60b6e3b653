// login page: POST /api/login, then back to where the reader was going (?next=) or to the
// page the role starts on (reporters: data entry; others: the dashboard).
import { t } from '../i18n.js';
import * as api from '../api.js';
import { h, mount, errorText } from '../ui.js';

function startPage(user, next) {
  if (next && !/^\/?login/.test(next)) return '#' + (next.startsWith('/') ? next : '/' + next);
  return user.role === 'reporter' ? '#/entry' : '#/dashboard';
}

/** Draws the sign-in form. */
export function render(root, ctx) {
  const err = h('p.form-error#login-error', { role: 'alert', hidden: true });
  const loginIn = h('input#login-name', { name: 'login', autocomplete: 'username', required: true, autofocus: true });
  const passIn = h('input#login-password', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const btn = h('button.btn.btn-primary#login-submit', { type: 'submit' }, t('login.submit'));
  const form = h(
    'form.login-form',
    {
      on: {
        submit: async (ev) => {
          ev.preventDefault();
          err.hidden = true;
          btn.disabled = true;
          btn.textContent = t('login.busy');
          try {
            const user = await api.login(loginIn.value.trim(), passIn.value);
            location.hash = startPage(user, ctx.query.get('next'));
          } catch (e) {
            err.textContent = errorText(e);
            err.hidden = false;
            passIn.value = '';
            passIn.focus();
          } finally {
            btn.disabled = false;
            btn.textContent = t('login.submit');
          }
        },
      },
    },
    h('label.field.field-block', h('span.field-label', t('login.login')), loginIn),
    h('label.field.field-block', h('span.field-label', t('login.password')), passIn),
    err,
    btn,
    h('a.login-public', { href: '#/dashboard' }, t('login.public')),
  );
  mount(
    root,
    h(
      'div.login-wrap',
      h(
        'div.login-card',
        h('div.login-mark', h('img', { src: '/favicon.svg', alt: '', width: 44, height: 44 })),
        h('h1', t('login.title')),
        h('p.muted', t('login.lead')),
        form,
      ),
    ),
  );
  loginIn.focus();
}
