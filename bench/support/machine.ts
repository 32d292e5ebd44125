import { cpus, totalmem } from 'node:os';

/** The machine a result was measured on; results from different machines are not comparable. */
export function machineInfo(): { cpu: string; cores: number; memory_gb: number; node: string } {
  return { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memory_gb: Math.round((totalmem() / 2 ** 30) * 10) / 10, node: process.version };
}
