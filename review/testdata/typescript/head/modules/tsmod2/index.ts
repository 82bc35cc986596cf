export const w: number = 2;
