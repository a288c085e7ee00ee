import { GeostreamError } from '@geostream/platform';
import { runCommand } from './run';

// The command line: `npm run reprocess -- <command>`. Refusals print their reason and exit 1; a
// verification that fails exits 2.
const tty = process.stdout.isTTY === true;
// On a terminal the progress line is redrawn in place; otherwise one line per sample.
let midLine = false;
const endLine = () => {
  if (midLine) process.stdout.write('\n');
  midLine = false;
};
runCommand(process.argv.slice(2), process.env, {
  out: (line) => {
    endLine();
    process.stdout.write(`${line}\n`);
  },
  status: (line) => {
    if (!tty) return void process.stdout.write(`${line}\n`);
    process.stdout.write(`\r\x1b[2K${line}`);
    midLine = true;
  },
})
  .then(({ exitCode }) => {
    endLine();
    process.exitCode = exitCode;
  })
  .catch((error: unknown) => {
    endLine();
    const code = error instanceof GeostreamError ? `${error.code}: ` : '';
    process.stderr.write(`${code}${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
