import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import {
  PLAN_UNDERLAY_COLUMNS,
  POSTGRES_TABLES,
  type PlanUnderlayColumn,
} from '@geostream/sinks/names';
import type { UnderlayMediaType } from './underlay-image';
import type { AffineTransform, ControlPoint } from './underlay-placement';

/**
 * Site drawings in PostgreSQL (plan_underlay, created by the sinks' migration
 * 0003_plan_underlay). The only table the dashboard writes: the writes go through the drawings
 * writer (src/database.ts, the drawings role), the reads through the read-only connections.
 * Listing never reads the image bytes; the image is read alone, by id.
 */
export interface UnderlayMeta {
  readonly id: string;
  readonly name: string;
  readonly media_type: UnderlayMediaType;
  readonly image_sha256: string;
  readonly image_bytes: number;
  readonly width: number;
  readonly height: number;
  readonly transform: AffineTransform;
  readonly control_points: readonly ControlPoint[] | null;
  readonly opacity: number;
  readonly created_at: Date;
  readonly updated_at: Date;
}

export interface NewUnderlay {
  readonly name: string;
  readonly mediaType: UnderlayMediaType;
  readonly image: Buffer;
  readonly width: number;
  readonly height: number;
  readonly transform: AffineTransform;
  readonly controlPoints: readonly ControlPoint[] | null;
  readonly opacity: number;
}

export interface UnderlayChange {
  readonly name?: string;
  readonly opacity?: number;
  readonly transform?: AffineTransform;
  readonly controlPoints?: readonly ControlPoint[] | null;
}

/** Every column but the image itself. */
const META_COLUMNS = PLAN_UNDERLAY_COLUMNS.filter(
  (column): column is Exclude<PlanUnderlayColumn, 'image'> => column !== 'image',
);

const table = (db: Knex) => db(POSTGRES_TABLES.planUnderlay);

/** Most recently created last: drawn in that order, so a newer drawing lies on top. */
export async function listUnderlays(db: Knex): Promise<UnderlayMeta[]> {
  return (await table(db)
    .select(META_COLUMNS)
    .orderBy([
      { column: 'created_at', order: 'asc' },
      { column: 'id', order: 'asc' },
    ])) as UnderlayMeta[];
}

export async function findUnderlay(db: Knex, id: string): Promise<UnderlayMeta | undefined> {
  return (await table(db).select(META_COLUMNS).where({ id }).first()) as UnderlayMeta | undefined;
}

export async function readUnderlayImage(
  db: Knex,
  id: string,
): Promise<{ image: Buffer; media_type: UnderlayMediaType; image_sha256: string } | undefined> {
  return (await table(db).select('image', 'media_type', 'image_sha256').where({ id }).first()) as
    { image: Buffer; media_type: UnderlayMediaType; image_sha256: string } | undefined;
}

export async function insertUnderlay(db: Knex, underlay: NewUnderlay): Promise<UnderlayMeta> {
  const [row] = (await table(db)
    .insert({
      name: underlay.name,
      media_type: underlay.mediaType,
      image: underlay.image,
      image_sha256: createHash('sha256').update(underlay.image).digest('hex'),
      image_bytes: underlay.image.length,
      width: underlay.width,
      height: underlay.height,
      transform: [...underlay.transform],
      control_points:
        underlay.controlPoints === null ? null : JSON.stringify(underlay.controlPoints),
      opacity: underlay.opacity,
    })
    .returning(META_COLUMNS)) as UnderlayMeta[];
  return row as UnderlayMeta;
}

export async function updateUnderlay(
  db: Knex,
  id: string,
  change: UnderlayChange,
): Promise<UnderlayMeta | undefined> {
  const [row] = (await table(db)
    .where({ id })
    .update({
      ...(change.name !== undefined && { name: change.name }),
      ...(change.opacity !== undefined && { opacity: change.opacity }),
      ...(change.transform !== undefined && { transform: [...change.transform] }),
      ...(change.controlPoints !== undefined && {
        control_points: change.controlPoints === null ? null : JSON.stringify(change.controlPoints),
      }),
      updated_at: db.fn.now(),
    })
    .returning(META_COLUMNS)) as UnderlayMeta[];
  return row;
}

export async function deleteUnderlay(db: Knex, id: string): Promise<boolean> {
  return (await table(db).where({ id }).delete()) > 0;
}
