// Leadline as the benchmarks run it: the real app in its own process, reporting its port.
import { createLeadline } from "../src/app.js";
import { loadConfig } from "../src/config.js";

const leadline = await createLeadline(loadConfig(), {});
const port = await leadline.start();
process.send?.({ ready: true, port });
process.on("SIGTERM", () => {
  void leadline.stop().then(() => process.exit(0));
});
