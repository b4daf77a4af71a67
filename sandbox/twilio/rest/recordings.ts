import { simulatedRecording } from "../recordings.js";
import type { RestRoute } from "./route.js";

/** GET a recording's audio (.mp3, .wav, or no extension), as Leadline downloads it. */
export const recordingRoutes: RestRoute[] = [
  {
    operation: "recording",
    method: "GET",
    path: /^\/Recordings\/(RE[0-9a-f]{32})(\.mp3|\.wav)?$/,
    handle: ({ match }) => ({ status: 200, body: simulatedRecording(match[1]!) }),
  },
];
