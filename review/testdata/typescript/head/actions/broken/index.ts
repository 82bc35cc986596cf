export const onExecutePostLogin = async (event: any, api: any): Promise<void> => {
  const n: number = ;
};
