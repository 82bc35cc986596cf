export const w: number = 1;
