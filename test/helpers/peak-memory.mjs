// Preloaded (--import) into a script a test runs: at exit, writes the process's peak resident memory
// (getrusage's maxrss, in kB) to the file LEADLINE_PEAK_MEMORY_FILE names, so a test can bound it.
import { writeFileSync } from "node:fs";

const file = process.env.LEADLINE_PEAK_MEMORY_FILE;
if (file) process.on("exit", () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
