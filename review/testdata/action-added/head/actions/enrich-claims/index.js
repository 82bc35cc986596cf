exports.onExecutePostLogin = async (event, api) => {
  const ns = event.secrets.CLAIMS_NAMESPACE;
  api.idToken.setCustomClaim(ns + '/roles', event.authorization?.roles ?? []);
};
