import http from "node:http";
import { answerOperatorRequest } from "./observability-endpoints.ts";
import type { Services } from "../application/services.ts";

export interface RunningWorkerMetricsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The worker process's only HTTP: /healthz, /readyz and /metrics (behind METRICS_TOKEN, as on the web server). Job
 * durations and outcomes are counted in the process that runs the job, so in the split deployment only the worker
 * can expose them. Plain node:http: no sessions, no Remix, nothing else to attack.
 */
export async function startWorkerMetricsServer(
  services: Pick<Services, "database" | "queue" | "env" | "logger">,
  options: { port: number; host: string },
): Promise<RunningWorkerMetricsServer> {
  const server = http.createServer((request, response) => {
    const send = (status: number, contentType: string, body: string) => {
      response.writeHead(status, { "content-type": contentType, "cache-control": "no-store" });
      response.end(body);
    };
    const path = (request.url ?? "/").split("?")[0] ?? "/";
    if (request.method !== "GET" && request.method !== "HEAD") return send(405, "text/plain", "Only GET.\n");
    const answer = async () => {
      const operator = await answerOperatorRequest(services, path, request.headers.authorization);
      if (operator) return send(operator.status, operator.contentType, operator.body);
      send(404, "text/plain", "Not found: this worker serves /healthz, /readyz and /metrics.\n");
    };
    answer().catch((error: unknown) => {
      services.logger.error({ err: error, path }, "worker metrics request failed");
      if (!response.headersSent) send(500, "text/plain", "Internal error.\n");
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  const displayHost = options.host === "0.0.0.0" ? "localhost" : options.host;
  return {
    url: `http://${displayHost}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
