import { claim } from './claim';

export const onExecutePostLogin = async (event: { user: { user_id: string } }, api: any): Promise<void> => {
  api.idToken.setCustomClaim('id', claim(event.user.user_id));
};
