// The chart thread: draws each chart request it is sent (Vega → SVG → PNG) and posts the PNG back.
// Vega's layout and SVG rendering are synchronous JavaScript: drawn here, they never stall the main
// thread's event loop (Slack acks, Twilio webhooks, database transactions in flight).
import { parentPort, threadId } from "node:worker_threads";
import { type ChartRequest, drawChart } from "../views/charts/stats-chart.js";

parentPort?.on("message", async (message: { id: number; request: ChartRequest }) => {
  try {
    const image = await drawChart(message.request);
    parentPort?.postMessage({ id: message.id, image, threadId });
  } catch (error) {
    parentPort?.postMessage({ id: message.id, error: (error as Error).message });
  }
});
