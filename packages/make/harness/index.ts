export * from './harness';
export * from './clock';
export { sanitizeLog, type LogEntry } from './http';
