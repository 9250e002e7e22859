// Routes reach the alert settings use-cases through this module (the evaluation module they share is server-only).
export { alertSettingsFromForm, readAlertSettings, saveAlertSettings } from "../../infrastructure/alerts/alert-settings.ts";
