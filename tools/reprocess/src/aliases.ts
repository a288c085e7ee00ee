import type { Client } from '@elastic/elasticsearch';
import { indicesOf } from './names';
import { ReprocessError } from './errors';

export type AliasAction =
  | { readonly remove: { readonly index: string; readonly alias: string } }
  | { readonly add: { readonly index: string; readonly alias: string } };

/**
 * The actions of the one `_aliases` call that moves every reader alias `<readPrefix>-<type>` to
 * `<versionPrefix>-<type>`: Elasticsearch applies them atomically, so a search sees the old
 * indices or the new ones, never none. `pointedAt` is where each alias points now.
 */
export function aliasActions(
  readPrefix: string,
  versionPrefix: string,
  pointedAt: ReadonlyMap<string, readonly string[]>,
): AliasAction[] {
  const targets = new Map(indicesOf(versionPrefix).map((i) => [i.type, i.name]));
  const actions: AliasAction[] = [];
  for (const { type, name: alias } of indicesOf(readPrefix)) {
    for (const index of pointedAt.get(alias) ?? []) actions.push({ remove: { index, alias } });
    actions.push({ add: { index: targets.get(type) ?? '', alias } });
  }
  return actions;
}

/** Where each reader alias points now (an alias that does not exist yet points nowhere). */
async function aliasTargets(es: Client, readPrefix: string): Promise<Map<string, string[]>> {
  const names = indicesOf(readPrefix).map((i) => i.name);
  const answer = await es.indices.getAlias({ name: names }, { ignore: [404] });
  const pointedAt = new Map<string, string[]>();
  for (const [index, entry] of Object.entries(answer as Record<string, { aliases?: object }>)) {
    for (const alias of Object.keys(entry.aliases ?? {}))
      if (names.includes(alias)) pointedAt.set(alias, [...(pointedAt.get(alias) ?? []), index]);
  }
  return pointedAt;
}

/** Refuses when a concrete index holds a reader alias's name (an alias cannot replace it). */
export async function assertAliasNamesFree(es: Client, readPrefix: string): Promise<void> {
  for (const { name } of indicesOf(readPrefix)) {
    const exists = await es.indices.exists({ index: name });
    if (!exists) continue;
    const alias = await es.indices.existsAlias({ name });
    if (!alias)
      throw new ReprocessError(
        'REPROCESS_NAME_TAKEN',
        `Elasticsearch index ${name} is a concrete index, so it cannot become the readers' alias: ` +
          'choose another READ_ES_INDEX_PREFIX (see tools/reprocess/README.md)',
      );
  }
}

/**
 * Moves every reader alias to the version's indices in one `_aliases` call. A type the version
 * has no window of yet gets its (empty) index created first, from the processor's template, so
 * searches of every type keep answering.
 */
export async function moveAliases(
  es: Client,
  readPrefix: string,
  versionPrefix: string,
): Promise<void> {
  for (const { name } of indicesOf(versionPrefix)) {
    if (!(await es.indices.exists({ index: name })))
      await es.indices.create({ index: name }, { ignore: [400] });
  }
  const actions = aliasActions(readPrefix, versionPrefix, await aliasTargets(es, readPrefix));
  await es.indices.updateAliases({ actions: actions as never });
}
