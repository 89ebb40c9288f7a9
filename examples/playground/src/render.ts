// Canvas drawing: the decision-boundary heat map with the data points, the loss chart, and the
// data-set thumbnails. Pure functions of their inputs (no state), so a redraw is always whole.
import { GRID, VIEW } from './protocol';

const CLASS0: RGB = [232, 118, 43]; // --class0
const CLASS1: RGB = [42, 110, 187]; // --class1
const TRAIN_LINE = '#1f77b4';
const TEST_LINE = '#d62728';
type RGB = [number, number, number];

/** A canvas sized to its CSS box times the device pixel ratio; returns its context and the scale. */
export function hiDpi(canvas: HTMLCanvasElement): { ctx: CanvasRenderingContext2D; scale: number; width: number; height: number } {
  const scale = Math.min(2, Math.max(1, Math.round(globalThis.devicePixelRatio || 1)));
  const width = canvas.clientWidth || canvas.width; // the CSS box, without the border
  const height = canvas.clientHeight || canvas.height;
  if (canvas.width !== width * scale || canvas.height !== height * scale) {
    canvas.width = width * scale;
    canvas.height = height * scale;
  }
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(scale, 0, 0, scale, 0, 0);
  return { ctx, scale, width, height };
}

export interface PointSet {
  x: Float64Array;
  y: Uint8Array;
}

