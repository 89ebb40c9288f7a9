// Training curves as a standalone SVG string: no dependencies, no DOM, works in every runtime
// (write it to a file in Node, or set it as innerHTML in a page).
import { ConfigError } from './errors';
import type { History } from './training/types';
import { checkKeys, checkObject, numberInRange, show } from './validate';

/** Options of {@link plotHistory}; every one is optional. */
export interface PlotOptions {
  /** Pixel width of the whole figure. Default 720. */
  width?: number;
  /** Pixel height of each panel. Default 260. */
  panelHeight?: number;
  /** A title above the panels. */
  title?: string;
}

interface Series {
  label: string;
  values: readonly number[];
  color: string;
  dashed: boolean;
}

const COLORS = { train: '#1f77b4', validation: '#d62728' };
const SERIES_KEYS = ['loss', 'valLoss', 'accuracy', 'valAccuracy', 'mae', 'valMae', 'mse', 'valMse'] as const;

/**
 * Loss curves (training and validation) in one panel and, when recorded, accuracy, mae and mse in
 * panels below, as an SVG document.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { Network, dense, plotHistory } from 'wasmnet';
 *
 * const net = new Network({ inputSize: 2, layers: [dense(4, { activation: 'tanh' }), dense(1, { activation: 'sigmoid' })], loss: 'binaryCrossentropy', seed: 1 });
 * const history = await net.fit([[0, 0], [0, 1], [1, 0], [1, 1]], [[0], [1], [1], [0]], { epochs: 50 });
 * writeFileSync('history.svg', plotHistory(history, { title: 'XOR' }));
 * ```
 */
export function plotHistory(history: History, options: PlotOptions = {}): string {
  checkObject(history, 'plotHistory: history');
  for (const key of SERIES_KEYS) {
    const values: unknown = history[key];
    if (values !== undefined && !(Array.isArray(values) && values.every((v) => typeof v === 'number'))) {
      throw new ConfigError(`plotHistory: history.${key} must be an array of numbers, got ${show(values)}`);
    }
  }
  checkObject(options, 'plotHistory: options');
  checkKeys(options, ['width', 'panelHeight', 'title'], 'plotHistory: options');
  const size = (value: unknown, name: string, fallback: number): number => (value === undefined ? fallback : numberInRange(value, `plotHistory: options.${name}`, 1, 1e5, true));
  const width = size(options.width, 'width', 720);
  const panelHeight = size(options.panelHeight, 'panelHeight', 260);
  if (options.title !== undefined && typeof options.title !== 'string') {
    throw new ConfigError(`plotHistory: options.title must be a string, got ${show(options.title)}`);
  }
  const panels: { title: string; series: Series[] }[] = [];
  const add = (title: string, train: readonly number[] | undefined, validation: readonly number[] | undefined) => {
    const series: Series[] = [];
    if (train?.length) series.push({ label: 'training', values: train, color: COLORS.train, dashed: false });
    if (validation?.length) series.push({ label: 'validation', values: validation, color: COLORS.validation, dashed: true });
    if (series.length > 0) panels.push({ title, series });
  };
  add('loss', history.loss, history.valLoss);
  add('accuracy', history.accuracy, history.valAccuracy);
  add('mae', history.mae, history.valMae);
  add('mse', history.mse, history.valMse);

  const top = options.title ? 34 : 8;
  const height = top + panels.length * panelHeight;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
  ];
  if (options.title) parts.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="600">${escapeXml(options.title)}</text>`);
  panels.forEach((panel, i) => parts.push(renderPanel(panel.title, panel.series, 0, top + i * panelHeight, width, panelHeight)));
  parts.push('</svg>');
  return parts.join('\n');
}

function renderPanel(title: string, series: Series[], x0: number, y0: number, width: number, height: number): string {
  const left = x0 + 62;
  const right = x0 + width - 18;
  const topY = y0 + 26;
  const bottom = y0 + height - 36;
  // The value range over the finite values (non-finite ones are left out of the curves). A
  // range too narrow to divide into ticks (one value, or a few ulps) is widened around its
  // middle; halves keep every difference finite even for values near ±Number.MAX_VALUE.
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) {
    for (const v of s.values) {
      if (!Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (lo > hi) {
    lo = 0;
    hi = 1;
  }
  const mid = lo / 2 + hi / 2;
  if (!(hi / 2 - lo / 2 > Math.abs(mid) * 1e-9)) {
    const pad = Math.max(0.5, Math.abs(mid) * 1e-6);
    lo = Math.max(mid - pad, -Number.MAX_VALUE);
    hi = Math.min(mid + pad, Number.MAX_VALUE);
  }
  const epochs = Math.max(...series.map((s) => s.values.length));
  const xOf = (i: number) => (epochs === 1 ? (left + right) / 2 : left + ((right - left) * i) / (epochs - 1));
  const yOf = (v: number) => bottom - (bottom - topY) * ((v / 2 - lo / 2) / (hi / 2 - lo / 2));
  const out: string[] = [`<g>`, `<text x="${left}" y="${y0 + 16}" font-weight="600">${escapeXml(title)}</text>`];
  // axes, y grid and ticks
  for (const v of ticks(lo, hi, 5)) {
    const y = yOf(v).toFixed(1);
    out.push(`<line x1="${left}" x2="${right}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" fill="#555">${formatTick(v)}</text>`);
  }
  out.push(`<line x1="${left}" x2="${left}" y1="${topY}" y2="${bottom}" stroke="#333"/>`);
  out.push(`<line x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}" stroke="#333"/>`);
  for (const e of ticks(1, Math.max(epochs, 2), 6).filter((t) => Number.isInteger(t) && t <= epochs)) {
    const x = xOf(e - 1).toFixed(1);
    out.push(`<line x1="${x}" x2="${x}" y1="${bottom}" y2="${bottom + 4}" stroke="#333"/>`);
    out.push(`<text x="${x}" y="${bottom + 16}" text-anchor="middle" fill="#555">${e}</text>`);
  }
  out.push(`<text x="${(left + right) / 2}" y="${bottom + 31}" text-anchor="middle" fill="#555">epoch</text>`);
  // curves and legend
  series.forEach((s, k) => {
    const points = s.values.map((v, i) => (Number.isFinite(v) ? `${xOf(i).toFixed(1)},${yOf(v).toFixed(1)}` : '')).filter(Boolean);
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2"${dash} points="${points.join(' ')}"/>`);
    if (points.length === 1) out.push(`<circle cx="${points[0]!.split(',')[0]}" cy="${points[0]!.split(',')[1]}" r="3" fill="${s.color}"/>`);
    const lx = right - 150 + k * 80;
    out.push(`<line x1="${lx}" x2="${lx + 18}" y1="${y0 + 12}" y2="${y0 + 12}" stroke="${s.color}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${lx + 22}" y="${y0 + 16}">${s.label}</text>`);
  });
  out.push('</g>');
  return out.join('\n');
}

/** About `count` round tick values covering [lo, hi] (lo < hi, both finite). Ticks are
 *  counted by index, so no step is ever too small to move a value. */
function ticks(lo: number, hi: number, count: number): number[] {
  const raw = ((hi / 2 - lo / 2) / count) * 2;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  const last = Math.floor(hi / step + 1e-9);
  for (let i = Math.ceil(lo / step); i <= last && out.length <= 2 * count + 2; i++) {
    const v = Number((i * step).toPrecision(12));
    if (Number.isFinite(v)) out.push(v);
  }
  return out;
}

function formatTick(v: number): string {
  return Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(1) : String(Number(v.toPrecision(4)));
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
