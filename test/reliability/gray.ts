import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { PrivateInfra } from '../support/private-infra';

export type Part = 'kafka' | 'ferretdb';

const pidOf = (infra: PrivateInfra, part: Part): number =>
  Number(readFileSync(join(infra.scriptEnv.INFRA_RUN, part, `${part}.pid`), 'utf8').trim());

/** SIGSTOP / SIGCONT of a process: it hangs, holding its connections, instead of dying. */
export function pauseProcess(pid: number | undefined, paused: boolean): void {
  if (!pid) throw new Error('no process to pause');
  process.kill(pid, paused ? 'SIGSTOP' : 'SIGCONT');
}

export const pauseInfra = (infra: PrivateInfra, part: Part, paused: boolean): void =>
  pauseProcess(pidOf(infra, part), paused);

const dataDir = (infra: PrivateInfra, part: Part): string => join(infra.scriptEnv.INFRA_DATA, part);
const filler = (infra: PrivateInfra, part: Part): string =>
  join(dataDir(infra, part), 'disk-filler');

/**
 * Puts the part's data directory on a tmpfs of its own, so that it can be filled up (the test
 * machines run as root). Must run before the part first starts.
 */
export function smallDisk(infra: PrivateInfra, part: Part, megabytes: number): void {
  const dir = dataDir(infra, part);
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m`, 'tmpfs', dir]);
}

export function releaseSmallDisk(infra: PrivateInfra, part: Part): void {
  execFileSync('umount', ['-l', dataDir(infra, part)]);
}

/** Fills the part's disk to the last byte (dd until ENOSPC). */
export function fillDisk(infra: PrivateInfra, part: Part): void {
  try {
    execFileSync('dd', ['if=/dev/zero', `of=${filler(infra, part)}`, 'bs=1M'], { stdio: 'ignore' });
  } catch {
    // dd stops with "No space left on device": the disk is full, as intended.
  }
}

export function freeDisk(infra: PrivateInfra, part: Part): void {
  if (existsSync(filler(infra, part))) rmSync(filler(infra, part));
}
