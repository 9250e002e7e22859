// Routes reach the queues page's use-cases through here, so the browser build never follows them into server code.
export { actOnFailedJobs, loadQueuesOverview } from "../../infrastructure/operations/failed-jobs.ts";
