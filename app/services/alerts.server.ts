// Route modules reach use-cases through `.server.ts` modules so the browser build never follows them into
// Node-only code (the alerts use-case imports the notifiers, which use node:net for the SSRF guard).
export { acknowledgeAlert } from "../../infrastructure/alerts/acknowledge.ts";
