// state: the selection the pages share (group, month, indicator, quarter), kept for the
// browser tab in sessionStorage so a reload or a page change keeps the reader's place.
const KEY = 'saima.sel';

function load() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY)) || {};
  } catch (e) {
    return {};
  }
}

/** The current selection: {group, period, indicator, quarter} (any may be empty). */
export const sel = Object.assign({ group: '', period: '', indicator: '', quarter: '' }, load());

/** Changes part of the selection and remembers it. */
export function setSel(patch) {
  Object.assign(sel, patch);
  try {
    sessionStorage.setItem(KEY, JSON.stringify(sel));
  } catch (e) {
    /* storage unavailable: the selection lasts for this page only */
  }
}
