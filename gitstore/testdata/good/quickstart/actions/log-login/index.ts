export const onExecutePostLogin = async (): Promise<void> => {};
