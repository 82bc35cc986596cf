import { helper } from './helper.js';

export const greet = (name) => helper(name);
