// Claims-only post-login action: roles -> two custom claims.
exports.onExecutePostLogin = async (event, api) => {
  const roles = event.authorization?.roles ?? [];
  api.idToken.setCustomClaim('https://example.com/roles', roles);
  api.accessToken.setCustomClaim('https://example.com/admin', roles.includes('admin'));
};
