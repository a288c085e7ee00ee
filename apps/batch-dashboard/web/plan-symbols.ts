import type { CurrentState } from '../src/plan/current-state';
import type { InstrumentType } from './types';

/** How the plan draws an instrument: colour by its worst current state, symbol by its type. */
export const STATE_COLOURS: Readonly<Record<CurrentState, string>> = {
  normal: '#2e8b57',
  clock_skew: '#8e44ad',
  no_data: '#98a4b0',
  alert: '#f1c40f',
  alarm: '#e67e22',
  action: '#d62c1a',
};

export const STATE_LABELS: Readonly<Record<CurrentState, string>> = {
  normal: 'normal',
  clock_skew: 'clock skew',
  no_data: 'no data',
  alert: 'alert',
  alarm: 'alarm',
  action: 'action',
};

export type SymbolShape = 'circle' | 'square' | 'triangle' | 'diamond' | 'plus';

export const TYPE_SYMBOLS: Readonly<Record<InstrumentType, SymbolShape>> = {
  water_standpipe: 'circle',
  piezometer: 'square',
  settlement_marker: 'triangle',
  extensometer: 'diamond',
  strain_gauge: 'plus',
};

/** Adds one symbol of half-size r centred on (x, y) to the current path (no beginPath). */
export function addSymbol(
  ctx: CanvasRenderingContext2D,
  shape: SymbolShape,
  x: number,
  y: number,
  r: number,
): void {
  switch (shape) {
    case 'circle':
      ctx.moveTo(x + r, y);
      ctx.arc(x, y, r, 0, Math.PI * 2);
      break;
    case 'square':
      ctx.rect(x - r * 0.9, y - r * 0.9, r * 1.8, r * 1.8);
      break;
    case 'triangle': // pointing down: settlement
      ctx.moveTo(x - r * 1.1, y - r * 0.8);
      ctx.lineTo(x + r * 1.1, y - r * 0.8);
      ctx.lineTo(x, y + r * 1.1);
      ctx.closePath();
      break;
    case 'diamond':
      ctx.moveTo(x, y - r * 1.2);
      ctx.lineTo(x + r * 1.2, y);
      ctx.lineTo(x, y + r * 1.2);
      ctx.lineTo(x - r * 1.2, y);
      ctx.closePath();
      break;
    case 'plus': {
      const a = r * 1.15;
      const b = r * 0.42;
      ctx.moveTo(x - b, y - a);
      ctx.lineTo(x + b, y - a);
      ctx.lineTo(x + b, y - b);
      ctx.lineTo(x + a, y - b);
      ctx.lineTo(x + a, y + b);
      ctx.lineTo(x + b, y + b);
      ctx.lineTo(x + b, y + a);
      ctx.lineTo(x - b, y + a);
      ctx.lineTo(x - b, y + b);
      ctx.lineTo(x - a, y + b);
      ctx.lineTo(x - a, y - b);
      ctx.lineTo(x - b, y - b);
      ctx.closePath();
      break;
    }
  }
}

/** A small canvas with one symbol, for the legend. */
export function symbolSwatch(shape: SymbolShape, colour: string): HTMLCanvasElement {
  const size = 18;
  const dpr = window.devicePixelRatio || 1;
  const canvas = document.createElement('canvas');
  canvas.width = size * dpr;
  canvas.height = size * dpr;
  canvas.className = 'swatch';
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.beginPath();
  addSymbol(ctx, shape, size / 2, size / 2, 5.5);
  ctx.fillStyle = colour;
  ctx.fill();
  ctx.lineWidth = 1;
  ctx.strokeStyle = '#1d2733';
  ctx.stroke();
  return canvas;
}
