import { HOUR_MS } from './math';

/**
 * A tunnel drive across the site: a straight alignment, and a face that advances along it at a
 * steady rate. Ground movements of nearby instruments follow the face. The drive repeats so a
 * demo can run for days: after the face has left the site, the ground recovers linearly over a
 * tenth of the cycle (a simulation convenience, documented in the README), then a new drive
 * starts.
 */
export interface Point {
  readonly easting: number;
  readonly northing: number;
}

export interface TunnelDrive {
  readonly start: Point;
  readonly end: Point;
  readonly lengthM: number;
  /** How far before chainage 0 the face starts, and past the end it stops. */
  readonly runoutM: number;
  readonly advanceMPerMs: number;
  readonly driveMs: number;
  readonly recoveryMs: number;
  readonly cycleMs: number;
  /** Shifts the cycle so that each seed catches the drive at a different point. */
  readonly phaseMs: number;
}

export interface TunnelProgress {
  /** Chainage of the face in metres from the start of the alignment. */
  readonly faceChainageM: number;
  /** 1 while driving; falls linearly to 0 over the recovery phase. */
  readonly recovery: number;
}

export function createTunnelDrive(options: {
  start: Point;
  end: Point;
  advanceMPerHour: number;
  phaseFraction: number;
  runoutM?: number;
}): TunnelDrive {
  const lengthM = Math.hypot(
    options.end.easting - options.start.easting,
    options.end.northing - options.start.northing,
  );
  const runoutM = options.runoutM ?? 300;
  const advanceMPerMs = options.advanceMPerHour / HOUR_MS;
  const driveMs = (lengthM + 2 * runoutM) / advanceMPerMs;
  const recoveryMs = driveMs / 9; // a tenth of the whole cycle
  const cycleMs = driveMs + recoveryMs;
  return {
    start: options.start,
    end: options.end,
    lengthM,
    runoutM,
    advanceMPerMs,
    driveMs,
    recoveryMs,
    cycleMs,
    phaseMs: options.phaseFraction * cycleMs,
  };
}

function cyclePosition(drive: TunnelDrive, timeMs: number): number {
  const shifted = (timeMs + drive.phaseMs) % drive.cycleMs;
  return shifted < 0 ? shifted + drive.cycleMs : shifted;
}

export function tunnelProgressAt(drive: TunnelDrive, timeMs: number): TunnelProgress {
  const u = cyclePosition(drive, timeMs);
  if (u < drive.driveMs) {
    return { faceChainageM: -drive.runoutM + u * drive.advanceMPerMs, recovery: 1 };
  }
  return {
    faceChainageM: drive.lengthM + drive.runoutM,
    recovery: 1 - (u - drive.driveMs) / drive.recoveryMs,
  };
}

/** The first time at or after `afterMs` when the face stands at `chainageM` (tests, demos). */
export function timeFaceReaches(drive: TunnelDrive, chainageM: number, afterMs: number): number {
  const offsetInCycle = (chainageM + drive.runoutM) / drive.advanceMPerMs;
  const cycleStart = afterMs - cyclePosition(drive, afterMs);
  const candidate = cycleStart + offsetInCycle;
  return candidate >= afterMs ? candidate : candidate + drive.cycleMs;
}

/** Where a point lies relative to the alignment: along it (chainage) and across it (offset). */
export function alignmentCoordinates(
  drive: TunnelDrive,
  point: Point,
): { chainageM: number; offsetM: number } {
  const dx = (drive.end.easting - drive.start.easting) / drive.lengthM;
  const dy = (drive.end.northing - drive.start.northing) / drive.lengthM;
  const px = point.easting - drive.start.easting;
  const py = point.northing - drive.start.northing;
  return { chainageM: px * dx + py * dy, offsetM: -px * dy + py * dx };
}

/** The point at a chainage and a (left-positive) offset from the alignment. */
export function pointOnAlignment(drive: TunnelDrive, chainageM: number, offsetM: number): Point {
  const dx = (drive.end.easting - drive.start.easting) / drive.lengthM;
  const dy = (drive.end.northing - drive.start.northing) / drive.lengthM;
  return {
    easting: drive.start.easting + chainageM * dx - offsetM * dy,
    northing: drive.start.northing + chainageM * dy + offsetM * dx,
  };
}