/** Heat map of P(class 1) (orange → white → blue), the p = 0.5 contour, and the points. */
export function drawHeatmap(canvas: HTMLCanvasElement, grid: Float64Array | null, train: PointSet | null, test: PointSet | null, showTest: boolean): void {
  const { ctx, width, height } = hiDpi(canvas);
  if (grid) {
    // One pixel per grid value in a small canvas, scaled up by drawImage with smoothing (the
    // browser's bilinear filter): the grid's values sit at its cells' centres, as drawImage assumes.
    const field = fieldCanvas(GRID, GRID);
    const fctx = field.getContext('2d')!;
    const image = fctx.createImageData(GRID, GRID);
    const px = image.data;
    const lut = colourTable();
    for (let k = 0; k < GRID * GRID; k++) {
      const v = grid[k]!;
      const c = Math.round((v < 0 ? 0 : v > 1 ? 1 : v) * LEVELS) * 3;
      px[k * 4] = lut[c]!;
      px[k * 4 + 1] = lut[c + 1]!;
      px[k * 4 + 2] = lut[c + 2]!;
      px[k * 4 + 3] = 255;
    }
    fctx.putImageData(image, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(field, 0, 0, width, height);
    contour(ctx, grid, width, height);
  } else {
    ctx.fillStyle = '#f7f7f7';
    ctx.fillRect(0, 0, width, height);
  }

  // Faint axes through the origin.
  ctx.strokeStyle = 'rgba(0, 0, 0, 0.08)';
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(width / 2, 0);
  ctx.lineTo(width / 2, height);
  ctx.moveTo(0, height / 2);
  ctx.lineTo(width, height / 2);
  ctx.stroke();

  const toX = (x: number) => ((x + VIEW) / (2 * VIEW)) * width;
  const toY = (y: number) => ((VIEW - y) / (2 * VIEW)) * height;
  // One path per class and set: two fills and two strokes instead of one per point.
  const dots = (set: PointSet, stroke: string, lineWidth: number) => {
    ctx.lineWidth = lineWidth;
    ctx.strokeStyle = stroke;
    for (const label of [0, 1]) {
      ctx.beginPath();
      for (let i = 0; i < set.y.length; i++) {
        if (set.y[i] !== label) continue;
        const x = toX(set.x[i * 2]!);
        const y = toY(set.x[i * 2 + 1]!);
        ctx.moveTo(x + 3.6, y);
        ctx.arc(x, y, 3.6, 0, 2 * Math.PI);
      }
      ctx.fillStyle = rgb(label === 1 ? CLASS1 : CLASS0);
      ctx.fill();
      ctx.stroke();
    }
  };
  if (train) dots(train, '#ffffff', 1);
  if (test && showTest) dots(test, '#1f2328', 1.3);
}

/** The p = 0.5 line by marching squares over the grid, with crossings placed by linear
 *  interpolation along the cell edges; stroked as one path. */
function contour(ctx: CanvasRenderingContext2D, grid: Float64Array, width: number, height: number): void {
  const sx = width / GRID;
  const sy = height / GRID;
  const at = (r: number, c: number) => grid[r * GRID + c]! - 0.5;
  ctx.beginPath();
  for (let r = 0; r < GRID - 1; r++) {
    for (let c = 0; c < GRID - 1; c++) {
      const a = at(r, c); // top left
      const b = at(r, c + 1); // top right
      const d = at(r + 1, c + 1); // bottom right
      const e = at(r + 1, c); // bottom left
      const index = (a > 0 ? 8 : 0) | (b > 0 ? 4 : 0) | (d > 0 ? 2 : 0) | (e > 0 ? 1 : 0);
      if (index === 0 || index === 15) continue;
      const x0 = (c + 0.5) * sx;
      const y0 = (r + 0.5) * sy;
      // Crossing points on the four edges (top, right, bottom, left).
      const top = (): [number, number] => [x0 + (a / (a - b)) * sx, y0];
      const right = (): [number, number] => [x0 + sx, y0 + (b / (b - d)) * sy];
      const bottom = (): [number, number] => [x0 + (e / (e - d)) * sx, y0 + sy];
      const left = (): [number, number] => [x0, y0 + (a / (a - e)) * sy];
      const segment = (p: [number, number], q: [number, number]) => {
        ctx.moveTo(p[0], p[1]);
        ctx.lineTo(q[0], q[1]);
      };
      const centre = a + b + d + e > 0;
      switch (index) {
        case 1: case 14: segment(left(), bottom()); break;
        case 2: case 13: segment(bottom(), right()); break;
        case 3: case 12: segment(left(), right()); break;
        case 4: case 11: segment(top(), right()); break;
        case 6: case 9: segment(top(), bottom()); break;
        case 7: case 8: segment(left(), top()); break;
        case 5: // top right and bottom left positive
          if (centre) { segment(left(), top()); segment(bottom(), right()); } else { segment(left(), bottom()); segment(top(), right()); }
          break;
        case 10: // top left and bottom right positive
          if (centre) { segment(top(), right()); segment(left(), bottom()); } else { segment(left(), top()); segment(bottom(), right()); }
          break;
      }
    }
  }
  ctx.strokeStyle = 'rgba(45, 49, 56, 0.9)';
  ctx.lineWidth = 1.5;
  ctx.lineJoin = 'round';
  ctx.stroke();
}

let field: HTMLCanvasElement | null = null;
function fieldCanvas(width: number, height: number): HTMLCanvasElement {
  field ??= document.createElement('canvas');
  if (field.width !== width || field.height !== height) {
    field.width = width;
    field.height = height;
  }
  return field;
}

const LEVELS = 1024;
let table: Uint8Array | null = null;
/** shade() at LEVELS + 1 evenly spaced values of p, as r, g, b triples. */
function colourTable(): Uint8Array {
  if (!table) {
    table = new Uint8Array((LEVELS + 1) * 3);
    for (let i = 0; i <= LEVELS; i++) table.set(shade(i / LEVELS), i * 3);
  }
  return table;
}

/** Orange (p = 0) → near-white (0.5) → blue (1), pale enough for the points to stand out. */
function shade(p: number): RGB {
  const t = Math.min(1, Math.abs(2 * p - 1));
  const strength = 0.1 + 0.36 * Math.pow(t, 0.7);
  const base = p >= 0.5 ? CLASS1 : CLASS0;
  const white = 250;
  return [
    Math.round(white + (base[0] - white) * strength),
    Math.round(white + (base[1] - white) * strength),
    Math.round(white + (base[2] - white) * strength),
  ];
}

function rgb(c: RGB): string {
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

export interface Curves {
  epoch: readonly number[];
  loss: readonly number[];
  testLoss: readonly number[];
}

/** Training and test loss against epochs, log-scaled. */
export function drawChart(canvas: HTMLCanvasElement, curves: Curves): void {
  const { ctx, width, height } = hiDpi(canvas);
  ctx.clearRect(0, 0, width, height);
  const left = 48;
  const right = width - 10;
  const top = 22;
  const bottom = height - 26;
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'middle';

  const n = curves.epoch.length;
  const values = [...curves.loss, ...curves.testLoss].filter((v) => Number.isFinite(v) && v > 0);
  let lo = values.length ? Math.min(...values) : 0.01;
  let hi = values.length ? Math.max(...values) : 1;
  lo = Math.max(lo, 1e-6);
  let loExp = Math.floor(Math.log10(lo));
  let hiExp = Math.ceil(Math.log10(hi));
  if (hiExp === loExp) hiExp += 1;
  if (hiExp - loExp > 6) loExp = hiExp - 6;
  const maxEpoch = n > 0 ? Math.max(1, curves.epoch[n - 1]!) : 1;
  const x = (e: number) => left + (e / maxEpoch) * (right - left);
  const y = (v: number) => {
    const l = Math.log10(Math.max(v, 10 ** loExp));
    return bottom - ((l - loExp) / (hiExp - loExp)) * (bottom - top);
  };

  // Grid and axes.
  ctx.strokeStyle = '#eceef1';
  ctx.fillStyle = '#656d76';
  ctx.lineWidth = 1;
  ctx.textAlign = 'right';
  for (let e = loExp; e <= hiExp; e++) {
    const yy = Math.round(y(10 ** e)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(left, yy);
    ctx.lineTo(right, yy);
    ctx.stroke();
    ctx.fillText(e >= -2 ? String(+(10 ** e).toFixed(Math.max(0, -e))) : `1e${e}`, left - 6, yy);
  }
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const e of ticks(maxEpoch)) {
    const xx = Math.round(x(e)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(xx, top);
    ctx.lineTo(xx, bottom);
    ctx.stroke();
    ctx.fillText(String(e), xx, bottom + 5);
  }
  ctx.strokeStyle = '#c8ccd2';
  ctx.beginPath();
  ctx.moveTo(left + 0.5, top);
  ctx.lineTo(left + 0.5, bottom + 0.5);
  ctx.lineTo(right, bottom + 0.5);
  ctx.stroke();
  ctx.textAlign = 'right';
  ctx.fillText('epoch', right, bottom + 5 + 11);

  // Curves (at most about two points per pixel column).
  const stride = Math.max(1, Math.floor(n / ((right - left) * 2)));
  const line = (series: readonly number[], color: string, dash: number[]) => {
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.8;
    ctx.setLineDash(dash);
    ctx.beginPath();
    let started = false;
    for (let i = 0; i < n; i = i + stride < n || i === n - 1 ? i + stride : n - 1) {
      const v = series[i]!;
      if (!Number.isFinite(v)) continue;
      if (started) ctx.lineTo(x(curves.epoch[i]!), y(v));
      else ctx.moveTo(x(curves.epoch[i]!), y(v));
      started = true;
    }
    ctx.stroke();
    ctx.setLineDash([]);
  };
  if (n > 0) {
    line(curves.loss, TRAIN_LINE, []);
    line(curves.testLoss, TEST_LINE, [5, 3]);
  }

  // Legend.
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'left';
  const legend = (label: string, color: string, dash: number[], at: number) => {
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.setLineDash(dash);
    ctx.beginPath();
    ctx.moveTo(at, 9);
    ctx.lineTo(at + 20, 9);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = '#1f2328';
    ctx.fillText(label, at + 25, 9);
  };
  legend('training', TRAIN_LINE, [], left);
  legend('test', TEST_LINE, [5, 3], left + 90);
  if (n === 0) {
    ctx.fillStyle = '#9aa1a9';
    ctx.textAlign = 'center';
    ctx.fillText('press Train to start', (left + right) / 2, (top + bottom) / 2);
  }
}

/** About five round epoch ticks from 0 to max. */
function ticks(max: number): number[] {
  const raw = max / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let e = 0; e <= max + 1e-9; e += step) out.push(+e.toFixed(6));
  return out;
}

/** A data set's points on a small canvas (the data-set buttons). */
export function drawThumbnail(canvas: HTMLCanvasElement, points: PointSet): void {
  const { ctx, width, height } = hiDpi(canvas);
  ctx.fillStyle = '#f7f8fa';
  ctx.fillRect(0, 0, width, height);
  for (let i = 0; i < points.y.length; i++) {
    ctx.fillStyle = rgb(points.y[i] === 1 ? CLASS1 : CLASS0);
    const px = ((points.x[i * 2]! + VIEW) / (2 * VIEW)) * width;
    const py = ((VIEW - points.x[i * 2 + 1]!) / (2 * VIEW)) * height;
    ctx.fillRect(px - 1, py - 1, 2, 2);
  }
}
