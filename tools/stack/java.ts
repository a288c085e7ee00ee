import { realpathSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { StackContext } from './context';

/** JAVA_HOME if set, otherwise the home of the `java` on PATH (Java 17 on these machines). */
export function javaHomeFor(context: StackContext): string {
  if (context.settings.javaHome) return context.settings.javaHome;
  const which = spawnSync('sh', ['-c', 'command -v java'], { encoding: 'utf8' }).stdout.trim();
  if (!which)
    throw new Error(
      'Java 17+ is required (java not found on PATH); set JAVA_HOME or install a JDK.',
    );
  return path.resolve(path.dirname(realpathSync(which)), '..');
}

export function javaBinary(context: StackContext): string {
  return path.join(javaHomeFor(context), 'bin/java');
}
