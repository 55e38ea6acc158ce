import { describe, expect, it } from "vitest";
import { isPrivateAddress } from "../../lib/privateAddress";
import { hostAllowed, networkHosts } from "../../lib/networkHosts";

describe("a repository's network allow-list", () => {
  const list = ["registry.npmjs.org", "10.0.0.5:8080"];

  it("allows a bare name on 80 and 443 only, and name:port on that port only", () => {
    expect(hostAllowed(list, "registry.npmjs.org", 443)).toBe(true);
    expect(hostAllowed(list, "REGISTRY.npmjs.org.", 80)).toBe(true);
    expect(hostAllowed(list, "registry.npmjs.org", 22)).toBe(false);
    expect(hostAllowed(list, "10.0.0.5", 8080)).toBe(true);
    expect(hostAllowed(list, "10.0.0.5", 443)).toBe(false);
  });

  it("matches names exactly: no suffix, prefix or subdomain tricks", () => {
    for (const host of ["evil-registry.npmjs.org", "registry.npmjs.org.evil.com", "npmjs.org", "x.registry.npmjs.org", "registry.npmjs.or"]) {
      expect(hostAllowed(list, host, 443)).toBe(false);
    }
    expect(hostAllowed([], "registry.npmjs.org", 443)).toBe(false);
  });

  it("takes a JSON array or a form's text, lowercased and without duplicates, and refuses what is not a host", () => {
    expect(networkHosts.parse("Example.com\npypi.org, example.com  files.pythonhosted.org:443")).toEqual([
      "example.com",
      "pypi.org",
      "files.pythonhosted.org:443",
    ]);
    for (const bad of ["http://example.com", "*.example.com", "example.com:0", "example.com:70000", "exa mple.com", "user@example.com", "[::1]:80", "-x.com"]) {
      expect(networkHosts.safeParse([bad]).success, bad).toBe(false);
    }
  });
});

describe("the proxy's private address check", () => {
  it("refuses loopback, private, link-local and mapped forms", () => {
    for (const address of ["127.0.0.1", "127.1.2.3", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "::", "fc00::1", "fd12::1", "fe80::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "not-an-address"]) {
      expect(isPrivateAddress(address), address).toBe(true);
    }
  });

  it("lets public addresses through", () => {
    for (const address of ["8.8.8.8", "172.32.0.1", "104.16.0.1", "2606:4700::1111"]) {
      expect(isPrivateAddress(address), address).toBe(false);
    }
  });
});
