import { CURRENT_STATES } from '../src/plan/current-state';
import { INSTRUMENT_TYPES } from './format';
import type { PlanData } from './plan-data';
import { STATE_COLOURS, TYPE_SYMBOLS, addSymbol } from './plan-symbols';
import { buildSpatialGrid, insidePolygon, type SpatialGrid } from './spatial-grid';

/**
 * The plan's drawing surface: site drawings under every instrument, on a canvas 2D (one path per
 * state and type, worst states drawn last so an alarm is never hidden under normal ones),
 * device-pixel-ratio aware. Pan by dragging, zoom with the wheel about the cursor, fit to the
 * site; hover and lasso through a spatial grid. Redraws only when something changed, in a
 * requestAnimationFrame. The site -> CSS-pixel transform of the last frame is published on the
 * canvas as data-transform ("s,0,tx,0,-s,ty": x = s*E + tx, y = -s*N + ty) and the time the
 * frame took as data-render-ms.
 */
export interface PlacedDrawing {
  readonly image: HTMLImageElement;
  readonly width: number;
  readonly height: number;
  /** Image -> site: easting = a*x + b*y + c, northing = d*x + e*y + f. */
  readonly transform: readonly [number, number, number, number, number, number];
  readonly opacity: number;
}

export interface PlanCanvasEvents {
  open(index: number): void;
  hover(index: number | undefined, clientX: number, clientY: number): void;
  select(indices: number[]): void;
  pointer(easting: number, northing: number): void;
}

const RADIUS = 4.5;
const HIT_PX = 9;
const FLASH_MS = 6_000;
const FIT_PADDING_PX = 30;
const INTERACTION_SETTLE_MS = 150;

export class PlanCanvas {
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private data: PlanData | undefined;
  private grid: SpatialGrid | undefined;
  private drawings: PlacedDrawing[] = [];
  private scale = 1;
  private centreE = 0;
  private centreN = 0;
  private widthCss = 0;
  private heightCss = 0;
  private dpr = 1;
  private frame: number | undefined;
  private fitted = false;
  private hovered: number | undefined;
  private lasso: Array<[number, number]> | undefined;
  private readonly flashes = new Map<number, number>();
  readonly visibleTypes = new Set(INSTRUMENT_TYPES.map((_, i) => i));
  readonly visibleStates = new Set(CURRENT_STATES.map((_, i) => i));
  selection = new Set<number>();
  lassoMode = false;
  private readonly resizeObserver: ResizeObserver;
  /**
   * The last full frame's points and drawings, and the view it was drawn with. While the user
   * zooms or pans, frames scale and shift this bitmap (a few ms whatever the instrument count)
   * and the full frame follows once the interaction pauses for INTERACTION_SETTLE_MS.
   */
  private layer:
    { canvas: HTMLCanvasElement; s: number; tx: number; ty: number; version: number } | undefined;
  private contentVersion = 0;
  private interactingUntil = 0;
  private settleTimer: number | undefined;
  private frameCount = 0;
  private readonly buckets: number[][] = Array.from(
    { length: CURRENT_STATES.length * INSTRUMENT_TYPES.length },
    () => [],
  );

  constructor(
    private readonly host: HTMLElement,
    private readonly events: PlanCanvasEvents,
  ) {
    this.canvas = document.createElement('canvas');
    this.canvas.id = 'plan-canvas';
    this.canvas.tabIndex = 0;
    host.append(this.canvas);
    this.ctx = this.canvas.getContext('2d', { alpha: false }) as CanvasRenderingContext2D;
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(host);
    this.resize();
    this.listen();
  }

  destroy(): void {
    this.resizeObserver.disconnect();
    window.clearTimeout(this.settleTimer);
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
  }

  setData(data: PlanData, rebuildIndex = true): void {
    this.data = data;
    this.contentVersion += 1;
    if (rebuildIndex) this.grid = buildSpatialGrid(data.easting, data.northing, data.count);
    if (!this.fitted && data.count > 0) this.fit();
    this.requestDraw();
  }

  setDrawings(drawings: PlacedDrawing[]): void {
    this.drawings = drawings;
    this.contentVersion += 1;
    if (!this.fitted && drawings.length > 0) this.fit();
    this.requestDraw();
  }

  /** Something drawn changed (filters): the next frame is a full one. */
  invalidate(): void {
    this.contentVersion += 1;
    this.requestDraw();
  }

