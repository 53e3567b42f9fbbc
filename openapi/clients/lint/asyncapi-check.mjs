// Parses openapi/asyncapi.json with the official AsyncAPI parser (its
// schema and semantic rules) and fails on any error or warning.
// Usage: node asyncapi-check.mjs FILE
import { Parser } from "@asyncapi/parser";
import fs from "node:fs";

const { document, diagnostics } = await new Parser().parse(fs.readFileSync(process.argv[2], "utf8"));
const severities = ["error", "warning", "info", "hint"];
for (const d of diagnostics) console.log(`${severities[d.severity]} ${d.code}: ${d.message} at ${d.path.join("/")}`);
const failing = diagnostics.filter((d) => d.severity <= 1);
console.log(document ? `asyncapi: ${document.channels().length} channels, ${document.operations().length} operations` : "asyncapi: invalid");
process.exit(document && failing.length === 0 ? 0 : 1);
