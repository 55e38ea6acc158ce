/** Who is making a request, however they proved it (session cookie or API token). */
export type Principal = {
  userId: string;
  email: string;
  name: string;
  role: "admin" | "user";
  via: "session" | "token";
};

export const isAdmin = (p: Principal) => p.role === "admin";
