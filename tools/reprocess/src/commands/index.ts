// One file per command; run.ts dispatches to them.
export { adopt } from './adopt';
export { cleanup } from './cleanup';
export { list } from './list';
export { progressOfVersion, status } from './progress';
export { parseSettings, start, stop, type StartOptions } from './start';
export { deploymentEnvironment, rollback, switchTo } from './switch';
export { verify } from './verify';
