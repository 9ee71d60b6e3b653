// app: starts the dashboard — asks who is signed in, loads the reference data, draws the
// header (navigation by role, language switch, user box) and routes #/page/arg hashes to
// the page modules. A 401 from any call sends the reader to the login page.
import { t, lang, setLang } from './i18n.js';
import * as api from './api.js';
import { h, mount, errorBox, loading, disposeCharts } from './ui.js';
import { closeExplain } from './explain.js';
import * as loginPage from './pages/login.js';
import * as dashboardPage from './pages/dashboard.js';
import * as indicatorPage from './pages/indicator.js';
import * as unitPage from './pages/unit.js';
import * as entryPage from './pages/entry.js';
import * as approvalPage from './pages/approval.js';

const routes = {
  login: { page: loginPage },
  dashboard: { page: dashboardPage, nav: 'nav.dashboard' },
  indicator: { page: indicatorPage, nav: 'nav.indicator' },
  unit: { page: unitPage, nav: 'nav.unit' },
  entry: { page: entryPage, nav: 'nav.entry', roles: ['admin', 'reporter'] },
  approval: { page: approvalPage, nav: 'nav.approval', roles: ['admin', 'leader'] },
};

let token = 0;

function parseHash() {
  const raw = (location.hash || '').replace(/^#\/?/, '');
  const [path, query] = raw.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { name: parts[0] || 'dashboard', args: parts.slice(1), query: new URLSearchParams(query || '') };
}

function drawNav(current) {
  const role = api.me().role;
  const nav = document.getElementById('nav');
  mount(
    nav,
    Object.keys(routes)
      .filter((k) => routes[k].nav && (!routes[k].roles || routes[k].roles.includes(role)))
      .map((k) => h('a', { href: '#/' + k, class: k === current ? 'active' : '', dataset: { route: k } }, t(routes[k].nav))),
  );
}

function drawUser() {
  const u = api.me();
  const box = document.getElementById('userbox');
  if (!u || u.role === 'public') {
    mount(box, h('span.user-role', t('user.public')), h('a.btn.btn-small#signin', { href: '#/login' }, t('user.signin')));
    return;
  }
  const unit = u.unit ? api.unitName(u.unit) : null;
  mount(
    box,
    h(
      'span.user-who#user-who',
      { title: u.login },
      h('span.user-name', u.name || u.login),
      h('span.user-role.role-' + u.role, t('role.' + u.role) + (unit ? ' · ' + unit : '')),
    ),
    h('button.btn.btn-small.btn-ghost#signout', { type: 'button', on: { click: signOut } }, t('user.signout')),
  );
}

async function signOut() {
  try {
    await api.logout();
  } catch (e) {
    /* the session is gone either way */
  }
  location.hash = '#/dashboard';
  route();
}

function drawChrome(current) {
  document.title = t('app.title');
  document.getElementById('brand-name').textContent = t('app.name');
  document.getElementById('brand-sub').textContent = t('app.sub');
  const lt = document.getElementById('lang-toggle');
  lt.textContent = t('lang.switch');
  lt.title = t('lang.switch.title');
  document.getElementById('drawer-close').title = t('common.close');
  drawNav(current);
  drawUser();
}

/** Draws the page the hash names. */
export async function route() {
  const my = ++token;
  const { name, args, query } = parseHash();
  const r = routes[name] || routes.dashboard;
  const root = document.getElementById('app');
  disposeCharts();
  closeExplain();
  drawChrome(name);
  root.className = 'app page-' + name;
  mount(root, loading());
  const ctx = { alive: () => my === token, args, query, rerender: route };
  try {
    await api.loadRef();
    if (!ctx.alive()) return;
    drawChrome(name);
    await r.page.render(root, ctx);
  } catch (e) {
    if (ctx.alive()) mount(root, errorBox(e));
  }
}

api.onUnauthorized(() => {
  const { name } = parseHash();
  if (name !== 'login') location.hash = '#/login?next=' + encodeURIComponent(location.hash.replace(/^#/, ''));
});
api.onSession(() => drawChrome(parseHash().name));

document.getElementById('lang-toggle').addEventListener('click', () => {
  setLang(lang() === 'zh' ? 'en' : 'zh');
  route();
});

window.addEventListener('hashchange', route);

api.refreshMe().then(route, route);
