const limit: number = 3;
if (limit > 2) throw new Error('limit too high');
export const onExecutePostLogin = async (): Promise<void> => {};
