// The Excel functions in Pyodide, the runtime of xlwings Lite, under Node (.ci/pyodide.sh runs this).
//
//   node tests/lite/pyodide.mjs PYODIDE_DIR WHEEL_DIR REPO CLASSIC_JSON
//
// PYODIDE_DIR is the npm package `pyodide` (its interpreter and standard library; it holds no other
// packages, and Pyodide's CDN is not used). Every wheel in WHEEL_DIR (the project's pure wheel and its
// dependencies' wheels from PyPI) is unpacked into Pyodide's site-packages, as micropip would install it.
// From REPO only the test's own files are copied in: the package is the one of its wheel. Python then
// computes every case of tests/lite/cases.py through xlwings' Office.js path and compares the cells
// with CLASSIC_JSON (the classic results from CPython: tests/lite/run.py classic).
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, wheelDir, repo, classicJson] = process.argv.slice(2);
if (!classicJson) {
  console.error("usage: node tests/lite/pyodide.mjs PYODIDE_DIR WHEEL_DIR REPO CLASSIC_JSON");
  process.exit(2);
}
const { loadPyodide } = await import(pathToFileURL(join(pyodideDir, "pyodide.mjs")).href);
const stderr = [];
const pyodide = await loadPyodide({
  indexURL: pyodideDir.endsWith("/") ? pyodideDir : `${pyodideDir}/`,
  stdout: (line) => console.log(line),
  stderr: (line) => { stderr.push(line); console.error(line); },
});

const copy = (from, to) => {
  pyodide.FS.mkdirTree(to.slice(0, to.lastIndexOf("/")));
  pyodide.FS.writeFile(to, readFileSync(from));
};
for (const name of readdirSync(wheelDir).filter((name) => name.endsWith(".whl"))) {
  copy(join(wheelDir, name), `/wheels/${name}`);
}
for (const path of ["tests/lite/officejs.py", "tests/lite/cases.py", "tests/lite/run.py", "tests/lite/in_pyodide.py",
                    "bench/generate.py", "addin/lite/main.py"]) {
  copy(join(repo, path), `/repo/${path}`);
}
copy(classicJson, "/repo/classic.json");

const [checks, failed] = (await pyodide.runPythonAsync(`
import sys
sys.path.insert(0, "/repo/tests/lite")
import in_pyodide
await in_pyodide.main("/wheels", "/repo/classic.json")
`)).toJs();
// the error boundary sent the traceback of the internal error that in_pyodide provoked to stderr
const traced = stderr.some((line) => line.includes("RuntimeError: provoked by the test"));
console.log(`pyodide: the internal error's traceback is on stderr: ${traced ? "ok" : "FAILED"}`);
const failures = failed + (traced ? 0 : 1);
console.log(`pyodide: ${checks + 1 - failures} passed, ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
