export const y: string = ;
