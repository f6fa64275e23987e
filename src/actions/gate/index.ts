import { runAction } from '../shared/run.ts';
import { readInputs } from './inputs.ts';
import { run } from './main.ts';

await runAction(readInputs, run);
