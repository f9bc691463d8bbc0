// Compiles runtime/exec/wasm/folds.wat into folds-binary.ts (the module's bytes, base64), which
// the runtime loads: bundles carry no WebAssembly toolchain. `--check` fails when the committed
// bytes are not those of the .wat (CI runs it through test/runtime/exec/wasm-folds.test.ts).
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import wabtInit from "wabt";

const dir = fileURLToPath(new URL("../runtime/exec/wasm/", import.meta.url));

/** The TypeScript module holding the compiled bytes of folds.wat. */
export async function foldsModuleSource() {
  const wabt = await wabtInit();
  const wat = wabt.parseWat("folds.wat", readFileSync(`${dir}folds.wat`, "utf8"));
  try {
    wat.validate();
    const { buffer } = wat.toBinary({});
    const base64 = Buffer.from(buffer).toString("base64");
    return `// Generated from folds.wat by \`npm run build:wasm\`; do not edit.\nexport const FOLDS_WASM_BASE64 =\n  "${base64}";\n`;
  } finally {
    wat.destroy();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const source = await foldsModuleSource();
  const target = `${dir}folds-binary.ts`;
  if (process.argv.includes("--check")) {
    if (readFileSync(target, "utf8") !== source) {
      console.error(`${target} is not folds.wat's build: run npm run build:wasm`);
      process.exit(1);
    }
  } else writeFileSync(target, source);
}
