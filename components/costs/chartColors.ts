/** The charts' palette per theme (recharts takes colours as props, not from the app's CSS). */
export function chartColors(scheme: "light" | "dark") {
  return scheme === "light"
    ? { bar: "#4f46e5", grid: "#d4d4d8", text: "#52525b", cursor: "rgba(79,70,229,0.08)", tooltipBackground: "#ffffff", tooltipText: "#18181b" }
    : { bar: "#818cf8", grid: "#3f3f46", text: "#a1a1aa", cursor: "rgba(129,140,248,0.12)", tooltipBackground: "#18181b", tooltipText: "#f4f4f5" };
}
