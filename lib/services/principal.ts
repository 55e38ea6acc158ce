/** Who is making a request, however they proved it (session cookie or API token). */
export type Principal = {
  userId: string;
  email: string;
  name: string;
  role: "admin" | "user";
  // "schedule": a scheduled run created on its owner's behalf (lib/services/scheduleTick.ts).
  via: "session" | "token" | "schedule";
};

export const isAdmin = (p: Principal) => p.role === "admin";
