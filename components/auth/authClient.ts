"use client";

import { createAuthClient } from "better-auth/react";

// Same origin as the page: better-auth's routes are mounted at /api/auth.
export const authClient = createAuthClient({ basePath: "/api/auth" });
