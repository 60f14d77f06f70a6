// `npm run bench:console`: builds the agent console and measures its first load's JavaScript,
// compressed as CloudFront serves it; exits non-zero over the 200 KB budget.
import { ensureConsoleBuilt, CONSOLE_DIST_DIR } from '#lib/local-cloud/console-assets';
import { FIRST_LOAD_JS_BUDGET_BYTES, measureFirstLoad } from '#test/bench/console-size';

ensureConsoleBuilt({ log: (line) => console.log(line) });
const size = measureFirstLoad(CONSOLE_DIST_DIR);
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
for (const f of size.files)
  console.log(`  ${f.path.padEnd(48)} ${kb(f.raw).padStart(10)} raw ${kb(f.gzip).padStart(10)} gzip ${kb(f.brotli).padStart(10)} brotli`);
console.log(
  `console first-load JavaScript: ${kb(size.raw)} raw, ${kb(size.gzip)} gzip, ${kb(size.brotli)} brotli (budget ${kb(FIRST_LOAD_JS_BUDGET_BYTES)} compressed)`,
);
if (size.gzip > FIRST_LOAD_JS_BUDGET_BYTES) {
  console.error(`Over budget by ${kb(size.gzip - FIRST_LOAD_JS_BUDGET_BYTES)} (gzip)`);
  process.exit(1);
}
