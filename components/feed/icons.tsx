/** Small stroke icons for the feed markers (16px, currentColor). */
const base = { viewBox: "0 0 16 16", className: "h-3.5 w-3.5", fill: "none", stroke: "currentColor", strokeWidth: 1.8, strokeLinecap: "round" as const, strokeLinejoin: "round" as const, "aria-hidden": true };

export const icons = {
  queue: <svg {...base}><path d="M3 4h10M3 8h10M3 12h6" /></svg>,
  play: <svg {...base}><path d="M5 3.5v9l7-4.5z" /></svg>,
  branch: <svg {...base}><circle cx="5" cy="3.5" r="1.5" /><circle cx="5" cy="12.5" r="1.5" /><circle cx="11" cy="6" r="1.5" /><path d="M5 5v6M11 7.5c0 2-2 2.5-6 3.5" /></svg>,
  chat: <svg {...base}><path d="M3 4h10v6H7l-3 2.5V10H3z" /></svg>,
  terminal: <svg {...base}><path d="M3.5 5l3 3-3 3M8.5 11h4" /></svg>,
  hand: <svg {...base}><path d="M8 2v6M5.5 4v5M10.5 4v5M3 7v2.5A4.5 4.5 0 0 0 7.5 14h1A4.5 4.5 0 0 0 13 9.5V6" /></svg>,
  check: <svg {...base}><path d="M3.5 8.5l3 3 6-7" /></svg>,
  cross: <svg {...base}><path d="M4 4l8 8M12 4l-8 8" /></svg>,
  coins: <svg {...base}><ellipse cx="8" cy="5" rx="4.5" ry="2" /><path d="M3.5 5v6c0 1.1 2 2 4.5 2s4.5-.9 4.5-2V5M3.5 8c0 1.1 2 2 4.5 2s4.5-.9 4.5-2" /></svg>,
  info: <svg {...base}><circle cx="8" cy="8" r="5.5" /><path d="M8 7.5v3M8 5.2v.1" /></svg>,
  diff: <svg {...base}><path d="M8 3v5M5.5 5.5h5M5.5 12h5" /></svg>,
  eye: <svg {...base}><path d="M1.5 8S4 3.5 8 3.5 14.5 8 14.5 8 12 12.5 8 12.5 1.5 8 1.5 8z" /><circle cx="8" cy="8" r="2" /></svg>,
  upload: <svg {...base}><path d="M8 11V3M4.5 6.5L8 3l3.5 3.5M3 13h10" /></svg>,
  stop: <svg {...base}><rect x="4" y="4" width="8" height="8" rx="1" /></svg>,
  box: <svg {...base}><path d="M2.5 5L8 2.5 13.5 5v6L8 13.5 2.5 11z" /><path d="M2.5 5L8 7.5 13.5 5M8 7.5v6" /></svg>,
};
