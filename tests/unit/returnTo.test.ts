import { describe, expect, it } from "vitest";
import { safeReturnTo, signInPathFor } from "@/lib/returnTo";

describe("safeReturnTo: where sign-in sends someone afterwards", () => {
  it.each([
    ["/runs/6f1c2a7e-1b2c-4d5e-8f90-123456789abc", "/runs/6f1c2a7e-1b2c-4d5e-8f90-123456789abc"],
    ["/runs/abc/review", "/runs/abc/review"],
    ["/?status=failed", "/?status=failed"],
    ["/inbox#request-1", "/inbox#request-1"],
    ["/runs/new?repo=demo&executor=agent", "/runs/new?repo=demo&executor=agent"],
    // Normalised as the browser would, still on this site.
    ["/runs/../inbox", "/inbox"],
    ["/runs/%2F%2Fevil.com", "/runs/%2F%2Fevil.com"],
  ])("keeps the same-site path %s", (raw, kept) => {
    expect(safeReturnTo(raw)).toBe(kept);
  });

  it.each([
    "//evil.com",
    "//evil.com/runs/1",
    "/\\evil.com",
    "/\\/evil.com",
    "\\\\evil.com",
    "https://evil.com",
    "http://localhost:3000/runs/1",
    "javascript:alert(1)",
    "evil.com",
    "runs/1",
    "/\t/evil.com",
    "/\n/evil.com",
    " /runs/1",
    "",
    "/sign-in",
    "/sign-in?next=/runs/1",
    "/sign-up",
    "/api/runs",
    "/" + "a".repeat(2_001),
  ])("refuses %j and goes to the runs page", (raw) => {
    expect(safeReturnTo(raw)).toBe("/");
  });

  it("refuses what is not one string (a repeated parameter, nothing at all)", () => {
    expect(safeReturnTo(["/runs/1", "//evil.com"])).toBe("/");
    expect(safeReturnTo(undefined)).toBe("/");
    expect(safeReturnTo(null)).toBe("/");
    expect(safeReturnTo(42)).toBe("/");
  });

  it("builds the sign-in address, and leaves the parameter out for the runs page or a refused path", () => {
    expect(signInPathFor("/runs/abc?tab=diff")).toBe("/sign-in?next=%2Fruns%2Fabc%3Ftab%3Ddiff");
    expect(signInPathFor("/runs/abc", "/sign-up")).toBe("/sign-up?next=%2Fruns%2Fabc");
    expect(signInPathFor("/")).toBe("/sign-in");
    expect(signInPathFor("//evil.com")).toBe("/sign-in");
    expect(signInPathFor(null)).toBe("/sign-in");
  });
});
