// `npm start`: build dist/ when the sources changed since the last build, then run the app.
// Plain JavaScript on purpose: it must run on a production install (`npm ci --omit=dev`).
import { pathToFileURL } from "node:url";
import { ensureBuild } from "./build.mjs";

await import(pathToFileURL(ensureBuild("src/main.ts")).href);
