export { consolePlugin } from './plugin';
export { startConsole, type RunningConsole } from './standalone';
export { sandboxViewOf } from './sandbox-view';
export { pipelineResolve } from './resolve';
export type {
  ConsoleOptions,
  DeliveriesSource,
  DeliveryRow,
  KeyIdentity,
  ResolvePost,
  SandboxPostRow,
  SandboxView,
  Scope,
} from './ports';
