/** A percentage already scaled to 0–100, as the repository page's charts and review queue show it. */
export const percent = (value: number) => `${value.toFixed(1)} %`;
