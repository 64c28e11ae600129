export { createLogger, silentLogger } from "@prunesweep/proto";
export type { Logger, LogLevel } from "@prunesweep/proto";
