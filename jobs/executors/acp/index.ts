/** The `acp` executor's public face: what the job process registers and advertises. */
export { acpAgentAvailability } from "./agentCommand";
export { createAcpExecutor, type AcpExecutorOptions } from "./executor";
