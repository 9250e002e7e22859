import forms from "@tailwindcss/forms";
import headlessui from "@headlessui/tailwindcss";
import type { Config } from "tailwindcss";

// Tremor's chart colours are built from class names at run time, so the ones Sentinel uses are safelisted.
// Listing only these colours (not Tremor's full palette) keeps the stylesheet small.
const chartColors = ["blue", "violet", "amber", "emerald", "rose", "gray", "cyan", "indigo"];
const shades = ["500"];

export default {
  content: ["./app/**/*.{ts,tsx}", "./node_modules/@tremor/**/*.{js,ts,jsx,tsx}"],
  theme: {
    transparent: "transparent",
    current: "currentColor",
    extend: {
      colors: {
        tremor: {
          brand: { faint: "#eff6ff", muted: "#bfdbfe", subtle: "#60a5fa", DEFAULT: "#3b82f6", emphasis: "#1d4ed8", inverted: "#ffffff" },
          background: { muted: "#f9fafb", subtle: "#f3f4f6", DEFAULT: "#ffffff", emphasis: "#374151" },
          border: { DEFAULT: "#e5e7eb" },
          ring: { DEFAULT: "#e5e7eb" },
          content: { subtle: "#9ca3af", DEFAULT: "#6b7280", emphasis: "#374151", strong: "#111827", inverted: "#ffffff" },
        },
      },
      boxShadow: {
        "tremor-input": "0 1px 2px 0 rgb(0 0 0 / 0.05)",
        "tremor-card": "0 1px 3px 0 rgb(0 0 0 / 0.1), 0 1px 2px -1px rgb(0 0 0 / 0.1)",
        "tremor-dropdown": "0 4px 6px -1px rgb(0 0 0 / 0.1), 0 2px 4px -2px rgb(0 0 0 / 0.1)",
      },
      borderRadius: { "tremor-small": "0.375rem", "tremor-default": "0.5rem", "tremor-full": "9999px" },
      fontSize: {
        "tremor-label": ["0.75rem", { lineHeight: "1rem" }],
        "tremor-default": ["0.875rem", { lineHeight: "1.25rem" }],
        "tremor-title": ["1.125rem", { lineHeight: "1.75rem" }],
        "tremor-metric": ["1.875rem", { lineHeight: "2.25rem" }],
      },
    },
  },
  safelist: chartColors.flatMap((color) =>
    shades.flatMap((shade) => [
      `bg-${color}-${shade}`,
      `border-${color}-${shade}`,
      `hover:bg-${color}-${shade}`,
      `text-${color}-${shade}`,
      `fill-${color}-${shade}`,
      `ring-${color}-${shade}`,
      `stroke-${color}-${shade}`,
    ]),
  ),
  plugins: [headlessui, forms],
} satisfies Config;
