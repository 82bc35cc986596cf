export const x: number = ;
