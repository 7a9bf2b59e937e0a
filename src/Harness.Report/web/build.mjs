// Builds ../Assets/report-template.html: the page template with the bundled, minified script and styles inlined.
// Run `npm ci && npm run build` after changing anything under src/; commit the output (dotnet build needs no npm).
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';

const here = new URL('.', import.meta.url);
const read = (p) => readFileSync(new URL(p, here), 'utf8');
const uplotLicense = read('node_modules/uplot/LICENSE').trim();
const uplotVersion = JSON.parse(read('node_modules/uplot/package.json')).version;

const js = await build({
  entryPoints: [new URL('src/main.js', here).pathname],
  bundle: true, minify: true, format: 'iife', target: 'es2020', write: false, legalComments: 'none',
  banner: { js: `/*! Bundles uPlot ${uplotVersion} (https://github.com/leeoniya/uPlot):\n${uplotLicense}\n*/` },
});
const css = await build({
  entryPoints: [new URL('src/style.css', here).pathname],
  bundle: true, minify: true, write: false, loader: { '.css': 'css' },
});
const script = js.outputFiles[0].text.trim();
const style = css.outputFiles[0].text.trim();
if (/<\/script/i.test(script) || /<\/style/i.test(style)) throw new Error('bundle contains a closing tag');
const placeholder = '__HARNESS_REPORT_DATA__';
if (script.includes(placeholder) || style.includes(placeholder)) throw new Error('bundle contains the data placeholder');
const template = read('src/template.html');
const html = template.replace('/*@STYLE@*/', () => style).replace('/*@SCRIPT@*/', () => script);
if (html.split(placeholder).length !== 2) throw new Error('template must contain the data placeholder exactly once');
writeFileSync(new URL('../Assets/report-template.html', here), html);
console.log(`report-template.html: ${html.length} bytes (script ${script.length}, style ${style.length})`);
