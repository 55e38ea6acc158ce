import net from "node:net";

// Loopback, private, link-local, carrier-grade NAT, documentation, benchmarking, multicast and
// reserved ranges, and the IPv6 prefixes that translate to IPv4 (NAT64, which could reach a
// private IPv4 address): never a public service. Two doors use this one list: the sandbox's
// egress proxy (a run reaching these could talk to Redis, the web, a cloud metadata service)
// and outgoing webhooks (a user's URL must not make the web call inside its own network).
const blocked = new net.BlockList();
for (const [address, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  blocked.addSubnet(address, prefix, "ipv4");
}
for (const [address, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["64:ff9b::", 96],
  ["100::", 64],
  ["2001:db8::", 32],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  blocked.addSubnet(address, prefix, "ipv6");
}

/** Whether an IP address (IPv6 with or without brackets) is anything but a public unicast one. */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, "");
  const family = net.isIP(bare);
  if (family === 4) return blocked.check(bare, "ipv4");
  if (family !== 6) return true; // Not an address: refuse rather than guess.
  // IPv4-mapped (::ffff:127.0.0.1) and IPv4-compatible forms reach the IPv4 address.
  const mapped = /^::(?:ffff:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped) return blocked.check(mapped[1]!, "ipv4");
  return blocked.check(bare, "ipv6");
}
