import { pino, type DestinationStream } from "pino";
import type { Logger, LogLevel } from "../../logger.js";

/**
 * A {@link Logger} backed by pino: one JSON object per line on stderr (synchronously, so
 * nothing is lost on exit), `{"level":"info","time":"<ISO>","name":...,"msg":...,...fields}`,
 * the same shape as the built-in logger of @prunesweep/proto, so log processors see one
 * format from every process.
 *
 * @param destination where lines go. @default stderr
 */
export function createPinoLogger(level: LogLevel, name: string, destination?: DestinationStream): Logger {
  const p = pino(
    {
      level,
      base: { name },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ dest: 2, sync: true }),
  );
  return {
    debug: (msg, fields) => p.debug(fields ?? {}, msg),
    info: (msg, fields) => p.info(fields ?? {}, msg),
    warn: (msg, fields) => p.warn(fields ?? {}, msg),
    error: (msg, fields) => p.error(fields ?? {}, msg),
  };
}
