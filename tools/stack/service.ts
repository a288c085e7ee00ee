import type { StackContext } from './context';

/** One service of the local stack. `up` is idempotent; `down` stops only what `up` started. */
export interface StackService {
  readonly name: string;
  up(context: StackContext): Promise<ServiceStatus>;
  down(context: StackContext): Promise<string>;
  status(context: StackContext): Promise<ServiceStatus>;
}

export interface ServiceStatus {
  readonly service: string;
  /** ours: started by this stack; external: someone else's, used as it is; off: disabled. */
  readonly owner: 'ours' | 'external' | 'off' | 'none';
  readonly healthy: boolean;
  readonly endpoint: string;
  readonly detail: string;
  readonly logFile?: string;
}
