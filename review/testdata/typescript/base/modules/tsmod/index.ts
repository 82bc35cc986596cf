export const v: number = 1;
