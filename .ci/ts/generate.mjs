// Generates src/schema.d.ts from the committed openapi/openapi.json, typing binary
// (`format: binary`) fields as Blob, so a frontend passes files as they are.
import fs from "node:fs";
import openapiTS, { astToString } from "openapi-typescript";
import ts from "typescript";

const BLOB = ts.factory.createTypeReferenceNode(ts.factory.createIdentifier("Blob"));
const spec = new URL("../../openapi/openapi.json", import.meta.url);
const ast = await openapiTS(spec, {
  // A default is what the server assumes when a field is left out: optional to send.
  defaultNonNullable: false,
  transform(schema) {
    if (schema.format === "binary") return BLOB;
  },
});
fs.writeFileSync(new URL("./src/schema.d.ts", import.meta.url), astToString(ast));
