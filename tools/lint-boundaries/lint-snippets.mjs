// Lints code snippets as if they were files at the given paths, with the workspace's real
// eslint.config.mjs and Nx project graph. Runs outside Jest because ESLint loads its ESM config
// with a dynamic import that Jest's module sandbox does not support.
// stdin: [{ "file": "libs/x/src/a.ts", "code": "..." }]; stdout: [["rule-id", ...], ...]
import { ESLint } from 'eslint';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const workspaceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const eslint = new ESLint({ cwd: workspaceRoot });
let input = '';
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const { file, code } of JSON.parse(input)) {
  const [result] = await eslint.lintText(code, { filePath: path.join(workspaceRoot, file) });
  results.push((result?.messages ?? []).map((m) => m.ruleId ?? `fatal: ${m.message}`));
}
process.stdout.write(JSON.stringify(results));
