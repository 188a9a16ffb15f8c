// Copy the prebuilt browser bundles of bpmn-js and dmn-js into static/vendor (served by the platform).
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "static", "vendor");
rmSync(out, { recursive: true, force: true });
for (const pkg of ["bpmn-js", "dmn-js"]) {
  mkdirSync(join(out, pkg), { recursive: true });
  cpSync(join(root, "node_modules", pkg, "dist"), join(out, pkg), { recursive: true });
}
console.log("static/vendor: bpmn-js, dmn-js copied");
