// api: the one way the dashboard talks to the server. Keeps the session's CSRF token in
// memory (from POST /api/login or GET /api/me), sends it with every POST/PUT, and turns
// error replies {"error":{code,status,message}} into thrown ApiError objects.
import { lang } from './i18n.js';

/** An API failure: status (0 when the server could not be reached), code and message. */
export class ApiError extends Error {
  constructor(status, code, message, detail) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.detail = detail || {};
  }
}

const session = { user: { role: 'public' }, csrf: null };
const listeners = [];

/** The signed-in user ({login,name,role,unit}; role "public" when nobody is). */
export function me() {
  return session.user;
}

/** Calls fn(user) whenever the session changes. */
export function onSession(fn) {
  listeners.push(fn);
}

function setSession(body) {
  session.user = (body && body.user) || { role: 'public' };
  session.csrf = (body && body.csrf) || null;
  listeners.forEach((fn) => fn(session.user));
}

let on401 = null;
/** Sets what happens on a 401 reply to a signed-in call (the app goes to the login page). */
export function onUnauthorized(fn) {
  on401 = fn;
}

async function request(method, path, body) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin' };
  if (method !== 'GET') {
    headers['Content-Type'] = 'application/json';
    if (session.csrf) headers['X-CSRF-Token'] = session.csrf;
    init.body = JSON.stringify(body === undefined ? {} : body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, 'network', String(e && e.message ? e.message : e));
  }
  let data = null;
  const text = await res.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch (e) {
      data = null;
    }
  }
  if (!res.ok) {
    const err = data && data.error ? data.error : {};
    const ae = new ApiError(res.status, err.code || 'http_' + res.status, err.message || res.statusText, err);
    if (res.status === 401 && path !== '/api/login' && on401) on401(ae);
    throw ae;
  }
  return data;
}

/** Builds "path?k=v&..." leaving out empty values. */
export function url(path, params) {
  const q = new URLSearchParams();
  Object.keys(params || {}).forEach((k) => {
    const v = params[k];
    if (v !== undefined && v !== null && v !== '') q.set(k, v);
  });
  const s = q.toString();
  return s ? path + '?' + s : path;
}

/** GET path with params; resolves to the parsed JSON. */
export function get(path, params) {
  return request('GET', url(path, params));
}

/** POST a JSON body (with the CSRF token). */
export function post(path, body) {
  return request('POST', path, body);
}

/** PUT a JSON body (with the CSRF token). */
export function put(path, body) {
  return request('PUT', path, body);
}

/** Signs in; keeps the CSRF token in memory. */
export async function login(loginName, password) {
  const body = await request('POST', '/api/login', { login: loginName, password });
  setSession(body);
  return body.user;
}

/** Signs out (the server drops the session) and forgets the token. */
export async function logout() {
  try {
    await request('POST', '/api/logout', {});
  } finally {
    setSession(null);
  }
}

/** Asks the server who we are (after a reload the cookie survives, the token comes back). */
export async function refreshMe() {
  try {
    setSession(await request('GET', '/api/me'));
  } catch (e) {
    setSession(null);
  }
  return session.user;
}

// Reference data, loaded once per page load: names in both languages for codes that the
// engine results carry with their Chinese names only.
const ref = { units: new Map(), indicators: new Map(), groups: [], periods: [], schemes: [], loaded: null };

async function all(path) {
  const first = await get(path, { limit: 1000 });
  return first.items || [];
}

/** Loads units, indicators, groups and periods (once). */
export function loadRef() {
  if (!ref.loaded) {
    ref.loaded = Promise.all([all('/api/units'), all('/api/indicators'), all('/api/groups'), all('/api/periods'), all('/api/schemes')]).then(
      ([units, inds, groups, periods, schemes]) => {
        ref.schemes = schemes;
        units.forEach((u) => ref.units.set(u.code, u));
        inds.forEach((i) => ref.indicators.set(i.code, i));
        ref.groups = groups;
        ref.periods = periods;
        return ref;
      },
      (e) => {
        ref.loaded = null;
        throw e;
      },
    );
  }
  return ref.loaded;
}

/** The reference data once loaded (maps may be empty before loadRef resolves). */
export function refData() {
  return ref;
}

function named(entity, fallback) {
  if (!entity) return fallback;
  if (lang() === 'en' && entity.name_en) return entity.name_en;
  return entity.name || fallback;
}

/** A unit's name in the current language (fallback: the name the result carried, or the code). */
export function unitName(code, fallback) {
  return named(ref.units.get(code), fallback || code || '—');
}

/** An indicator's name in the current language. */
export function indName(code, fallback) {
  return named(ref.indicators.get(code), fallback || code || '—');
}

/** An indicator's reference record (measure, precision, direction...). */
export function indicator(code) {
  return ref.indicators.get(code);
}

/** A group's name in the current language. */
export function groupName(code, fallback) {
  return named(ref.groups.find((g) => g.code === code), fallback || code || '—');
}

/** The scheme that ranks a group (its code), or "" to let the server choose. */
export function schemeOf(groupCode) {
  const s = ref.schemes.find((x) => x.group === groupCode);
  return s ? s.code : '';
}

/** A scheme's name in the current language. */
export function schemeName(c) {
  return named(ref.schemes.find((x) => x.code === c), c || '—');
}

/** Our own region (is_self), if any. */
export function selfUnit() {
  for (const u of ref.units.values()) if (u.is_self) return u;
  return null;
}

/** Month codes on record, newest first. */
export function months() {
  return ref.periods
    .filter((p) => p.kind === 'month' || /^\d{4}-\d{2}$/.test(p.code))
    .map((p) => p.code)
    .sort()
    .reverse();
}

/** Quarter codes: those on record, else derived from the months (complete quarters only), newest first. */
export function quarters() {
  const q = new Set(ref.periods.filter((p) => /^\d{4}-Q[1-4]$/.test(p.code)).map((p) => p.code));
  if (q.size === 0) {
    months().forEach((m) => {
      const y = m.slice(0, 4);
      const mm = Number(m.slice(5));
      if (mm % 3 === 0) q.add(y + '-Q' + mm / 3);
    });
  }
  return Array.from(q).sort().reverse();
}
