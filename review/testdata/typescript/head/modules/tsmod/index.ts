export const v: number = 2;