  flash(index: number): void {
    this.flashes.set(index, performance.now() + FLASH_MS);
    this.requestDraw();
  }

  isFlashing(index: number): boolean {
    return (this.flashes.get(index) ?? 0) > performance.now();
  }

  /** Shows every visible instrument and every site drawing, with a margin. */
  fit(): void {
    const box = this.siteBounds();
    if (!box || this.widthCss === 0) return;
    const [minE, minN, maxE, maxN] = box;
    const spanE = Math.max(maxE - minE, 1);
    const spanN = Math.max(maxN - minN, 1);
    this.scale = Math.min(
      (this.widthCss - 2 * FIT_PADDING_PX) / spanE,
      (this.heightCss - 2 * FIT_PADDING_PX) / spanN,
    );
    this.centreE = (minE + maxE) / 2;
    this.centreN = (minN + maxN) / 2;
    this.fitted = true;
    this.requestDraw();
  }

  zoomAt(factor: number, x: number, y: number): void {
    this.interacting();
    const [e, n] = this.toSite(x, y);
    this.scale = Math.min(Math.max(this.scale * factor, 1e-6), 1e4);
    // Keep the site point under (x, y) where it was.
    this.centreE = e - (x - this.widthCss / 2) / this.scale;
    this.centreN = n + (y - this.heightCss / 2) / this.scale;
    this.requestDraw();
  }

  panBy(dx: number, dy: number): void {
    this.interacting();
    this.centreE -= dx / this.scale;
    this.centreN += dy / this.scale;
    this.requestDraw();
  }

  private interacting(): void {
    this.interactingUntil = performance.now() + INTERACTION_SETTLE_MS;
    window.clearTimeout(this.settleTimer);
    this.settleTimer = window.setTimeout(() => this.requestDraw(), INTERACTION_SETTLE_MS + 10);
  }

  toScreen(e: number, n: number): [number, number] {
    return [
      (e - this.centreE) * this.scale + this.widthCss / 2,
      this.heightCss / 2 - (n - this.centreN) * this.scale,
    ];
  }

  toSite(x: number, y: number): [number, number] {
    return [
      this.centreE + (x - this.widthCss / 2) / this.scale,
      this.centreN - (y - this.heightCss / 2) / this.scale,
    ];
  }

  isVisible(i: number): boolean {
    const data = this.data;
    return (
      data !== undefined &&
      this.visibleTypes.has(data.type[i] as number) &&
      this.visibleStates.has(data.state[i] as number)
    );
  }

  /** The visible instrument nearest to (x, y) within the hit radius, in CSS pixels. */
  hit(x: number, y: number): number | undefined {
    if (!this.data || !this.grid) return undefined;
    const [e, n] = this.toSite(x, y);
    const r = HIT_PX / this.scale;
    let best: number | undefined;
    let bestD = Infinity;
    for (const i of this.grid.candidates(e - r, n - r, e + r, n + r)) {
      if (!this.isVisible(i)) continue;
      const d = Math.hypot(
        (this.data.easting[i] as number) - e,
        (this.data.northing[i] as number) - n,
      );
      // Ties (same place) go to the worse state: what is drawn on top.
      if (
        d <= r &&
        (d < bestD ||
          (d === bestD &&
            best !== undefined &&
            (this.data.state[i] as number) > (this.data.state[best] as number)))
      ) {
        best = i;
        bestD = d;
      }
    }
    return best;
  }

