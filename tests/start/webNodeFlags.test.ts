import { describe, expect, it } from "vitest";
import { acceptedNodeFlags, WEB_NODE_FLAGS } from "../../scripts/lib/webNodeFlags";

/** The web's node flags (scripts/lib/webNodeFlags.ts): used when this node knows them, dropped when not. */
describe("the web server's node flags", () => {
  it("keeps the flags this node accepts", () => {
    expect(acceptedNodeFlags(WEB_NODE_FLAGS)).toEqual([...WEB_NODE_FLAGS]);
  });

  it("drops a flag this node does not know rather than fail to start the web", () => {
    expect(acceptedNodeFlags(["--no-such-v8-flag-agentdesk", ...WEB_NODE_FLAGS])).toEqual([...WEB_NODE_FLAGS]);
  });

  it("drops every flag when the node binary is not there", () => {
    expect(acceptedNodeFlags(WEB_NODE_FLAGS, "/nonexistent/node")).toEqual([]);
  });
});
