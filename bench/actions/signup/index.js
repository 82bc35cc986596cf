// Pre-user-registration action for the Kratos bridge's load (bench/bridges.sh): two metadata
// writes, which Kratos' registration hook lands on the identity.
exports.onExecutePreUserRegistration = async (event, api) => {
  api.user.setUserMetadata('signup_ip', event.request.ip);
  api.user.setAppMetadata('plan', 'trial');
};
