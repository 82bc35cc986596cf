// Adds the plan to the tokens and asks for MFA on the first login.
exports.onExecutePostLogin = async (event, api) => {
  const plan = event.user.app_metadata.plan ?? 'free';
  api.idToken.setCustomClaim('plan', plan);
  api.accessToken.setCustomClaim('plan', plan);
  if (!event.user.app_metadata.welcomed) {
    api.user.setAppMetadata('welcomed', true);
    api.multifactor.enable('any');
  }
};