  requestDraw(): void {
    if (this.frame !== undefined) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = undefined;
      this.draw();
    });
  }

  private sprites: { dpr: number; size: number; images: HTMLCanvasElement[] } | undefined;

  /** One sprite per (state, type), in bucket order (state-major), for this pixel ratio. */
  private spritesFor(dpr: number): { size: number; images: HTMLCanvasElement[] } {
    if (this.sprites?.dpr === dpr) return this.sprites;
    const size = Math.ceil((RADIUS * 2.6 + 2) * dpr);
    const images: HTMLCanvasElement[] = [];
    for (const state of CURRENT_STATES) {
      for (const type of INSTRUMENT_TYPES) {
        const sprite = document.createElement('canvas');
        sprite.width = size;
        sprite.height = size;
        const ctx = sprite.getContext('2d') as CanvasRenderingContext2D;
        ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
        ctx.beginPath();
        addSymbol(ctx, TYPE_SYMBOLS[type], size / dpr / 2, size / dpr / 2, RADIUS);
        ctx.fillStyle = STATE_COLOURS[state];
        ctx.fill();
        ctx.lineWidth = 1;
        ctx.strokeStyle = 'rgba(20, 30, 40, 0.85)';
        ctx.stroke();
        images.push(sprite);
      }
    }
    this.sprites = { dpr, size, images };
    return this.sprites;
  }

  private siteBounds(): [number, number, number, number] | undefined {
    const box = [Infinity, Infinity, -Infinity, -Infinity] as [number, number, number, number];
    const extend = (e: number, n: number): void => {
      box[0] = Math.min(box[0], e);
      box[1] = Math.min(box[1], n);
      box[2] = Math.max(box[2], e);
      box[3] = Math.max(box[3], n);
    };
    const data = this.data;
    if (data) {
      for (let i = 0; i < data.count; i++) {
        if (this.isVisible(i)) extend(data.easting[i] as number, data.northing[i] as number);
      }
    }
    for (const drawing of this.drawings) {
      const [a, b, c, d, e, f] = drawing.transform;
      for (const [x, y] of [
        [0, 0],
        [drawing.width, 0],
        [0, drawing.height],
        [drawing.width, drawing.height],
      ] as const) {
        extend(a * x + b * y + c, d * x + e * y + f);
      }
    }
    return box[0] === Infinity ? undefined : box;
  }

  private resize(): void {
    const rect = this.host.getBoundingClientRect();
    this.widthCss = Math.max(1, Math.floor(rect.width));
    this.heightCss = Math.max(1, Math.floor(rect.height));
    this.dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(this.widthCss * this.dpr);
    this.canvas.height = Math.round(this.heightCss * this.dpr);
    this.canvas.style.width = `${this.widthCss}px`;
    this.canvas.style.height = `${this.heightCss}px`;
    if (!this.fitted) this.fit();
    this.requestDraw();
  }

  private draw(): void {
    const started = performance.now();
    const { ctx, dpr } = this;
    const s = this.scale;
    const tx = this.widthCss / 2 - s * this.centreE;
    const ty = this.heightCss / 2 + s * this.centreN;
    const layer = this.layer;
    const quick =
      performance.now() < this.interactingUntil &&
      layer !== undefined &&
      layer.version === this.contentVersion &&
      layer.canvas.width === this.canvas.width &&
      layer.canvas.height === this.canvas.height;
    if (quick) {
      const k = s / layer.s;
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.fillStyle = '#f4f6f8';
      ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
      ctx.setTransform(k, 0, 0, k, dpr * (tx - k * layer.tx), dpr * (ty - k * layer.ty));
      ctx.drawImage(layer.canvas, 0, 0);
    } else {
      this.drawBase(s, tx, ty);
    }
    const data = this.data;
    const now = performance.now();
    let flashing = false;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    if (data) {
      const ring = (i: number, radius: number, colour: string, width: number) => {
        ctx.beginPath();
        ctx.arc(
          s * (data.easting[i] as number) + tx,
          -s * (data.northing[i] as number) + ty,
          radius,
          0,
          Math.PI * 2,
        );
        ctx.strokeStyle = colour;
        ctx.lineWidth = width;
        ctx.stroke();
      };
      for (const i of this.selection) if (this.isVisible(i)) ring(i, RADIUS + 3.5, '#1f5fa8', 2);
      for (const [i, until] of this.flashes) {
        if (until <= now) {
          this.flashes.delete(i);
          continue;
        }
        flashing = true;
        const phase = (until - now) / 400;
        ring(
          i,
          RADIUS + 6 + 3 * Math.sin(phase),
          STATE_COLOURS[CURRENT_STATES[data.state[i] as number] as (typeof CURRENT_STATES)[number]],
          3,
        );
      }
      if (this.hovered !== undefined && this.isVisible(this.hovered))
        ring(this.hovered, RADIUS + 3, '#000', 1.5);
    }

    if (this.lasso && this.lasso.length > 1) {
      ctx.beginPath();
      const [first, ...rest] = this.lasso as [[number, number], ...Array<[number, number]>];
      ctx.moveTo(first[0], first[1]);
      for (const [x, y] of rest) ctx.lineTo(x, y);
      ctx.closePath();
      ctx.fillStyle = 'rgba(31, 95, 168, 0.12)';
      ctx.fill();
      ctx.setLineDash([5, 4]);
      ctx.strokeStyle = '#1f5fa8';
      ctx.lineWidth = 1.5;
      ctx.stroke();
      ctx.setLineDash([]);
    }
    this.drawScaleBar();

    this.frameCount += 1;
    const dataset = this.canvas.dataset;
    dataset['transform'] = [s, 0, tx, 0, -s, ty].join(',');
    dataset['renderMs'] = (performance.now() - started).toFixed(2);
    dataset['renderKind'] = quick ? 'quick' : 'full';
    dataset['frame'] = String(this.frameCount);
    dataset['settled'] = String(!quick);
    if (flashing) this.requestDraw();
  }

  /** Site drawings and instruments: the part of a frame that the layer keeps. */
  private drawBase(s: number, tx: number, ty: number): void {
    const { ctx, dpr } = this;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = '#f4f6f8';
    ctx.fillRect(0, 0, this.widthCss, this.heightCss);

    for (const drawing of this.drawings) {
      const [a, b, c, d, e, f] = drawing.transform;
      // image -> site -> CSS px -> device px, composed into one canvas transform.
      ctx.save();
      ctx.globalAlpha = drawing.opacity;
      ctx.setTransform(
        dpr * s * a,
        dpr * -s * d,
        dpr * s * b,
        dpr * -s * e,
        dpr * (s * c + tx),
        dpr * (-s * f + ty),
      );
      ctx.drawImage(drawing.image, 0, 0, drawing.width, drawing.height);
      ctx.restore();
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);

    const data = this.data;
    if (data) {
      for (const bucket of this.buckets) bucket.length = 0;
      const margin = RADIUS * 2;
      const types = INSTRUMENT_TYPES.length;
      for (let i = 0; i < data.count; i++) {
        if (!this.isVisible(i)) continue;
        const x = s * (data.easting[i] as number) + tx;
        const y = -s * (data.northing[i] as number) + ty;
        if (
          x < -margin ||
          y < -margin ||
          x > this.widthCss + margin ||
          y > this.heightCss + margin
        ) {
          continue;
        }
        (
          this.buckets[(data.state[i] as number) * types + (data.type[i] as number)] as number[]
        ).push(i);
      }
      // Each symbol is a pre-drawn sprite blitted at a whole device pixel: on a software
      // rasteriser (no GPU on many site laptops) this is several times faster than filling
      // paths of thousands of shapes.
      const sprites = this.spritesFor(dpr);
      const half = sprites.size / 2;
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      const sd = s * dpr;
      const txd = tx * dpr;
      const tyd = ty * dpr;
      for (let bucket = 0; bucket < this.buckets.length; bucket++) {
        const sprite = sprites.images[bucket] as HTMLCanvasElement;
        for (const i of this.buckets[bucket] as number[]) {
          ctx.drawImage(
            sprite,
            Math.round(sd * (data.easting[i] as number) + txd - half),
            Math.round(-sd * (data.northing[i] as number) + tyd - half),
          );
        }
      }
    }
    const layer = this.layer?.canvas ?? document.createElement('canvas');
    if (layer.width !== this.canvas.width || layer.height !== this.canvas.height) {
      layer.width = this.canvas.width;
      layer.height = this.canvas.height;
    }
    const layerCtx = layer.getContext('2d') as CanvasRenderingContext2D;
    layerCtx.drawImage(this.canvas, 0, 0);
    this.layer = { canvas: layer, s, tx, ty, version: this.contentVersion };
  }

  private drawScaleBar(): void {
    const { ctx } = this;
    const target = 120 / this.scale; // metres in ~120 px
    const power = 10 ** Math.floor(Math.log10(target));
    const metres = [5, 2, 1].map((m) => m * power).find((m) => m <= target) ?? power;
    const px = metres * this.scale;
    const x = 16;
    const y = this.heightCss - 16;
    ctx.fillStyle = 'rgba(255,255,255,0.8)';
    ctx.fillRect(x - 6, y - 22, px + 70, 30);
    ctx.strokeStyle = '#1d2733';
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(x, y - 6);
    ctx.lineTo(x, y);
    ctx.lineTo(x + px, y);
    ctx.lineTo(x + px, y - 6);
    ctx.stroke();
    ctx.fillStyle = '#1d2733';
    ctx.font = '12px system-ui, sans-serif';
    ctx.fillText(metres >= 1000 ? `${metres / 1000} km` : `${metres} m`, x + px + 6, y - 2);
  }

  private listen(): void {
    const canvas = this.canvas;
    const local = (event: MouseEvent): [number, number] => {
      const rect = canvas.getBoundingClientRect();
      return [event.clientX - rect.left, event.clientY - rect.top];
    };
    canvas.addEventListener(
      'wheel',
      (event) => {
        event.preventDefault();
        const [x, y] = local(event);
        // deltaY in pixels; some mice report lines or pages instead.
        const unit = event.deltaMode === 1 ? 16 : event.deltaMode === 2 ? this.heightCss : 1;
        this.zoomAt(Math.exp(-event.deltaY * unit * 0.0015), x, y);
      },
      { passive: false },
    );
    let drag: { x: number; y: number; moved: boolean; id: number } | undefined;
    canvas.addEventListener('pointerdown', (event) => {
      if (event.button !== 0) return;
      const [x, y] = local(event);
      try {
        canvas.setPointerCapture(event.pointerId); // keep the drag when the pointer leaves the canvas
      } catch {
        // a pointer that is no longer active (released already): nothing to capture
      }
      if (this.lassoMode || event.shiftKey) {
        this.lasso = [[x, y]];
      } else {
        drag = { x, y, moved: false, id: event.pointerId };
      }
    });
    canvas.addEventListener('pointermove', (event) => {
      const [x, y] = local(event);
      const [e, n] = this.toSite(x, y);
      this.events.pointer(e, n);
      if (this.lasso) {
        this.lasso.push([x, y]);
        this.requestDraw();
        return;
      }
      if (drag) {
        const dx = x - drag.x;
        const dy = y - drag.y;
        if (drag.moved || Math.hypot(dx, dy) > 3) {
          drag.moved = true;
          this.panBy(dx, dy);
          drag.x = x;
          drag.y = y;
        }
        return;
      }
      const hit = this.hit(x, y);
      if (hit !== this.hovered) {
        this.hovered = hit;
        this.requestDraw();
      }
      canvas.style.cursor = hit === undefined ? 'grab' : 'pointer';
      this.events.hover(hit, event.clientX, event.clientY);
    });
    canvas.addEventListener('pointerup', (event) => {
      const [x, y] = local(event);
      if (this.lasso) {
        this.finishLasso();
        return;
      }
      if (drag && !drag.moved) {
        const hit = this.hit(x, y);
        if (hit !== undefined) this.events.open(hit);
      }
      drag = undefined;
    });
    canvas.addEventListener('pointerleave', () => {
      if (this.hovered !== undefined) {
        this.hovered = undefined;
        this.requestDraw();
      }
      this.events.hover(undefined, 0, 0);
    });
    canvas.addEventListener('keydown', (event) => {
      const step = 60;
      const keys: Record<string, () => void> = {
        ArrowLeft: () => this.panBy(step, 0),
        ArrowRight: () => this.panBy(-step, 0),
        ArrowUp: () => this.panBy(0, step),
        ArrowDown: () => this.panBy(0, -step),
        '+': () => this.zoomAt(1.25, this.widthCss / 2, this.heightCss / 2),
        '-': () => this.zoomAt(0.8, this.widthCss / 2, this.heightCss / 2),
      };
      const action = keys[event.key];
      if (action) {
        event.preventDefault();
        action();
      }
    });
  }

  private finishLasso(): void {
    const lasso = this.lasso;
    this.lasso = undefined;
    this.requestDraw();
    if (!lasso || lasso.length < 3 || !this.data || !this.grid) return;
    const polygon = lasso.map(([x, y]) => this.toSite(x, y));
    const es = polygon.map(([e]) => e);
    const ns = polygon.map(([, n]) => n);
    const selected: number[] = [];
    for (const i of this.grid.candidates(
      Math.min(...es),
      Math.min(...ns),
      Math.max(...es),
      Math.max(...ns),
    )) {
      if (
        this.isVisible(i) &&
        insidePolygon(this.data.easting[i] as number, this.data.northing[i] as number, polygon)
      ) {
        selected.push(i);
      }
    }
    this.events.select(selected);
  }
}
