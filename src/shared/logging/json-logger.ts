import { LoggerService } from '@nestjs/common';
import { LogLevel } from '../../config/app.config';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogSink = (line: string) => void;

/**
 * One JSON object per line: `{ time, level, context, msg, ...fields }`. Nest's own messages go
 * through it too; its start-up chatter (module init, route mapping) is logged at debug.
 */
export class JsonLogger implements LoggerService {
  constructor(
    private readonly level: LogLevel = 'info',
    private readonly sink: LogSink = (line) => process.stdout.write(line + '\n'),
  ) {}

  private write(level: LogLevel, context: string | undefined, msg: unknown, fields?: Record<string, unknown>) {
    if (ORDER[level] < ORDER[this.level]) return;
    const entry: Record<string, unknown> = { time: new Date().toISOString(), level, ...(context ? { context } : {}) };
    if (msg instanceof Error) Object.assign(entry, { msg: msg.message, error: msg.name, stack: msg.stack });
    else if (typeof msg === 'object' && msg !== null) Object.assign(entry, msg);
    else entry.msg = String(msg);
    this.sink(JSON.stringify({ ...entry, ...fields }));
  }

  /** Nest calls log() for its bootstrap messages: those are debug-level noise for operators. */
  log(message: unknown, context?: string) {
    const quiet = context && ['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication'].includes(context);
    this.write(quiet ? 'debug' : 'info', context, message);
  }
  error(message: unknown, stackOrContext?: string, context?: string) {
    this.write('error', context ?? stackOrContext, message);
  }
  warn(message: unknown, context?: string) {
    this.write('warn', context, message);
  }
  debug(message: unknown, context?: string) {
    this.write('debug', context, message);
  }
  verbose(message: unknown, context?: string) {
    this.write('debug', context, message);
  }

  /** Structured entry point for the service's own code. */
  event(level: LogLevel, context: string, msg: string, fields?: Record<string, unknown>) {
    this.write(level, context, msg, fields);
  }
}
