'use strict';
// Small statistics helpers: every figure the bench reports is the median of its runs with min and max.

/** Sorted copy of the finite numbers in `values`. */
const sorted = (values) => values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);

/** Percentile by the nearest-rank method (p in 0..100). */
function percentile(values, p) {
  const s = sorted(values);
  if (s.length === 0) return null;
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length - 1, Math.max(0, rank - 1))];
}

function median(values) {
  const s = sorted(values);
  if (s.length === 0) return null;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** `{ median, min, max, runs, values }` of the runs' values. */
function summarize(values) {
  const s = sorted(values);
  return { median: median(s), min: s.length ? s[0] : null, max: s.length ? s[s.length - 1] : null, runs: s.length, values: values.slice() };
}

/** Milliseconds since `start` (a `performance.now()` value). */
const since = (start) => performance.now() - start;

/** Human figures: 3 significant digits below 1000, thousands separators above. */
function fmt(n, unit = '') {
  if (n === null || n === undefined || !Number.isFinite(n)) return 'n/a';
  let s;
  const a = Math.abs(n);
  if (a >= 1000) s = Math.round(n).toLocaleString('en-US');
  else if (a >= 100) s = n.toFixed(0);
  else if (a >= 10) s = n.toFixed(1);
  else if (a >= 1) s = n.toFixed(2);
  else if (a === 0) s = '0';
  else s = n.toPrecision(2);
  return unit ? `${s} ${unit}` : s;
}

/** "median (min–max)" of a summary, or a plain figure. */
function fmtSummary(sum, unit = '') {
  if (!sum || sum.median === null) return 'n/a';
  if (sum.runs <= 1 || sum.min === sum.max) return fmt(sum.median, unit);
  return `${fmt(sum.median, unit)} (${fmt(sum.min)}–${fmt(sum.max)})`;
}

const fmtRatio = (r) => (r === null || r === undefined || !Number.isFinite(r) ? 'n/a' : `${r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`);

module.exports = { percentile, median, summarize, since, fmt, fmtSummary, fmtRatio };
