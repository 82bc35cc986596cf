export const util = (n: number): number => ;
